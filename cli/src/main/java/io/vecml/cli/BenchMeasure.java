package io.vecml.cli;

import io.vecml.engine.Peak;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.gemm.JavaGemm;
import io.vecml.engine.gemm.OpenBlasGemm;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.kernels.ScalarKernels;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.progress.ProgressListener;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The measurements of {@code vecml bench} (no printing): each variant checked against its reference,
 * then timed by {@link Timing} (warm medians only once the JIT is quiet; a figure that did not settle is
 * "not measured" and gets no ratio); single-thread kernels and GEMM (OpenBLAS and the Java GEMM both on one
 * thread, enforced by their instances), kNN on the stated threads.
 */
final class BenchMeasure {

    /** One timed variant. */
    record Measurement(String variant, double value, String unit, double millis, int warmupRounds, int runs,
            boolean settled) {
        static Measurement of(String variant, double value, String unit, Timing.Result t) {
            return new Measurement(variant, value, unit, t.millis(), t.warmupRounds(), t.runs(), t.converged());
        }
    }

    /**
     * A baseline and a variant of the same work; {@code speedUp} > 1 means the variant is faster. It
     * is null ("not measured") unless both settled: a ratio of code the JIT has not compiled yet is a
     * wrong answer, not a slow one.
     */
    record Row(String group, String name, String size, Measurement baseline, Measurement variant, Double speedUp,
            String agreement) {
        static Row of(String group, String name, String size, Measurement baseline, Measurement variant,
                double ratio, String agreement) {
            return new Row(group, name, size, baseline, variant,
                    baseline.settled() && variant.settled() ? ratio : null, agreement);
        }
    }


    private final boolean quick;
    private final long seed;
    private final ProgressListener progress;
    final List<String> notes = new ArrayList<>();
    boolean agree = true;

    BenchMeasure(boolean quick, long seed, ProgressListener progress) {
        this.quick = quick;
        this.seed = seed;
        this.progress = progress;
    }

    /** Every row: kernels, GEMM (when OpenBLAS loaded), kNN on {@code knnThreads} threads. */
    List<Row> all(int knnThreads) {
        List<Row> rows = new ArrayList<>();
        kernels(rows);
        gemm(rows, GemmSelection.current());
        knn(rows, knnThreads);
        return rows;
    }

    /*
     * Quick mode measures fewer sizes, never with less warm-up: the caps are seconds the C2 compiler
     * needs on a busy 2-core machine (the Vector API code runs boxed, ~1000x slower, until then).
     */
    // No cap on rounds, only on seconds: a fast kernel (microseconds per run) would otherwise hit a round cap
    // long before the minimum time and never count as measured.
    private static final Timing.Budget KERNELS = new Timing.Budget(5, Timing.UNLIMITED, 0.3, 6.0);
    private static final Timing.Budget GEMM = new Timing.Budget(3, Timing.UNLIMITED, 0.3, 6.0);
    private static final Timing.Budget KNN = new Timing.Budget(3, Timing.UNLIMITED, 0.3, 8.0);

    // ---- kernels -------------------------------------------------------------------------------

    private interface KernelCall {
        double call(Kernels k, MemorySegment a, MemorySegment b, int d);
    }

