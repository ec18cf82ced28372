package io.vecml.cli;

import io.vecml.engine.api.Experiments;
import io.vecml.engine.api.Parse;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.Standardize;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.eval.LinearGridReports;
import io.vecml.engine.eval.LinearGridSearch;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.progress.ProgressListener;
import io.vecml.engine.train.SgdConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vecml grid linear}: options and printing; the search is {@link Experiments#linearGrid}. */
@Command(name = "linear", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Cross-validated grid search for the linear classifier.", "",
            "Grid search for the linear classifier over loss x penalty x learning rate x lambda "
            + "with K-fold cross-validation, then refit the best on the whole training split and score it on "
            + "the test split (when there is one).",
            "",
            "Every candidate is trained by minibatch SGD on each training fold with the same epochs, batch "
            + "size and --train-seed, and scores the held-out fold. Order: loss, then penalty, then learning "
            + "rate, then lambda (as given). A candidate whose training diverges on a fold scores NaN there "
            + "and ranks last. --standardize train (the default) is the model's own standardisation, fitted on "
            + "each training fold only."},
        footer = {"", "Example:",
            "  vecml grid linear --data embedded:digits --lr 0.01,0.1 --lambda 1e-4,1e-3 --loss svm,softmax \\",
            "      --epochs 10 --folds 5 --plot-png grid.png"})
final class GridLinearCommand implements Callable<Integer> {
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

    @Option(names = "--lr", split = ",", defaultValue = "0.01,0.1", paramLabel = "F",
            description = "Learning rates. Default: ${DEFAULT-VALUE}.")
    double[] lrs;

    @Option(names = "--lambda", split = ",", defaultValue = "1e-4,1e-3", paramLabel = "F",
            description = "Penalty strengths. Default: ${DEFAULT-VALUE}.")
    double[] lambdas;

    @Option(names = "--loss", split = ",", defaultValue = "svm,softmax", paramLabel = "L",
            description = "svm and/or softmax. Default: ${DEFAULT-VALUE}.")
    String[] losses;

    @Option(names = "--reg", split = ",", defaultValue = "l2", paramLabel = "R",
            description = "Penalty kinds: l2, l1, elastic, none (none ignores --lambda). Default: ${DEFAULT-VALUE}.")
    String[] regs;

    @Option(names = "--l1-ratio", defaultValue = "0.5", paramLabel = "F",
            description = "L1 share of the elastic net. Default: ${DEFAULT-VALUE}.")
    double l1Ratio;

    @Option(names = "--epochs", defaultValue = "10", paramLabel = "N",
            description = "Passes over each training fold. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", defaultValue = "256", paramLabel = "N", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--momentum", defaultValue = "0", paramLabel = "F",
            description = "Classical momentum in [0, 1). Default: ${DEFAULT-VALUE}.")
    double momentum;

    @Option(names = "--train-seed", defaultValue = "0", paramLabel = "S",
            description = "Seed of the initial weights and batch order (the same for every candidate)."
                    + " Default: ${DEFAULT-VALUE}.")
    long trainSeed;

    @Option(names = "--standardize", defaultValue = "train", paramLabel = "SCOPE",
            description = "train (the model's own z-scores, fitted on each training fold only), center (minus the"
                    + " training fold's mean image), all (fitted on all rows before the split: the lecture's recipe,"
                    + " which leaks) or none. Default: ${DEFAULT-VALUE}.")
    String standardize;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads (default: all processors; results do not depend on it).")
    Integer threads;

    @Option(names = "--top", paramLabel = "N", defaultValue = "20",
            description = "Candidates shown in the text table (all go to --json). Default: ${DEFAULT-VALUE}.")
    int top;

