package io.vecml.bench;

import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.gemm.JavaGemm;
import io.vecml.engine.gemm.OpenBlasGemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * sgemm, OpenBLAS (through FFM) against the pure-Java GEMM, on native memory:
 * square 2048^3 (C = A B), and the kNN shape (C[1000x50000] = Q[1000x3072] T[50000x3072]^T).
 * GFLOP/s = 2 m n k / time; {@code Report} computes it from the shape in the benchmark name.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-Xmx6g"})
@State(Scope.Benchmark)
public class GemmBench {

    @Param({"openblas", "java"})
    public String impl;

    @Param({"1", "2"})
    public int threads;

    /** m x n x k, with "t" when B is transposed. */
    @Param({"2048x2048x2048", "1000x50000x3072t"})
    public String shape;

    private Arena arena;
    private MemorySegment a, b, c;
    private Gemm gemm;
    private int m, n, k;
    private boolean transB;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.replace("t", "").split("x");
        m = Integer.parseInt(p[0]);
        n = Integer.parseInt(p[1]);
        k = Integer.parseInt(p[2]);
        transB = shape.endsWith("t");
        if (impl.equals("openblas")) {
            gemm = new OpenBlasGemm(GemmSelection.current().blas().orElseThrow(() -> new IllegalStateException(
                    "OpenBLAS is not loaded: " + GemmSelection.current().openblas().summary())), threads);
        } else {
            gemm = new JavaGemm(threads);
        }
        arena = Arena.ofShared();
        a = random(arena, (long) m * k, 1);
        b = random(arena, (long) k * n, 2);
        c = arena.allocate((long) m * n * 4, 64);
        run();
        // Sampled check against double-precision dot products before measuring.
        SplittableRandom rnd = new SplittableRandom(5);
        for (int s = 0; s < 200; s++) {
            int i = rnd.nextInt(m), j = rnd.nextInt(n);
            double want = 0, mag = 0;
            for (int q = 0; q < k; q++) {
                double x = a.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * k + q);
                double y = b.getAtIndex(ValueLayout.JAVA_FLOAT, transB ? (long) j * k + q : (long) q * n + j);
                want += x * y;
                mag += Math.abs(x * y);
            }
            float got = c.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * n + j);
            if (!(Math.abs(got - want) <= 1e-5 * mag + 1e-6)) {
                throw new IllegalStateException(gemm + " C[" + i + "," + j + "] = " + got + ", expected " + want);
            }
        }
    }

    private static MemorySegment random(Arena arena, long len, long seed) {
        MemorySegment s = arena.allocate(len * 4, 64);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long i = 0; i < len; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextDouble(-1, 1));
        }
        return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment sgemm() {
        run();
        return c;
    }

    private void run() {
        gemm.sgemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, c, 0, n);
    }
}
