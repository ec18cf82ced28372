package io.vecml.cli;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.distance.DistanceMatrices;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.DistanceAgreement;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.gemm.JavaGemm;
import io.vecml.engine.gemm.OpenBlasGemm;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The speed-ups of {@code vecml demo}: ONE table of measurements ({@link Entry}, each a variant timed on
 * one thread after {@link Timing}'s warm-up), from which every ratio the demo prints is computed
 * ({@link #ratio}), in the summary and in the section tables alike; a variant that did not settle is "not
 * measured" and every ratio with it is null. Each variant is checked against its reference first.
 */
final class DemoSpeed {

    /** Largest test x train sample of the distance-matrix comparison. */
    static final int MATRIX_QUERIES = 400;
    static final int MATRIX_TRAIN = 2000;
    /** Scalar operations per speed-up run: short runs, so even the scalar baseline settles within the cap. */
    static final double SPEED_WORK = 2e8;

    /** One measured variant; {@code millis} is null when it did not settle ("not measured"). */
    record Entry(String id, String work, String variant, int threads, Double millis, String timing, String agreement) {
    }

    /** baseline millis / variant millis of two entries of the same work; null when either is not measured. */
    record Ratio(String work, String baselineId, String variantId, String baseline, String variant, Double speedUp) {
        String text() {
            return speedUp == null ? "not measured" : String.format(Locale.ROOT, "%.1fx", speedUp);
        }
    }

    /** One path of the distance-matrix comparison, its figures read from the entries. */
    record DistancePath(String path, String l1Id, String l2Id, Double l1Millis, Double l2Millis, Double l1SpeedUp,
            Double l2SpeedUp, String agreement) {
    }

    record DistanceSection(int queries, int trainRows, int dims, String type, List<DistancePath> paths,
            double nn1AccuracyL1, double nn1AccuracyL2, boolean allAgree) {
    }

    /** The table of the report: every entry, and how the timings went. */
    record Table(List<Entry> entries, String timing) {
    }

    private final DemoRun run;
    private final Timing.Budget budget;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final List<Timing.Result> results = new ArrayList<>();
    private final Map<String, Long> bytes = new LinkedHashMap<>();
    private boolean agree = true;

    DemoSpeed(DemoRun run, Timing.Budget budget) {
        this.run = run;
        this.budget = budget;
    }

    Table table() {
        long settled = results.stream().filter(Timing.Result::converged).count();
        int maxWarm = results.stream().mapToInt(Timing.Result::warmupRounds).max().orElse(0);
        return new Table(List.copyOf(entries.values()), String.format(Locale.ROOT, "%d of %d variants settled (two"
                + " round medians within %.0f%%, JIT quiet), up to %d warm-up rounds; the others are not measured",
                settled, results.size(), Timing.TOLERANCE * 100, maxWarm));
    }

    /** Whether every checked variant agreed with its reference. */
    boolean allAgree() {
        return agree;
    }

    Entry entry(String id) {
        return entries.get(id);
    }

    static Ratio ratio(Entry base, Entry v) {
        Double r = base.millis() == null || v.millis() == null ? null : base.millis() / v.millis();
        return new Ratio(v.work(), base.id(), v.id(), base.variant(), v.variant(), r);
    }

    /** Times {@code work} on one thread; {@code maxBytes} rejects boxed (not yet compiled) Vector API runs. */
    private Entry measure(String id, String work, String variant, Supplier<?> w, String agreement, long maxBytes) {
        Timing.Result t = Timing.measure(w, budget, maxBytes);
        results.add(t);
        bytes.put(id, t.bytesPerRun());
        Entry e = new Entry(id, work, variant, 1, t.converged() ? t.millis() : null, t.converged() ? t.describe()
                : "not measured: " + t.describe(), agreement);
        entries.put(id, e);
        return e;
    }

    private Entry measure(String id, String work, String variant, Supplier<?> w, String agreement) {
        return measure(id, work, variant, w, agreement, Long.MAX_VALUE);
    }

    /** A SIMD variant may allocate what its scalar baseline does (results), not a box per vector operation. */
    private long simdBytes(Entry base) {
        long b = bytes.get(base.id());
        return b < 0 ? Long.MAX_VALUE : 2 * b + 65536;
    }

    // ---- distance matrices ---------------------------------------------------------------------

    DistanceSection distances(Dataset train, Dataset test) {
        try (Dataset q = Transforms.first(test, MATRIX_QUERIES); Dataset t = Transforms.first(train, MATRIX_TRAIN);
             Dataset qF = q.toFloat32(); Dataset tF = t.toFloat32()) {
            boolean u8 = q.type() == Dataset.Type.UINT8;
            String type = u8 ? "uint8" : "float32";
            String work = String.format(Locale.ROOT, "%s distance matrix, %d test x %d training rows (%s), 1 thread",
                    "%s", q.rows(), t.rows(), type);
            Map<Metric, double[]> ref = new LinkedHashMap<>();
            Map<Metric, Entry> base = new LinkedHashMap<>();
            double[] nn1 = new double[2];
            for (Metric m : List.of(Metric.L1, Metric.L2)) {
                if (u8) {
                    long[] d = DistanceMatrices.exactU8(run.scalar, m, q, t);
                    ref.put(m, asDouble(d));
                    nn1[m.ordinal()] = DistanceAgreement.nn1Accuracy(d, t, q);
                } else {
                    float[] d = DistanceMatrices.directF32(run.scalar, m, q, t);
                    ref.put(m, asDouble(d));
                    nn1[m.ordinal()] = DistanceAgreement.nn1Accuracy(d, t, q);
                }
                base.put(m, measure("distances " + m + " scalar", String.format(work, m), "scalar " + type,
                        () -> direct(run.scalar, m, q, t), "reference"));
            }
            List<DistancePath> paths = new ArrayList<>();
            paths.add(path("scalar " + type + " (reference)", base.get(Metric.L1), base.get(Metric.L2), base,
                    "reference"));
            if (run.simd != null) {
                Entry[] e = new Entry[2];
                String worst = "exact";
                for (Metric m : List.of(Metric.L1, Metric.L2)) {
                    DistanceAgreement.Check c = DistanceAgreement.direct(ref.get(m), asDouble(direct(run.simd, m, q, t)),
                            u8, q.dims());
                    agree &= c.same();
                    worst = worst.startsWith("DIFFERS") || c.same() && c.maxRel() == 0 ? worst : c.text();
                    e[m.ordinal()] = measure("distances " + m + " SIMD", String.format(work, m), "SIMD " + type,
                            () -> direct(run.simd, m, q, t), c.text(), simdBytes(base.get(m)));
                }
                paths.add(path("SIMD " + type, e[0], e[1], base, worst));
            } else {
                paths.add(new DistancePath("SIMD " + type, null, null, null, null, null, null, "unavailable"));
            }
            Kernels best = KernelSelection.current().kernels();
            for (Gemm g : run.gemms()) {
                DistanceAgreement.Check c = DistanceAgreement.gemmL2(ref.get(Metric.L2),
                        DistanceMatrices.l2sqGemm(g, best, qF, tF), q, t);
                agree &= c.same();
                Entry e = measure("distances L2 GEMM " + g.name(), String.format(work, Metric.L2),
                        "GEMM float32 (" + g.name() + ")", () -> DistanceMatrices.l2sqGemm(g, best, qF, tF), c.text());
                paths.add(path("GEMM float32 (" + g.name() + ")", null, e, base, c.text()));
            }
            if (run.blas1.isEmpty()) {
                paths.add(new DistancePath("GEMM float32 (openblas)", null, null, null, null, null, null,
                        "unavailable"));
            }
            return new DistanceSection(q.rows(), t.rows(), q.dims(), type, paths, nn1[0], nn1[1], agree);
        }
    }

    private static DistancePath path(String name, Entry l1, Entry l2, Map<Metric, Entry> base, String agreement) {
        return new DistancePath(name, l1 == null ? null : l1.id(), l2 == null ? null : l2.id(),
                l1 == null ? null : l1.millis(), l2 == null ? null : l2.millis(),
                l1 == null ? null : ratio(base.get(Metric.L1), l1).speedUp(),
                l2 == null ? null : ratio(base.get(Metric.L2), l2).speedUp(), agreement);
    }

    private static Object direct(Kernels k, Metric m, Dataset q, Dataset t) {
        return q.type() == Dataset.Type.UINT8 ? DistanceMatrices.exactU8(k, m, q, t)
                : DistanceMatrices.directF32(k, m, q, t);
    }

    private static double[] asDouble(Object v) {
        if (v instanceof long[] l) {
            return Arrays.stream(l).asDoubleStream().toArray();
        }
        float[] f = (float[]) v;
        double[] r = new double[f.length];
        Arrays.setAll(r, i -> f[i]);
        return r;
    }

    // ---- kNN, templates, training --------------------------------------------------------------

    /** Query rows of a kNN speed-up: enough to time, few enough that the scalar run stays short. */
    static int queries(Dataset train, Dataset test) {
        double perQuery = (double) train.rows() * train.dims();
        return (int) Math.max(Math.min(test.rows(), 10), Math.min(test.rows(), Math.min(400, SPEED_WORK / perQuery)));
    }

    /** kNN predict of {@code sample} on one thread: scalar brute force against SIMD, the automatic path and GEMM. */
    List<Ratio> knn(Metric m, int k, Dataset train, Dataset sample, int[] reference) {
        String work = String.format(Locale.ROOT, "kNN %s k=%d: %d queries x %d training rows, 1 thread", m, k,
                sample.rows(), train.rows());
        KnnOptions one = KnnOptions.of(m).withThreads(1);
        String id = "knn " + m + " ";
        Entry base = timeKnn(id + "scalar", work, "scalar, brute force",
                one.withKernels(run.scalar).withPath(KnnOptions.Path.DIRECT), train, sample, k, reference, Long.MAX_VALUE);
        List<Ratio> out = new ArrayList<>();
        if (run.simd != null) {
            out.add(ratio(base, timeKnn(id + "SIMD", work, "SIMD, brute force", one.withKernels(run.simd)
                    .withPath(KnnOptions.Path.DIRECT), train, sample, k, reference, simdBytes(base))));
        }
        KnnOptions auto = one.withPath(KnnOptions.Path.AUTO);
        out.add(ratio(base, timeKnn(id + "auto", work, "selected kernels (" + auto.kernels().name()
                + "), automatic path", auto, train, sample, k, reference, Long.MAX_VALUE)));
        if (m == Metric.L2) {
            out.add(ratio(base, timeKnn(id + "GEMM", work, "GEMM (" + GemmSelection.current().choice()
                    + ") + exact re-ranking", one.withPath(KnnOptions.Path.GEMM), train, sample, k, reference,
                    Long.MAX_VALUE)));
        }
        return out;
    }

    private Entry timeKnn(String id, String work, String variant, KnnOptions o, Dataset train, Dataset queries,
            int k, int[] reference, long maxBytes) {
        try (KnnClassifier knn = new KnnClassifier(o).fit(train)) {
            int[] p = knn.predict(queries, k);
            int differ = 0;
            for (int i = 0; i < p.length; i++) {
                differ += p[i] != reference[i] ? 1 : 0;
            }
            agree &= differ == 0;
            return measure(id, work, variant, () -> knn.predict(queries, k), differ == 0 ? "same predictions"
                    : "DIFFERS: " + differ + " of " + p.length + " predictions", maxBytes);
        }
    }

    /** Distances of the test rows to the templates on one thread: scalar against SIMD (and GEMM for L2). */
    List<Ratio> template(Metric m, Dataset testF, Dataset tpl, int[] labels, int[] predicted) {
        String work = String.format(Locale.ROOT, "distances of %d test rows to %d templates (%s), 1 thread",
                testF.rows(), labels.length, m);
        String id = "template " + m + " ";
        Entry base = measure(id + "scalar", work, "scalar", () -> DistanceMatrices.directF32(run.scalar, m, testF, tpl),
                nearestTemplates(DistanceMatrices.directF32(run.scalar, m, testF, tpl), labels, predicted));
        List<Ratio> out = new ArrayList<>();
        if (run.simd != null) {
            out.add(ratio(base, measure(id + "SIMD", work, "SIMD", () -> DistanceMatrices.directF32(run.simd, m, testF,
                    tpl), nearestTemplates(DistanceMatrices.directF32(run.simd, m, testF, tpl), labels, predicted),
                    simdBytes(base))));
        }
        if (m == Metric.L2) {
            Kernels best = KernelSelection.current().kernels();
            for (Gemm g : run.gemms()) {
                out.add(ratio(base, measure(id + "GEMM " + g.name(), work, "GEMM (" + g.name() + ")",
                        () -> DistanceMatrices.l2sqGemm(g, best, testF, tpl), nearestTemplates(
                                DistanceMatrices.l2sqGemm(g, best, testF, tpl), labels, predicted))));
            }
        }
        return out;
    }

    /**
     * How the nearest templates of a distance matrix compare with the classifier's predictions. Float
     * sums in another order may break a near-tie the other way, so this is information, not a check.
     */
    private static String nearestTemplates(float[] dist, int[] labels, int[] predicted) {
        int[] nearest = DistanceMatrices.nearest(dist, predicted.length, labels.length);
        int same = 0;
        for (int i = 0; i < predicted.length; i++) {
            same += labels[nearest[i]] == predicted[i] ? 1 : 0;
        }
        return same == predicted.length ? "same predictions" : String.format(Locale.ROOT,
                "%d of %d predictions differ (float near-ties)", predicted.length - same, predicted.length);
    }

    /** SGD training on one thread: the Java GEMM against OpenBLAS (when loaded). */
    List<Ratio> linear(String loss, Dataset train, LinearConfig cfg, SgdConfig one) {
        if (run.blas1.isEmpty()) {
            return List.of();
        }
        String work = String.format(Locale.ROOT, "SGD training (%s), %d epochs on %d rows, 1 thread", loss,
                one.epochs(), train.rows());
        var blas = GemmSelection.current().blas().orElseThrow();
        Entry j = measure("linear " + loss + " Java GEMM", work, "Java GEMM",
                () -> SgdTrainer.train(train, cfg, one, t -> new JavaGemm(t), null), "-");
        Entry b = measure("linear " + loss + " OpenBLAS", work, "OpenBLAS GEMM",
                () -> SgdTrainer.train(train, cfg, one, t -> new OpenBlasGemm(blas, t), null), "-");
        return List.of(ratio(j, b));
    }
}
