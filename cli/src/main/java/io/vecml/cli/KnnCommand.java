package io.vecml.cli;

import io.vecml.engine.api.Parse;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.Npy;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Neighbors;
import io.vecml.engine.knn.Weights;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
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
            + "--test-fraction/--seed."},
        footer = {"", "Examples:",
            "  vecml knn --data cifar-10-python.tar.gz --k 1,5,10 --metric l1,l2 --limit 1000",
            "  vecml knn --data /usr/share/datasets/fashion-mnist --metric l2 --json --predictions pred.npy",
            "  vecml knn --train x_train.npy --test x_test.npy --k 3 --weights distance"})
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
    SplitOptions split;

    @Option(names = "--k", paramLabel = "K", defaultValue = "1,3,5",
            description = "Neighbour counts: a list, a range or both (1,3,5; 1..30; 1..30:2). Default: ${DEFAULT-VALUE}.")
    String ks;

    @Option(names = "--metric", split = ",", paramLabel = "M", defaultValue = "l1,l2",
            description = "l1 and/or l2, comma-separated. Default: ${DEFAULT-VALUE}.")
    String[] metrics;

    @Option(names = "--weights", defaultValue = "uniform", paramLabel = "W",
            description = "uniform, or distance (1/d; neighbours at distance 0 take all the weight). Default: ${DEFAULT-VALUE}.")
    String weights;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N test images.")
    Integer limit;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors).")
    Integer threads;

    @Option(names = "--test-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "Held-out fraction when the data has no test split. Default: ${DEFAULT-VALUE}.")
    double testFraction;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed of that split. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--report-every", paramLabel = "N",
            description = "Print the accuracy so far every N test images (as the lecture's loop does).")
    Integer reportEvery;

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "WHEN",
            description = "Progress bar on stderr: auto (when stderr is a terminal), always, never. Default: ${DEFAULT-VALUE}.")
    String progress;

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

    record Result(String metric, int k, String weights, double accuracy, double balancedAccuracy, double seconds,
            double imagesPerSecond) {
    }

    record DataSummary(String source, String format, int trainRows, int testRows, int dims, String type, int classes) {
    }

    record Report(DataSummary data, int threads, String kernels, String gemm, List<Result> results,
            Map<String, Double> searchSeconds, Map<String, List<Double>> runSeconds, String predictionsFile,
            String confusionPng) {
    }

    @Override
    public Integer call() throws IOException {
        validate();
        int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        Weights w = OptionParsers.weights(weights);
        List<Metric> ms = OptionParsers.metrics(metrics);
        int[] kList = Parse.ks(ks, "--k");
        boolean showProgress = Progress.enabled(progress);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        try (TrainTestData tt = TrainTestData.load(data, trainPath, testPath, source, testFraction, seed, limit, split)) {
            Dataset train = tt.train;
            Dataset test = tt.test;
            String src = tt.source;
            String format = tt.format;
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
            int chunk = reportEvery != null ? reportEvery : Math.max(1000, (nq + 19) / 20);
            List<Result> results = new ArrayList<>();
            List<int[]> preds = new ArrayList<>();
            Map<String, Double> searchSeconds = new LinkedHashMap<>();
            Map<String, List<Double>> runSeconds = new LinkedHashMap<>();
            for (Metric metric : ms) {
                KnnOptions opts = KnnOptions.of(metric).withThreads(nThreads).withWeights(w);
                int[][] p = new int[kList.length][nq];
                int[][] previous = null;
                List<Double> runs = new ArrayList<>();
                for (int run = 0; run < repeats; run++) {
                long t0 = System.nanoTime();
                try (KnnClassifier knn = new KnnClassifier(opts).fit(train)) {
                    Progress bar = new Progress(err, showProgress, "kNN " + metric, nq);
                    for (int from = 0; from < nq; from += chunk) {
                        int to = Math.min(nq, from + chunk);
                        int[] rows = new int[to - from];
                        for (int i = 0; i < rows.length; i++) {
                            rows[i] = from + i;
                        }
                        Dataset part = from == 0 && to == nq ? test : test.select(rows);
                        try {
                            Neighbors nb = knn.kneighbors(part, kMax);
                            int[][] pp = knn.predictAll(nb, kList, w);
                            for (int a = 0; a < kList.length; a++) {
                                System.arraycopy(pp[a], 0, p[a], from, to - from);
                            }
                        } finally {
                            if (part != test) {
                                part.close();
                            }
                        }
                        bar.update(to);
                        if (reportEvery != null) {
                            bar.finish();
                            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s %d/%d:", metric, to, nq));
                            for (int a = 0; a < kList.length; a++) {
                                b.append(String.format(Locale.ROOT, "  k=%d accuracy %.4f", kList[a],
                                        Metrics.accuracy(Arrays.copyOf(p[a], to), Arrays.copyOf(truth, to))));
                            }
                            (json ? err : out).println(b);
                            (json ? err : out).flush();
                        }
                    }
                    bar.finish();
                }
                runs.add((System.nanoTime() - t0) / 1e9);
                if (previous != null && !Arrays.deepEquals(previous, p)) {
                    throw new IllegalStateException("run " + (run + 1) + " of " + metric
                            + " predicted differently from the run before it: a determinism bug, please report it");
                }
                previous = new int[kList.length][];
                for (int a = 0; a < kList.length; a++) {
                    previous[a] = p[a].clone();
                }
                }
                double secs = repeats == 1 ? runs.get(0) : median(runs.subList(1, runs.size()));
                searchSeconds.put(metric.name(), secs);
                runSeconds.put(metric.name(), List.copyOf(runs));
                for (int a = 0; a < kList.length; a++) {
                    results.add(new Result(metric.name(), kList[a], w.name().toLowerCase(Locale.ROOT),
                            Metrics.accuracy(p[a], truth), Metrics.balancedAccuracy(p[a], truth, train.numClasses()),
                            secs, nq / secs));
                    preds.add(p[a]);
                }
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
            DataSummary ds = new DataSummary(src, format, train.rows(), nq, train.dims(),
                    train.type().name().toLowerCase(Locale.ROOT), train.numClasses());
            Report report = new Report(ds, nThreads, KernelSelection.current().kernels().name(),
                    GemmSelection.current().choice(), results, searchSeconds, runSeconds,
                    predictions == null ? null : predictions.toString(),
                    confusionPng == null ? null : confusionPng.toString());
            if (json) {
                out.println(Json.write(report));
            } else {
                printText(out, report);
            }
            out.flush();
            return 0;
        }
    }

    private void validate() {
        TrainTestData.validate(data, trainPath, testPath, testFraction);
        if (repeats < 1 || repeats > 100) {
            throw new IllegalArgumentException("--repeats must be 1..100, got " + repeats);
        }
        Parse.ks(ks, "--k");
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
        }
        if (threads != null && (threads < 1 || threads > 1024)) {
            throw new IllegalArgumentException("--threads must be 1..1024, got " + threads);
        }
        if (reportEvery != null && reportEvery < 1) {
            throw new IllegalArgumentException("--report-every must be >= 1, got " + reportEvery);
        }
        OutputPaths.png(confusionPng, "--confusion-png");
        OutputPaths.file(predictions, "--predictions", ".npy");
    }

    static double median(List<Double> x) {
        double[] v = x.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
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
        out.printf(Locale.ROOT, "kNN on %s (%s): %d training x %d features %s, %d test images, %d classes%n",
                d.source(), d.format(), d.trainRows(), d.dims(), d.type(), d.testRows(), d.classes());
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
    }
}
