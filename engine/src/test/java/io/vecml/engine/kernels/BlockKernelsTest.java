package io.vecml.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The many-queries x many-rows kernels ({@code l1U8Block}, {@code l1F32Block}) of every implementation. */
class BlockKernelsTest {

    /** Lane counts +/- 1, primes, the kNN shapes, and the uint8 tile chunk (128 x 32 bytes) +/- 1. */
    static final int[] DIMS = {0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 97, 784, 1031, 3072, 4095, 4096, 4097, 8193};

    /** Block shapes around the 4 x 2 register tile. */
    static final int[][] SHAPES = {{0, 3}, {3, 0}, {1, 1}, {4, 2}, {5, 3}, {7, 9}, {8, 4}, {3, 5}};

    static Stream<Arguments> implsAndDims() {
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : KernelSelection.available()) {
            for (int d : DIMS) {
                args.add(Arguments.of(Named.of(k.name(), k), d));
            }
        }
        return args.stream();
    }

    static Stream<Named<Kernels>> impls() {
        return KernelSelection.available().stream().map(k -> Named.of(k.name(), k));
    }

    /** n rows of d bytes, stride elements apart, at element offset off, in native memory. */
    static MemorySegment u8Rows(Arena arena, int off, long stride, int n, int d, Random rnd, int mode) {
        MemorySegment s = arena.allocate(Math.max(1, off + stride * n), 1);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < stride; c++) {
                int v = switch (mode) {
                    case 0 -> rnd.nextInt(256);
                    // Extremes fill the 16-bit lanes fastest: 0 against 255 everywhere.
                    case 1 -> (r % 2 == 0) ? 0 : 255;
                    default -> rnd.nextBoolean() ? 0 : 255;
                };
                s.set(ValueLayout.JAVA_BYTE, off + r * stride + c, (byte) v);
            }
        }
        return s;
    }

    static MemorySegment f32Rows(Arena arena, int off, long stride, int n, Random rnd) {
        MemorySegment s = arena.allocate(Math.max(1, (off + stride * n) * Float.BYTES), 4);
        for (long i = 0; i < off + stride * n; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, rnd.nextFloat() * 2f - 1f);
        }
        return s;
    }

    @ParameterizedTest(name = "{0} d={1}")
    @MethodSource("implsAndDims")
    void u8BlockIsExact(Kernels k, int d) {
        Random rnd = new Random(d);
        try (Arena arena = Arena.ofConfined()) {
            for (int mode = 0; mode < 3; mode++) {
                for (int[] shape : SHAPES) {
                    int nq = shape[0], nt = shape[1];
                    // Odd strides and offsets: rows start unaligned, and the bytes between rows are
                    // random (a kernel that reads past d would count them).
                    long qs = d + 3, ts = d + 5;
                    MemorySegment q = u8Rows(arena, 2, qs, nq, d, rnd, mode);
                    MemorySegment t = u8Rows(arena, 1, ts, nt, d, rnd, mode == 1 ? 2 : mode);
                    int ld = nt + 2;
                    int[] out = new int[nq * ld + 1];
                    k.l1U8Block(q, 2, qs, nq, t, 1, ts, nt, d, out, 1, ld);
                    for (int i = 0; i < nq; i++) {
                        for (int j = 0; j < nt; j++) {
                            long want = ScalarKernels.INSTANCE.l1U8(q, 2 + i * qs, t, 1 + j * ts, d);
                            assertThat(out[1 + i * ld + j]).as("mode %d %dx%d pair (%d,%d)", mode, nq, nt, i, j)
                                    .isEqualTo((int) want);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} d={1}")
    @MethodSource("implsAndDims")
    void f32BlockIsCloseAndPositionIndependent(Kernels k, int d) {
        Random rnd = new Random(31 + d);
        try (Arena arena = Arena.ofConfined()) {
            int nq = 7, nt = 9;
            long qs = d + 1, ts = d + 3;
            MemorySegment q = f32Rows(arena, 1, qs, nq, rnd);
            MemorySegment t = f32Rows(arena, 2, ts, nt, rnd);
            float[] out = new float[nq * nt];
            k.l1F32Block(q, 1, qs, nq, t, 2, ts, nt, d, out, 0, nt);
            for (int i = 0; i < nq; i++) {
                for (int j = 0; j < nt; j++) {
                    double ref = 0;
                    for (int c = 0; c < d; c++) {
                        ref += Math.abs((double) q.getAtIndex(ValueLayout.JAVA_FLOAT, 1 + i * qs + c)
                                - t.getAtIndex(ValueLayout.JAVA_FLOAT, 2 + j * ts + c));
                    }
                    assertThat((double) out[i * nt + j]).isCloseTo(ref, within((d + 2) * 0x1p-24 * ref + 1e-30));
                    // The same pair alone, and at another tile position, gives the same bits.
                    float[] one = new float[1];
                    k.l1F32Block(q, 1 + i * qs, qs, 1, t, 2 + j * ts, ts, 1, d, one, 0, 1);
                    assertThat(one[0]).as("pair (%d,%d) alone", i, j).isEqualTo(out[i * nt + j]);
                }
            }
            // Shifted blocks: pair (i, j) lands in other tile slots and in leftover rows/queries.
            for (int si = 1; si < 4; si++) {
                for (int sj = 1; sj < 3; sj++) {
                    float[] sub = new float[(nq - si) * (nt - sj)];
                    k.l1F32Block(q, 1 + si * qs, qs, nq - si, t, 2 + sj * ts, ts, nt - sj, d, sub, 0, nt - sj);
                    for (int i = si; i < nq; i++) {
                        for (int j = sj; j < nt; j++) {
                            assertThat(sub[(i - si) * (nt - sj) + j - sj]).isEqualTo(out[i * nt + j]);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void heapSegmentsGiveTheSameAnswers(Kernels k) {
        Random rnd = new Random(5);
        int d = 100, nq = 5, nt = 3;
        byte[] qb = new byte[nq * d];
        byte[] tb = new byte[nt * d];
        rnd.nextBytes(qb);
        rnd.nextBytes(tb);
        int[] heap = new int[nq * nt];
        int[] nat = new int[nq * nt];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment qn = arena.allocate(qb.length).copyFrom(MemorySegment.ofArray(qb));
            MemorySegment tn = arena.allocate(tb.length).copyFrom(MemorySegment.ofArray(tb));
            k.l1U8Block(MemorySegment.ofArray(qb), 0, d, nq, MemorySegment.ofArray(tb), 0, d, nt, d, heap, 0, nt);
            k.l1U8Block(qn, 0, d, nq, tn, 0, d, nt, d, nat, 0, nt);
        }
        assertThat(heap).isEqualTo(nat);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void u8DimensionsBeyondIntRangeAreRejected(Kernels k) {
        MemorySegment s = MemorySegment.ofArray(new byte[8]);
        assertThatThrownBy(() -> k.l1U8Block(s, 0, 0, 1, s, 0, 0, 1, Integer.MAX_VALUE / 255 + 1, new int[1], 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("d = ");
    }

    // ---- gather: one query against scattered rows --------------------------------------------------

    @ParameterizedTest(name = "{0} d={1}")
    @MethodSource("implsAndDims")
    void u8GatherIsExact(Kernels k, int d) {
        Random rnd = new Random(77 + d);
        try (Arena arena = Arena.ofConfined()) {
            for (int mode = 0; mode < 3; mode++) {
                int rows = 23;
                long stride = d + 3;
                MemorySegment q = u8Rows(arena, 1, stride, 1, d, rnd, mode);
                MemorySegment t = u8Rows(arena, 2, stride, rows, d, rnd, mode == 1 ? 2 : mode);
                // Every group size around the 4-row interleave, rows in scrambled order and repeated.
                for (int n = 0; n <= 9; n++) {
                    long[] offs = new long[n];
                    for (int r = 0; r < n; r++) {
                        offs[r] = 2 + ((r * 7L + n) % rows) * stride;
                    }
                    long[] l2 = new long[n + 1];
                    long[] l1 = new long[n + 1];
                    k.l2sqU8Gather(q, 1, t, offs, n, d, l2, 1);
                    k.l1U8Gather(q, 1, t, offs, n, d, l1, 1);
                    for (int r = 0; r < n; r++) {
                        assertThat(l2[1 + r]).as("mode %d n %d row %d L2", mode, n, r)
                                .isEqualTo(ScalarKernels.INSTANCE.l2sqU8(q, 1, t, offs[r], d));
                        assertThat(l1[1 + r]).as("mode %d n %d row %d L1", mode, n, r)
                                .isEqualTo(ScalarKernels.INSTANCE.l1U8(q, 1, t, offs[r], d));
                    }
                }
            }
        }
    }

    // ---- panels: lanes across training rows ---------------------------------------------------------

    static final int[] PANEL_DIMS = {1, 2, 7, 16, 48, 49, 50, 193};

    static Stream<Arguments> implsAndPanelDims() {
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : KernelSelection.available()) {
            for (int d : PANEL_DIMS) {
                args.add(Arguments.of(Named.of(k.name(), k), d));
            }
        }
        return args.stream();
    }

    /**
     * Integer-valued floats (block sums of uint8 data up to 64 x 255): L1 is exact; squared L2
     * within gamma_d of the (non-negative) terms' sum; queries 0..19 cover the 8-query tile (512-bit
     * vectors), the 4-query tile and the leftover ones, 3 panels and an offset.
     */
    @ParameterizedTest(name = "{0} d={1}")
    @MethodSource("implsAndPanelDims")
    void panelsMatchThePairSums(Kernels k, int d) {
        Random rnd = new Random(99 + d);
        int P = Kernels.PANEL;
        int np = 3;
        int rows = np * P;
        try (Arena arena = Arena.ofConfined()) {
            long off = 5;
            float[][] t = new float[rows][d];
            for (float[] row : t) {
                for (int f = 0; f < d; f++) {
                    row[f] = rnd.nextInt(16321);
                }
            }
            MemorySegment panels = panels(arena, t, off);
            for (int nq = 0; nq <= 19; nq++) {
                int qStride = d + 2;
                float[] q = new float[3 + nq * qStride];
                for (int i = 0; i < q.length; i++) {
                    q[i] = rnd.nextInt(16321);
                }
                int ld = rows + 3;
                float[] l1 = new float[2 + nq * ld];
                float[] l2 = new float[2 + nq * ld];
                k.l1F32Panels(q, 3, qStride, nq, panels, off, np, d, l1, 2, ld);
                k.l2sqF32Panels(q, 3, qStride, nq, panels, off, np, d, l2, 2, ld);
                for (int i = 0; i < nq; i++) {
                    for (int j = 0; j < rows; j++) {
                        long s1 = 0;
                        double s2 = 0;
                        for (int f = 0; f < d; f++) {
                            double diff = q[3 + i * qStride + f] - t[j][f];
                            s1 += (long) Math.abs(diff);
                            s2 += diff * diff;
                        }
                        assertThat(l1[2 + i * ld + j]).as("nq %d pair (%d,%d) L1", nq, i, j).isEqualTo((float) s1);
                        assertThat((double) l2[2 + i * ld + j]).as("nq %d pair (%d,%d) L2", nq, i, j)
                                .isCloseTo(s2, within((d + 2) * 0x1p-23 * s2 + 1e-30));
                    }
                }
            }
        }
    }

    /**
     * The SIMD panel kernels at any vector width (16 lanes here, 8 in the 8-lane test run) give exactly
     * the bits of an in-order sum per pair: L2 one fma per feature, L1 one add of |q - t| per feature.
     * Real-valued data, so every rounding counts; queries 0..19 cover every tile.
     */
    @ParameterizedTest(name = "d={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 7, 16, 48, 49, 50, 193})
    void simdPanelsGiveTheBitsOfAnInOrderSum(int d) {
        Kernels k = SimdKernels.INSTANCE;
        Random rnd = new Random(7 + d);
        int P = Kernels.PANEL;
        int np = 3;
        int rows = np * P;
        try (Arena arena = Arena.ofConfined()) {
            long off = 3;
            float[][] t = new float[rows][d];
            for (float[] row : t) {
                for (int f = 0; f < d; f++) {
                    row[f] = (float) rnd.nextGaussian() * 40;
                }
            }
            MemorySegment panels = panels(arena, t, off);
            for (int nq = 0; nq <= 19; nq++) {
                int qStride = d + 1;
                float[] q = new float[2 + nq * qStride];
                for (int i = 0; i < q.length; i++) {
                    q[i] = (float) rnd.nextGaussian() * 40;
                }
                int ld = rows + 1;
                float[] l1 = new float[1 + nq * ld];
                float[] l2 = new float[1 + nq * ld];
                k.l1F32Panels(q, 2, qStride, nq, panels, off, np, d, l1, 1, ld);
                k.l2sqF32Panels(q, 2, qStride, nq, panels, off, np, d, l2, 1, ld);
                for (int i = 0; i < nq; i++) {
                    for (int j = 0; j < rows; j++) {
                        float s1 = 0;
                        float s2 = 0;
                        for (int f = 0; f < d; f++) {
                            float diff = q[2 + i * qStride + f] - t[j][f];
                            s1 = s1 + Math.abs(diff);
                            s2 = Math.fma(diff, diff, s2);
                        }
                        assertThat(l1[1 + i * ld + j]).as("nq %d pair (%d,%d) L1", nq, i, j).isEqualTo(s1);
                        assertThat(l2[1 + i * ld + j]).as("nq %d pair (%d,%d) L2", nq, i, j).isEqualTo(s2);
                    }
                }
            }
        }
    }

    /** The rows t in panel layout (Kernels.PANEL rows per panel, feature-major inside), from float index off. */
    private static MemorySegment panels(Arena arena, float[][] t, long off) {
        int P = Kernels.PANEL;
        int d = t.length == 0 ? 0 : t[0].length;
        MemorySegment panels = arena.allocate((off + (long) t.length * d) * Float.BYTES, 64);
        for (int j = 0; j < t.length; j++) {
            for (int f = 0; f < d; f++) {
                panels.setAtIndex(ValueLayout.JAVA_FLOAT, off + (long) (j / P) * d * P + (long) f * P + j % P, t[j][f]);
            }
        }
        return panels;
    }
}
