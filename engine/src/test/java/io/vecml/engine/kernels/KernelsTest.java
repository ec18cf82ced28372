package io.vecml.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every {@link Kernels} implementation through the same tests. */
class KernelsTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** 0, 1, lane counts (4, 8, 16, 32, 64 for 128..512-bit vectors) +/- 1, unrolled widths +/- 1, primes, large. */
    static final int[] SIZES = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 97, 127, 128, 129,
        255, 256, 257, 784, 1021, 3072, 4099};

    /**
     * Sizes around the uint8 flush chunks of the SIMD kernels (L1: 126 x 2 vectors = 8064 bytes
     * with 256-bit vectors, 4032 with 128-bit; dot/L2: 33024 bytes), where an off-by-one would
     * overflow a lane, with the extreme inputs that fill the lanes fastest.
     */
    static final int[] U8_BLOCK_SIZES = {4031, 4032, 4033, 4063, 8063, 8064, 8065, 8127, 8191, 16127, 16128, 16129,
        16383, 33023, 33024, 33025, 33055, 66047, 66048, 66049, 100_003};

    enum Memory { HEAP, NATIVE }

    static Stream<Named<Kernels>> impls() {
        return KernelSelection.available().stream().map(k -> Named.of(k.name(), k));
    }

    static Stream<Arguments> implsSizesMemory() {
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : KernelSelection.available()) {
            for (int d : SIZES) {
                for (Memory m : Memory.values()) {
                    args.add(Arguments.of(Named.of(k.name(), k), d, m));
                }
            }
        }
        return args.stream();
    }

    static Stream<Arguments> implsAndU8BlockSizes() {
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : KernelSelection.available()) {
            for (int d : U8_BLOCK_SIZES) {
                args.add(Arguments.of(Named.of(k.name(), k), d));
            }
        }
        return args.stream();
    }

    // ---- memory helpers ------------------------------------------------------------------------

    /**
     * The data placed at element offset {@code off}; the segment ends exactly where the data does,
     * so a kernel that reads one element too far fails.
     */
    static MemorySegment floats(Arena arena, Memory m, int off, float[] data) {
        float[] padded = new float[off + data.length];
        Arrays.fill(padded, 0, off, Float.NaN);
        System.arraycopy(data, 0, padded, off, data.length);
        MemorySegment heap = MemorySegment.ofArray(padded);
        if (m == Memory.HEAP) {
            return heap;
        }
        // A 1-byte-aligned allocation at an odd address: also exercises unaligned native loads.
        MemorySegment seg = arena.allocate(heap.byteSize() + 1, 1).asSlice(1);
        seg.copyFrom(heap);
        return seg;
    }

    static MemorySegment bytes(Arena arena, Memory m, int off, byte[] data) {
        byte[] padded = new byte[off + data.length];
        System.arraycopy(data, 0, padded, off, data.length);
        MemorySegment heap = MemorySegment.ofArray(padded);
        if (m == Memory.HEAP) {
            return heap;
        }
        MemorySegment seg = arena.allocate(heap.byteSize(), 1);
        seg.copyFrom(heap);
        return seg;
    }

    static float[] randomFloats(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2f - 1f;
        }
        return x;
    }

    static byte[] randomBytes(Random rnd, int n) {
        byte[] x = new byte[n];
        rnd.nextBytes(x);
        return x;
    }

    static byte[] filled(int n, int value) {
        byte[] x = new byte[n];
        Arrays.fill(x, (byte) value);
        return x;
    }

    /**
     * Rigorous bound for a float sum of d terms in any order: (d + 2) * 2^-24 * sum |terms| (the
     * +2 covers rounding of each product / difference); it grows with the size.
     */
    static double tolerance(int d, double sumAbs) {
        return (d + 2) * 0x1p-24 * sumAbs + 1e-30;
    }

    // ---- float32 pairs -------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} d={1} {2}")
    @MethodSource("implsSizesMemory")
    void f32PairsMatchDoubleReference(Kernels k, int d, Memory m) {
        Random rnd = new Random(42 + d);
        float[] a = randomFloats(rnd, d);
        float[] b = randomFloats(rnd, d);
        double dot = 0;
        double dotAbs = 0;
        double l1 = 0;
        double l2 = 0;
        for (int i = 0; i < d; i++) {
            double p = (double) a[i] * b[i];
            dot += p;
            dotAbs += Math.abs(p);
            double diff = (double) a[i] - b[i];
            l1 += Math.abs(diff);
            l2 += diff * diff;
        }
        try (Arena arena = Arena.ofConfined()) {
            // Different, vector-unaligned offsets for a and b.
            MemorySegment sa = floats(arena, m, 3, a);
            MemorySegment sb = floats(arena, m, 5, b);
            assertThat((double) k.dotF32(sa, 3, sb, 5, d)).isCloseTo(dot, within(tolerance(d, dotAbs)));
            assertThat((double) k.l1F32(sa, 3, sb, 5, d)).isCloseTo(l1, within(tolerance(d, l1)));
            assertThat((double) k.l2sqF32(sa, 3, sb, 5, d)).isCloseTo(l2, within(tolerance(d, l2)));
            // Zero offsets too, and a vector against itself.
            MemorySegment sa0 = floats(arena, m, 0, a);
            MemorySegment sb0 = floats(arena, m, 0, b);
            assertThat((double) k.dotF32(sa0, 0, sb0, 0, d)).isCloseTo(dot, within(tolerance(d, dotAbs)));
            assertThat(k.l1F32(sa0, 0, sa0, 0, d)).isZero();
            assertThat(k.l2sqF32(sa, 3, sa0, 0, d)).isZero();
        }
    }

    @ParameterizedTest(name = "{0} d={1} {2}")
    @MethodSource("implsSizesMemory")
    void f32PairsAgreeWithScalar(Kernels k, int d, Memory m) {
        Random rnd = new Random(7 * d + 1);
        float[] a = randomFloats(rnd, d);
        float[] b = randomFloats(rnd, d);
        double dotAbs = 0;
        double l1 = 0;
        for (int i = 0; i < d; i++) {
            dotAbs += Math.abs((double) a[i] * b[i]);
            l1 += Math.abs((double) a[i] - b[i]);
        }
        ScalarKernels s = ScalarKernels.INSTANCE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = floats(arena, m, 1, a);
            MemorySegment sb = floats(arena, m, 2, b);
            assertThat(k.dotF32(sa, 1, sb, 2, d))
                    .isCloseTo(s.dotF32(sa, 1, sb, 2, d), within((float) (2 * tolerance(d, dotAbs))));
            assertThat(k.l1F32(sa, 1, sb, 2, d))
                    .isCloseTo(s.l1F32(sa, 1, sb, 2, d), within((float) (2 * tolerance(d, l1))));
            assertThat(k.l2sqF32(sa, 1, sb, 2, d))
                    .isCloseTo(s.l2sqF32(sa, 1, sb, 2, d), within((float) (2 * tolerance(d, 4 * l1))));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void f32IntegerValuedInputsAreExact(Kernels k) {
        // Small integers: every partial sum is exact in float, whatever the order.
        for (int d : SIZES) {
            float[] a = new float[d];
            float[] b = new float[d];
            long dot = 0;
            long l1 = 0;
            long l2 = 0;
            for (int i = 0; i < d; i++) {
                a[i] = i % 9 - 4;
                b[i] = (i * 5) % 7 - 3;
                long diff = (long) a[i] - (long) b[i];
                dot += (long) a[i] * (long) b[i];
                l1 += Math.abs(diff);
                l2 += diff * diff;
            }
            MemorySegment sa = MemorySegment.ofArray(a);
            MemorySegment sb = MemorySegment.ofArray(b);
            assertThat(k.dotF32(sa, 0, sb, 0, d)).as("dot d=%d", d).isEqualTo((float) dot);
            assertThat(k.l1F32(sa, 0, sb, 0, d)).as("l1 d=%d", d).isEqualTo((float) l1);
            assertThat(k.l2sqF32(sa, 0, sb, 0, d)).as("l2 d=%d", d).isEqualTo((float) l2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void f32SpecialValuesPropagate(Kernels k) {
        for (int d : new int[] {1, 9, 40, 100}) {
            for (int pos : new int[] {0, d / 2, d - 1}) {
                float[] a = new float[d];
                float[] b = new float[d];
                Arrays.fill(a, 1f);
                Arrays.fill(b, 2f);
                a[pos] = Float.NaN;
                MemorySegment sa = MemorySegment.ofArray(a);
                MemorySegment sb = MemorySegment.ofArray(b);
                assertThat(k.dotF32(sa, 0, sb, 0, d)).as("d=%d pos=%d", d, pos).isNaN();
                assertThat(k.l1F32(sa, 0, sb, 0, d)).isNaN();
                assertThat(k.l2sqF32(sa, 0, sb, 0, d)).isNaN();
                a[pos] = Float.POSITIVE_INFINITY;
                assertThat(k.dotF32(sa, 0, sb, 0, d)).isEqualTo(Float.POSITIVE_INFINITY);
                assertThat(k.l1F32(sa, 0, sb, 0, d)).isEqualTo(Float.POSITIVE_INFINITY);
                assertThat(k.l2sqF32(sa, 0, sb, 0, d)).isEqualTo(Float.POSITIVE_INFINITY);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void outOfRangeThrows(Kernels k) {
        MemorySegment a = MemorySegment.ofArray(new float[100]);
        MemorySegment b = MemorySegment.ofArray(new float[100]);
        MemorySegment u = MemorySegment.ofArray(new byte[100]);
        assertThatThrownBy(() -> k.dotF32(a, 1, b, 0, 100)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> k.l1F32(a, 0, b, 91, 10)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> k.l2sqF32(a, -1, b, 0, 10)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> k.l1U8(u, 0, u, 1, 100)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> k.dotU8(u, 60, u, 0, 41)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> k.l2sqU8(u, 0, u, 99, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(k.dotF32(a, 100, b, 100, 0)).isZero();
        assertThat(k.l1U8(u, 100, u, 100, 0)).isZero();
    }

    // ---- uint8 pairs ---------------------------------------------------------------------------

    static long[] exactU8(byte[] a, byte[] b) {
        long dot = 0;
        long l1 = 0;
        long l2 = 0;
        for (int i = 0; i < a.length; i++) {
            long x = a[i] & 0xFF;
            long y = b[i] & 0xFF;
            dot += x * y;
            l1 += Math.abs(x - y);
            l2 += (x - y) * (x - y);
        }
        return new long[] {dot, l1, l2};
    }

    private static void assertU8(Kernels k, Arena arena, Memory m, byte[] a, byte[] b, int aOff, int bOff) {
        long[] expected = exactU8(a, b);
        int d = a.length;
        MemorySegment sa = bytes(arena, m, aOff, a);
        MemorySegment sb = bytes(arena, m, bOff, b);
        assertThat(k.dotU8(sa, aOff, sb, bOff, d)).as("dot d=%d", d).isEqualTo(expected[0]);
        assertThat(k.l1U8(sa, aOff, sb, bOff, d)).as("l1 d=%d", d).isEqualTo(expected[1]);
        assertThat(k.l2sqU8(sa, aOff, sb, bOff, d)).as("l2 d=%d", d).isEqualTo(expected[2]);
    }

    @ParameterizedTest(name = "{0} d={1} {2}")
    @MethodSource("implsSizesMemory")
    void u8PairsAreExact(Kernels k, int d, Memory m) {
        Random rnd = new Random(1000 + d);
        try (Arena arena = Arena.ofConfined()) {
            assertU8(k, arena, m, randomBytes(rnd, d), randomBytes(rnd, d), 0, 0);
            assertU8(k, arena, m, randomBytes(rnd, d), randomBytes(rnd, d), 7, 13);
            // Extremes: the largest difference, product and square in every lane.
            assertU8(k, arena, m, filled(d, 255), filled(d, 0), 0, 3);
            assertU8(k, arena, m, filled(d, 0), filled(d, 255), 1, 0);
            assertU8(k, arena, m, filled(d, 255), filled(d, 255), 5, 2);
            // Every byte value, against its mirror image.
            byte[] ramp = new byte[d];
            byte[] mirror = new byte[d];
            for (int i = 0; i < d; i++) {
                ramp[i] = (byte) i;
                mirror[i] = (byte) (255 - i);
            }
            assertU8(k, arena, m, ramp, mirror, 0, 0);
            assertU8(k, arena, m, ramp, ramp, 0, 1);
        }
    }

    @ParameterizedTest(name = "{0} d={1}")
    @MethodSource("implsAndU8BlockSizes")
    void u8PairsAreExactAcrossFlushBlocks(Kernels k, int d) {
        Random rnd = new Random(d);
        try (Arena arena = Arena.ofConfined()) {
            assertU8(k, arena, Memory.NATIVE, filled(d, 255), filled(d, 0), 0, 0);
            assertU8(k, arena, Memory.HEAP, filled(d, 255), filled(d, 255), 1, 2);
            assertU8(k, arena, Memory.HEAP, randomBytes(rnd, d), randomBytes(rnd, d), 0, 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void u8NoOverflowAtLargeDimension(Kernels k) {
        // An int accumulator overflows here for dot and L2 (65025 * 2^20 > 2^31), and also any
        // 16-bit lane that is not flushed in time.
        int d = 1 << 20;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment max = arena.allocate(d);
            max.fill((byte) 255);
            MemorySegment zero = arena.allocate(d);
            assertThat(k.l1U8(max, 0, zero, 0, d)).isEqualTo(255L * d);
            assertThat(k.l2sqU8(max, 0, zero, 0, d)).isEqualTo(65025L * d);
            assertThat(k.l2sqU8(zero, 0, max, 0, d)).isEqualTo(65025L * d);
            assertThat(k.dotU8(max, 0, max, 0, d)).isEqualTo(65025L * d);
            assertThat(k.dotU8(max, 0, zero, 0, d)).isZero();
            int odd = d - 37;
            assertThat(k.l1U8(max, 37, zero, 0, odd)).isEqualTo(255L * odd);
            assertThat(k.dotU8(max, 0, max, 37, odd)).isEqualTo(65025L * odd);
            assertThat(k.l2sqU8(max, 1, zero, 36, odd)).isEqualTo(65025L * odd);
        }
    }

    // ---- one query against a block of rows ---------------------------------------------------

    static Stream<Arguments> implsAndRowShapes() {
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : KernelSelection.available()) {
            for (int n : new int[] {0, 1, 2, 3, 4, 5, 7, 8, 9, 13}) {
                for (int d : new int[] {0, 1, 7, 17, 33, 64, 100, 785}) {
                    args.add(Arguments.of(Named.of(k.name(), k), n, d));
                }
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} n={1} d={2}")
    @MethodSource("implsAndRowShapes")
    void f32RowsEqualPairCalls(Kernels k, int n, int d) {
        Random rnd = new Random(31L * n + d);
        int qOff = 3;
        int rowsOff = 2;
        long stride = d + 5;
        float[] q = randomFloats(rnd, d);
        float[] rows = randomFloats(rnd, (int) (rowsOff + n * stride));
        int outOff = 2;
        try (Arena arena = Arena.ofConfined()) {
            for (Memory m : Memory.values()) {
                // The query in the other kind of memory than the rows: both mixes are legal.
                MemorySegment sq = floats(arena, m == Memory.HEAP ? Memory.NATIVE : Memory.HEAP, qOff, q);
                MemorySegment sr = floats(arena, m, 0, rows);
                float[] l1 = sentinel(n + 4);
                float[] l2 = sentinel(n + 4);
                k.l1F32Rows(sq, qOff, sr, rowsOff, stride, n, d, l1, outOff);
                k.l2sqF32Rows(sq, qOff, sr, rowsOff, stride, n, d, l2, outOff);
                for (int r = 0; r < n; r++) {
                    long ro = rowsOff + r * stride;
                    double abs = 0;
                    for (int i = 0; i < d; i++) {
                        double x = rows[(int) ro + i];
                        abs += Math.abs(q[i] * x) + Math.abs(q[i] - x);
                    }
                    float tol = (float) (2 * tolerance(d, 4 * abs));
                    assertThat(l1[outOff + r]).as("l1 row %d", r)
                            .isCloseTo(k.l1F32(sq, qOff, sr, ro, d), within(tol));
                    assertThat(l2[outOff + r]).as("l2 row %d", r)
                            .isCloseTo(k.l2sqF32(sq, qOff, sr, ro, d), within(tol));
                }
                assertUntouched(l1, outOff, n);
                assertUntouched(l2, outOff, n);
            }
        }
    }

    @ParameterizedTest(name = "{0} n={1} d={2}")
    @MethodSource("implsAndRowShapes")
    void u8RowsEqualPairCalls(Kernels k, int n, int d) {
        Random rnd = new Random(17L * n + d);
        int qOff = 1;
        int rowsOff = 3;
        long stride = d + 7;
        byte[] q = randomBytes(rnd, d);
        byte[] rows = randomBytes(rnd, (int) (rowsOff + n * stride));
        int outOff = 1;
        try (Arena arena = Arena.ofConfined()) {
            for (Memory m : Memory.values()) {
                MemorySegment sq = bytes(arena, m, qOff, q);
                MemorySegment sr = bytes(arena, m == Memory.HEAP ? Memory.NATIVE : Memory.HEAP, 0, rows);
                long[] l1 = new long[n + 3];
                long[] l2 = new long[n + 3];
                Arrays.fill(l1, -7);
                Arrays.fill(l2, -7);
                k.l1U8Rows(sq, qOff, sr, rowsOff, stride, n, d, l1, outOff);
                k.l2sqU8Rows(sq, qOff, sr, rowsOff, stride, n, d, l2, outOff);
                for (int r = 0; r < n; r++) {
                    long ro = rowsOff + r * stride;
                    byte[] row = Arrays.copyOfRange(rows, (int) ro, (int) ro + d);
                    long[] expected = exactU8(q, row);
                    assertThat(l1[outOff + r]).as("l1 row %d", r).isEqualTo(expected[1])
                            .isEqualTo(k.l1U8(sq, qOff, sr, ro, d));
                    assertThat(l2[outOff + r]).as("l2 row %d", r).isEqualTo(expected[2])
                            .isEqualTo(k.l2sqU8(sq, qOff, sr, ro, d));
                }
                for (long[] out : new long[][] {l1, l2}) {
                    assertThat(out[0]).isEqualTo(-7);
                    assertThat(out[outOff + n]).isEqualTo(-7);
                    assertThat(out[outOff + n + 1]).isEqualTo(-7);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void rowsAcceptZeroStrideAndOverlappingRows(Kernels k) {
        // stride 0: every row is the same vector; stride < d: rows overlap. Both are legal views.
        Random rnd = new Random(5);
        int d = 70;
        float[] data = randomFloats(rnd, 200);
        MemorySegment s = MemorySegment.ofArray(data);
        float[] out = new float[6];
        k.l2sqF32Rows(s, 0, s, 10, 0, 3, d, out, 0);
        k.l1F32Rows(s, 0, s, 10, 13, 3, d, out, 3);
        for (int r = 0; r < 3; r++) {
            assertThat(out[r]).isCloseTo(k.l2sqF32(s, 0, s, 10, d), within(1e-3f));
            assertThat(out[3 + r]).isCloseTo(k.l1F32(s, 0, s, 10 + 13L * r, d), within(1e-3f));
        }
    }

    private static float[] sentinel(int n) {
        float[] x = new float[n];
        Arrays.fill(x, -7f);
        return x;
    }

    private static void assertUntouched(float[] out, int outOff, int n) {
        for (int i = 0; i < out.length; i++) {
            if (i < outOff || i >= outOff + n) {
                assertThat(out[i]).as("out[%d] outside the range written", i).isEqualTo(-7f);
            }
        }
    }

    // ---- softmax -------------------------------------------------------------------------------

    /** Double-precision softmax with the documented special values. */
    static double[] softmaxReference(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        boolean nan = false;
        for (float v : row) {
            nan |= Float.isNaN(v);
            max = Math.max(max, v);
        }
        double[] p = new double[row.length];
        if (nan || Double.isInfinite(max)) {
            Arrays.fill(p, Double.NaN);
            return p;
        }
        double sum = 0;
        for (int j = 0; j < row.length; j++) {
            p[j] = Math.exp((double) row[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < row.length; j++) {
            p[j] /= sum;
        }
        return p;
    }

    /**
     * Checks a softmax result against {@link #softmaxReference}. Per entry the relative error
     * allowed is 2^-24 times: the float summation bound (cols), a few ulps of exp and division
     * (8), the rounding of s_j - max in float (|s_j - max|), and its effect on the denominator
     * (sum over k of p_k |s_k - max|); doubled for safety.
     */
    static void assertSoftmax(float[] got, float[] row, String what) {
        int cols = row.length;
        double[] expected = softmaxReference(row);
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double spread = 0;
        for (int k = 0; k < cols; k++) {
            if (!Double.isNaN(expected[k]) && expected[k] > 0) {
                spread += expected[k] * Math.abs(row[k] - max);
            }
        }
        for (int j = 0; j < cols; j++) {
            if (Double.isNaN(expected[j])) {
                assertThat(got[j]).as("%s [%d]", what, j).isNaN();
            } else if (row[j] == Float.NEGATIVE_INFINITY) {
                assertThat(got[j]).as("%s [%d] (-inf)", what, j).isZero();
            } else {
                double rel = 2 * 0x1p-24 * (cols + 8 + Math.abs(row[j] - max) + spread);
                assertThat((double) got[j]).as("%s [%d]", what, j)
                        .isCloseTo(expected[j], within(rel * expected[j] + 1e-38));
            }
        }
    }

    static float[] softmaxRowsOf(Kernels k, Memory m, int off, float[] data, int rows, int cols) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = floats(arena, m, off, data);
            k.softmaxRows(s, off, rows, cols);
            return s.asSlice((long) off * Float.BYTES).toArray(F32);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void softmaxOfLargeScoresIsStable(Kernels k) {
        float[] row = {123f, 456f, 789f};
        for (Memory m : Memory.values()) {
            float[] p = softmaxRowsOf(k, m, 0, row, 1, 3);
            double sum = 0;
            for (float v : p) {
                assertThat(v).isFinite().isBetween(0f, 1f);
                sum += v;
            }
            assertThat(sum).isCloseTo(1.0, within(1e-6));
            assertSoftmax(p, row, "[123, 456, 789]");
        }
    }

    @ParameterizedTest(name = "{0} cols={1} {2}")
    @MethodSource("implsSizesMemory")
    void softmaxRowsMatchDoubleReference(Kernels k, int cols, Memory m) {
        Random rnd = new Random(cols);
        int rows = 5;
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (rnd.nextGaussian() * 4);
        }
        float[] p = softmaxRowsOf(k, m, 3, data, rows, cols);
        for (int r = 0; r < rows; r++) {
            float[] row = Arrays.copyOfRange(data, r * cols, (r + 1) * cols);
            float[] got = Arrays.copyOfRange(p, r * cols, (r + 1) * cols);
            assertSoftmax(got, row, "row " + r);
            double sum = 0;
            for (float v : got) {
                sum += v;
            }
            if (cols > 0) {
                assertThat(sum).isCloseTo(1.0, within((cols + 8) * 0x1p-24));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void softmaxRowsOf10And1000(Kernels k) {
        for (int cols : new int[] {10, 1000}) {
            Random rnd = new Random(cols);
            int rows = 64;
            float[] data = new float[rows * cols];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (rnd.nextGaussian() * 10);
            }
            float[] p = softmaxRowsOf(k, Memory.NATIVE, 0, data, rows, cols);
            float[] scalar = softmaxRowsOf(ScalarKernels.INSTANCE, Memory.NATIVE, 0, data, rows, cols);
            for (int r = 0; r < rows; r++) {
                float[] row = Arrays.copyOfRange(data, r * cols, (r + 1) * cols);
                assertSoftmax(Arrays.copyOfRange(p, r * cols, (r + 1) * cols), row, "cols " + cols);
                assertSoftmax(Arrays.copyOfRange(scalar, r * cols, (r + 1) * cols), row, "scalar " + cols);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void softmaxSpecialValues(Kernels k) {
        for (int cols : new int[] {1, 2, 3, 7, 8, 9, 10, 17, 64, 100, 1000}) {
            for (int pos : new int[] {0, cols / 2, cols - 1}) {
                // -inf entries get exactly 0 when the row has a finite maximum.
                float[] row = new float[cols];
                for (int j = 0; j < cols; j++) {
                    row[j] = j % 3 == 1 ? Float.NEGATIVE_INFINITY : (j % 5) * 0.25f;
                }
                row[pos] = Float.NEGATIVE_INFINITY;
                if (cols > 1) {
                    int finite = pos == 0 ? cols - 1 : 0;
                    row[finite] = 1f;
                    float[] p = softmaxRowsOf(k, Memory.HEAP, 0, row, 1, cols);
                    for (int j = 0; j < cols; j++) {
                        if (row[j] == Float.NEGATIVE_INFINITY) {
                            assertThat(p[j]).as("cols=%d -inf at %d", cols, j).isZero();
                        } else {
                            assertThat(p[j]).as("cols=%d at %d", cols, j).isFinite().isPositive();
                        }
                    }
                    assertSoftmax(p, row, "with -inf");
                }
                // NaN, +inf, all -inf: the whole row becomes NaN.
                for (float special : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
                    float[] bad = new float[cols];
                    Arrays.fill(bad, 0.5f);
                    bad[pos] = special;
                    assertAllNaN(softmaxRowsOf(k, Memory.NATIVE, 1, bad, 1, cols), "cols=" + cols + " " + special);
                }
                float[] allNegInf = new float[cols];
                Arrays.fill(allNegInf, Float.NEGATIVE_INFINITY);
                assertAllNaN(softmaxRowsOf(k, Memory.HEAP, 2, allNegInf, 1, cols), "all -inf cols=" + cols);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void softmaxSpecialRowDoesNotLeakIntoNeighbours(Kernels k) {
        int cols = 19;
        float[] data = new float[3 * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = i % 5;
        }
        data[cols + 4] = Float.NaN;
        float[] p = softmaxRowsOf(k, Memory.NATIVE, 0, data, 3, cols);
        assertAllNaN(Arrays.copyOfRange(p, cols, 2 * cols), "middle row");
        assertSoftmax(Arrays.copyOfRange(p, 0, cols), Arrays.copyOfRange(data, 0, cols), "r0");
        assertSoftmax(Arrays.copyOfRange(p, 2 * cols, 3 * cols), Arrays.copyOfRange(data, 2 * cols, 3 * cols), "r2");
    }

    private static void assertAllNaN(float[] p, String what) {
        for (int j = 0; j < p.length; j++) {
            assertThat(p[j]).as("%s [%d]", what, j).isNaN();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void softmaxEmptyShapesAreNoOps(Kernels k) {
        float[] data = {1f, 2f, 3f, 4f, 5f, 6f};
        MemorySegment s = MemorySegment.ofArray(data.clone());
        k.softmaxRows(s, 0, 0, 6);
        k.softmaxRows(s, 0, 3, 0);
        k.softmaxClassMajor(s, 0, 0, 6);
        k.softmaxClassMajor(s, 0, 6, 0);
        assertThat(s.toArray(F32)).containsExactly(data);
    }

    static Stream<Arguments> implsAndClassMajorShapes() {
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : KernelSelection.available()) {
            for (int classes : new int[] {1, 2, 3, 10, 37}) {
                for (int n : new int[] {0, 1, 3, 7, 8, 9, 16, 17, 100, 1003}) {
                    args.add(Arguments.of(Named.of(k.name(), k), classes, n));
                }
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} classes={1} n={2}")
    @MethodSource("implsAndClassMajorShapes")
    void classMajorEqualsRowMajorOnTransposedData(Kernels k, int classes, int n) {
        Random rnd = new Random(classes * 1000L + n);
        float[] rowMajor = new float[n * classes];
        for (int i = 0; i < rowMajor.length; i++) {
            rowMajor[i] = (float) (rnd.nextGaussian() * 5);
        }
        // Some special samples: a NaN, a +inf, an all -inf sample, -inf entries.
        if (n > 2) {
            rowMajor[classes / 2] = Float.NaN;
            rowMajor[classes + classes - 1] = Float.POSITIVE_INFINITY;
            Arrays.fill(rowMajor, 2 * classes, 3 * classes, Float.NEGATIVE_INFINITY);
            rowMajor[(n - 1) * classes] = Float.NEGATIVE_INFINITY;
        }
        float[] classMajor = new float[rowMajor.length];
        for (int j = 0; j < n; j++) {
            for (int c = 0; c < classes; c++) {
                classMajor[c * n + j] = rowMajor[j * classes + c];
            }
        }
        float[] rowResult = softmaxRowsOf(k, Memory.HEAP, 0, rowMajor, n, classes);
        float[] colResult;
        float[] colResultHeap;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = floats(arena, Memory.NATIVE, 4, classMajor);
            k.softmaxClassMajor(s, 4, classes, n);
            colResult = s.asSlice(4L * Float.BYTES).toArray(F32);
            MemorySegment h = floats(arena, Memory.HEAP, 1, classMajor);
            k.softmaxClassMajor(h, 1, classes, n);
            colResultHeap = h.asSlice(Float.BYTES).toArray(F32);
        }
        // Same implementation, same arithmetic: heap and native memory give identical bits.
        assertThat(colResultHeap).containsExactly(colResult);
        for (int j = 0; j < n; j++) {
            float[] sample = Arrays.copyOfRange(rowMajor, j * classes, (j + 1) * classes);
            float[] fromCols = new float[classes];
            for (int c = 0; c < classes; c++) {
                fromCols[c] = colResult[c * n + j];
            }
            assertSoftmax(fromCols, sample, "class-major sample " + j);
            assertSoftmax(Arrays.copyOfRange(rowResult, j * classes, (j + 1) * classes), sample,
                    "row-major sample " + j);
        }
    }

    // ---- kinds of segments ---------------------------------------------------------------------

    /** The same bytes as native, float[]-backed, byte[]-backed, misaligned and read-only segments. */
    static List<MemorySegment> segmentKinds(Arena arena, MemorySegment data) {
        long size = data.byteSize();
        MemorySegment nat = arena.allocate(size, 64);
        nat.copyFrom(data);
        MemorySegment floatsHeap = MemorySegment.ofArray(new float[(int) ((size + 3) / 4)]).asSlice(0, size);
        floatsHeap.copyFrom(data);
        MemorySegment bytesHeap = MemorySegment.ofArray(new byte[(int) size]);
        bytesHeap.copyFrom(data);
        MemorySegment odd = MemorySegment.ofArray(new byte[(int) size + 1]).asSlice(1);
        odd.copyFrom(data);
        return List.of(nat, floatsHeap, bytesHeap, odd, floatsHeap.asReadOnly(), nat.asReadOnly());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void everyKindOfSegmentGivesIdenticalResults(Kernels k) {
        Random rnd = new Random(99);
        for (int d : new int[] {7, 40, 100, 785}) {
            float[] fa = randomFloats(rnd, d + 3);
            float[] fb = randomFloats(rnd, d + 5);
            byte[] ua = randomBytes(rnd, d + 3);
            byte[] ub = randomBytes(rnd, d + 5);
            try (Arena arena = Arena.ofConfined()) {
                List<MemorySegment> as = segmentKinds(arena, MemorySegment.ofArray(fa));
                List<MemorySegment> bs = segmentKinds(arena, MemorySegment.ofArray(fb));
                List<MemorySegment> uas = segmentKinds(arena, MemorySegment.ofArray(ua));
                List<MemorySegment> ubs = segmentKinds(arena, MemorySegment.ofArray(ub));
                MemorySegment a0 = as.get(0);
                MemorySegment b0 = bs.get(0);
                for (int i = 0; i < as.size(); i++) {
                    MemorySegment a = as.get(i);
                    MemorySegment b = bs.get((i + 1) % bs.size());
                    String what = "d=" + d + " kind " + i;
                    assertThat(k.dotF32(a, 3, b, 5, d)).as(what).isEqualTo(k.dotF32(a0, 3, b0, 5, d));
                    assertThat(k.l1F32(a, 3, b, 5, d)).as(what).isEqualTo(k.l1F32(a0, 3, b0, 5, d));
                    assertThat(k.l2sqF32(a, 3, b, 5, d)).as(what).isEqualTo(k.l2sqF32(a0, 3, b0, 5, d));
                    MemorySegment ua0 = uas.get(i);
                    MemorySegment ub0 = ubs.get((i + 2) % ubs.size());
                    long[] expected = exactU8(Arrays.copyOfRange(ua, 3, 3 + d), Arrays.copyOfRange(ub, 5, 5 + d));
                    assertThat(k.dotU8(ua0, 3, ub0, 5, d)).as(what).isEqualTo(expected[0]);
                    assertThat(k.l1U8(ua0, 3, ub0, 5, d)).as(what).isEqualTo(expected[1]);
                    assertThat(k.l2sqU8(ua0, 3, ub0, 5, d)).as(what).isEqualTo(expected[2]);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void slicesAreBoundsCheckedAndReadOnlyIsRespected(Kernels k) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment heap = MemorySegment.ofArray(new float[100]).asSlice(0, 40L * Float.BYTES);
            MemorySegment nat = arena.allocate(100L * Float.BYTES).asSlice(0, 40L * Float.BYTES);
            MemorySegment bytes = MemorySegment.ofArray(new byte[100]).asSlice(10, 40);
            for (MemorySegment s : List.of(heap, nat)) {
                assertThatThrownBy(() -> k.dotF32(s, 0, s, 0, 41)).isInstanceOf(IndexOutOfBoundsException.class);
                assertThatThrownBy(() -> k.l2sqF32(s, 30, s, 0, 11)).isInstanceOf(IndexOutOfBoundsException.class);
                assertThatThrownBy(() -> k.softmaxRows(s, 0, 5, 9)).isInstanceOf(IndexOutOfBoundsException.class);
                assertThat(k.l1F32(s, 0, s, 0, 40)).isZero();
            }
            assertThatThrownBy(() -> k.l1U8(bytes, 1, bytes, 0, 40)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> k.l1U8Rows(bytes, 0, bytes, 0, 10, 4, 12, new long[4], 0))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            for (MemorySegment ro : List.of(MemorySegment.ofArray(new float[64]).asReadOnly(),
                    arena.allocate(64L * Float.BYTES).asReadOnly())) {
                // What the memory access itself throws for a write to a read-only segment.
                assertThatThrownBy(() -> k.softmaxRows(ro, 0, 2, 32)).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> k.softmaxClassMajor(ro, 0, 2, 32))
                        .isInstanceOf(IllegalArgumentException.class);
                assertThat(k.dotF32(ro, 0, ro, 0, 64)).isZero();
            }
        }
    }

    // ---- uint8 -> float32 conversion ------------------------------------------------------------

    static Stream<Arguments> implsConversionSizesMemory() {
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : KernelSelection.available()) {
            for (int d : IntStream.concat(Arrays.stream(SIZES), IntStream.of(65_537)).toArray()) {
                for (Memory m : Memory.values()) {
                    args.add(Arguments.of(Named.of(k.name(), k), d, m));
                }
            }
        }
        return args.stream();
    }

    /**
     * Every element is fma(a, x, b) rounded once, bit for bit, for random bytes (all 256 values
     * occur from d = 256 on) with standardisation-like scales and offsets, at offsets that are
     * not multiples of a vector; the floats just before and after the destination range are
     * untouched.
     */
    @ParameterizedTest(name = "{0} d={1} {2}")
    @MethodSource("implsConversionSizesMemory")
    void u8ToF32FmaIsOneFusedMultiplyAddPerElement(Kernels k, int d, Memory m) {
        Random rnd = new Random(31L * d + m.ordinal());
        byte[] x = randomBytes(rnd, d);
        if (d >= 2) {
            x[0] = 0;
            x[d - 1] = (byte) 255;
        }
        float[] a = new float[d];
        float[] b = new float[d];
        for (int i = 0; i < d; i++) {
            a[i] = (float) (1 / (1 + 80 * rnd.nextDouble()));
            b[i] = (float) (-rnd.nextDouble() * 255 * a[i]);
        }
        float[] expected = new float[d];
        for (int i = 0; i < d; i++) {
            expected[i] = (float) Math.fma((double) a[i], (double) (x[i] & 0xFF), (double) b[i]);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = bytes(arena, m, 3, x);
            MemorySegment as = floats(arena, m, 1, a);
            MemorySegment bs = floats(arena, m, 2, b);
            float[] sentinel = new float[d + 2];
            Arrays.fill(sentinel, -7f);
            MemorySegment dst = floats(arena, m, 4, sentinel);
            k.u8ToF32Fma(src, 3, as, 1, bs, 2, dst, 5, d);
            for (int i = 0; i < d; i++) {
                float got = dst.getAtIndex(F32, 5 + i);
                assertThat(Float.floatToRawIntBits(got)).as("element %d of %d: x=%d", i, d, x[i] & 0xFF)
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
            }
            assertThat(dst.getAtIndex(F32, 4)).isEqualTo(-7f);
            assertThat(dst.getAtIndex(F32, 5 + d)).isEqualTo(-7f);
        }
    }

    /** a = 1, b = 0 converts every byte value exactly; the implementations agree bit for bit. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void u8ToF32FmaWithUnitScaleIsExact(Kernels k) {
        int d = 256 * 3 + 5;
        byte[] x = new byte[d];
        for (int i = 0; i < d; i++) {
            x[i] = (byte) (i * 7);
        }
        float[] ones = new float[d];
        Arrays.fill(ones, 1f);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = bytes(arena, Memory.NATIVE, 0, x);
            MemorySegment a = floats(arena, Memory.NATIVE, 0, ones);
            MemorySegment b = floats(arena, Memory.NATIVE, 0, new float[d]);
            MemorySegment dst = arena.allocate((long) d * Float.BYTES, 64);
            MemorySegment ref = arena.allocate((long) d * Float.BYTES, 64);
            k.u8ToF32Fma(src, 0, a, 0, b, 0, dst, 0, d);
            ScalarKernels.INSTANCE.u8ToF32Fma(src, 0, a, 0, b, 0, ref, 0, d);
            for (int i = 0; i < d; i++) {
                assertThat(dst.getAtIndex(ValueLayout.JAVA_FLOAT, i)).isEqualTo((float) (x[i] & 0xFF));
            }
            assertThat(dst.mismatch(ref)).isEqualTo(-1L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void u8ToF32FmaChecksBounds(Kernels k) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(40);
            MemorySegment ab = arena.allocate(40L * Float.BYTES, 64);
            MemorySegment shortDst = arena.allocate(39L * Float.BYTES, 64);
            assertThatThrownBy(() -> k.u8ToF32Fma(src, 0, ab, 0, ab, 0, shortDst, 0, 40))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            MemorySegment dst = arena.allocate(40L * Float.BYTES, 64);
            assertThatThrownBy(() -> k.u8ToF32Fma(src, 1, ab, 0, ab, 0, dst, 0, 40))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> k.u8ToF32Fma(src, 0, ab, 1, ab, 0, dst, 0, 40))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    // ---- arg-extremes --------------------------------------------------------------------------

    @Test
    void bothImplementationsAreTestedWhenRequired() {
        List<String> names = KernelSelection.available().stream().map(Kernels::name).toList();
        assertThat(names).startsWith("scalar");
        if (System.getProperty("vecml.require", "").contains("simd")) {
            assertThat(names).as("-Dvecml.require=simd but the SIMD kernels could not be loaded: %s",
                    KernelSelection.probe().problem()).containsExactly("scalar", "simd");
        }
    }
}

