package io.vecml.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * The exp of the SIMD softmax (written out in {@link SimdKernels}) gives the same bits whether its Vector
 * API code runs compiled or not, because it gives the bits of a scalar transcription of the same
 * operations (which is what the Vector API's Java fallback executes lane by lane), pass after pass while
 * C2 compiles it; and it is within 2 ulp of {@code Math.exp}. {@code VectorOperators.EXP}, used before,
 * did not: C2's intrinsic and the fallback differ in the last bit of some lanes.
 */
class SimdExpTest {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** The same operations as the SIMD softmax's exp, one lane at a time, in the same order. */
    static float transcription(float x) {
        float xc = Math.max(x, SimdKernels.EXP_MIN);
        float n = xc * SimdKernels.LOG2E + SimdKernels.ROUND_MAGIC - SimdKernels.ROUND_MAGIC;
        float r = Math.fma(n, -SimdKernels.LN2_HI, xc);
        r = Math.fma(n, -SimdKernels.LN2_LO, r);
        float p = Math.fma(SimdKernels.EXP_P0, r, SimdKernels.EXP_P1);
        p = Math.fma(p, r, SimdKernels.EXP_P2);
        p = Math.fma(p, r, SimdKernels.EXP_P3);
        p = Math.fma(p, r, SimdKernels.EXP_P4);
        p = Math.fma(p, r, SimdKernels.EXP_P5);
        float y = Math.fma(p, r * r, r) + 1f;
        int ni = (int) n;
        int n1 = ni >> 1;
        int n2 = ni - n1;
        return y * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    /** Arguments from 0 down past the underflow to 0, plus the edges; a multiple of the lane count. */
    private static float[] arguments() {
        float[] special = {0f, -0f, Float.NEGATIVE_INFINITY, -Float.MIN_VALUE, -1e-30f, -0.5f * (float) Math.log(2),
            -87.33655f, -87.34f, -103.27893f, -103.97208f, -103.99f, -104f, -104.01f, -150f, -Float.MAX_VALUE};
        int n = 1 << 18;
        float[] x = new float[n + F.length() * ((special.length + F.length() - 1) / F.length())];
        Random rnd = new Random(13);
        for (int i = 0; i < n; i++) {
            x[i] = i % 2 == 0 ? -110f * i / n : (float) (-Math.exp(rnd.nextDouble() * 12 - 7)); // even grid, log-spread
        }
        System.arraycopy(special, 0, x, n, special.length);
        return x;
    }

    /**
     * Softmax over two classes, 0 and x (class-major, as training calls it), is e^x / (1 + e^x) with the
     * exp of the kernel: its bits must be those of the transcription, on every pass while C2 compiles it.
     */
    @Test
    void sameBitsAsTheScalarTranscriptionPassAfterPass() {
        float[] x = arguments();
        int n = x.length;
        float[] want = new float[n];
        for (int i = 0; i < n; i++) {
            float e = transcription(x[i]);
            float sum = 0f + 1f;
            sum += e;
            want[i] = e * (1f / sum);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(2L * n * Float.BYTES, 64);
            // Enough calls for C2 to compile the kernel (each pass is n / lanes vectors); every pass checked.
            for (int pass = 0; pass < 12; pass++) {
                s.asSlice(0, (long) n * Float.BYTES).fill((byte) 0);
                MemorySegment.copy(x, 0, s, ValueLayout.JAVA_FLOAT, (long) n * Float.BYTES, n);
                SimdKernels.INSTANCE.softmaxClassMajor(s, 0, 2, n);
                for (int i = 0; i < n; i++) {
                    float got = s.getAtIndex(ValueLayout.JAVA_FLOAT, n + i);
                    if (Float.floatToRawIntBits(got) != Float.floatToRawIntBits(want[i])) {
                        throw new AssertionError("pass " + pass + ": softmax of (0, " + x[i] + ") gave " + got
                                + " for the second class, the scalar transcription " + want[i]);
                    }
                }
            }
        }
    }

    @Test
    void within2UlpOfMathExp() {
        float[] x = arguments();
        for (float v : x) {
            float got = transcription(v);
            float exact = (float) Math.exp(v);
            // Below the normal range one rounding into the subnormals: one subnormal step more.
            float tol = exact >= Float.MIN_NORMAL ? 2 * Math.ulp(exact) : Float.MIN_VALUE;
            assertThat(Math.abs(got - exact)).as("exp(%s): %s against %s", v, got, exact).isLessThanOrEqualTo(tol);
        }
        assertThat(transcription(0f)).isEqualTo(1f);
        assertThat(transcription(Float.NEGATIVE_INFINITY)).isZero();
    }

    /**
     * The symptom that was seen: the first softmax of the same scores and a later one differed. Both
     * layouts (rows of one sample; class-major blocks, as training uses), 10 and 1000 classes.
     */
    @Test
    void softmaxGivesTheSameBitsColdAndCompiled() {
        Kernels k = SimdKernels.INSTANCE;
        for (int classes : new int[] {10, 1000}) {
            int samples = 40;
            float[] scores = new float[samples * classes];
            Random rnd = new Random(classes);
            for (int i = 0; i < scores.length; i++) {
                scores[i] = (float) (rnd.nextGaussian() * 6);
            }
            for (boolean classMajor : new boolean[] {false, true}) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment s = arena.allocate((long) scores.length * Float.BYTES, 64);
                    float[] first = null;
                    for (int call = 0; call < 12_000; call++) {
                        MemorySegment.copy(scores, 0, s, ValueLayout.JAVA_FLOAT, 0, scores.length);
                        if (classMajor) {
                            k.softmaxClassMajor(s, 0, classes, samples);
                        } else {
                            k.softmaxRows(s, 0, samples, classes);
                        }
                        float[] now = s.toArray(ValueLayout.JAVA_FLOAT);
                        if (first == null) {
                            first = now;
                        } else if (!java.util.Arrays.equals(first, now)) {
                            throw new AssertionError(classes + " classes, " + (classMajor ? "class-major" : "rows")
                                    + ": call " + call + " differs from the first call");
                        }
                    }
                }
            }
        }
    }
}
