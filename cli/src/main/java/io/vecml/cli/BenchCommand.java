package io.vecml.cli;

import io.vecml.cli.BenchMeasure.Measurement;
import io.vecml.cli.BenchMeasure.Row;
import io.vecml.engine.Peak;
import io.vecml.engine.api.Parse;
import io.vecml.engine.gemm.BlasReport;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    ProgressOptions progress;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "7", description = "Seed of the random data. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** @param peak the float32 peak estimate GEMM figures are checked against ({@link Peak}) */
    record Report(boolean quick, String java, int processors, String kernels, String gemm, String openblas,
            BlasReport blas, int knnThreads, Peak peak, List<Row> rows, boolean allAgree, double seconds, List<String> notes) {
    }

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        int knnThreads = Parse.threads(threads, "--threads");
        Path dir = OutputPaths.folder(out, "--out", "bench.json", "bench.png");
        KernelSelection ks = KernelSelection.current();
        GemmSelection gs = GemmSelection.current();
        BenchMeasure bench = new BenchMeasure(quick, seed, progress.listener(spec.commandLine().getErr()));
        List<Row> rows = bench.all(knnThreads);
        Report r = new Report(quick, Runtime.version().toString(), Runtime.getRuntime().availableProcessors(),
                ks.kernels().name() + " (" + ks.reason() + ")", gs.choice() + " (" + gs.reason() + ")",
                gs.blas().map(Object::toString).orElse("not loaded"), BlasReport.current(), knnThreads,
                Peak.estimate(), rows, bench.agree, (System.nanoTime() - start) / 1e9, bench.notes);
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
        if (!r.allAgree()) {
            spec.commandLine().getErr().println("vecml bench: error: a variant disagrees with its reference (see the"
                    + " agreement column); this is a bug.");
            return Main.INTERNAL;
        }
        return 0;
    }

    // ---- output --------------------------------------------------------------------------------

    private static String warm(Measurement m) {
        return m.warmupRounds() + (m.settled() ? "" : "*");
    }

    private static void print(PrintWriter pw, Report r, Path dir) {
        pw.printf("vecml bench%s: Java %s, %d processors; kernels %s; GEMM %s%n", r.quick() ? " --quick" : "",
                r.java(), r.processors(), r.kernels(), r.gemm());
        pw.printf("BLAS: %s%n", r.blas().describe());
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
                r.peak().gflopsCore(), BenchMeasure.describe(r.peak()));
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

