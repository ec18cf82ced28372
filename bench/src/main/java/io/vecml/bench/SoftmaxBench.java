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
 * Softmax over a 1000-sample batch of scores (cols = classes): row-major for long rows, and the
 * class-major layout for short ones. Each op restores the scores first (a bulk copy, the same for
 * every variant) because softmax works in place.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class SoftmaxBench {

    @Param({"scalar", "simd"})
    public String impl;

    @Param({"10", "1000"})
    public int cols;

    /** Samples per batch. */
    public static final int ROWS = 1000;

    private Arena arena;
    private MemorySegment src, work, srcT;
    private Kernels k;

    @Setup(Level.Trial)
    public void setup() {
        k = Benches.kernels(impl);
        arena = Arena.ofConfined();
        long n = (long) ROWS * cols;
        src = arena.allocate(n * 4, 64);
        srcT = arena.allocate(n * 4, 64);
        work = arena.allocate(n * 4, 64);
        SplittableRandom rnd = new SplittableRandom(3);
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < cols; c++) {
                float v = (float) rnd.nextDouble(-20, 20);
                src.setAtIndex(ValueLayout.JAVA_FLOAT, (long) r * cols + c, v);
                srcT.setAtIndex(ValueLayout.JAVA_FLOAT, (long) c * ROWS + r, v);
            }
        }
        // Agreement with the scalar reference, both layouts, before measuring.
        MemorySegment ref = arena.allocate(n * 4, 64);
        ref.copyFrom(src);
        ScalarKernels.INSTANCE.softmaxRows(ref, 0, ROWS, cols);
        work.copyFrom(src);
        k.softmaxRows(work, 0, ROWS, cols);
        compare("softmaxRows", work, ref, false);
        work.copyFrom(srcT);
        k.softmaxClassMajor(work, 0, cols, ROWS);
        compare("softmaxClassMajor", work, ref, true);
    }

    private void compare(String what, MemorySegment got, MemorySegment ref, boolean transposed) {
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < cols; c++) {
                float g = got.getAtIndex(ValueLayout.JAVA_FLOAT, transposed ? (long) c * ROWS + r : (long) r * cols + c);
                float w = ref.getAtIndex(ValueLayout.JAVA_FLOAT, (long) r * cols + c);
                if (!(Math.abs(g - w) <= 1e-6 + 1e-5 * Math.abs(w))) {
                    throw new IllegalStateException(what + " row " + r + " col " + c + ": " + g + " vs reference " + w);
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment rowMajor() {
        work.copyFrom(src);
        k.softmaxRows(work, 0, ROWS, cols);
        return work;
    }

    @Benchmark
    public MemorySegment classMajor() {
        work.copyFrom(srcT);
        k.softmaxClassMajor(work, 0, cols, ROWS);
        return work;
    }

    @Benchmark
    public MemorySegment copyOnly() {
        work.copyFrom(src);
        return work;
    }
}
