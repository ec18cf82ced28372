package io.vecml.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API implementation of {@link Kernels} (the only class of this package that imports
 * {@code jdk.incubator.vector}).
 *
 * <p>Every pair kernel has the same shape: inputs shorter than one vector go to the scalar
 * reference; the main loop runs four independent accumulators; a single {@code reduceLanes} ends
 * the sum; the last partial vector is handled by re-loading the final full vector of the input
 * (which overlaps work already done) and masking off the overlapped lanes. That tail beat both a
 * scalar tail and a masked load: on AVX2 a masked load is only intrinsified for 32/64-bit lanes,
 * and even then it falls to a lane-by-lane slow path when the vector would run past the end of
 * the segment, which is exactly where a tail usually sits.
 *
 * <p>uint8 sums are exact at any dimension: narrow lanes are flushed into wider ones (and the
 * wider ones into a {@code long}) before they can overflow; the flush intervals are derived below.
 */
public final class SimdKernels implements Kernels {

    /** The single instance (the class is stateless). */
    public static final SimdKernels INSTANCE = new SimdKernels();

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    // Same bit size as F, so one float vector and one byte vector cover the same bytes of memory.
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, F.vectorShape());
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, F.vectorShape());
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final int FL = F.length();
    private static final int BL = B.length();
    private static final int FBYTES = F.vectorByteSize();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** {@code KEEP_F[rem + j]} is true for lanes j >= FL - rem: the last rem lanes of a vector. */
    private static final boolean[] KEEP_F = new boolean[2 * FL];
    /** The same for bytes, as an AND mask (0x00 / 0xFF). */
    private static final byte[] KEEP_B = new byte[2 * BL];

    static {
        for (int i = FL; i < 2 * FL; i++) {
            KEEP_F[i] = true;
        }
        for (int i = BL; i < 2 * BL; i++) {
            KEEP_B[i] = (byte) 0xFF;
        }
    }

    /*
     * uint8 flush intervals. A "step" is one vector of BL bytes added into one accumulator.
     *
     * L1: |a-b| (one byte per lane) is folded into 16-bit lanes as lo + hi byte of each short,
     * <= 510 per step. Unsigned 16-bit lanes hold 65535, i.e. 128 steps. Accumulator 0 also takes
     * up to 3 single-vector steps and one tail step after the unrolled loop of the last block, so
     * the unrolled loop may run 128 - 4 = 124 iterations per block.
     *
     * dot / L2: 16-bit products (< 65536, exact as unsigned shorts) are folded into 32-bit lanes,
     * and a block is reduced with an int reduceLanes, so the whole block sum must fit an int:
     * bytes * 65025 <= 2^31 - 1 gives <= 33025 bytes; leave room for the 4 extra steps.
     */
    private static final int L1_ITERS_PER_BLOCK = 65535 / 510 - 4;
    private static final int L1_BLOCK = L1_ITERS_PER_BLOCK * 4 * BL;
    private static final int MUL_BLOCK = (Integer.MAX_VALUE / (255 * 255) - 4 * BL) / (4 * BL) * (4 * BL);

    private SimdKernels() {
    }

    /** Bit size of the vectors this class uses ({@code FloatVector.SPECIES_PREFERRED}). */
    public static int vectorBits() {
        return F.vectorBitSize();
    }

    /** Number of float lanes per vector. */
    public static int floatLanes() {
        return FL;
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public String toString() {
        return name();
    }

    // ---- float32, one pair --------------------------------------------------------------------

    private static FloatVector loadF(MemorySegment s, long byteOff) {
        return FloatVector.fromMemorySegment(F, s, byteOff, NATIVE);
    }

    private static VectorMask<Float> keepLastF(int rem) {
        return VectorMask.fromArray(F, KEEP_F, rem);
    }

    @Override
    public float dotF32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        if (d < FL) {
            return ScalarKernels.INSTANCE.dotF32(a, aOff, b, bOff, d);
        }
        long ab = aOff * Float.BYTES;
        long bb = bOff * Float.BYTES;
        // Four accumulators: FMA latency is 4 cycles and AVX2 cores retire up to 2 vector loads
        // per cycle (one FMA's worth), so four chains keep the FMA unit busy; more did not help.
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i <= d - 4 * FL; i += 4 * FL) {
            long o = (long) i * Float.BYTES;
            acc0 = loadF(a, ab + o).fma(loadF(b, bb + o), acc0);
            acc1 = loadF(a, ab + o + FBYTES).fma(loadF(b, bb + o + FBYTES), acc1);
            acc2 = loadF(a, ab + o + 2 * FBYTES).fma(loadF(b, bb + o + 2 * FBYTES), acc2);
            acc3 = loadF(a, ab + o + 3 * FBYTES).fma(loadF(b, bb + o + 3 * FBYTES), acc3);
        }
        for (; i <= d - FL; i += FL) {
            long o = (long) i * Float.BYTES;
            acc0 = loadF(a, ab + o).fma(loadF(b, bb + o), acc0);
        }
        if (i < d) {
            long o = (long) (d - FL) * Float.BYTES;
            FloatVector p = loadF(a, ab + o).mul(loadF(b, bb + o));
            acc1 = acc1.add(FloatVector.zero(F).blend(p, keepLastF(d - i)));
        }
        return acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public float l1F32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        if (d < FL) {
            return ScalarKernels.INSTANCE.l1F32(a, aOff, b, bOff, d);
        }
        long ab = aOff * Float.BYTES;
        long bb = bOff * Float.BYTES;
        // Four chains cover the 3-cycle add latency at 2 loads per cycle.
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i <= d - 4 * FL; i += 4 * FL) {
            long o = (long) i * Float.BYTES;
            acc0 = acc0.add(loadF(a, ab + o).sub(loadF(b, bb + o)).abs());
            acc1 = acc1.add(loadF(a, ab + o + FBYTES).sub(loadF(b, bb + o + FBYTES)).abs());
            acc2 = acc2.add(loadF(a, ab + o + 2 * FBYTES).sub(loadF(b, bb + o + 2 * FBYTES)).abs());
            acc3 = acc3.add(loadF(a, ab + o + 3 * FBYTES).sub(loadF(b, bb + o + 3 * FBYTES)).abs());
        }
        for (; i <= d - FL; i += FL) {
            long o = (long) i * Float.BYTES;
            acc0 = acc0.add(loadF(a, ab + o).sub(loadF(b, bb + o)).abs());
        }
        if (i < d) {
            long o = (long) (d - FL) * Float.BYTES;
            FloatVector t = loadF(a, ab + o).sub(loadF(b, bb + o)).abs();
            acc1 = acc1.add(FloatVector.zero(F).blend(t, keepLastF(d - i)));
        }
        return acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public float l2sqF32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        if (d < FL) {
            return ScalarKernels.INSTANCE.l2sqF32(a, aOff, b, bOff, d);
        }
        long ab = aOff * Float.BYTES;
        long bb = bOff * Float.BYTES;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i <= d - 4 * FL; i += 4 * FL) {
            long o = (long) i * Float.BYTES;
            FloatVector d0 = loadF(a, ab + o).sub(loadF(b, bb + o));
            FloatVector d1 = loadF(a, ab + o + FBYTES).sub(loadF(b, bb + o + FBYTES));
            FloatVector d2 = loadF(a, ab + o + 2 * FBYTES).sub(loadF(b, bb + o + 2 * FBYTES));
            FloatVector d3 = loadF(a, ab + o + 3 * FBYTES).sub(loadF(b, bb + o + 3 * FBYTES));
            acc0 = d0.fma(d0, acc0);
            acc1 = d1.fma(d1, acc1);
            acc2 = d2.fma(d2, acc2);
            acc3 = d3.fma(d3, acc3);
        }
        for (; i <= d - FL; i += FL) {
            long o = (long) i * Float.BYTES;
            FloatVector d0 = loadF(a, ab + o).sub(loadF(b, bb + o));
            acc0 = d0.fma(d0, acc0);
        }
        if (i < d) {
            long o = (long) (d - FL) * Float.BYTES;
            FloatVector d0 = loadF(a, ab + o).sub(loadF(b, bb + o));
            acc1 = acc1.add(FloatVector.zero(F).blend(d0.mul(d0), keepLastF(d - i)));
        }
        return acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }

    // ---- uint8, one pair ----------------------------------------------------------------------

    private static ByteVector loadB(MemorySegment s, long off) {
        return ByteVector.fromMemorySegment(B, s, off, NATIVE);
    }

    /** AND mask keeping the last {@code rem} byte lanes. */
    private static ByteVector keepLastB(int rem) {
        return ByteVector.fromArray(B, KEEP_B, rem);
    }

    /** |a - b| of unsigned bytes, without widening: umax - umin never wraps. */
    private static ByteVector absDiff(ByteVector a, ByteVector b) {
        return a.lanewise(VectorOperators.UMAX, b).sub(a.lanewise(VectorOperators.UMIN, b));
    }

    /**
     * Folds bytes into 16-bit lanes (low byte + high byte of each short, <= 510). Reinterpreting
     * and masking stays inside 128-bit halves; ZERO_EXTEND_B2S of the upper half needs a
     * cross-lane shuffle on AVX2 and measured slower.
     */
    private static ShortVector pairSum(ByteVector v) {
        ShortVector s = v.reinterpretAsShorts();
        return s.and((short) 0xFF).add(s.lanewise(VectorOperators.LSHR, 8));
    }

    /** Unsigned 16-bit lanes -> 32-bit lanes (sum of each pair), as {@link #pairSum}. */
    private static IntVector widenPairs(ShortVector s) {
        IntVector x = s.reinterpretAsInts();
        return x.and(0xFFFF).add(x.lanewise(VectorOperators.LSHR, 16));
    }

    /**
     * Sum of unsigned byte products a*b, in 32-bit lanes (each lane <= 4 * 65025). The bytes are
     * split into even/odd halves of 16-bit lanes; a 16-bit multiply of two values <= 255 is exact
     * as an unsigned short (65025 does not fit a signed short, but the bits are right and are only
     * ever read back zero-extended).
     */
    private static IntVector mulPairs(ByteVector a, ByteVector b) {
        ShortVector sa = a.reinterpretAsShorts();
        ShortVector sb = b.reinterpretAsShorts();
        ShortVector lo = sa.and((short) 0xFF).mul(sb.and((short) 0xFF));
        ShortVector hi = sa.lanewise(VectorOperators.LSHR, 8).mul(sb.lanewise(VectorOperators.LSHR, 8));
        return widenPairs(lo).add(widenPairs(hi));
    }

    /** Squares of unsigned bytes, summed as {@link #mulPairs}. */
    private static IntVector squarePairs(ByteVector v) {
        ShortVector s = v.reinterpretAsShorts();
        ShortVector lo = s.and((short) 0xFF);
        ShortVector hi = s.lanewise(VectorOperators.LSHR, 8);
        return widenPairs(lo.mul(lo)).add(widenPairs(hi.mul(hi)));
    }

    @Override
    public long l1U8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        if (d < BL) {
            return ScalarKernels.INSTANCE.l1U8(a, aOff, b, bOff, d);
        }
        long total = 0;
        int i = 0;
        do {
            int blockEnd = d - i > L1_BLOCK ? i + L1_BLOCK : d;
            // 16-bit accumulators: flushed every block (see L1_ITERS_PER_BLOCK).
            ShortVector acc0 = ShortVector.zero(S);
            ShortVector acc1 = ShortVector.zero(S);
            ShortVector acc2 = ShortVector.zero(S);
            ShortVector acc3 = ShortVector.zero(S);
            for (; i <= blockEnd - 4 * BL; i += 4 * BL) {
                acc0 = acc0.add(pairSum(absDiff(loadB(a, aOff + i), loadB(b, bOff + i))));
                acc1 = acc1.add(pairSum(absDiff(loadB(a, aOff + i + BL), loadB(b, bOff + i + BL))));
                acc2 = acc2.add(pairSum(absDiff(loadB(a, aOff + i + 2 * BL), loadB(b, bOff + i + 2 * BL))));
                acc3 = acc3.add(pairSum(absDiff(loadB(a, aOff + i + 3 * BL), loadB(b, bOff + i + 3 * BL))));
            }
            if (blockEnd == d) {
                for (; i <= d - BL; i += BL) {
                    acc0 = acc0.add(pairSum(absDiff(loadB(a, aOff + i), loadB(b, bOff + i))));
                }
                if (i < d) {
                    long o = d - BL;
                    ByteVector t = absDiff(loadB(a, aOff + o), loadB(b, bOff + o)).and(keepLastB(d - i));
                    acc1 = acc1.add(pairSum(t));
                    i = d;
                }
            }
            IntVector sum = widenPairs(acc0).add(widenPairs(acc1)).add(widenPairs(acc2).add(widenPairs(acc3)));
            total += sum.reduceLanes(VectorOperators.ADD);
        } while (i < d);
        return total;
    }

    @Override
    public long dotU8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        if (d < BL) {
            return ScalarKernels.INSTANCE.dotU8(a, aOff, b, bOff, d);
        }
        long total = 0;
        int i = 0;
        do {
            int blockEnd = d - i > MUL_BLOCK ? i + MUL_BLOCK : d;
            IntVector acc0 = IntVector.zero(I);
            IntVector acc1 = IntVector.zero(I);
            IntVector acc2 = IntVector.zero(I);
            IntVector acc3 = IntVector.zero(I);
            for (; i <= blockEnd - 4 * BL; i += 4 * BL) {
                acc0 = acc0.add(mulPairs(loadB(a, aOff + i), loadB(b, bOff + i)));
                acc1 = acc1.add(mulPairs(loadB(a, aOff + i + BL), loadB(b, bOff + i + BL)));
                acc2 = acc2.add(mulPairs(loadB(a, aOff + i + 2 * BL), loadB(b, bOff + i + 2 * BL)));
                acc3 = acc3.add(mulPairs(loadB(a, aOff + i + 3 * BL), loadB(b, bOff + i + 3 * BL)));
            }
            if (blockEnd == d) {
                for (; i <= d - BL; i += BL) {
                    acc0 = acc0.add(mulPairs(loadB(a, aOff + i), loadB(b, bOff + i)));
                }
                if (i < d) {
                    long o = d - BL;
                    acc1 = acc1.add(mulPairs(loadB(a, aOff + o).and(keepLastB(d - i)), loadB(b, bOff + o)));
                    i = d;
                }
            }
            // The block sum fits an int (see MUL_BLOCK), so an int reduction is exact.
            total += acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        } while (i < d);
        return total;
    }

    @Override
    public long l2sqU8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        if (d < BL) {
            return ScalarKernels.INSTANCE.l2sqU8(a, aOff, b, bOff, d);
        }
        long total = 0;
        int i = 0;
        do {
            int blockEnd = d - i > MUL_BLOCK ? i + MUL_BLOCK : d;
            IntVector acc0 = IntVector.zero(I);
            IntVector acc1 = IntVector.zero(I);
            IntVector acc2 = IntVector.zero(I);
            IntVector acc3 = IntVector.zero(I);
            for (; i <= blockEnd - 4 * BL; i += 4 * BL) {
                acc0 = acc0.add(squarePairs(absDiff(loadB(a, aOff + i), loadB(b, bOff + i))));
                acc1 = acc1.add(squarePairs(absDiff(loadB(a, aOff + i + BL), loadB(b, bOff + i + BL))));
                acc2 = acc2.add(squarePairs(absDiff(loadB(a, aOff + i + 2 * BL), loadB(b, bOff + i + 2 * BL))));
                acc3 = acc3.add(squarePairs(absDiff(loadB(a, aOff + i + 3 * BL), loadB(b, bOff + i + 3 * BL))));
            }
            if (blockEnd == d) {
                for (; i <= d - BL; i += BL) {
                    acc0 = acc0.add(squarePairs(absDiff(loadB(a, aOff + i), loadB(b, bOff + i))));
                }
                if (i < d) {
                    long o = d - BL;
                    ByteVector t = absDiff(loadB(a, aOff + o), loadB(b, bOff + o)).and(keepLastB(d - i));
                    acc1 = acc1.add(squarePairs(t));
                    i = d;
                }
            }
            total += acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        } while (i < d);
        return total;
    }

    // ---- one query against a block of rows ---------------------------------------------------

    @Override
    public void dotF32Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                           float[] out, int outOff) {
        for (int r = 0; r < n; r++) {
            out[outOff + r] = dotF32(q, qOff, rows, rowsOff + r * stride, d);
        }
    }

    @Override
    public void l1F32Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                          float[] out, int outOff) {
        for (int r = 0; r < n; r++) {
            out[outOff + r] = l1F32(q, qOff, rows, rowsOff + r * stride, d);
        }
    }

    @Override
    public void l2sqF32Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                            float[] out, int outOff) {
        for (int r = 0; r < n; r++) {
            out[outOff + r] = l2sqF32(q, qOff, rows, rowsOff + r * stride, d);
        }
    }

    @Override
    public void dotU8Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                          long[] out, int outOff) {
        for (int r = 0; r < n; r++) {
            out[outOff + r] = dotU8(q, qOff, rows, rowsOff + r * stride, d);
        }
    }

    @Override
    public void l1U8Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                         long[] out, int outOff) {
        for (int r = 0; r < n; r++) {
            out[outOff + r] = l1U8(q, qOff, rows, rowsOff + r * stride, d);
        }
    }

    @Override
    public void l2sqU8Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                           long[] out, int outOff) {
        for (int r = 0; r < n; r++) {
            out[outOff + r] = l2sqU8(q, qOff, rows, rowsOff + r * stride, d);
        }
    }

    // ---- softmax -------------------------------------------------------------------------------

    @Override
    public void softmaxRows(MemorySegment s, long off, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long base = off + (long) r * cols;
            if (cols < FL) {
                ScalarKernels.softmaxStrided(s, base, 1, cols);
            } else {
                softmaxRow(s, base * Float.BYTES, cols);
            }
        }
    }

    /** One row of {@code cols >= FL} floats at byte offset {@code bo}. */
    private static void softmaxRow(MemorySegment s, long bo, int cols) {
        long lastOff = bo + (long) (cols - FL) * Float.BYTES;
        // Max: two chains hide the latency of Java-semantics MAX (NaN/-0.0 aware, several
        // instructions on AVX2); the overlapping last vector is harmless for a max.
        FloatVector m0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        FloatVector m1 = m0;
        int i = 0;
        for (; i <= cols - 2 * FL; i += 2 * FL) {
            long o = bo + (long) i * Float.BYTES;
            m0 = m0.max(loadF(s, o));
            m1 = m1.max(loadF(s, o + FBYTES));
        }
        m0 = m0.max(m1).max(loadF(s, lastOff));
        if (i < cols - FL) {
            m0 = m0.max(loadF(s, bo + (long) i * Float.BYTES));
        }
        float max = m0.reduceLanes(VectorOperators.MAX);
        if (!Float.isFinite(max)) {
            // NaN (propagated by MAX), +inf, or all -inf: documented as an all-NaN row.
            FloatVector nan = FloatVector.broadcast(F, Float.NaN);
            for (i = 0; i <= cols - FL; i += FL) {
                nan.intoMemorySegment(s, bo + (long) i * Float.BYTES, NATIVE);
            }
            nan.intoMemorySegment(s, lastOff, NATIVE);
            return;
        }
        FloatVector vmax = FloatVector.broadcast(F, max);
        int rem = cols % FL;
        // The overlapping last vector is computed from the original values before the main loop
        // overwrites them, and stored after it: its overlapped lanes get bit-identical values.
        FloatVector lastE = loadF(s, lastOff).sub(vmax).lanewise(VectorOperators.EXP);
        FloatVector sum0 = FloatVector.zero(F);
        FloatVector sum1 = FloatVector.zero(F);
        i = 0;
        for (; i <= cols - 2 * FL; i += 2 * FL) {
            long o = bo + (long) i * Float.BYTES;
            FloatVector e0 = loadF(s, o).sub(vmax).lanewise(VectorOperators.EXP);
            FloatVector e1 = loadF(s, o + FBYTES).sub(vmax).lanewise(VectorOperators.EXP);
            e0.intoMemorySegment(s, o, NATIVE);
            e1.intoMemorySegment(s, o + FBYTES, NATIVE);
            sum0 = sum0.add(e0);
            sum1 = sum1.add(e1);
        }
        if (i <= cols - FL) {
            long o = bo + (long) i * Float.BYTES;
            FloatVector e0 = loadF(s, o).sub(vmax).lanewise(VectorOperators.EXP);
            e0.intoMemorySegment(s, o, NATIVE);
            sum0 = sum0.add(e0);
        }
        if (rem != 0) {
            sum1 = sum1.add(FloatVector.zero(F).blend(lastE, keepLastF(rem)));
            lastE.intoMemorySegment(s, lastOff, NATIVE);
        }
        float sum = sum0.add(sum1).reduceLanes(VectorOperators.ADD);
        // One division, then multiplies: within 1 ulp of dividing each entry, several times faster.
        FloatVector inv = FloatVector.broadcast(F, 1f / sum);
        FloatVector lastP = loadF(s, lastOff).mul(inv);
        for (i = 0; i <= cols - FL; i += FL) {
            long o = bo + (long) i * Float.BYTES;
            loadF(s, o).mul(inv).intoMemorySegment(s, o, NATIVE);
        }
        if (rem != 0) {
            lastP.intoMemorySegment(s, lastOff, NATIVE);
        }
    }

    @Override
    public void softmaxClassMajor(MemorySegment s, long off, int classes, int n) {
        if (classes <= 0 || n <= 0) {
            return;
        }
        long rowBytes = (long) n * Float.BYTES;
        long base = off * Float.BYTES;
        FloatVector nan = FloatVector.broadcast(F, Float.NaN);
        FloatVector one = FloatVector.broadcast(F, 1f);
        int j = 0;
        // Lanes run across samples, so every operation is lane-wise: no reductions at all.
        for (; j <= n - FL; j += FL) {
            long col = base + (long) j * Float.BYTES;
            FloatVector max = loadF(s, col);
            for (int c = 1; c < classes; c++) {
                max = max.max(loadF(s, col + c * rowBytes));
            }
            // A sample whose max is NaN, +inf or -inf (all -inf) becomes all NaN, as documented.
            VectorMask<Float> bad = max.test(VectorOperators.IS_FINITE).not();
            FloatVector sum = FloatVector.zero(F);
            for (int c = 0; c < classes; c++) {
                long o = col + c * rowBytes;
                FloatVector e = loadF(s, o).sub(max).lanewise(VectorOperators.EXP);
                e.intoMemorySegment(s, o, NATIVE);
                sum = sum.add(e);
            }
            FloatVector inv = one.div(sum);
            for (int c = 0; c < classes; c++) {
                long o = col + c * rowBytes;
                loadF(s, o).mul(inv).blend(nan, bad).intoMemorySegment(s, o, NATIVE);
            }
        }
        for (; j < n; j++) {
            ScalarKernels.softmaxStrided(s, off + j, n, classes);
        }
    }

    // ---- arg-extremes --------------------------------------------------------------------------

    /** Below this size the scalar loop wins (the vector version makes two passes). */
    private static final int ARG_SIMD_MIN = 64;

    @Override
    public int argmaxF32(MemorySegment x, long off, int n) {
        if (n < ARG_SIMD_MIN) {
            return ScalarKernels.INSTANCE.argmaxF32(x, off, n);
        }
        return argExtreme(x, off, n, VectorOperators.MAX);
    }

    @Override
    public int argminF32(MemorySegment x, long off, int n) {
        if (n < ARG_SIMD_MIN) {
            return ScalarKernels.INSTANCE.argminF32(x, off, n);
        }
        return argExtreme(x, off, n, VectorOperators.MIN);
    }

    /**
     * Two passes: the extreme value (Java MAX/MIN semantics propagate NaN, so a NaN anywhere gives
     * NaN), then the first index holding it ({@code ==} treats -0.0 and 0.0 as equal, as the scalar
     * {@code >}/{@code <} comparison does).
     */
    private static int argExtreme(MemorySegment x, long off, int n, VectorOperators.Associative op) {
        long bo = off * Float.BYTES;
        FloatVector m0 = loadF(x, bo);
        FloatVector m1 = m0;
        FloatVector m2 = m0;
        FloatVector m3 = m0;
        int i = 0;
        for (; i <= n - 4 * FL; i += 4 * FL) {
            long o = bo + (long) i * Float.BYTES;
            m0 = m0.lanewise(op, loadF(x, o));
            m1 = m1.lanewise(op, loadF(x, o + FBYTES));
            m2 = m2.lanewise(op, loadF(x, o + 2 * FBYTES));
            m3 = m3.lanewise(op, loadF(x, o + 3 * FBYTES));
        }
        for (; i <= n - FL; i += FL) {
            m0 = m0.lanewise(op, loadF(x, bo + (long) i * Float.BYTES));
        }
        m0 = m0.lanewise(op, loadF(x, bo + (long) (n - FL) * Float.BYTES));
        float best = m0.lanewise(op, m1).lanewise(op, m2.lanewise(op, m3)).reduceLanes(op);
        boolean nan = Float.isNaN(best);
        for (i = 0; i <= n - FL; i += FL) {
            FloatVector v = loadF(x, bo + (long) i * Float.BYTES);
            VectorMask<Float> hit = nan ? v.test(VectorOperators.IS_NAN) : v.compare(VectorOperators.EQ, best);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        for (; i < n; i++) {
            float v = x.getAtIndex(F32, off + i);
            if (nan ? Float.isNaN(v) : v == best) {
                return i;
            }
        }
        throw new AssertionError("extreme value not found");
    }
}
