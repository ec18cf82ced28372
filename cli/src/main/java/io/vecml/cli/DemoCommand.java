package io.vecml.cli;

import io.vecml.engine.data.CsvTable;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.Splits;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.distance.DistanceMatrices;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridReports;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.gemm.JavaGemm;
import io.vecml.engine.gemm.OpenBlasGemm;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.kernels.ScalarKernels;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.regression.LinearRegression;
import io.vecml.engine.regression.RegressionMetrics;
import io.vecml.engine.template.TemplateClassifier;
import io.vecml.engine.train.EpochStats;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import io.vecml.engine.train.TrainingResult;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The lecture end to end with a report: kNN, templates, linear classifiers, least squares.",
            "",
            "On the embedded digits data (1797 8x8 images, 10 classes) or --data: "
            + "hold out a test split; kNN with L1 and L2, k chosen by 5-fold cross-validation on the training split "
            + "(k 1..15) and scored on the test split; the template classifier (L1, L2); the SVM and softmax linear "
            + "classifiers (engine defaults); least squares on the student-scores table. For each: accuracy, balanced "
            + "accuracy, time and the single-thread speed-ups of SIMD over scalar kernels and of OpenBLAS over the "
            + "Java GEMM. Also the scalar vs SIMD vs GEMM distance matrices, checked to agree (exit code 1 if not).",
            "",
            "Prints a summary; --out DIR writes report.md (tables, links to the pictures), report.json and the "
            + "pictures; --json prints report.json. Timings: medians of rounds of runs, after warm-up rounds (until "
            + "two consecutive round medians agree within 10%%); work slower than a few seconds runs once."},
        footer = {"", "Examples:",
            "  vecml demo --out vecml-report",
            "  vecml demo --data cifar-10-python.tar.gz --train-limit 5000 --limit 500 --out vecml-report"})
final class DemoCommand implements Callable<Integer> {

    /** The Markdown section headings of report.md, in order. */
    static final List<String> SECTIONS = List.of("Summary", "Data", "Distance matrices: scalar, SIMD and GEMM",
            "kNN with k chosen by cross-validation", "Template classifier", "Linear classifiers",
            "Least-squares regression", "How it was measured");

    /** The top-level keys of report.json that hold the sections. */
    static final List<String> JSON_SECTIONS = List.of("summary", "data", "environment", "distanceMatrices", "knn",
            "template", "linear", "regression");

