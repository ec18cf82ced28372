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
 * One pair of vectors, in cache: scalar reference and SIMD side by side at the same dimensions.
 * Throughput in elements/s = dim / (time per op).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class KernelBench {

    @Param({"scalar", "simd"})
    public String impl;

    @Param({"64", "784", "3072", "1031"})
    public int dim;

    private Arena arena;
    private MemorySegment fa, fb, ua, ub;
    private Kernels k;

    @Setup(Level.Trial)
    public void setup() {
        k = Benches.kernels(impl);
        arena = Arena.ofConfined();
        SplittableRandom rnd = new SplittableRandom(7);
        fa = arena.allocate((long) dim * 4, 64);
        fb = arena.allocate((long) dim * 4, 64);
        ua = arena.allocate(dim, 64);
        ub = arena.allocate(dim, 64);
        for (int i = 0; i < dim; i++) {
            fa.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextDouble(-1, 1));
            fb.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextDouble(-1, 1));
            ua.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
            ub.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
        }
        // Refuse to measure an implementation that disagrees with the reference.
        Kernels ref = ScalarKernels.INSTANCE;
        Benches.checkClose("dotF32", k.dotF32(fa, 0, fb, 0, dim), ref.dotF32(fa, 0, fb, 0, dim), dim);
        Benches.checkClose("l1F32", k.l1F32(fa, 0, fb, 0, dim), ref.l1F32(fa, 0, fb, 0, dim), dim);
        Benches.checkClose("l2sqF32", k.l2sqF32(fa, 0, fb, 0, dim), ref.l2sqF32(fa, 0, fb, 0, dim), dim);
        Benches.checkEqual("l1U8", k.l1U8(ua, 0, ub, 0, dim), ref.l1U8(ua, 0, ub, 0, dim));
        Benches.checkEqual("l2sqU8", k.l2sqU8(ua, 0, ub, 0, dim), ref.l2sqU8(ua, 0, ub, 0, dim));
        Benches.checkEqual("dotU8", k.dotU8(ua, 0, ub, 0, dim), ref.dotU8(ua, 0, ub, 0, dim));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float dotF32() {
        return k.dotF32(fa, 0, fb, 0, dim);
    }

    @Benchmark
    public float l1F32() {
        return k.l1F32(fa, 0, fb, 0, dim);
    }

    @Benchmark
    public float l2sqF32() {
        return k.l2sqF32(fa, 0, fb, 0, dim);
    }

    @Benchmark
    public long dotU8() {
        return k.dotU8(ua, 0, ub, 0, dim);
    }

    @Benchmark
    public long l1U8() {
        return k.l1U8(ua, 0, ub, 0, dim);
    }

    @Benchmark
    public long l2sqU8() {
        return k.l2sqU8(ua, 0, ub, 0, dim);
    }
}
