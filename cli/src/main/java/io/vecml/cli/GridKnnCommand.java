package io.vecml.cli;

import io.vecml.engine.api.Experiments;
import io.vecml.engine.api.Parse;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.Standardize;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridReports.Report;
import io.vecml.engine.eval.KnnGridReports.Row;
import io.vecml.engine.progress.ProgressListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vecml grid knn}: options and printing; the search is {@link Experiments#knnGrid}. */
@Command(name = "knn", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Cross-validated grid search for kNN over k, metric and weights.", "",
            "Grid search for kNN over k x metric x weights with K-fold cross-validation, as "
            + "scikit-learn's GridSearchCV(KNeighborsClassifier(), grid, cv=K) does, then refit the best on "
            + "the whole training split and score it on the test split (when there is one).",
            "",
            "The neighbours are searched once per fold and metric, up to the largest k; every k is scored "
            + "from those same ordered lists (exactly what fitting each candidate alone gives). Without --cv-seed "
            + "the folds are scikit-learn's (Stratified)KFold without shuffling, so the scores can be compared."},
        footer = {"", "Example:",
            "  vecml grid knn --data /usr/share/datasets/fashion-mnist --train-limit 5000 --k 1..30 \\",
            "      --metric l1,l2 --folds 5 --standardize train --plot-png acc_vs_k.png"})
final class GridKnnCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Dataset: file, folder, archive or " + Datasets.EMBEDDED_DIGITS + ".")
    String data;

    @Mixin
    DataSourceOptions source;

    @Mixin
    CvSplitOptions splits;

    @Mixin
    RowLimits limits;

    @Option(names = "--k", defaultValue = "1..30", paramLabel = "KS",
            description = "k values: lists and ranges, e.g. 1..30, 1..30:2 or 1,3,5,10. Default: ${DEFAULT-VALUE}.")
    String ks;

    @Option(names = "--metric", split = ",", defaultValue = "l1,l2", paramLabel = "M",
            description = "l1 and/or l2, comma-separated (grid order as given). Default: ${DEFAULT-VALUE}.")
    String[] metrics;

    @Option(names = "--weights", split = ",", defaultValue = "uniform", paramLabel = "W",
            description = "uniform and/or distance, comma-separated. Default: ${DEFAULT-VALUE}.")
    String[] weights;

    @Option(names = "--standardize", defaultValue = "none", paramLabel = "SCOPE",
            description = "none; train (z-scores fitted on each training fold only: the correct way); all (fitted on"
                    + " all training rows before the split: the lecture's recipe, which leaks). Default: ${DEFAULT-VALUE}.")
    String standardize;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads (default: all processors; results do not depend on it).")
    Integer threads;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10",
            description = "Candidates shown in the text table (all go to --json). Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--repeats", defaultValue = "1", paramLabel = "R",
            description = "Run the whole search R times in this JVM; with R > 1 the time reported is the median "
                    + "of runs 2..R (JIT-warm) and every run must give the same scores. Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Mixin
    ProgressOptions progress;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--plot-png", paramLabel = "FILE",
            description = "Draw mean CV score against k, one line per metric and weighting.")
    Path plotPng;

    @Override
    public Integer call() throws IOException {
        Experiments.KnnGrid grid = new Experiments.KnnGrid(Parse.ks(ks, "--k"), Parse.metrics(String.join(",", metrics), "--metric"),
                Parse.weightsList(String.join(",", weights), "--weights"));
        CvSpec.Scaling scaling = Standardize.parse(standardize, "--standardize").knnScaling("--standardize");
        int nThreads = Parse.threads(threads, "--threads");
        if (repeats < 1 || repeats > 1000) {
            throw new IllegalArgumentException("--repeats must be 1..1000, got " + repeats);
        }
        splits.validate(limits);
        OutputPaths.png(plotPng, "--plot-png");
        PrintWriter out = spec.commandLine().getOut();
        ProgressListener bars = progress.listener(spec.commandLine().getErr());
        try (LoadedData d = ExperimentIo.load(data, source); CvSplitOptions.Prepared prep = splits.prepare(d, scaling, limits)) {
            Report report;
            try {
                report = Experiments.knnGrid(d.source(), prep.split(), grid, prep.cv(), repeats,
                        new RunOptions(nThreads, bars));
            } finally {
                ExperimentIo.finish(bars);
            }
            if (plotPng != null) {
                Pictures.writePng(GridCharts.accuracyVsK(report), plotPng);
            }
            if (json) {
                out.println(Json.write(report));
            } else {
                print(out, report);
            }
            out.flush();
            return 0;
        }
    }

    private void print(PrintWriter out, Report r) {
        out.printf(Locale.ROOT, "kNN grid search on %s: %d rows x %d features, %d candidates, %d-fold%s%s,"
                + " standardize %s, scoring %s%n", r.source(), r.rows(), r.dims(), r.candidates(), r.folds(),
                r.stratified() ? " stratified" : "", splits.shuffle(r.cvSeed()), r.standardize(), r.scoring());
        out.printf(Locale.ROOT, "%n%4s  %-6s %5s %-8s %8s %8s%n", "rank", "metric", "k", "weights", "mean", "std");
        r.results().stream().sorted((a, b) -> Integer.compare(a.rank(), b.rank()))
                .limit(Math.max(1, top)).forEach(x -> out.printf(Locale.ROOT, "%4d  %-6s %5d %-8s %8.4f %8.4f%n",
                        x.rank(), x.metric(), x.k(), x.weights(), x.mean(), x.std()));
        Row b = r.best();
        out.printf(Locale.ROOT, "%nbest: metric %s, k %d, weights %s: mean CV %s %.4f (std %.4f)%n", b.metric(), b.k(),
                b.weights(), r.scoring(), b.mean(), b.std());
        if (r.test() != null) {
            out.printf(Locale.ROOT, "refit on all %d training rows, test split (%d rows): accuracy %.4f, balanced"
                    + " accuracy %.4f%n", r.rows(), r.test().rows(), r.test().accuracy(), r.test().balancedAccuracy());
        }
        if (r.runSeconds().size() > 1) {
            StringBuilder all = new StringBuilder();
            for (double t : r.runSeconds()) {
                all.append(String.format(Locale.ROOT, " %.4f", t));
            }
            out.printf(Locale.ROOT, "search time %.4f s (median of the JIT-warm runs 2..%d; all runs:%s s)%n",
                    r.seconds(), r.runSeconds().size(), all);
        } else {
            out.printf(Locale.ROOT, "search time %.3f s (one run, including JIT warm-up; --repeats R for warm"
                    + " timings)%n", r.seconds());
        }
    }
}
