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
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A quick look at this machine's speed: kernels, GEMM and kNN, scalar against SIMD.",
            "",
            "About a minute (--quick: a few seconds): the "
            + "distance kernels, scalar against SIMD (dot, L1, squared L2 on float32 and uint8 at d = 784 and 3072, "
            + "ns per call); GEMM, pure Java against OpenBLAS (512^3 and 1024^3, one thread, GFLOP/s); and kNN end "
            + "to end (1,000 random uint8 queries x 10,000 training rows at d = 784, L1 and L2, images/s), each "
            + "variant checked against the scalar or double reference first (exit code 1 if they disagree).",
            "",
            "Warm-up: every measurement repeats rounds of runs until two consecutive round medians agree "
            + "within 10%% (the JIT has compiled the code by then) or a cap is reached; the table gives the last "
            + "median and the number of warm-up rounds, and marks measurements that did not settle.",
            "",
            "This is NOT a replacement for the JMH suite (bench/run.sh), whose numbers BENCHMARKS.md publishes: "
            + "everything runs in this one JVM with no forking (what the JIT learnt from one benchmark can slow "
            + "the next), with fewer and shorter iterations, and without JMH's Blackhole (results go to a volatile "
            + "field, which keeps the work alive but guards less against dead-code elimination and constant "
            + "folding). Read the ratios measured side by side, not single absolute numbers."},
        footer = {"", "Examples:", "  vecml bench --out bench-results", "  vecml bench --quick --json"})
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "A few seconds: smaller sizes, fewer rounds (used by the tests).")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "Write bench.json and bench.png (speed-up bars) into DIR.")
    Path out;

    @Option(names = "--json", description = "Print bench.json instead of the tables.")
    boolean json;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads of the kNN runs (default: all processors); kernels and GEMM run on one thread.")
    Integer threads;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "7", description = "Seed of the random data. Default: ${DEFAULT-VALUE}.")
    long seed;

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

    /** @param peak the float32 peak estimate GEMM figures are checked against ({@link Peak}) */
    record Report(boolean quick, String java, int processors, String kernels, String gemm, String openblas,
            int knnThreads, Peak peak, List<Row> rows, boolean allAgree, double seconds, List<String> notes) {
    }

    private final List<String> notes = new ArrayList<>();
    private boolean agree = true;

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        int knnThreads = io.vecml.engine.api.Parse.threads(threads, "--threads");
        Path dir = OutputPaths.folder(out, "--out", "bench.json", "bench.png");
        KernelSelection ks = KernelSelection.current();
        GemmSelection gs = GemmSelection.current();
        List<Row> rows = new ArrayList<>();
        kernels(rows);
        gemm(rows, gs);
        knn(rows, knnThreads);
        Report r = new Report(quick, Runtime.version().toString(), Runtime.getRuntime().availableProcessors(),
                ks.kernels().name() + " (" + ks.reason() + ")", gs.choice() + " (" + gs.reason() + ")",
                gs.blas().map(Object::toString).orElse("not loaded"), knnThreads, Peak.estimate(), rows, agree,
                (System.nanoTime() - start) / 1e9, notes);
        if (dir != null) {
            Reports.writeText(Json.write(r) + "\n", dir.resolve("bench.json"));
            Pictures.writePng(chart(r), dir.resolve("bench.png"));
        }
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            pw.println(Json.write(r));
        } else {
            print(pw, r, dir);
        }
        pw.flush();
        if (!agree) {
            spec.commandLine().getErr().println("vecml bench: error: a variant disagrees with its reference (see the"
                    + " agreement column); this is a bug.");
            return Main.INTERNAL;
        }
        return 0;
    }

    /*
     * Quick mode measures fewer sizes, never with less warm-up: the caps are seconds the C2 compiler
     * needs on a busy 2-core machine (the Vector API code runs boxed, ~1000x slower, until then).
     */
    private static final Timing.Budget KERNELS = new Timing.Budget(5, 200, 0.3, 6.0);
    private static final Timing.Budget GEMM = new Timing.Budget(3, 40, 0.3, 6.0);
    private static final Timing.Budget KNN = new Timing.Budget(3, 40, 0.3, 8.0);

    private Timing.Budget kernelBudget() {
        return KERNELS;
    }

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
                    Timing.Result s = Timing.measure(batchOf(c, scalar, a, b, d, batch), kernelBudget());
                    Timing.Result v = Timing.measure(batchOf(c, simd, a, b, d, batch), kernelBudget());
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
                    Run r = run(variants.get(v), train, queries, k, budget);
                    boolean same = Arrays.equals(Arrays.copyOf(r.predictions, nScalar), ref.predictions);
                    agree &= same;
                    double ips = nQuery / (r.t.millis() / 1e3);
                    rows.add(Row.of("knn", "kNN " + m + ", " + threads + " thread" + (threads == 1 ? "" : "s"), size,
                            sm, Measurement.of(names.get(v), ips, "images/s", r.t), ips / sm.value(),
                            same ? "same predictions as scalar" : "DIFFERS from scalar"));
                }
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

    // ---- output --------------------------------------------------------------------------------

    private static String warm(Measurement m) {
        return m.warmupRounds() + (m.settled() ? "" : "*");
    }

    private static void print(PrintWriter pw, Report r, Path dir) {
        pw.printf("vecml bench%s: Java %s, %d processors; kernels %s; GEMM %s%n", r.quick() ? " --quick" : "",
                r.java(), r.processors(), r.kernels(), r.gemm());
        pw.println("(not the JMH suite: one JVM, no forking, few iterations, no Blackhole; see --help)");
        List<Row> k = r.rows().stream().filter(x -> x.group().equals("kernels")).toList();
        if (!k.isEmpty()) {
            pw.printf("%nkernels, one pair of vectors in cache, 1 thread (ns per call):%n");
            pw.printf("%-8s %6s %10s %10s %8s %6s  %s%n", "kernel", "d", "scalar ns", "SIMD ns", "ratio", "warm",
                    "agreement");
            for (Row x : k) {
                pw.printf(Locale.ROOT, "%-8s %6s %10s %10s %8s %6s  %s%n", x.name(), x.size().substring(2),
                        num(x.baseline(), x.baseline().value(), 1), num(x.variant(), x.variant().value(), 1),
                        ratio(x.speedUp()),
                        warm(x.baseline()) + "/" + warm(x.variant()), x.agreement());
            }
        }
        List<Row> g = r.rows().stream().filter(x -> x.group().equals("gemm")).toList();
        if (!g.isEmpty()) {
            pw.printf("%nGEMM C = A B, native memory, 1 thread:%n");
            pw.printf("%-7s %9s %12s %9s %12s %10s %6s  %s%n", "n^3", "Java ms", "Java GFLOP/s", "BLAS ms",
                    "BLAS GFLOP/s", "BLAS/Java", "warm", "agreement");
            for (Row x : g) {
                pw.printf(Locale.ROOT, "%-7s %9s %12s %9s %12s %10s %6s  %s%n", x.size(),
                        num(x.baseline(), x.baseline().millis(), 2), num(x.baseline(), x.baseline().value(), 1),
                        num(x.variant(), x.variant().millis(), 2), num(x.variant(), x.variant().value(), 1),
                        ratio(x.speedUp()), warm(x.baseline()) + "/" + warm(x.variant()), x.agreement());
            }
        }
        List<Row> n = r.rows().stream().filter(x -> x.group().equals("knn")).toList();
        if (!n.isEmpty()) {
            pw.printf("%nkNN end to end, random uint8 data, %s (images/s; the scalar baseline runs fewer queries):%n",
                    n.getFirst().size());
            pw.printf("%-20s %-48s %11s %11s %8s %6s  %s%n", "metric", "variant", "scalar i/s", "variant i/s",
                    "ratio", "warm", "agreement");
            for (Row x : n) {
                pw.printf(Locale.ROOT, "%-20s %-48s %11s %11s %8s %6s  %s%n", x.name(), x.variant().variant(),
                        num(x.baseline(), x.baseline().value(), 1), num(x.variant(), x.variant().value(), 1),
                        ratio(x.speedUp()),
                        warm(x.baseline()) + "/" + warm(x.variant()), x.agreement());
            }
        }
        pw.printf("%nratio: variant speed / baseline speed; warm: warm-up rounds before the reported median"
                + " (baseline/variant), * = did not settle within 10%% before the cap: such a figure is not measured,"
                + " and no ratio is printed for it%n");
        pw.printf(Locale.ROOT, "GEMM figures are checked against this core's estimated float32 peak: %.1f GFLOP/s (%s)%n",
                r.peak().gflopsCore(), describe(r.peak()));
        for (String note : r.notes()) {
            pw.println("note: " + note);
        }
        if (dir != null) {
            pw.printf("written: %s, %s%n", dir.resolve("bench.json"), dir.resolve("bench.png"));
        }
        pw.printf(Locale.ROOT, "total %.1f s%n", r.seconds());
    }

    /** A settled figure, or "n/m" (not measured). */
    private static String num(Measurement m, double v, int decimals) {
        return m.settled() ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "n/m";
    }

    private static String ratio(Double r) {
        return r == null ? "n/m" : String.format(Locale.ROOT, "%.1fx", r);
    }

    static String describe(Peak p) {
        return String.format(Locale.ROOT, "%d float lanes x 2 flops per FMA x %d FMA units x %.2f GHz measured",
                p.lanes(), p.fmaUnits(), p.ghz());
    }

    private static java.awt.image.BufferedImage chart(Report r) {
        List<Reports.Bar> bars = new ArrayList<>();
        for (Row x : r.rows()) {
            if (x.speedUp() == null) {
                continue;
            }
            switch (x.group()) {
                case "kernels" -> bars.add(new Reports.Bar(x.name() + " " + x.size() + ": SIMD/scalar", x.speedUp(), 0));
                case "gemm" -> bars.add(new Reports.Bar("sgemm " + x.size() + ": OpenBLAS/Java", x.speedUp(), 1));
                default -> bars.add(new Reports.Bar(x.name().substring(4, 6) + " " + shortVariant(x.variant().variant())
                        + "/scalar", x.speedUp(), 2));
            }
        }
        return Reports.barChart("vecml bench" + (r.quick() ? " --quick" : "") + ": speed-ups measured side by side",
                bars, List.of("SIMD over scalar kernels", "OpenBLAS over Java GEMM", "kNN images/s over scalar"));
    }

    private static String shortVariant(String v) {
        return v.startsWith("SIMD") ? "SIMD" : v.startsWith("selected") ? "auto" : "GEMM";
    }
}
