package io.vecml.cli;

import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.Parse;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.Npy;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.progress.ProgressListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "knn", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Exact k-nearest-neighbour classification with L1 and/or L2 distances.",
            "",
            "Every k is scored from ONE neighbour search per metric (the neighbours are found up to the largest "
            + "k). Neighbours are ordered by (distance, training index) and a vote tie goes to the smallest class "
            + "label, so answers do not depend on threads, SIMD or GEMM. uint8 data gets exact integer distances; "
            + "the L2 GEMM path re-ranks its candidates exactly. Data without a test split is split by "
            + "--test-fraction/--split-seed. --save-model writes the model (one metric, one k) for vecml predict."},
        footer = {"", "Examples:",
            "  vecml knn --data cifar-10-python.tar.gz --k 1,5,10 --metric l1,l2 --limit 1000",
            "  vecml knn --data /usr/share/datasets/fashion-mnist --metric l2 --json --predictions pred.npy",
            "  vecml knn --train x_train.npy --test x_test.npy --k 3 --weights distance --save-model knn.vecml"})
final class KnnCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "PATH",
            description = "A dataset with train (and test) splits: file, folder, archive or " + Datasets.EMBEDDED_DIGITS + ".")
    String data;

    @Option(names = "--train", paramLabel = "PATH", description = "Training data (its train split), with --test.")
    String trainPath;

    @Option(names = "--test", paramLabel = "PATH", description = "Test data (its test split if it has one, else all of it).")
    String testPath;

    @Mixin
    DataSourceOptions source;

    @Mixin
    HoldoutOptions holdout;

    @Option(names = "--k", paramLabel = "K", defaultValue = "5",
            description = "Neighbour counts: one, a list, a range or both (5; 1,3,5; 1..30; 1..30:2). Default: ${DEFAULT-VALUE}.")
    String ks;

    @Option(names = "--metric", split = ",", paramLabel = "M", defaultValue = "l2",
            description = "l1 and/or l2 (each is reported), comma-separated. Default: ${DEFAULT-VALUE}.")
    String[] metrics;

    @Option(names = "--weights", defaultValue = "uniform", paramLabel = "W",
            description = "uniform, or distance (1/d; neighbours at distance 0 take all the weight). Default: ${DEFAULT-VALUE}.")
    String weights;

    @Mixin
    RowLimits rows;

    @Mixin
    StandardizeOption scaling;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors; results never depend on it).")
    Integer threads;

    @Option(names = "--report-every", paramLabel = "N",
            description = "Print the accuracy so far every N test images (as the lecture's loop does).")
    Integer reportEvery;

    @Mixin
    ProgressOptions progress;

    @Option(names = "--repeats", defaultValue = "1", paramLabel = "R",
            description = {"Run each metric's search R times (fit included) in this JVM. With R > 1 the times "
                + "reported are the median of runs 2..R (JIT-warm); the first run, which pays the JIT warm-up, "
                + "is listed apart. Every run must predict the same labels. Default: ${DEFAULT-VALUE}."})
    int repeats;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--predictions", paramLabel = "OUT.npy",
            description = "Write the predicted labels as int32 .npy: shape (N,) for one (metric, k), else"
                    + " (results, N) in the order of the results table.")
    Path predictions;

    @Option(names = "--confusion-png", paramLabel = "FILE",
            description = "Draw the confusion matrix of the test predictions as a heat map (class names on both"
                    + " axes, counts in the cells). With several (metric, k) it is the first result's: the first"
                    + " metric and the smallest k.")
    Path confusionPng;

    @Option(names = "--save-model", paramLabel = "FILE",
            description = "Save the model (one --metric and one --k; it holds its training rows and standardises new"
                    + " rows as --standardize says) for vecml predict: versioned, checksummed, written atomically.")
    Path saveModel;

    record Result(String metric, int k, String weights, double accuracy, double balancedAccuracy, double seconds,
            double imagesPerSecond) {
    }

    record DataSummary(String source, String format, int trainRows, int testRows, int dims, String type, int classes,
            String standardize) {
    }

    record Report(DataSummary data, int threads, String kernels, String gemm, List<Result> results,
            Map<String, Double> searchSeconds, Map<String, List<Double>> runSeconds, String predictionsFile,
            String confusionPng, String modelFile) {
    }

    @Override
    public Integer call() throws IOException {
        int[] kList = Parse.ks(ks, "--k");
        List<Metric> ms = OptionParsers.metrics(metrics);
        Weights w = OptionParsers.weights(weights);
        validate(kList, ms);
        int nThreads = Parse.threads(threads, "--threads");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressListener bars = progress.listener(err);
        long seed = holdout.seed();
        // Compiles the search code on the idle core while the data loads (standardised data is float32:
        // another path, not warmed up).
        KnnWarmup warmup = scaling.train() ? KnnWarmup.start(java.util.Optional.empty(), ms, 0, kList, w)
                : KnnWarmup.start(KnnWarmup.probeIdx(data != null ? data : trainPath, source.format, rows.trainLimit),
                        ms, kList[kList.length - 1], kList, w);
        TrainTestData loaded;
        try {
            loaded = TrainTestData.load(data, trainPath, testPath, source, holdout.testFraction, seed, rows,
                    holdout.split);
        } finally {
            warmup.close();
        }
        try (TrainTestData tt = loaded) {
            if (scaling.train()) {
                tt.standardize();
            }
            Dataset train = tt.train;
            Dataset test = tt.test;
            int kMax = kList[kList.length - 1];
            if (train.rows() > 0 && io.vecml.engine.data.DataChecks.classesWithRows(train) < 2) {
                err.println(Main.prefix(spec) + ": warning: the training rows are all of one class ('"
                        + train.classNames().get(train.label(0)) + "'): every prediction is that class");
            }
            if (kMax > train.rows()) {
                throw new IllegalArgumentException("k = " + kMax + " is more than the " + train.rows() + " training rows");
            }
            int nq = test.rows();
            int[] truth = test.labels();
            PrintWriter running = json ? err : out;
            KnnEvaluation eval = new KnnEvaluation(kList, w, nThreads, repeats,
                    reportEvery != null ? reportEvery : Math.max(1000, (nq + 19) / 20), bars,
                    reportEvery == null ? null : line -> {
                        if (bars instanceof ProgressOptions.Bars b) {
                            b.finish();
                        }
                        running.println(line);
                        running.flush();
                    });
            List<Result> results = new ArrayList<>();
            List<int[]> preds = new ArrayList<>();
            Map<String, Double> searchSeconds = new LinkedHashMap<>();
            Map<String, List<Double>> runSeconds = new LinkedHashMap<>();
            for (Metric metric : ms) {
                KnnEvaluation.Outcome o = eval.run(train, test, metric);
                double secs = o.seconds();
                searchSeconds.put(metric.name(), secs);
                runSeconds.put(metric.name(), o.runSeconds());
                for (int a = 0; a < kList.length; a++) {
                    int[] p = o.predictions()[a];
                    results.add(new Result(metric.name(), kList[a], w.name().toLowerCase(Locale.ROOT),
                            Metrics.accuracy(p, truth), Metrics.balancedAccuracy(p, truth, train.numClasses()),
                            secs, nq / secs));
                    preds.add(p);
                }
            }
            if (bars instanceof ProgressOptions.Bars b) {
                b.finish();
            }
            if (predictions != null) {
                writePredictions(preds, nq);
            }
            if (confusionPng != null) {
                Result first = results.get(0);
                ConfusionChart.write(train.classNames(), Metrics.confusion(preds.get(0), truth, train.numClasses()),
                        String.format(Locale.ROOT, "kNN %s k=%d (%s): accuracy %.4f on %d test rows", first.metric(),
                                first.k(), first.weights(), first.accuracy(), nq), confusionPng);
            }
            if (saveModel != null) {
                // the model scales its queries itself, so it is fitted on the unscaled training rows
                try (KnnModel m = new KnnModel(new KnnModel.Params(kList[0], ms.get(0), w, tt.standardized),
                        new RunOptions(nThreads)).fit(tt.standardized ? tt.unscaledTrain : train)) {
                    m.save(saveModel);
                }
            }
            DataSummary ds = new DataSummary(tt.source, tt.format, train.rows(), nq, train.dims(),
                    train.type().name().toLowerCase(Locale.ROOT), train.numClasses(), tt.standardized ? "train" : "none");
            Report report = new Report(ds, nThreads, KernelSelection.current().kernels().name(),
                    GemmSelection.current().choice(), results, searchSeconds, runSeconds,
                    predictions == null ? null : predictions.toString(),
                    confusionPng == null ? null : confusionPng.toString(), saveModel == null ? null : saveModel.toString());
            if (json) {
                out.println(Json.write(report));
            } else {
                printText(out, report);
            }
            out.flush();
            warmup.failureNote(Main.prefix(spec)).ifPresent(note -> {
                err.println(note);
                err.flush();
            });
            return 0;
        }
    }

    private void validate(int[] kList, List<Metric> ms) {
        TrainTestData.validate(data, trainPath, testPath, holdout.testFraction);
        if (repeats < 1 || repeats > 100) {
            throw new IllegalArgumentException("--repeats must be 1..100, got " + repeats);
        }
        rows.validate();
        Parse.threads(threads, "--threads");
        progress.enabled();
        if (reportEvery != null && reportEvery < 1) {
            throw new IllegalArgumentException("--report-every must be >= 1, got " + reportEvery);
        }
        scaling.train();
        OutputPaths.png(confusionPng, "--confusion-png");
        OutputPaths.file(predictions, "--predictions", ".npy");
        if (saveModel != null) {
            if (ms.size() != 1 || kList.length != 1) {
                throw new IllegalArgumentException("--save-model saves one model: give one --metric and one --k (got "
                        + ms.size() + " metrics and " + kList.length + " values of k)");
            }
            OutputPaths.file(saveModel, "--save-model");
        }
    }

    /** The median of {@code x} (kept for callers of the old name). */
    static double median(List<Double> x) {
        return KnnEvaluation.median(x);
    }

    private void writePredictions(List<int[]> preds, int nq) throws IOException {
        int[] flat = new int[preds.size() * nq];
        for (int i = 0; i < preds.size(); i++) {
            System.arraycopy(preds.get(i), 0, flat, i * nq, nq);
        }
        if (preds.size() == 1) {
            Npy.write(predictions, flat, nq);
        } else {
            Npy.write(predictions, flat, preds.size(), nq);
        }
    }

    private static void printText(PrintWriter out, Report r) {
        DataSummary d = r.data();
        out.printf(Locale.ROOT, "kNN on %s (%s): %d training x %d features %s, %d test images, %d classes%s%n",
                d.source(), d.format(), d.trainRows(), d.dims(), d.type(), d.testRows(), d.classes(),
                d.standardize().equals("train") ? ", standardised with the training rows' statistics" : "");
        out.printf(Locale.ROOT, "threads %d, kernels %s, GEMM %s%n%n", r.threads(), r.kernels(), r.gemm());
        out.printf(Locale.ROOT, "%-6s %5s %-8s %9s %9s %10s %11s%n", "metric", "k", "weights", "accuracy", "balanced",
                "search s", "test img/s");
        for (Result x : r.results()) {
            out.printf(Locale.ROOT, "%-6s %5d %-8s %9.4f %9.4f %10.3f %11.1f%n", x.metric(), x.k(), x.weights(),
                    x.accuracy(), x.balancedAccuracy(), x.seconds(), x.imagesPerSecond());
        }
        out.printf(Locale.ROOT, "%nsearch s: one neighbour search per metric up to the largest k, shared by its rows%s.%n",
                r.runSeconds().values().iterator().next().size() > 1 ? "; median of the JIT-warm runs 2..R" : "");
        r.runSeconds().forEach((m, runs) -> {
            if (runs.size() > 1) {
                StringBuilder b = new StringBuilder();
                for (double t : runs) {
                    b.append(String.format(Locale.ROOT, " %.3f", t));
                }
                out.printf(Locale.ROOT, "%s runs (s):%s  (the first includes JIT warm-up)%n", m, b);
            }
        });
        if (r.predictionsFile() != null) {
            out.printf("predictions written to %s%n", r.predictionsFile());
        }
        if (r.confusionPng() != null) {
            Result f = r.results().get(0);
            out.printf(Locale.ROOT, "confusion matrix of %s k=%d drawn to %s%n", f.metric(), f.k(), r.confusionPng());
        }
        if (r.modelFile() != null) {
            out.printf("model saved to %s (vecml predict --model %s --data PATH)%n", r.modelFile(), r.modelFile());
        }
    }
}
