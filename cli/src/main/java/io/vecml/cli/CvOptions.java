package io.vecml.cli;

import io.vecml.engine.api.Experiments;
import io.vecml.engine.api.Parse;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.Standardize;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.eval.CrossValidation;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.progress.ProgressListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of {@code vecml cv knn|linear}, and the run and the printing they share. */
final class CvOptions {
    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Dataset (its training split is used): file, folder, archive or " + Datasets.EMBEDDED_DIGITS + ".")
    String data;

    @Mixin
    CvSplitOptions splits;

    @Mixin
    TrainRowLimit limits;

    /** cv has no test rows to limit: --limit is refused, and kept out of --help (it counted training rows before). */
    @Option(names = "--limit", hidden = true, paramLabel = "N",
            description = "Refused: cv uses no test rows (--train-limit N limits the training rows).")
    Integer limit;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads (default: all processors; results do not depend on it).")
    Integer threads;

    @Mixin
    ProgressOptions progress;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    int threads() {
        return Parse.threads(threads, "--threads");
    }

    /** Runs the cross-validation ({@link Experiments#crossValidate}) and prints the report. */
    int run(CommandLine.Model.CommandSpec spec, DataSourceOptions source, Standardize standardize,
            CvSpec.Scaling scaling, String model, CrossValidation.Model factory) throws IOException {
        splits.command = spec; // nested mixin: warnings are the command's
        splits.validate(limits);
        if (limit != null) {
            // cv scores folds of the training rows; a test split, when there is one, is not used
            throw new IllegalArgumentException(CvSplitOptions.LIMIT_WITHOUT_TEST);
        }
        ProgressListener bars = progress.listener(spec.commandLine().getErr());
        try (LoadedData d = ExperimentIo.load(data, source); CvSplitOptions.Prepared p = splits.prepare(d, scaling, limits)) {
            Experiments.CvReport r;
            try {
                r = Experiments.crossValidate(d.source(), p.train(), p.cv(), standardize, model, factory,
                        new RunOptions(threads(), bars));
            } finally {
                ExperimentIo.finish(bars);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(r));
            } else {
                out.printf(Locale.ROOT, "%s on %s: %d rows x %d features, %d-fold%s%s, standardize %s, scoring %s%n%n",
                        model, r.source(), r.rows(), r.dims(), r.folds(), r.stratified() ? " stratified" : "",
                        splits.shuffle(r.cvSeed()), r.standardize(), r.scoring());
                out.printf(Locale.ROOT, "%4s %8s %8s %8s%n", "fold", "train", "held out", r.scoring());
                for (Experiments.FoldScore f : r.scores()) {
                    out.printf(Locale.ROOT, "%4d %8d %8d %8.4f%n", f.fold(), f.trainRows(), f.testRows(), f.score());
                }
                out.printf(Locale.ROOT, "%ncross-validated %s: mean %.4f, std %.4f (%.3f s)%n", r.scoring(), r.mean(),
                        r.std(), r.seconds());
            }
            out.flush();
            return 0;
        }
    }
}
