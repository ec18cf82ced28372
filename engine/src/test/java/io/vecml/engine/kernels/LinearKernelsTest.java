package io.vecml.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused linear-layer kernels ({@link Kernels#linearStripesU8} and friends): every implementation
 * gives the same bits as the scalar reference, and the reference gives the documented sums (checked
 * in double within float rounding).
 *
 * <p>The build runs this class twice: in the normal test run (the machine's preferred vectors, 16
 * float lanes on AVX-512) and once more with {@code -XX:MaxVectorSize=32} (8 lanes, the AVX2 shape
 * and its code path), which sets {@code vecml.test.maxFloatLanes=8}; {@link #theExpectedLaneCountRuns}
 * fails if that JVM flag did not take effect, so the 8-lane path cannot silently go untested.
 */
class LinearKernelsTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Feature counts: below one vector, lane counts +/- 1, stripe multiples +/- 1, the two real shapes. */
    static final int[] DIMS = {0, 1, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 100, 784, 1031, 3072};

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int[] rows = {1, 2, 3, 7, 128};
        int[] classes = {1, 2, 4, 5, 6, 10, 11, 17};
        int i = 0;
        for (int d : DIMS) {
            for (boolean u8 : new boolean[] {true, false}) {
                // every rows x classes pair would be slow at the large sizes: a rotating subset
                for (int k = 0; k < 3; k++) {
                    int r = rows[(i + k) % rows.length];
                    int c = classes[(i * 3 + k) % classes.length];
                    out.add(Arguments.of(u8 ? "u8" : "f32", d, r, c));
                }
                i++;
            }
        }
        out.add(Arguments.of("u8", 3072, 128, 10));
        out.add(Arguments.of("u8", 784, 128, 10));
        out.add(Arguments.of("f32", 784, 128, 10));
        return out.stream();
    }

    @Test
    void theExpectedLaneCountRuns() {
        String max = System.getProperty("vecml.test.maxFloatLanes", "");
        if (!max.isEmpty()) {
            // the run with -XX:MaxVectorSize=32: 8 lanes on AVX2 and AVX-512 machines, never 16
            assertThat(SimdKernels.floatLanes()).isLessThanOrEqualTo(Integer.parseInt(max));
            assertThat(KernelSelection.available()).hasSize(2);
        }
    }

    private record Setup(MemorySegment x, long[] offs, MemorySegment a, MemorySegment b, MemorySegment w, long ldw,
            float[] ds, double[][] xs) {
    }

    /** Rows scattered in a larger dataset (odd stride, shuffled), preprocessing like a standardisation. */
    private static Setup setup(Arena arena, boolean u8, int d, int rows, int classes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int total = rows + 5;
        long stride = d + 3;
        MemorySegment x = arena.allocate(Math.max(1, total * stride * (u8 ? 1 : 4)), 64);
        for (long i = 0; i < total * stride; i++) {
            if (u8) {
                x.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
            } else {
                x.setAtIndex(F32, i, (float) rnd.nextDouble(-100, 300));
            }
        }
        long[] offs = new long[rows];
        for (int r = 0; r < rows; r++) {
            offs[r] = (long) ((r * 7 + 3) % total) * stride;
        }
        MemorySegment a = arena.allocate(Math.max(4, d * 4L), 64);
        MemorySegment b = arena.allocate(Math.max(4, d * 4L), 64);
        for (int f = 0; f < d; f++) {
            a.setAtIndex(F32, f, (float) (1 / rnd.nextDouble(20, 80)));
            b.setAtIndex(F32, f, (float) -rnd.nextDouble(0, 3));
        }
        long ldw = d + 1 + (d % 3);
        MemorySegment w = arena.allocate(Math.max(4, classes * ldw * 4), 64);
        for (long i = 0; i < classes * ldw; i++) {
            w.setAtIndex(F32, i, (float) rnd.nextGaussian());
        }
        float[] ds = new float[rows * classes];
        for (int i = 0; i < ds.length; i++) {
            ds[i] = (float) rnd.nextGaussian();
        }
        double[][] xs = new double[rows][d];
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < d; f++) {
                float v = u8 ? Byte.toUnsignedInt(x.get(ValueLayout.JAVA_BYTE, offs[r] + f)) : x.getAtIndex(F32, offs[r] + f);
                xs[r][f] = Math.fma(a.getAtIndex(F32, f), v, b.getAtIndex(F32, f));
            }
        }
        return new Setup(x, offs, a, b, w, ldw, ds, xs);
    }

    @ParameterizedTest(name = "{0} d={1} rows={2} classes={3}")
    @MethodSource("cases")
    void everyImplementationGivesTheReferenceBits(String type, int d, int rows, int classes) {
        boolean u8 = type.equals("u8");
        try (Arena arena = Arena.ofConfined()) {
            Setup s = setup(arena, u8, d, rows, classes, 31L * d + rows + classes);
            int parts = rows * classes * Kernels.STRIPES;
            long ldg = s.ldw;
            MemorySegment refPart = arena.allocate(parts * 4L, 64);
            MemorySegment refG = arena.allocate(Math.max(4, classes * ldg * 4), 64);
            run(ScalarKernels.INSTANCE, u8, s, d, rows, classes, refPart, refG, ldg);
            // the reference sums what it says, within float rounding
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < classes; c++) {
                    double got = 0;
                    double abs = 0;
                    double want = 0;
                    for (int j = 0; j < Kernels.STRIPES; j++) {
                        got += refPart.getAtIndex(F32, ((long) r * classes + c) * Kernels.STRIPES + j);
                    }
                    for (int f = 0; f < d; f++) {
                        double t = s.xs[r][f] * s.w.getAtIndex(F32, c * s.ldw + f);
                        want += t;
                        abs += Math.abs(t);
                    }
                    assertThat(got).isCloseTo(want, within(1e-6 * (abs + 1) * Math.sqrt(d + 1)));
                }
            }
            for (int c = 0; c < classes; c++) {
                for (int f = 0; f < d; f++) {
                    double want = 0;
                    double abs = 0;
                    for (int r = 0; r < rows; r++) {
                        want += s.xs[r][f] * s.ds[r * classes + c];
                        abs += Math.abs(s.xs[r][f] * s.ds[r * classes + c]);
                    }
                    assertThat((double) refG.getAtIndex(F32, c * ldg + f)).isCloseTo(want,
                            within(1e-6 * (abs + 1) * rows));
                }
            }
            for (Kernels k : KernelSelection.available()) {
                MemorySegment part = arena.allocate(parts * 4L, 64);
                MemorySegment g = arena.allocate(Math.max(4, classes * ldg * 4), 64);
                // a marker (3.4e38) where nothing may be written (the padding of g), to catch stray writes
                g.fill((byte) 0x7f);
                refG.fill((byte) 0x7f);
                run(ScalarKernels.INSTANCE, u8, s, d, rows, classes, refPart, refG, ldg);
                run(k, u8, s, d, rows, classes, part, g, ldg);
                for (int i = 0; i < parts; i++) {
                    assertThat(part.getAtIndex(F32, i)).as("%s part %d", k, i).isEqualTo(refPart.getAtIndex(F32, i));
                }
                for (long i = 0; i < classes * ldg; i++) {
                    assertThat(Float.floatToRawIntBits(g.getAtIndex(F32, i))).as("%s g %d", k, i)
                            .isEqualTo(Float.floatToRawIntBits(refG.getAtIndex(F32, i)));
                }
            }
        }
    }

    private static void run(Kernels k, boolean u8, Setup s, int d, int rows, int classes, MemorySegment part,
            MemorySegment g, long ldg) {
        if (u8) {
            k.linearStripesU8(s.x, s.offs, rows, d, s.a, s.b, s.w, s.ldw, classes, part);
            k.linearGradU8(s.x, s.offs, rows, d, s.a, s.b, s.ds, classes, g, ldg);
        } else {
            k.linearStripesF32(s.x, s.offs, rows, d, s.a, s.b, s.w, s.ldw, classes, part);
            k.linearGradF32(s.x, s.offs, rows, d, s.a, s.b, s.ds, classes, g, ldg);
        }
    }
}