    private void kernels(List<Row> rows) {
        Kernels scalar = ScalarKernels.INSTANCE;
        Kernels simd = KernelSelection.available().stream().filter(k -> k.name().equals("simd")).findFirst()
                .orElse(null);
        if (simd == null) {
            notes.add("SIMD kernels unavailable (" + KernelSelection.current().reason() + "): no kernel rows");
            return;
        }
        List<String> names = List.of("dotF32", "l1F32", "l2sqF32", "dotU8", "l1U8", "l2sqU8");
        List<KernelCall> calls = List.of(
                (k, a, b, d) -> k.dotF32(a, 0, b, 0, d),
                (k, a, b, d) -> k.l1F32(a, 0, b, 0, d),
                (k, a, b, d) -> k.l2sqF32(a, 0, b, 0, d),
                (k, a, b, d) -> k.dotU8(a, 0, b, 0, d),
                (k, a, b, d) -> k.l1U8(a, 0, b, 0, d),
                (k, a, b, d) -> k.l2sqU8(a, 0, b, 0, d));
        Random rnd = new Random(seed);
        try (Arena arena = Arena.ofConfined()) {
            for (int d : quick ? new int[] {784} : new int[] {784, 3072}) {
                MemorySegment fa = arena.allocate(4L * d, 64);
                MemorySegment fb = arena.allocate(4L * d, 64);
                MemorySegment ua = arena.allocate(d, 64);
                MemorySegment ub = arena.allocate(d, 64);
                for (int i = 0; i < d; i++) {
                    fa.setAtIndex(ValueLayout.JAVA_FLOAT, i, rnd.nextFloat() * 2 - 1);
                    fb.setAtIndex(ValueLayout.JAVA_FLOAT, i, rnd.nextFloat() * 2 - 1);
                    ua.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
                    ub.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
                }
                int batch = Math.max(1, (quick ? 100_000 : 1_000_000) / d);
                for (int i = 0; i < names.size(); i++) {
                    progress.update("bench kernels d=" + d, i, names.size());
                    boolean u8 = names.get(i).endsWith("U8");
                    MemorySegment a = u8 ? ua : fa;
                    MemorySegment b = u8 ? ub : fb;
                    KernelCall c = calls.get(i);
                    double ref = c.call(scalar, a, b, d);
                    double got = c.call(simd, a, b, d);
                    // uint8: exact integers; float32: another summation order, error below d ulps of the
                    // sum of |terms| (at most d for values in [-1, 1])
                    boolean same = u8 ? ref == got : Math.abs(ref - got) <= 2.0 * d * 0x1p-24 * d;
                    agree &= same;
                    Timing.Result s = Timing.measure(batchOf(c, scalar, a, b, d, batch), KERNELS);
                    // compiled SIMD kernels allocate nothing; boxed (not yet compiled) ones allocate per vector
                    Timing.Result v = Timing.measure(batchOf(c, simd, a, b, d, batch), KERNELS, 4096);
                    double sNs = s.millis() * 1e6 / batch;
                    double vNs = v.millis() * 1e6 / batch;
                    if (!v.converged() || !s.converged()) {
                        notes.add(String.format(Locale.ROOT, "%s d=%d: not measured, the %s did not settle within"
                                + " the warm-up cap (not compiled yet, or a busy machine); the JMH suite"
                                + " (bench/run.sh KernelBench) measures it properly", names.get(i), d,
                                v.converged() ? "scalar code" : "SIMD code"));
                    }
                    rows.add(Row.of("kernels", names.get(i), "d=" + d, Measurement.of("scalar", sNs, "ns/call", s),
                            Measurement.of("SIMD", vNs, "ns/call", v), sNs / vNs, same ? (u8 ? "exact" : "within"
                                    + " float rounding") : String.format(Locale.ROOT, "DIFFERS (%s vs %s)", got, ref)));
                }
                progress.update("bench kernels d=" + d, names.size(), names.size());
            }
        }
    }