    /** Largest test x train sample of the distance-matrix comparison. */
    static final int MATRIX_QUERIES = 400;
    static final int MATRIX_TRAIN = 2000;
    /** Scalar operations allowed per speed-up measurement run (keeps scalar kNN on CIFAR to seconds). */
    static final double SPEED_WORK = 2e9;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "PATH", defaultValue = Datasets.EMBEDDED_DIGITS,
            description = "Dataset: file, folder, archive or " + Datasets.EMBEDDED_DIGITS + ". Default: ${DEFAULT-VALUE}.")
    String data;

    @Mixin
    DataSourceOptions source;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N test rows (big data).")
    Integer limit;

    @Option(names = "--train-limit", paramLabel = "N",
            description = "Use only the first N training rows (big data: the grid search runs 5 folds x 2 metrics).")
    Integer trainLimit;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed of the train/test split (data without a test split). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--test-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "Held-out fraction when the data has no test split. Default: ${DEFAULT-VALUE}.")
    double testFraction;

    @Option(names = "--k", defaultValue = "1..15", paramLabel = "KS", description = "k values of the grid search. Default: ${DEFAULT-VALUE}.")
    String kSpec;

    @Option(names = "--folds", paramLabel = "K", defaultValue = "5", description = "Cross-validation folds. Default: ${DEFAULT-VALUE}.")
    int folds;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "N",
            description = "Timed runs per round of a timing (the median of a round is compared with the previous round's). Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads of the model runs (default: all processors); speed-ups are measured on one thread.")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write report.md, report.json and the pictures into DIR (created if missing), e.g. vecml-report/.")
    Path out;

    @Option(names = "--json", description = "Print report.json instead of the text summary.")
    boolean json;

    // ---- the report (report.json) ---------------------------------------------------------------

    /** One speed-up: the baseline and the variant timed on the same work, single-threaded. */
    record SpeedUp(String work, String baseline, String variant, double baselineMillis, double variantMillis,
            double speedUp, String timing, String agreement) {
    }

    record DataInfo(String source, String format, int trainRows, int testRows, int dims, String type, int classes,
            List<String> classNames, boolean heldOut, double testFraction, long seed, Integer limit,
            Integer trainLimit) {
    }

    record Environment(String java, int processors, int threads, String kernels, String gemm, String openblas) {
    }

    record SummaryRow(String model, Double accuracy, Double balancedAccuracy, double seconds, String speedUps) {
    }

    record DistancePath(String path, Double l1Millis, Double l2Millis, Double l1SpeedUp, Double l2SpeedUp,
            String agreement) {
    }

    record DistanceSection(int queries, int trainRows, int dims, String type, List<DistancePath> paths,
            double nn1AccuracyL1, double nn1AccuracyL2, boolean allAgree, String timing) {
    }

    record GridRow(String metric, int k, double mean, double std, int rank) {
    }

    record KnnMetric(String metric, int k, double cvAccuracy, double cvStd, double testAccuracy,
            double testBalancedAccuracy, double seconds, double imagesPerSecond, List<SpeedUp> speedUps) {
    }

    record KnnSection(int folds, String cv, List<Integer> ks, double gridSeconds, String bestMetric, int bestK,
            List<KnnMetric> metrics, List<GridRow> grid) {
    }

    record TemplateMetric(String metric, double accuracy, double balancedAccuracy, double predictSeconds,
            double imagesPerSecond, List<SpeedUp> speedUps) {
    }

    record TemplateSection(String center, double fitSeconds, List<TemplateMetric> metrics) {
    }

    record LinearModel(String loss, String settings, int epochs, double finalLoss, double finalTrainAccuracy,
            double testAccuracy, double testBalancedAccuracy, double trainSeconds, List<Double> lossPerEpoch,
            List<SpeedUp> speedUps) {
    }

    record RegressionSection(String table, String target, String feature, int trainRows, int testRows,
            double intercept, double slope, RegressionMetrics train, RegressionMetrics test, double seconds) {
    }

    record Report(String title, DataInfo data, Environment environment, List<SummaryRow> summary,
            DistanceSection distanceMatrices, KnnSection knn, TemplateSection template, List<LinearModel> linear,
            RegressionSection regression, boolean allAgree, double totalSeconds, Map<String, String> files,
            List<String> notes) {
    }

    // ---- state of one run ----------------------------------------------------------------------

    private final Map<String, String> files = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private Timing.Budget budget;
    private int nThreads;
    private Kernels scalar;
    private Kernels simd;
    private Optional<Gemm> blas1;
    private Gemm java1;

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        TrainTestData.validate(data, null, null, testFraction);
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
        }
        if (trainLimit != null && trainLimit < 2) {
            throw new IllegalArgumentException("--train-limit must be >= 2, got " + trainLimit);
        }
        if (repeats < 1 || repeats > 100) {
            throw new IllegalArgumentException("--repeats must be 1..100, got " + repeats);
        }
        if (folds < 2) {
            throw new IllegalArgumentException("--folds must be >= 2, got " + folds);
        }
        int[] ks = io.vecml.engine.api.Parse.ks(kSpec, "--k");
        nThreads = io.vecml.engine.api.Parse.threads(threads, "--threads");
        Path dir = OutputPaths.folder(out, "--out", "report.json", "report.md");
        budget = new Timing.Budget(repeats, 40, 0.2, 3.0);
        KernelSelection kSel = KernelSelection.current();
        GemmSelection gSel = GemmSelection.current();
        scalar = ScalarKernels.INSTANCE;
        simd = KernelSelection.available().stream().filter(k -> k.name().equals("simd")).findFirst().orElse(null);
        blas1 = gSel.blas().map(b -> (Gemm) new OpenBlasGemm(b, 1));
        java1 = new JavaGemm(1);
        if (simd == null) {
            notes.add("SIMD kernels unavailable (" + kSel.reason() + "): no SIMD speed-ups");
        }
        if (blas1.isEmpty()) {
            notes.add("OpenBLAS unavailable (" + gSel.reason() + "): no OpenBLAS speed-ups");
        }
        Report report;
        try (TrainTestData tt = TrainTestData.load(data, null, null, source, testFraction, seed, limit)) {
            Dataset trainOwned = trainLimit != null && trainLimit < tt.train.rows()
                    ? Transforms.first(tt.train, trainLimit) : null;
            Dataset train = trainOwned != null ? trainOwned : tt.train;
            try {
                Dataset test = tt.test;
                if (folds > train.rows()) {
                    throw new IllegalArgumentException("--folds " + folds + " is more than the " + train.rows()
                            + " training rows");
                }
                DataInfo di = new DataInfo(tt.source, tt.format, train.rows(), test.rows(), train.dims(),
                        train.type().name().toLowerCase(Locale.ROOT), train.numClasses(), train.classNames(),
                        tt.heldOut, testFraction, seed, limit, trainLimit);
                Environment env = new Environment(Runtime.version().toString(),
                        Runtime.getRuntime().availableProcessors(), nThreads,
                        kSel.kernels().name() + " (" + kSel.reason() + ")", gSel.choice() + " (" + gSel.reason() + ")",
                        gSel.blas().map(Object::toString).orElse("not loaded"));
                picture(dir, "samples", "samples.png", () -> Pictures.sampleGrid(train, 10, seed));
                DistanceSection dm = distances(train, test);
                KnnSection knn = knn(dir, train, test, ks);
                TemplateSection tpl = template(dir, train, test);
                List<LinearModel> lin = linear(dir, train, test);
                RegressionSection reg = regression(dir);
                List<SummaryRow> summary = summary(knn, tpl, lin, reg);
                boolean agree = dm.allAgree() && knn.metrics().stream().flatMap(m -> m.speedUps().stream())
                        .allMatch(s -> !s.agreement().startsWith("DIFFERS"));
                report = new Report("vecml demo", di, env, summary, dm, knn, tpl, lin, reg, agree,
                        (System.nanoTime() - start) / 1e9, files, notes);
            } finally {
                if (trainOwned != null) {
                    trainOwned.close();
                }
            }
        }
        if (dir != null) {
            files.put("report", "report.md");
            files.put("json", "report.json");
            report = withTotal(report, start);
            Reports.writeText(Json.write(report) + "\n", dir.resolve("report.json"));
            Reports.writeText(markdown(report), dir.resolve("report.md"));
        } else {
            report = withTotal(report, start);
        }
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            pw.println(Json.write(report));
        } else {
            printText(pw, report, dir);
        }
        pw.flush();
        if (!report.allAgree()) {
            spec.commandLine().getErr().println("vecml demo: error: the computation paths disagree (see the"
                    + " distance-matrix and speed-up tables); this is a bug.");
            return Main.INTERNAL;
        }
        return 0;
    }

    private static Report withTotal(Report r, long start) {
        return new Report(r.title(), r.data(), r.environment(), r.summary(), r.distanceMatrices(), r.knn(),
                r.template(), r.linear(), r.regression(), r.allAgree(), (System.nanoTime() - start) / 1e9, r.files(),
                r.notes());
    }

    /** Draws and writes a picture into the output folder (nothing without --out); data that are not images get a note. */
    private void picture(Path dir, String key, String file, Supplier<BufferedImage> draw) throws IOException {
        if (dir == null) {
            return;
        }
        BufferedImage img;
        try {
            img = draw.get();
        } catch (IllegalArgumentException e) {
            notes.add("no " + file + ": " + e.getMessage());
            return;
        }
        Pictures.writePng(img, dir.resolve(file));
        files.put(key, file);
    }

    private Timing.Result time(Supplier<?> work) {
        return Timing.measure(work, budget);
    }

    // ---- distance matrices ---------------------------------------------------------------------

    private DistanceSection distances(Dataset train, Dataset test) {
        try (Dataset q = Transforms.first(test, MATRIX_QUERIES); Dataset t = Transforms.first(train, MATRIX_TRAIN);
             Dataset qF = q.toFloat32(); Dataset tF = t.toFloat32()) {
            int nq = q.rows();
            int nt = t.rows();
            boolean u8 = q.type() == Dataset.Type.UINT8;
            List<DistancePath> paths = new ArrayList<>();
            List<Timing.Result> timings = new ArrayList<>();
            boolean agree = true;
            double[] refL1;
            double[] refL2;
            Timing.Result s1;
            Timing.Result s2;
            if (u8) {
                refL1 = toDouble(DistanceMatrices.exactU8(scalar, Metric.L1, q, t));
                refL2 = toDouble(DistanceMatrices.exactU8(scalar, Metric.L2, q, t));
                s1 = time(() -> DistanceMatrices.exactU8(scalar, Metric.L1, q, t));
                s2 = time(() -> DistanceMatrices.exactU8(scalar, Metric.L2, q, t));
            } else {
                refL1 = toDouble(DistanceMatrices.directF32(scalar, Metric.L1, q, t));
                refL2 = toDouble(DistanceMatrices.directF32(scalar, Metric.L2, q, t));
                s1 = time(() -> DistanceMatrices.directF32(scalar, Metric.L1, q, t));
                s2 = time(() -> DistanceMatrices.directF32(scalar, Metric.L2, q, t));
            }
            timings.add(s1);
            timings.add(s2);
            String type = u8 ? "uint8" : "float32";
            paths.add(new DistancePath("scalar " + type + " (reference)", s1.millis(), s2.millis(), 1.0, 1.0,
                    "reference"));
            if (simd != null) {
                double[] l1 = u8 ? toDouble(DistanceMatrices.exactU8(simd, Metric.L1, q, t))
                        : toDouble(DistanceMatrices.directF32(simd, Metric.L1, q, t));
                double[] l2 = u8 ? toDouble(DistanceMatrices.exactU8(simd, Metric.L2, q, t))
                        : toDouble(DistanceMatrices.directF32(simd, Metric.L2, q, t));
                // integer data: exact integer sums; float data: the summation order differs, so a
                // relative tolerance that grows with the length
                double tol = u8 ? 0 : 4e-7 * q.dims();
                double e = Math.max(maxRel(l1, refL1), maxRel(l2, refL2));
                boolean same = e <= tol;
                agree &= same;
                Timing.Result a = u8 ? time(() -> DistanceMatrices.exactU8(simd, Metric.L1, q, t))
                        : time(() -> DistanceMatrices.directF32(simd, Metric.L1, q, t));
                Timing.Result b = u8 ? time(() -> DistanceMatrices.exactU8(simd, Metric.L2, q, t))
                        : time(() -> DistanceMatrices.directF32(simd, Metric.L2, q, t));
                timings.add(a);
                timings.add(b);
                paths.add(new DistancePath("SIMD " + type, a.millis(), b.millis(), s1.millis() / a.millis(),
                        s2.millis() / b.millis(), agreement(same, e)));
            } else {
                paths.add(new DistancePath("SIMD " + type, null, null, null, null, "unavailable"));
            }
            List<Gemm> gemms = new ArrayList<>();
            blas1.ifPresent(gemms::add);
            gemms.add(java1);
            Kernels best = KernelSelection.current().kernels();
            double[] nq2 = squaredNorms(q);
            double[] nt2 = squaredNorms(t);
            boolean exactInFloat = u8 && integral(q) && integral(t) && (double) q.dims() * 255 * 255 < (1 << 24);
            for (Gemm g : gemms) {
                float[] l2 = DistanceMatrices.l2sqGemm(g, best, qF, tF);
                // Small integers: every product and partial sum is an integer below 2^24, so the float
                // GEMM is exact and any difference is a bug. Otherwise ||q||^2 + ||t||^2 - 2 q.t in float
                // is off by at most about d ulps of the norms.
                boolean same = true;
                double e = 0;
                for (int i = 0; i < nq; i++) {
                    for (int j = 0; j < nt; j++) {
                        double ref = refL2[i * nt + j];
                        double diff = Math.abs(l2[i * nt + j] - ref);
                        double bound = exactInFloat ? 0 : 2.0 * (q.dims() + 4) * 0x1p-24 * (nq2[i] + nt2[j]) + 1e-6;
                        same &= diff <= bound;
                        e = Math.max(e, diff / Math.max(1.0, ref));
                    }
                }
                agree &= same;
                Timing.Result r = time(() -> DistanceMatrices.l2sqGemm(g, best, qF, tF));
                timings.add(r);
                paths.add(new DistancePath("GEMM float32 (" + g.name() + ")", null, r.millis(), null,
                        s2.millis() / r.millis(), same ? (e == 0 ? "exact" : String.format(Locale.ROOT,
                                "within float rounding (max rel %.1e)", e)) : agreement(false, e)));
            }
            if (blas1.isEmpty()) {
                paths.add(new DistancePath("GEMM float32 (openblas)", null, null, null, null, "unavailable"));
            }
            double acc1 = accuracy(nearest(refL1, nq, nt), t, q);
            double acc2 = accuracy(nearest(refL2, nq, nt), t, q);
            return new DistanceSection(nq, nt, q.dims(), type, paths, acc1, acc2, agree, summarize(timings));
        }
    }

    private static String agreement(boolean same, double maxRel) {
        return same ? (maxRel == 0 ? "exact" : String.format(Locale.ROOT, "within float rounding (max rel %.1e)", maxRel))
                : String.format(Locale.ROOT, "DIFFERS (max rel %.2e)", maxRel);
    }

    private static double maxRel(double[] a, double[] ref) {
        double e = 0;
        for (int i = 0; i < a.length; i++) {
            e = Math.max(e, Math.abs(a[i] - ref[i]) / Math.max(1.0, Math.abs(ref[i])));
        }
        return e;
    }

    private static double[] toDouble(long[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i];
        }
        return r;
    }

    private static double[] toDouble(float[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i];
        }
        return r;
    }

    private static double[] squaredNorms(Dataset d) {
        double[] n = new double[d.rows()];
        for (int r = 0; r < d.rows(); r++) {
            double s = 0;
            for (int c = 0; c < d.dims(); c++) {
                double v = d.value(r, c);
                s += v * v;
            }
            n[r] = s;
        }
        return n;
    }

    private static boolean integral(Dataset d) {
        return d.type() == Dataset.Type.UINT8;
    }

    private static int[] nearest(double[] dist, int nq, int nt) {
        int[] r = new int[nq];
        for (int i = 0; i < nq; i++) {
            int best = 0;
            for (int j = 1; j < nt; j++) {
                if (dist[i * nt + j] < dist[i * nt + best]) {
                    best = j;
                }
            }
            r[i] = best;
        }
        return r;
    }

    private static double accuracy(int[] nearest, Dataset train, Dataset test) {
        int ok = 0;
        for (int i = 0; i < nearest.length; i++) {
            if (train.label(nearest[i]) == test.label(i)) {
                ok++;
            }
        }
        return nearest.length == 0 ? 0 : (double) ok / nearest.length;
    }

    private static String summarize(List<Timing.Result> ts) {
        long settled = ts.stream().filter(Timing.Result::converged).count();
        int maxWarm = ts.stream().mapToInt(Timing.Result::warmupRounds).max().orElse(0);
        return String.format(Locale.ROOT, "%d of %d timings settled (two round medians within %.0f%%), up to %d warm-up"
                + " rounds", settled, ts.size(), Timing.TOLERANCE * 100, maxWarm);
    }

    // ---- kNN -----------------------------------------------------------------------------------

    /** Query rows of a speed-up measurement: enough to time, few enough that the scalar run stays short. */
    private static int speedQueries(Dataset train, Dataset test) {
        double perQuery = (double) train.rows() * train.dims();
        return (int) Math.max(Math.min(test.rows(), 10), Math.min(test.rows(), Math.min(400, SPEED_WORK / perQuery)));
    }

    private KnnSection knn(Path dir, Dataset train, Dataset test, int[] ks) throws IOException {
        int kMax = ks[ks.length - 1];
        int smallestFold = train.rows() - Math.ceilDiv(train.rows(), folds);
        if (kMax > smallestFold) {
            throw new IllegalArgumentException("k = " + kMax + " is more than the " + smallestFold
                    + " training rows of a cross-validation fold");
        }
        CvSpec cv = new CvSpec(folds, true, null, CvSpec.Scaling.NONE, Scoring.ACCURACY);
        KnnGridSearch.Result g = KnnGridSearch.run(train, ks, List.of(Metric.L1, Metric.L2), List.of(Weights.UNIFORM),
                cv, nThreads);
        List<GridRow> grid = new ArrayList<>();
        for (KnnGridSearch.Candidate c : g.candidates()) {
            grid.add(new GridRow(c.metric().name(), c.k(), c.mean(), c.std(), c.rank()));
        }
        List<KnnMetric> metrics = new ArrayList<>();
        int[] bestPredictions = null;
        KnnGridSearch.Candidate overall = g.best();
        int nSpeed = speedQueries(train, test);
        try (Dataset sample = Transforms.first(test, nSpeed)) {
            for (Metric m : List.of(Metric.L1, Metric.L2)) {
                KnnGridSearch.Candidate b = g.candidates().stream().filter(c -> c.metric() == m)
                        .min((x, y) -> Integer.compare(x.rank(), y.rank())).orElseThrow();
                KnnOptions opts = KnnOptions.of(m).withThreads(nThreads);
                long t0 = System.nanoTime();
                int[] p;
                try (KnnClassifier knn = new KnnClassifier(opts).fit(train)) {
                    p = knn.predict(test, b.k());
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                if (m == overall.metric()) {
                    bestPredictions = p;
                }
                int[] truth = test.labels();
                int[] reference = Arrays.copyOf(p, sample.rows());
                List<SpeedUp> su = new ArrayList<>();
                String work = String.format(Locale.ROOT, "kNN %s k=%d: %d queries x %d training rows, 1 thread", m,
                        b.k(), sample.rows(), train.rows());
                KnnOptions one = opts.withThreads(1);
                Timing.Result base = timeKnn(one.withKernels(scalar).withPath(KnnOptions.Path.DIRECT), train, sample,
                        b.k(), reference);
                String baseAgree = lastAgreement;
                if (simd != null) {
                    Timing.Result r = timeKnn(one.withKernels(simd).withPath(KnnOptions.Path.DIRECT), train, sample,
                            b.k(), reference);
                    su.add(new SpeedUp(work, "scalar, brute force", "SIMD, brute force", base.millis(), r.millis(),
                            base.millis() / r.millis(), r.describe(), combine(baseAgree, lastAgreement)));
                }
                KnnOptions auto = one.withPath(KnnOptions.Path.AUTO);
                Timing.Result a = timeKnn(auto, train, sample, b.k(), reference);
                su.add(new SpeedUp(work, "scalar, brute force", "selected kernels (" + auto.kernels().name()
                        + "), automatic path", base.millis(), a.millis(), base.millis() / a.millis(), a.describe(),
                        combine(baseAgree, lastAgreement)));
                if (m == Metric.L2) {
                    Timing.Result r = timeKnn(one.withPath(KnnOptions.Path.GEMM), train, sample, b.k(), reference);
                    su.add(new SpeedUp(work, "scalar, brute force", "GEMM (" + GemmSelection.current().choice()
                            + ") + exact re-ranking", base.millis(), r.millis(), base.millis() / r.millis(),
                            r.describe(), combine(baseAgree, lastAgreement)));
                }
                metrics.add(new KnnMetric(m.name(), b.k(), b.mean(), b.std(), Metrics.accuracy(p, truth),
                        Metrics.balancedAccuracy(p, truth, train.numClasses()), secs, test.rows() / secs, su));
            }
        }
        int[] bp = bestPredictions;
        KnnMetric bm = metrics.stream().filter(x -> x.metric().equals(overall.metric().name())).findFirst().orElseThrow();
        picture(dir, "knnConfusion", "confusion-knn.png", () -> ConfusionChart.render(train.classNames(),
                Metrics.confusion(bp, test.labels(), train.numClasses()), String.format(Locale.ROOT,
                        "kNN %s k=%d (chosen by %d-fold CV): test accuracy %.4f", bm.metric(), bm.k(), folds,
                        bm.testAccuracy())));
        KnnGridReports.Report gr = gridReport(train, g, grid, overall);
        picture(dir, "accuracyVsK", "accuracy-vs-k.png", () -> GridCharts.accuracyVsK(gr));
        List<Integer> kList = Arrays.stream(ks).boxed().toList();
        return new KnnSection(folds, folds + "-fold stratified, no shuffle (scikit-learn's GridSearchCV(cv=" + folds
                + ")), accuracy", kList, g.seconds(), overall.metric().name(), overall.k(), metrics, grid);
    }

    private KnnGridReports.Report gridReport(Dataset train, KnnGridSearch.Result g, List<GridRow> grid,
            KnnGridSearch.Candidate best) {
        List<KnnGridReports.Row> rows = new ArrayList<>();
        for (KnnGridSearch.Candidate c : g.candidates()) {
            rows.add(new KnnGridReports.Row(c.metric().name(), c.k(), "uniform", c.mean(), c.std(), c.rank(),
                    c.foldScores()));
        }
        KnnGridReports.Row b = new KnnGridReports.Row(best.metric().name(), best.k(), "uniform", best.mean(),
                best.std(), best.rank(), best.foldScores());
        return new KnnGridReports.Report(data, train.rows(), train.dims(), folds, true, null, "none", "accuracy",
                grid.size(), g.seconds(), List.of(g.seconds()), b, null, rows);
    }

    private String lastAgreement;

    /** Fits once, then times predict; sets {@link #lastAgreement} from the predictions against {@code reference}. */
    private Timing.Result timeKnn(KnnOptions o, Dataset train, Dataset queries, int k, int[] reference) {
        try (KnnClassifier knn = new KnnClassifier(o).fit(train)) {
            int[] p = knn.predict(queries, k);
            lastAgreement = Arrays.equals(p, reference) ? "same predictions"
                    : "DIFFERS: " + differing(p, reference) + " of " + p.length + " predictions";
            return time(() -> knn.predict(queries, k));
        }
    }

    private static String combine(String a, String b) {
        return a.startsWith("DIFFERS") ? a : b;
    }

    private static int differing(int[] a, int[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                n++;
            }
        }
        return n;
    }

    // ---- template ------------------------------------------------------------------------------

    private TemplateSection template(Path dir, Dataset train, Dataset test) throws IOException {
        long t0 = System.nanoTime();
        TemplateClassifier model = TemplateClassifier.fit(train, TemplateClassifier.Center.MEAN);
        double fitSeconds = (System.nanoTime() - t0) / 1e9;
        List<String> names = new ArrayList<>();
        List<float[]> images = new ArrayList<>();
        List<Integer> present = new ArrayList<>();
        for (int c = 0; c < model.numClasses(); c++) {
            if (model.hasTemplate(c)) {
                names.add(model.classNames().get(c));
                images.add(model.template(c));
                present.add(c);
            }
        }
        picture(dir, "templates", "templates.png", () -> Pictures.classImages(names, images.toArray(float[][]::new),
                Pictures.shapeOf(model.dims(), model.imageShape())));
        int[] labels = present.stream().mapToInt(Integer::intValue).toArray();
        List<TemplateMetric> out = new ArrayList<>();
        try (Dataset tpl = Dataset.allocate(Dataset.Type.FLOAT32, labels.length, model.dims(), labels,
                model.classNames()); Dataset testF = test.toFloat32()) {
            for (int r = 0; r < labels.length; r++) {
                float[] v = images.get(r);
                for (int c = 0; c < v.length; c++) {
                    tpl.setF32(r, c, v[c]);
                }
            }
            int[] truth = test.labels();
            for (Metric m : List.of(Metric.L1, Metric.L2)) {
                long p0 = System.nanoTime();
                int[] p = model.predict(test, m, nThreads);
                double secs = (System.nanoTime() - p0) / 1e9;
                String work = String.format(Locale.ROOT, "distances of %d test rows to %d templates (%s), 1 thread",
                        test.rows(), labels.length, m);
                List<SpeedUp> su = new ArrayList<>();
                Timing.Result base = time(() -> DistanceMatrices.directF32(scalar, m, testF, tpl));
                String baseAgree = templateAgreement(DistanceMatrices.directF32(scalar, m, testF, tpl), labels, p);
                if (simd != null) {
                    Timing.Result r = time(() -> DistanceMatrices.directF32(simd, m, testF, tpl));
                    su.add(new SpeedUp(work, "scalar", "SIMD", base.millis(), r.millis(), base.millis() / r.millis(),
                            r.describe(), combine(baseAgree,
                                    templateAgreement(DistanceMatrices.directF32(simd, m, testF, tpl), labels, p))));
                }
                if (m == Metric.L2) {
                    Kernels best = KernelSelection.current().kernels();
                    List<Gemm> gemms = new ArrayList<>();
                    blas1.ifPresent(gemms::add);
                    gemms.add(java1);
                    for (Gemm g : gemms) {
                        Timing.Result r = time(() -> DistanceMatrices.l2sqGemm(g, best, testF, tpl));
                        su.add(new SpeedUp(work, "scalar", "GEMM (" + g.name() + ")", base.millis(), r.millis(),
                                base.millis() / r.millis(), r.describe(), combine(baseAgree, templateAgreement(
                                        DistanceMatrices.l2sqGemm(g, best, testF, tpl), labels, p))));
                    }
                }
                out.add(new TemplateMetric(m.name(), Metrics.accuracy(p, truth),
                        Metrics.balancedAccuracy(p, truth, train.numClasses()), secs, test.rows() / secs, su));
                if (m == Metric.L1) {
                    double acc = out.getFirst().accuracy();
                    picture(dir, "templateConfusion", "confusion-template.png", () -> ConfusionChart.render(
                            train.classNames(), Metrics.confusion(p, truth, train.numClasses()), String.format(
                                    Locale.ROOT, "template classifier (class mean) L1: test accuracy %.4f", acc)));
                }
            }
        }
        return new TemplateSection("mean", fitSeconds, out);
    }

    /**
     * How the nearest templates of a distance matrix compare with the classifier's predictions. Float
     * sums in another order may break a near-tie the other way, so this is information, not a check.
     */
    private static String templateAgreement(float[] dist, int[] labels, int[] predicted) {
        int n = predicted.length;
        int nt = labels.length;
        int same = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < nt; j++) {
                if (dist[i * nt + j] < dist[i * nt + best]) {
                    best = j;
                }
            }
            if (labels[best] == predicted[i]) {
                same++;
            }
        }
        return same == n ? "same predictions" : String.format(Locale.ROOT,
                "%d of %d predictions differ (float near-ties)", n - same, n);
    }

    // ---- linear --------------------------------------------------------------------------------

    private List<LinearModel> linear(Path dir, Dataset train, Dataset test) throws IOException {
        List<LinearModel> models = new ArrayList<>();
        List<TrainingResult> results = new ArrayList<>();
        int[] softmaxPredictions = null;
        for (Loss loss : List.of(Loss.SVM, Loss.SOFTMAX)) {
            LinearConfig cfg = LinearConfig.defaults().withLoss(loss);
            SgdConfig sgd = SgdConfig.defaults().withThreads(nThreads);
            long t0 = System.nanoTime();
            TrainingResult tr;
            try {
                tr = SgdTrainer.train(train, cfg, sgd, null);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("linear " + loss.id() + " with the engine defaults: " + e.getMessage(),
                        e);
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            results.add(tr);
            LinearClassifier m = tr.model();
            int[] p = m.predict(test, nThreads);
            int[] truth = test.labels();
            if (loss == Loss.SOFTMAX) {
                softmaxPredictions = p;
            }
            List<SpeedUp> su = new ArrayList<>();
            SgdConfig one = sgd.withThreads(1);
            String work = String.format(Locale.ROOT, "SGD training, %d epochs on %d rows, 1 thread", sgd.epochs(),
                    train.rows());
            Timing.Result j = time(() -> SgdTrainer.train(train, cfg, one, t -> new JavaGemm(t), null));
            if (blas1.isPresent()) {
                var blas = GemmSelection.current().blas().orElseThrow();
                IntFunction<Gemm> ob = t -> new OpenBlasGemm(blas, t);
                Timing.Result b = time(() -> SgdTrainer.train(train, cfg, one, ob, null));
                su.add(new SpeedUp(work, "Java GEMM", "OpenBLAS GEMM", j.millis(), b.millis(), j.millis() / b.millis(),
                        b.describe(), "-"));
            }
            List<Double> losses = tr.history().stream().map(EpochStats::loss).toList();
            EpochStats last = tr.history().getLast();
            models.add(new LinearModel(loss.id(), cfg.regularizer() + ", " + cfg.preprocessing().id() + "; SGD lr "
                    + sgd.learningRate() + ", batch " + sgd.batchSize() + ", " + sgd.epochs() + " epochs, seed "
                    + sgd.seed(), tr.history().size(), last.loss(), last.trainAccuracy(), Metrics.accuracy(p, truth),
                    Metrics.balancedAccuracy(p, truth, train.numClasses()), trainSeconds, losses, su));
            picture(dir, "weights" + (loss == Loss.SVM ? "Svm" : "Softmax"), "weights-" + loss.id() + ".png",
                    () -> weightImages(m));
        }
        picture(dir, "lossCurves", "loss-curves.png", () -> lossCurves(results));
        int[] sp = softmaxPredictions;
        double acc = models.getLast().testAccuracy();
        picture(dir, "softmaxConfusion", "confusion-softmax.png", () -> ConfusionChart.render(train.classNames(),
                Metrics.confusion(sp, test.labels(), train.numClasses()), String.format(Locale.ROOT,
                        "linear softmax: test accuracy %.4f", acc)));
        return models;
    }

    private static BufferedImage weightImages(LinearClassifier model) {
        float[][] w = new float[model.numClasses()][];
        for (int c = 0; c < w.length; c++) {
            w[c] = model.classWeights(c);
        }
        return Pictures.classImages(model.classNames(), w, Pictures.shapeOf(model.dims(), model.imageShape()));
    }

    private static BufferedImage lossCurves(List<TrainingResult> results) {
        List<Charts.Series> loss = new ArrayList<>();
        List<Charts.Series> acc = new ArrayList<>();
        String[] names = {"SVM", "softmax"};
        for (int i = 0; i < results.size(); i++) {
            List<EpochStats> h = results.get(i).history();
            double[] x = new double[h.size()];
            double[] l = new double[h.size()];
            double[] a = new double[h.size()];
            for (int e = 0; e < h.size(); e++) {
                x[e] = h.get(e).epoch();
                l[e] = h.get(e).loss();
                a[e] = h.get(e).trainAccuracy();
            }
            loss.add(new Charts.Series(names[i], x, l, Charts.PALETTE[i], Charts.Style.LINE_AND_POINTS));
            acc.add(new Charts.Series(names[i], x, a, Charts.PALETTE[i], Charts.Style.LINE_AND_POINTS));
        }
        return Charts.render(720, 320, List.of(
                new Charts.Panel("Training loss per epoch (data loss + penalty)", "epoch", "loss", loss, true),
                new Charts.Panel("Training accuracy per epoch", "epoch", "accuracy", acc, true)));
    }

    // ---- regression ----------------------------------------------------------------------------

    private RegressionSection regression(Path dir) throws IOException {
        long t0 = System.nanoTime();
        Path tmp = Files.createTempFile("vecml-student-scores", ".csv");
        CsvTable table;
        try {
            try (InputStream in = DemoCommand.class.getResourceAsStream("student_scores.csv")) {
                if (in == null) {
                    throw new IllegalStateException("student_scores.csv is missing from the vecml jar");
                }
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            table = CsvTable.read(tmp, true);
        } finally {
            Files.deleteIfExists(tmp);
        }
        double[] x = table.column("Hours");
        double[] y = table.column("Scores");
        Splits.Holdout h = Splits.holdout(x.length, 0.2, seed);
        double[][] xtr = rows(x, h.train());
        double[] ytr = pick(y, h.train());
        double[][] xte = rows(x, h.test());
        double[] yte = pick(y, h.test());
        LinearRegression m = LinearRegression.fit(xtr, ytr, List.of("Hours"), "Scores");
        RegressionMetrics mtr = m.evaluate(xtr, ytr);
        RegressionMetrics mte = m.evaluate(xte, yte);
        double secs = (System.nanoTime() - t0) / 1e9;
        picture(dir, "regression", "regression.png", () -> {
            double[] lx = {Arrays.stream(x).min().orElse(0), Arrays.stream(x).max().orElse(1)};
            double[] ly = {m.predict(new double[] {lx[0]}), m.predict(new double[] {lx[1]})};
            return Charts.render(760, 480, List.of(new Charts.Panel("Scores against Hours (least squares)", "Hours",
                    "Scores", List.of(
                            new Charts.Series("training rows", pick(x, h.train()), ytr, Charts.PALETTE[0],
                                    Charts.Style.POINTS),
                            new Charts.Series("test rows", pick(x, h.test()), yte, Charts.PALETTE[1],
                                    Charts.Style.POINTS),
                            new Charts.Series(String.format(Locale.ROOT, "fit: Scores = %.4g + %.4g x Hours",
                                    m.intercept(), m.coefficients()[0]), lx, ly, Charts.PALETTE[3], Charts.Style.LINE)),
                    false)));
        });
        return new RegressionSection("student_scores.csv (embedded, 25 rows)", "Scores", "Hours", ytr.length,
                yte.length, m.intercept(), m.coefficients()[0], mtr, mte, secs);
    }

    private static double[][] rows(double[] x, int[] idx) {
        double[][] r = new double[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            r[i] = new double[] {x[idx[i]]};
        }
        return r;
    }

    private static double[] pick(double[] v, int[] idx) {
        double[] r = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            r[i] = v[idx[i]];
        }
        return r;
    }

    // ---- summary, text and Markdown ------------------------------------------------------------

    private static String speedText(List<SpeedUp> su) {
        List<String> parts = new ArrayList<>();
        for (SpeedUp s : su) {
            parts.add(String.format(Locale.ROOT, "%s %.1fx", shortName(s.variant()), s.speedUp()));
        }
        return parts.isEmpty() ? "-" : String.join(", ", parts) + (su.isEmpty() ? "" : " vs " + su.getFirst().baseline());
    }

    private static String shortName(String variant) {
        if (variant.startsWith("SIMD")) {
            return "SIMD";
        }
        if (variant.startsWith("selected")) {
            return "auto";
        }
        if (variant.startsWith("GEMM (") || variant.startsWith("OpenBLAS")) {
            return variant.replace(" + exact re-ranking", "").replace(" GEMM", "");
        }
        return variant;
    }

    private static List<SummaryRow> summary(KnnSection knn, TemplateSection tpl, List<LinearModel> lin,
            RegressionSection reg) {
        List<SummaryRow> rows = new ArrayList<>();
        for (KnnMetric m : knn.metrics()) {
            rows.add(new SummaryRow(String.format(Locale.ROOT, "kNN %s, k=%d (CV)", m.metric(), m.k()),
                    m.testAccuracy(), m.testBalancedAccuracy(), m.seconds(), speedText(m.speedUps())));
        }
        for (TemplateMetric m : tpl.metrics()) {
            rows.add(new SummaryRow("template " + m.metric(), m.accuracy(), m.balancedAccuracy(),
                    tpl.fitSeconds() + m.predictSeconds(), speedText(m.speedUps())));
        }
        for (LinearModel m : lin) {
            rows.add(new SummaryRow("linear " + m.loss(), m.testAccuracy(), m.testBalancedAccuracy(), m.trainSeconds(),
                    speedText(m.speedUps())));
        }
        rows.add(new SummaryRow(String.format(Locale.ROOT, "least squares (test MAE %.2f, R^2 %.3f)",
                reg.test().mae(), reg.test().r2()), null, null, reg.seconds(), "-"));
        return rows;
    }

    private void printText(PrintWriter pw, Report r, Path dir) {
        DataInfo d = r.data();
        pw.printf(Locale.ROOT, "vecml demo on %s: %d training / %d test rows%s, %d features %s, %d classes%n",
                d.source(), d.trainRows(), d.testRows(), d.heldOut() ? String.format(Locale.ROOT,
                        " (held out %.0f%%, seed %d)", d.testFraction() * 100, d.seed()) : "", d.dims(), d.type(),
                d.classes());
        pw.printf("kernels %s; GEMM %s; %d threads%n%n", r.environment().kernels(), r.environment().gemm(),
                r.environment().threads());
        pw.printf(Locale.ROOT, "%-34s %9s %9s %9s  %s%n", "model", "accuracy", "balanced", "time s",
                "speed-ups (1 thread)");
        for (SummaryRow s : r.summary()) {
            pw.printf(Locale.ROOT, "%-34s %9s %9s %9.3f  %s%n", s.model(), Reports.num(s.accuracy(), "%.4f"),
                    Reports.num(s.balancedAccuracy(), "%.4f"), s.seconds(), s.speedUps());
        }
        DistanceSection dm = r.distanceMatrices();
        pw.printf(Locale.ROOT, "%ntest x train distance matrices, %d x %d, one thread:%n", dm.queries(), dm.trainRows());
        pw.printf("%-28s %10s %10s %8s %8s  %s%n", "path", "L1 ms", "L2 ms", "L1 x", "L2 x", "agrees with scalar");
        for (DistancePath p : dm.paths()) {
            pw.printf("%-28s %10s %10s %8s %8s  %s%n", p.path(), Reports.num(p.l1Millis(), "%.2f"),
                    Reports.num(p.l2Millis(), "%.2f"), Reports.num(p.l1SpeedUp(), "%.1f"),
                    Reports.num(p.l2SpeedUp(), "%.1f"), p.agreement());
        }
        pw.printf(Locale.ROOT, "1-NN accuracy on these rows: L1 %.4f, L2 %.4f%n", dm.nn1AccuracyL1(), dm.nn1AccuracyL2());
        for (String n : r.notes()) {
            pw.println("note: " + n);
        }
        if (dir != null) {
            pw.printf("%nreport written to %s (report.json and %d pictures beside it)%n", dir.resolve("report.md"),
                    r.files().size() - 2);
        }
        pw.printf(Locale.ROOT, "total %.1f s%n", r.totalSeconds());
    }

    private static String link(Report r, String key, String alt) {
        String f = r.files().get(key);
        return f == null ? "" : "![" + alt + "](" + f + ")\n\n";
    }

    static String markdown(Report r) {
        StringBuilder b = new StringBuilder();
        DataInfo d = r.data();
        Environment e = r.environment();
        b.append("# vecml demo report\n\n");
        b.append(Reports.f("Data: **%s** (%s), %d training and %d test rows%s, %d features (%s), %d classes.  \n",
                d.source(), d.format(), d.trainRows(), d.testRows(), d.heldOut() ? Reports.f(" (held out %.0f%%, seed %d)",
                        d.testFraction() * 100, d.seed()) : "", d.dims(), d.type(), d.classes()));
        b.append(Reports.f("Java %s, %d processors, %d threads for the models; kernels %s; GEMM %s.  \n", e.java(),
                e.processors(), e.threads(), e.kernels(), e.gemm()));
        b.append(Reports.f("Total run time %.1f s. All computation paths agree: **%s**.\n\n", r.totalSeconds(),
                r.allAgree() ? "yes" : "NO"));

        b.append("## ").append(SECTIONS.get(0)).append("\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (SummaryRow s : r.summary()) {
            rows.add(List.of(s.model(), Reports.num(s.accuracy(), "%.4f"), Reports.num(s.balancedAccuracy(), "%.4f"),
                    Reports.f("%.3f", s.seconds()), s.speedUps()));
        }
        b.append(Reports.table(List.of("model", "test accuracy", "balanced accuracy", "time (s)",
                "speed-ups (1 thread)"), rows)).append('\n');
        b.append("Time: kNN = fit + predict of the test rows with the chosen k; template = fit + predict; linear ="
                + " training; all with the threads above. Speed-ups are single-threaded, measured on the work named in"
                + " each section.\n\n");

        b.append("## ").append(SECTIONS.get(1)).append("\n\n");
        b.append(Reports.f("Classes: %s.\n\n", String.join(", ", d.classNames())));
        b.append(link(r, "samples", "sample images per class"));

        DistanceSection dm = r.distanceMatrices();
        b.append("## ").append(SECTIONS.get(2)).append("\n\n");
        b.append(Reports.f("The %d x %d matrices of L1 and squared L2 distances between test rows and training rows,"
                + " one thread, by the scalar reference, the SIMD kernels and GEMM (||q||^2 + ||t||^2 - 2 q.t).\n\n",
                dm.queries(), dm.trainRows()));
        rows = new ArrayList<>();
        for (DistancePath p : dm.paths()) {
            rows.add(List.of(p.path(), Reports.num(p.l1Millis(), "%.3f"), Reports.num(p.l2Millis(), "%.3f"),
                    Reports.num(p.l1SpeedUp(), "%.1fx"), Reports.num(p.l2SpeedUp(), "%.1fx"), p.agreement()));
        }
        b.append(Reports.table(List.of("path", "L1 ms", "L2 ms", "L1 speed-up", "L2 speed-up", "agrees with scalar"),
                rows)).append('\n');
        b.append(Reports.f("1-NN accuracy on these rows: L1 %.4f, L2 %.4f. Timing: %s.\n\n", dm.nn1AccuracyL1(),
                dm.nn1AccuracyL2(), dm.timing()));

        KnnSection k = r.knn();
        b.append("## ").append(SECTIONS.get(3)).append("\n\n");
        b.append(Reports.f("Grid: k in %s x metric {L1, L2}, %s, on the training rows (%.3f s); each metric's best k is"
                + " refitted on all training rows and scored on the test rows. Best overall: **%s, k=%d**.\n\n",
                ranges(k.ks()), k.cv(), k.gridSeconds(), k.bestMetric(), k.bestK()));
        rows = new ArrayList<>();
        for (KnnMetric m : k.metrics()) {
            rows.add(List.of(m.metric(), Integer.toString(m.k()), Reports.f("%.4f +/- %.4f", m.cvAccuracy(), m.cvStd()),
                    Reports.f("%.4f", m.testAccuracy()), Reports.f("%.4f", m.testBalancedAccuracy()),
                    Reports.f("%.3f", m.seconds()), Reports.f("%.0f", m.imagesPerSecond())));
        }
        b.append(Reports.table(List.of("metric", "k", "CV accuracy", "test accuracy", "balanced accuracy", "time (s)",
                "test images/s"), rows)).append('\n');
        b.append(speedTable(k.metrics().stream().flatMap(m -> m.speedUps().stream()).toList()));
        b.append(link(r, "accuracyVsK", "cross-validated accuracy against k"));
        b.append(link(r, "knnConfusion", "confusion matrix of the best kNN"));

        TemplateSection t = r.template();
        b.append("## ").append(SECTIONS.get(4)).append("\n\n");
        b.append(Reports.f("One template per class (the class mean); a row gets the class of the nearest template. Fit"
                + " %.4f s.\n\n", t.fitSeconds()));
        rows = new ArrayList<>();
        for (TemplateMetric m : t.metrics()) {
            rows.add(List.of(m.metric(), Reports.f("%.4f", m.accuracy()), Reports.f("%.4f", m.balancedAccuracy()),
                    Reports.f("%.4f", m.predictSeconds()), Reports.f("%.0f", m.imagesPerSecond())));
        }
        b.append(Reports.table(List.of("metric", "test accuracy", "balanced accuracy", "predict (s)", "test images/s"),
                rows)).append('\n');
        b.append(speedTable(t.metrics().stream().flatMap(m -> m.speedUps().stream()).toList()));
        b.append(link(r, "templates", "class templates"));
        b.append(link(r, "templateConfusion", "confusion matrix of the template classifier (L1)"));

        b.append("## ").append(SECTIONS.get(5)).append("\n\n");
        b.append("scores = W x + b (bias trick), minibatch SGD with the engine defaults.\n\n");
        rows = new ArrayList<>();
        for (LinearModel m : r.linear()) {
            rows.add(List.of(m.loss(), m.settings(), Reports.f("%.4f", m.finalLoss()),
                    Reports.f("%.4f", m.finalTrainAccuracy()), Reports.f("%.4f", m.testAccuracy()),
                    Reports.f("%.4f", m.testBalancedAccuracy()), Reports.f("%.3f", m.trainSeconds())));
        }
        b.append(Reports.table(List.of("loss", "settings", "final loss", "train accuracy", "test accuracy",
                "balanced accuracy", "training (s)"), rows)).append('\n');
        b.append(speedTable(r.linear().stream().flatMap(m -> m.speedUps().stream()).toList()));
        b.append(link(r, "lossCurves", "loss and accuracy per epoch"));
        b.append(link(r, "weightsSvm", "SVM weights per class"));
        b.append(link(r, "weightsSoftmax", "softmax weights per class"));
        b.append(link(r, "softmaxConfusion", "confusion matrix of the softmax classifier"));

        RegressionSection g = r.regression();
        b.append("## ").append(SECTIONS.get(6)).append("\n\n");
        b.append(Reports.f("%s ~ intercept + %s on %s: %d training rows, %d test rows (held out 20%%, seed %d)."
                + " Fit: %s = %.4f + %.4f x %s.\n\n", g.target(), g.feature(), g.table(), g.trainRows(), g.testRows(),
                d.seed(), g.target(), g.intercept(), g.slope(), g.feature()));
        rows = new ArrayList<>();
        for (var e2 : List.of(Map.entry("train", g.train()), Map.entry("test", g.test()))) {
            RegressionMetrics m = e2.getValue();
            rows.add(List.of(e2.getKey(), Reports.f("%.4f", m.mae()), Reports.f("%.4f", m.mse()),
                    Reports.f("%.4f", m.rmse()), Reports.f("%.4f", m.r2())));
        }
        b.append(Reports.table(List.of("rows", "MAE", "MSE", "RMSE", "R^2"), rows)).append('\n');
        b.append(link(r, "regression", "the rows and the fitted line"));

        b.append("## ").append(SECTIONS.get(7)).append("\n\n");
        b.append("Each speed-up times the baseline and the variant on the same work in the same JVM, one thread,"
                + " after warm-up: rounds of runs are repeated until two consecutive round medians agree within 10%"
                + " (the JIT has compiled the hot code by then), and the last median is reported; work slower than"
                + " the time cap runs once and says so. This is a demonstration, not a benchmark harness: see"
                + " `vecml bench` and, for publishable numbers, the JMH suite (`bench/run.sh`).\n\n");
        for (String n : r.notes()) {
            b.append("- ").append(n).append('\n');
        }
        return b.toString();
    }

    private static String speedTable(List<SpeedUp> su) {
        if (su.isEmpty()) {
            return "";
        }
        List<List<String>> rows = new ArrayList<>();
        for (SpeedUp s : su) {
            rows.add(List.of(s.work(), s.baseline(), s.variant(), Reports.f("%.3f", s.baselineMillis()),
                    Reports.f("%.3f", s.variantMillis()), Reports.f("**%.1fx**", s.speedUp()), s.agreement(),
                    s.timing()));
        }
        return Reports.table(List.of("work", "baseline", "variant", "baseline ms", "variant ms", "speed-up",
                "agreement", "timing"), rows) + "\n";
    }

    private static String ranges(List<Integer> ks) {
        int lo = ks.getFirst();
        int hi = ks.getLast();
        return hi - lo + 1 == ks.size() ? lo + ".." + hi : ks.toString();
    }
}