    @Mixin
    ProgressOptions progress;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--plot-png", paramLabel = "FILE",
            description = "Draw the mean CV score of every candidate against its number (# in the table), one line per loss.")
    Path plotPng;

    @Override
    public Integer call() throws IOException {
        for (double v : lrs) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("--lr values must be finite and > 0, got " + v);
            }
        }
        for (double v : lambdas) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("--lambda values must be finite and >= 0, got " + v);
            }
        }
        LinearOptions.checkSgd(epochs, batch, momentum);
        if (!(l1Ratio >= 0 && l1Ratio <= 1)) {
            throw new IllegalArgumentException("--l1-ratio must be in [0, 1], got " + l1Ratio);
        }
        OutputPaths.png(plotPng, "--plot-png");
        List<Loss> ls = new ArrayList<>();
        for (String l : losses) {
            Loss x = Parse.loss(l, "--loss");
            if (!ls.contains(x)) {
                ls.add(x);
            }
        }
        List<Regularizer.Kind> ks = new ArrayList<>();
        for (String r : regs) {
            Regularizer.Kind x = Parse.penalty(r, 0, l1Ratio, false, "--reg").kind();
            if (!ks.contains(x)) {
                ks.add(x);
            }
        }
        Standardize st = Standardize.parse(standardize, "--standardize");
        Standardize.LinearScaling scaling = st.linearScaling();
        int nThreads = Parse.threads(threads, "--threads");
        splits.validate(limits);
        LinearConfig base = LinearConfig.defaults().withPreprocessing(scaling.model())
                .withRegularizer(Regularizer.elasticNet(0, l1Ratio));
        SgdConfig sgd = SgdConfig.defaults().withEpochs(epochs).withBatchSize(batch).withMomentum(momentum)
                .withSeed(trainSeed).withThreads(nThreads);
        LinearGridSearch.Grid grid = new LinearGridSearch.Grid(ls, ks, distinct(lrs), distinct(lambdas));
        PrintWriter out = spec.commandLine().getOut();
        ProgressListener bars = progress.listener(spec.commandLine().getErr());
        try (LoadedData d = ExperimentIo.load(data, source);
             CvSplitOptions.Prepared prep = splits.prepare(d, scaling.cv(), limits)) {
            LinearGridReports.Report report;
            try {
                report = Experiments.linearGrid(d.source(), prep.train(), prep.test(), grid, base, sgd, prep.cv(), st,
                        new RunOptions(nThreads, bars), "--lr");
            } finally {
                ExperimentIo.finish(bars);
            }
            if (plotPng != null) {
                Pictures.writePng(GridCharts.scorePerCandidate(report), plotPng);
            }
            if (json) {
                out.println(Json.write(report));
            } else {
                print(out, report);
                if (plotPng != null) {
                    out.printf("plot drawn to %s%n", plotPng);
                }
            }
            out.flush();
            return 0;
        }
    }

    private static double[] distinct(double[] v) {
        return Arrays.stream(v).distinct().toArray();
    }

    private void print(PrintWriter out, LinearGridReports.Report r) {
        out.printf(Locale.ROOT, "linear grid search on %s: %d rows x %d features, %d candidates, %d-fold%s%s,"
                + " standardize %s, scoring %s; SGD %d epochs, batch %d, train seed %d%n", r.source(), r.rows(),
                r.dims(), r.candidates(), r.folds(), r.stratified() ? " stratified" : "",
                splits.shuffle(r.cvSeed()), r.standardize(), r.scoring(), r.epochs(), r.batchSize(), r.trainSeed());
        out.printf(Locale.ROOT, "%n%4s %4s  %-8s %-10s %9s %9s %8s %8s%n", "rank", "#", "loss", "penalty", "lr",
                "lambda", "mean", "std");
        r.results().stream().sorted((a, b) -> Integer.compare(a.rank(), b.rank())).limit(Math.max(1, top))
                .forEach(x -> out.printf(Locale.ROOT, "%4d %4d  %-8s %-10s %9.3g %9.3g %8s %8s%s%n", x.rank(),
                        x.candidate(), x.loss(), x.penalty(), x.learningRate(), x.lambda(), fmt(x.mean()),
                        fmt(x.std()), x.divergedFolds() > 0 ? "  (diverged on " + x.divergedFolds() + " folds)" : ""));
        LinearGridReports.Row b = r.best();
        out.printf(Locale.ROOT, "%nbest: #%d, loss %s, penalty %s, lr %s, lambda %s: mean CV %s %.4f (std %.4f)%n",
                b.candidate(), b.loss(), b.penalty(), b.learningRate(), b.lambda(), r.scoring(), b.mean(), b.std());
        if (r.test() != null) {
            out.printf(Locale.ROOT, "refit on all %d training rows, test split (%d rows): accuracy %.4f, balanced"
                    + " accuracy %.4f, macro F1 %.4f%n", r.rows(), r.test().rows(), r.test().accuracy(),
                    r.test().balancedAccuracy(), r.test().macroF1());
        }
        out.printf(Locale.ROOT, "search time %.3f s%n", r.seconds());
    }

    private static String fmt(Double v) {
        return v == null ? "NaN" : String.format(Locale.ROOT, "%.4f", v);
    }
}
