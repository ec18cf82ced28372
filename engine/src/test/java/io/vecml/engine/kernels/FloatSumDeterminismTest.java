package io.vecml.engine.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The float32 distance kernels give the same bits on their first call (Vector API code not compiled yet)
 * and once C2 has compiled them: their lane sums are added in a fixed order, not by
 * {@code reduceLanes(ADD)}, whose order is unspecified and differs between C2 and the Java fallback.
 */
class FloatSumDeterminismTest {

    @Test
    void floatKernelsGiveTheSameBitsColdAndCompiled() {
        Kernels k = SimdKernels.INSTANCE;
        for (int d : new int[] {784, 3072, 37}) {
            Random rnd = new Random(d);
            float[] a = new float[d];
            float[] b = new float[d];
            for (int i = 0; i < d; i++) {
                a[i] = (float) rnd.nextGaussian();
                b[i] = (float) rnd.nextGaussian();
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sa = arena.allocate((long) d * Float.BYTES, 64);
                MemorySegment sb = arena.allocate((long) d * Float.BYTES, 64);
                MemorySegment.copy(a, 0, sa, ValueLayout.JAVA_FLOAT, 0, d);
                MemorySegment.copy(b, 0, sb, ValueLayout.JAVA_FLOAT, 0, d);
                float dot = k.dotF32(sa, 0, sb, 0, d);
                float l1 = k.l1F32(sa, 0, sb, 0, d);
                float l2 = k.l2sqF32(sa, 0, sb, 0, d);
                for (int call = 0; call < 30_000; call++) {
                    check(d, "dotF32", call, dot, k.dotF32(sa, 0, sb, 0, d));
                    check(d, "l1F32", call, l1, k.l1F32(sa, 0, sb, 0, d));
                    check(d, "l2sqF32", call, l2, k.l2sqF32(sa, 0, sb, 0, d));
                }
            }
        }
    }

    private static void check(int d, String kernel, int call, float first, float now) {
        if (Float.floatToRawIntBits(first) != Float.floatToRawIntBits(now)) {
            throw new AssertionError(kernel + ", d = " + d + ": call " + call + " gave " + now + ", the first call "
                    + first);
        }
    }
}
