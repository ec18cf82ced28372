package io.vecml.cli;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.distance.DistanceMatrices;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.gemm.JavaGemm;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.kernels.ScalarKernels;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The main job, on the embedded digits data (1797 8x8 images, 10 classes): hold out a test set,",
            "compute the test x train L1 and L2 distance matrices with the scalar reference, the SIMD kernels",
            "and GEMM (OpenBLAS and pure Java), check that they agree, and print the 1-NN accuracy and a table",
            "of time and speed-up per path (single-threaded, median of the timed runs after warm-up).",
            "Later versions add kNN with k chosen by cross-validation, templates and linear classifiers."})
final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the train/test split (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--test-fraction", defaultValue = "0.2",
            description = "Fraction of the rows held out for testing (default ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--repeats", defaultValue = "7", description = "Timed runs per path, after warm-up (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--json", description = "Print the results as JSON instead of text.")
    boolean json;

    /** One computation path and its timings. */
    record PathResult(String path, Double l1Millis, Double l2Millis, Double l1SpeedUp, Double l2SpeedUp,
                      String agreement) {
    }

    record Result(String dataset, int trainRows, int testRows, int dims, long seed, String kernels, String gemm,
                  List<PathResult> paths, double accuracyL1, double accuracyL2, boolean allAgree) {
    }

    @Override
    public Integer call() {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be >= 1, got " + repeats);
        }
        KernelSelection ks = KernelSelection.current();
        GemmSelection gs = GemmSelection.current();
        Kernels scalar = ScalarKernels.INSTANCE;
        Kernels simd = KernelSelection.available().stream().filter(k -> k.name().equals("simd")).findFirst().orElse(null);
        List<PathResult> paths = new ArrayList<>();
        boolean agree = true;
        double accL1, accL2;
        try (Dataset all = EmbeddedData.digits()) {
            Splits.Holdout h = Splits.holdout(all.rows(), testFraction, seed);
            try (Dataset train = all.select(h.train()); Dataset test = all.select(h.test());
                 Dataset trainF = train.toFloat32(); Dataset testF = test.toFloat32()) {
                int nq = test.rows(), nt = train.rows();

                long[] refL1 = DistanceMatrices.exactU8(scalar, Metric.L1, test, train);
                long[] refL2 = DistanceMatrices.exactU8(scalar, Metric.L2, test, train);
                double sL1 = time(() -> DistanceMatrices.exactU8(scalar, Metric.L1, test, train));
                double sL2 = time(() -> DistanceMatrices.exactU8(scalar, Metric.L2, test, train));
                paths.add(new PathResult("scalar uint8 (reference)", sL1, sL2, 1.0, 1.0, "reference"));

                if (simd != null) {
                    long[] l1 = DistanceMatrices.exactU8(simd, Metric.L1, test, train);
                    long[] l2 = DistanceMatrices.exactU8(simd, Metric.L2, test, train);
                    boolean same = Arrays.equals(l1, refL1) && Arrays.equals(l2, refL2);
                    agree &= same;
                    double t1 = time(() -> DistanceMatrices.exactU8(simd, Metric.L1, test, train));
                    double t2 = time(() -> DistanceMatrices.exactU8(simd, Metric.L2, test, train));
                    paths.add(new PathResult("SIMD uint8", t1, t2, sL1 / t1, sL2 / t2, same ? "exact" : "DIFFERS"));
                } else {
                    paths.add(new PathResult("SIMD uint8", null, null, null, null, "unavailable: " + ks.reason()));
                }

                Kernels best = ks.kernels();
                List<Gemm> gemms = new ArrayList<>();
                if (gs.choice().equals("openblas")) {
                    gemms.add(gs.create(1));
                }
                gemms.add(new JavaGemm(1));
                for (Gemm g : gemms) {
                    float[] l2 = DistanceMatrices.l2sqGemm(g, best, testF, trainF);
                    double maxRel = 0;
                    for (int i = 0; i < l2.length; i++) {
                        maxRel = Math.max(maxRel, Math.abs(l2[i] - refL2[i]) / Math.max(1.0, refL2[i]));
                    }
                    // Pixel values are small integers: every product and partial sum is an integer below
                    // 2^24, so the float GEMM is exact here, and any difference is a bug.
                    boolean same = maxRel == 0;
                    agree &= same;
                    double t = time(() -> DistanceMatrices.l2sqGemm(g, best, testF, trainF));
                    paths.add(new PathResult("GEMM float32 (" + g.name() + ")", null, t, null, sL2 / t,
                            same ? "exact" : String.format(Locale.ROOT, "DIFFERS (max rel %.2e)", maxRel)));
                }
                if (gs.choice().equals("java")) {
                    paths.add(new PathResult("GEMM float32 (openblas)", null, null, null, null,
                            "unavailable: " + gs.reason()));
                }
                accL1 = accuracy(DistanceMatrices.nearest(refL1, nq, nt), train, test);
                accL2 = accuracy(DistanceMatrices.nearest(refL2, nq, nt), train, test);
                Result r = new Result("digits (embedded)", nt, nq, train.dims(), seed,
                        ks.kernels().name() + " (" + ks.reason() + ")", gs.choice() + " (" + gs.reason() + ")",
                        paths, accL1, accL2, agree);
                print(r, all);
            }
        }
        if (!agree) {
            spec.commandLine().getErr().println("vecml demo: error: the computation paths disagree (see the table); this is a bug.");
            return Main.INTERNAL;
        }
        return 0;
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

    /** Median wall time in ms over {@link #repeats} runs, after warm-up runs (Vector API code needs C2). */
    private double time(Supplier<?> work) {
        long warmEnd = System.nanoTime() + 300_000_000L;
        int warm = 0;
        while (warm < 3 || (System.nanoTime() < warmEnd && warm < 50)) {
            work.get();
            warm++;
        }
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            work.get();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return repeats % 2 == 1 ? t[repeats / 2] : (t[repeats / 2 - 1] + t[repeats / 2]) / 2;
    }

    private void print(Result r, Dataset all) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(r));
            out.flush();
            return;
        }
        out.printf("vecml demo: %s, %d x %d uint8, %d classes; %.0f%% held out (seed %d): %d train, %d test%n",
                r.dataset(), all.rows(), all.dims(), all.numClasses(), testFraction * 100, r.seed(), r.trainRows(), r.testRows());
        out.printf("kernels: %s%nGEMM:    %s%n%n", r.kernels(), r.gemm());
        out.printf("test x train distance matrices, %d x %d, one thread, median of %d runs after warm-up:%n",
                r.testRows(), r.trainRows(), repeats);
        out.printf("%-28s %10s %10s %10s %10s  %s%n", "path", "L1 ms", "L2 ms", "L1 x", "L2 x", "agrees with scalar");
        for (PathResult p : r.paths()) {
            out.printf("%-28s %10s %10s %10s %10s  %s%n", p.path(), fmt(p.l1Millis(), "%.2f"), fmt(p.l2Millis(), "%.2f"),
                    fmt(p.l1SpeedUp(), "%.1f"), fmt(p.l2SpeedUp(), "%.1f"), p.agreement());
        }
        out.printf("%n1-NN accuracy on the %d test images: L1 %.4f, L2 %.4f%n", r.testRows(), r.accuracyL1(), r.accuracyL2());
        out.flush();
    }

    private static String fmt(Double v, String f) {
        return v == null ? "-" : String.format(Locale.ROOT, f, v);
    }

}