    private static Supplier<Object> batchOf(KernelCall c, Kernels k, MemorySegment a, MemorySegment b, int d, int n) {
        return () -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += c.call(k, a, b, d);
            }
            return s;
        };
    }

    // ---- GEMM ----------------------------------------------------------------------------------

    private void gemm(List<Row> rows, GemmSelection gs) {
        if (gs.blas().isEmpty()) {
            notes.add("OpenBLAS not loaded (" + gs.reason() + "): no GEMM rows");
            return;
        }
        Gemm blas = new OpenBlasGemm(gs.blas().get(), 1);
        Gemm java = new JavaGemm(1);
        Timing.Budget budget = GEMM;
        Peak peak = Peak.estimate();
        Random rnd = new Random(seed + 1);
        for (int n : quick ? new int[] {256} : new int[] {512, 1024}) {
            progress.update("bench GEMM " + n + "^3", 0, 1);
            try (Arena arena = Arena.ofConfined()) {
                long len = (long) n * n;
                MemorySegment a = arena.allocate(4 * len, 64);
                MemorySegment b = arena.allocate(4 * len, 64);
                MemorySegment c1 = arena.allocate(4 * len, 64);
                MemorySegment c2 = arena.allocate(4 * len, 64);
                for (long i = 0; i < len; i++) {
                    a.setAtIndex(ValueLayout.JAVA_FLOAT, i, rnd.nextFloat() * 2 - 1);
                    b.setAtIndex(ValueLayout.JAVA_FLOAT, i, rnd.nextFloat() * 2 - 1);
                }
                blas.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c1, 0, n);
                java.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c2, 0, n);
                double maxDiff = 0;
                for (long i = 0; i < len; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(c1.getAtIndex(ValueLayout.JAVA_FLOAT, i)
                            - c2.getAtIndex(ValueLayout.JAVA_FLOAT, i)));
                }
                // |a|, |b| <= 1: each float sum is off by at most about k ulps of the sum of |terms| <= k
                boolean same = maxDiff <= 2.0 * n * 0x1p-24 * n;
                agree &= same;
                Timing.Result tj = Timing.measure(() -> {
                    java.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c2, 0, n);
                    return c2;
                }, budget);
                Timing.Result tb = Timing.measure(() -> {
                    blas.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c1, 0, n);
                    return c1;
                }, budget);
                double flops = 2.0 * n * n * n;
                double gj = flops / (tj.millis() * 1e6);
                double gb = flops / (tb.millis() * 1e6);
                String flag = "";
                for (String[] v : new String[][] {{"Java", Double.toString(gj)}, {"OpenBLAS", Double.toString(gb)}}) {
                    double g = Double.parseDouble(v[1]);
                    if (peak.impossible(g, 1)) {
                        notes.add(String.format(Locale.ROOT, "sgemm %d^3 %s: %.1f GFLOP/s on one thread is above this"
                                + " core's estimated peak of %.1f (%s): a MEASUREMENT ERROR (more threads than stated,"
                                + " or a wrong timer), not a speed", n, v[0], g, peak.gflopsCore(), describe(peak)));
                        flag += "; " + v[0] + " ABOVE PEAK (measurement error)";
                    }
                }
                String flagged = flag;
                rows.add(Row.of("gemm", "sgemm C = A B, 1 thread", n + "^3",
                        Measurement.of("Java", gj, "GFLOP/s", tj),
                        Measurement.of("OpenBLAS", gb, "GFLOP/s", tb),
                        tj.millis() / tb.millis(), (same ? String.format(Locale.ROOT, "max |diff| %.1e", maxDiff)
                                : String.format(Locale.ROOT, "DIFFERS (max |diff| %.2e)", maxDiff)) + flagged));
                progress.update("bench GEMM " + n + "^3", 1, 1);
            }
        }
    }

    // ---- kNN -----------------------------------------------------------------------------------

    private void knn(List<Row> rows, int threads) {
        int d = 784;
        int nTrain = quick ? 2000 : 10_000;
        int nQuery = quick ? 100 : 1000;
        int nScalar = quick ? 20 : 100;
        int k = 5;
        Timing.Budget budget = KNN;
        Kernels scalar = ScalarKernels.INSTANCE;
        Kernels simd = KernelSelection.available().stream().filter(x -> x.name().equals("simd")).findFirst()
                .orElse(null);
        try (Dataset train = random(nTrain, d, seed + 2); Dataset queries = random(nQuery, d, seed + 3);
             Dataset few = queries.select(range(nScalar))) {
            for (Metric m : List.of(Metric.L1, Metric.L2)) {
                KnnOptions base = KnnOptions.of(m).withThreads(threads);
                String size = String.format(Locale.ROOT, "%d x %d, d=%d, k=%d", nQuery, nTrain, d, k);
                Run ref = run(base.withKernels(scalar).withPath(KnnOptions.Path.DIRECT), train, few, k, budget);
                Measurement sm = Measurement.of("scalar, brute force (" + nScalar + " queries)",
                        nScalar / (ref.t.millis() / 1e3), "images/s", ref.t);
                List<KnnOptions> variants = new ArrayList<>();
                List<String> names = new ArrayList<>();
                if (simd != null) {
                    variants.add(base.withKernels(simd).withPath(KnnOptions.Path.DIRECT));
                    names.add("SIMD, brute force");
                }
                variants.add(base.withPath(KnnOptions.Path.AUTO));
                names.add("selected kernels, automatic path");
                if (m == Metric.L2) {
                    variants.add(base.withPath(KnnOptions.Path.GEMM));
                    names.add("GEMM (" + GemmSelection.current().choice() + ") + exact re-ranking");
                }
                for (int v = 0; v < variants.size(); v++) {
                    progress.update("bench kNN " + m, v, variants.size());
                    Run r = run(variants.get(v), train, queries, k, budget);
                    boolean same = Arrays.equals(Arrays.copyOf(r.predictions, nScalar), ref.predictions);
                    agree &= same;
                    double ips = nQuery / (r.t.millis() / 1e3);
                    rows.add(Row.of("knn", "kNN " + m + ", " + threads + " thread" + (threads == 1 ? "" : "s"), size,
                            sm, Measurement.of(names.get(v), ips, "images/s", r.t), ips / sm.value(),
                            same ? "same predictions as scalar" : "DIFFERS from scalar"));
                }
                progress.update("bench kNN " + m, variants.size(), variants.size());
            }
        }
    }

    private record Run(Timing.Result t, int[] predictions) {
    }

    private static Run run(KnnOptions o, Dataset train, Dataset queries, int k, Timing.Budget budget) {
        try (KnnClassifier knn = new KnnClassifier(o).fit(train)) {
            int[] p = knn.predict(queries, k);
            return new Run(Timing.measure(() -> knn.predict(queries, k), budget), p);
        }
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private static Dataset random(int rows, int dims, long seed) {
        Random rnd = new Random(seed);
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = rnd.nextInt(10);
        }
        Dataset ds = Dataset.allocate(Dataset.Type.UINT8, rows, dims, labels,
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                ds.setU8(r, c, rnd.nextInt(256));
            }
        }
        return ds;
    }


    static String describe(Peak p) {
        return String.format(Locale.ROOT, "%d float lanes x 2 flops per FMA x %d FMA units x %.2f GHz measured",
                p.lanes(), p.fmaUnits(), p.ghz());
    }
}
