package io.vecml.bench;

import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.kernels.ScalarKernels;
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
 * The kNN filter's coarse lower bounds: one unit of {@code FilterRefine} (64 queries) against one block of
 * 64 panels (1,024 training rows), in cache, single thread. {@code dim} 49 is the principal-direction
 * level of Fashion-MNIST L2 (48 coordinates and the residual norm). Run it once more with
 * {@code -jvmArgsAppend -XX:MaxVectorSize=32} to measure the 256-bit tiles on the same machine.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class PanelBench {

    static final int QUERIES = 64;
    static final int PANELS = 64;

    @Param({"scalar", "simd"})
    public String impl;

    @Param({"49", "196"})
    public int dim;

    private Arena arena;
    private MemorySegment panels;
    private float[] q;
    private float[] out;
    private Kernels k;

    @Setup(Level.Trial)
    public void setup() {
        k = Benches.kernels(impl);
        arena = Arena.ofConfined();
        SplittableRandom rnd = new SplittableRandom(11);
        long n = (long) PANELS * Kernels.PANEL * dim;
        panels = arena.allocate(n * Float.BYTES, 64);
        for (long i = 0; i < n; i++) {
            panels.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextDouble(-100, 100));
        }
        q = new float[QUERIES * dim];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rnd.nextDouble(-100, 100);
        }
        out = new float[QUERIES * PANELS * Kernels.PANEL];
        // Refuse to measure an implementation that disagrees with the reference.
        float[] ref = new float[out.length];
        for (boolean l2 : new boolean[] {true, false}) {
            if (l2) {
                k.l2sqF32Panels(q, 0, dim, QUERIES, panels, 0, PANELS, dim, out, 0, PANELS * Kernels.PANEL);
                ScalarKernels.INSTANCE.l2sqF32Panels(q, 0, dim, QUERIES, panels, 0, PANELS, dim, ref, 0,
                        PANELS * Kernels.PANEL);
            } else {
                k.l1F32Panels(q, 0, dim, QUERIES, panels, 0, PANELS, dim, out, 0, PANELS * Kernels.PANEL);
                ScalarKernels.INSTANCE.l1F32Panels(q, 0, dim, QUERIES, panels, 0, PANELS, dim, ref, 0,
                        PANELS * Kernels.PANEL);
            }
            for (int i = 0; i < out.length; i++) {
                Benches.checkClose(l2 ? "l2sqF32Panels" : "l1F32Panels", out[i], ref[i], dim);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] l2sqF32Panels() {
        k.l2sqF32Panels(q, 0, dim, QUERIES, panels, 0, PANELS, dim, out, 0, PANELS * Kernels.PANEL);
        return out;
    }

    @Benchmark
    public float[] l1F32Panels() {
        k.l1F32Panels(q, 0, dim, QUERIES, panels, 0, PANELS, dim, out, 0, PANELS * Kernels.PANEL);
        return out;
    }
}
