package io.vecml.engine.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API implementation of {@link Kernels} (the only class of this package that imports
 * {@code jdk.incubator.vector}).
 *
 * <p>Kernel shape: inputs shorter than one vector go to the scalar reference; the main loop runs
 * independent accumulators; the last partial vector is re-loaded as the final full vector of the
 * input with the already-counted lanes masked off; one {@code reduceLanes} ends the sum. That tail
 * beat a scalar tail, and a masked load is no option on AVX2: it is only intrinsified for 32/64-bit
 * lanes, and falls to a lane-by-lane slow path whenever the vector would run past the end of the
 * segment, which is exactly where a tail usually sits.
 *
 * <p>Memory: vectors are only ever loaded from native segments. A heap segment is first copied
 * into a per-thread native scratch buffer (and copied back after an in-place softmax). Feeding
 * both heap and native segments to {@code fromMemorySegment} pollutes the JDK-internal type
 * profile of the segment base; C2 then compiles every vector load in the JVM as a "mixed"
 * heap-or-native access fenced by memory barriers, and all SIMD kernels became 10-15x slower
 * (JDK 25, measured: dot of 3072 floats from 0.15 to 2.5-3 us). Loading heap arrays with
 * {@code fromArray} instead avoids that, but doubles the vector code C2 has to compile per kernel,
 * which pushed the uint8 kernels past C2's inlining node budget (see below) whenever both kinds
 * were in use. Native segments are the fast path, as for OpenBLAS.
 */
public final class SimdKernels implements Kernels {

    /** The single instance (the class is stateless apart from per-thread scratch memory). */
    public static final SimdKernels INSTANCE = new SimdKernels();

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    // Same bit size as F, so one float vector and one byte vector cover the same bytes of memory.
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, F.vectorShape());
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, F.vectorShape());
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final int FL = F.length();
    private static final int BL = B.length();
    private static final long VBYTES = F.vectorByteSize();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

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
     * uint8 flush intervals. A "step" adds one vector of BL bytes into one accumulator.
     *
     * L1 (two accumulators, one step each per iteration of 2 * BL bytes, plus at most two
     * remainder steps into accumulator 0): |a-b| (one byte per lane) is folded into 16-bit lanes
     * as low + high byte of each short, <= 510 per step. Unsigned 16-bit lanes hold 65535, i.e.
     * 128 steps: chunks of 126 * 2 * BL bytes (8064 with 256-bit vectors), after which the 16-bit
     * lanes are widened to 32-bit ones and reduced into the long total.
     *
     * dot / L2: 16-bit products (< 65536, exact as unsigned shorts) are folded into 32-bit lanes,
     * and a chunk is reduced with an int reduceLanes, so the whole chunk sum must fit an int:
     * bytes * 65025 <= 2^31 - 1 gives chunks of at most 33025 bytes (33024 with 256-bit vectors).
     */
    private static final int L1_CHUNK = (65535 / 510 - 2) * 2 * BL;
    private static final int MUL_CHUNK = Integer.MAX_VALUE / (255 * 255) / BL * BL;

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

    // ---- memory --------------------------------------------------------------------------------

    /** Scratch buffers kept per thread up to this size; larger copies use a one-off allocation. */
    private static final long SCRATCH_KEEP = 1 << 20;

    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[2]);

    /** A native segment of at least {@code bytes} bytes, private to this thread until reused. */
    private static MemorySegment scratch(int slot, long bytes) {
        if (bytes > SCRATCH_KEEP) {
            return Arena.ofAuto().allocate(bytes, 64);
        }
        MemorySegment[] slots = SCRATCH.get();
        MemorySegment s = slots[slot];
        if (s == null || s.byteSize() < bytes) {
            s = Arena.ofAuto().allocate(Math.max(4096, Long.highestOneBit(bytes - 1) << 1), 64);
            slots[slot] = s;
        }
        return s;
    }

    /**
     * {@code s} itself when native, else a native copy of its {@code bytes} bytes from
     * {@code byteOff} (out-of-range offsets throw {@link IndexOutOfBoundsException} here).
     */
    private static MemorySegment nativeView(int slot, MemorySegment s, long byteOff, long bytes) {
        if (s.isNative()) {
            return s;
        }
        MemorySegment copy = scratch(slot, bytes);
        MemorySegment.copy(s, byteOff, copy, 0, bytes);
        return copy;
    }

    /*
     * No helper methods take or return vectors: C2 decides per call site whether to inline a
     * helper (it refused "already compiled into a medium method" when the leaf was compiled
     * while its main loop still looked cold), and a vector crossing a call that is not inlined is
     * boxed. That happened to dot in about one JVM run in five: 16 bytes allocated per element,
     * 20x slower, for the rest of the run. JDK Vector API methods are @ForceInline, so everything
     * below is written in terms of them only.
     */

    // ---- float32, one pair --------------------------------------------------------------------

    @Override
    public float dotF32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        if (d < FL) {
            return ScalarKernels.INSTANCE.dotF32(a, aOff, b, bOff, d);
        }
        long bytes = (long) d * Float.BYTES;
        MemorySegment na = nativeView(0, a, aOff * Float.BYTES, bytes);
        MemorySegment nb = nativeView(1, b, bOff * Float.BYTES, bytes);
        return dot(na, na == a ? aOff * Float.BYTES : 0, nb, nb == b ? bOff * Float.BYTES : 0, d);
    }

    @Override
    public float l1F32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        if (d < FL) {
            return ScalarKernels.INSTANCE.l1F32(a, aOff, b, bOff, d);
        }
        long bytes = (long) d * Float.BYTES;
        MemorySegment na = nativeView(0, a, aOff * Float.BYTES, bytes);
        MemorySegment nb = nativeView(1, b, bOff * Float.BYTES, bytes);
        return l1(na, na == a ? aOff * Float.BYTES : 0, nb, nb == b ? bOff * Float.BYTES : 0, d);
    }

    @Override
    public float l2sqF32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        if (d < FL) {
            return ScalarKernels.INSTANCE.l2sqF32(a, aOff, b, bOff, d);
        }
        long bytes = (long) d * Float.BYTES;
        MemorySegment na = nativeView(0, a, aOff * Float.BYTES, bytes);
        MemorySegment nb = nativeView(1, b, bOff * Float.BYTES, bytes);
        return l2(na, na == a ? aOff * Float.BYTES : 0, nb, nb == b ? bOff * Float.BYTES : 0, d);
    }

    /** d >= FL; ab, bb are byte offsets into native segments. */
    private static float dot(MemorySegment a, long ab, MemorySegment b, long bb, int d) {
        // Four chains: FMA latency is 4 cycles and AVX2 cores load 2 vectors per cycle (one FMA's
        // worth), so four independent sums keep the FMA unit busy; eight did not measure faster.
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i <= d - 4 * FL; i += 4 * FL) {
            long o = (long) i * Float.BYTES;
            FloatVector a0 = FloatVector.fromMemorySegment(F, a, ab + o, NATIVE);
            FloatVector a1 = FloatVector.fromMemorySegment(F, a, ab + o + VBYTES, NATIVE);
            FloatVector a2 = FloatVector.fromMemorySegment(F, a, ab + o + 2 * VBYTES, NATIVE);
            FloatVector a3 = FloatVector.fromMemorySegment(F, a, ab + o + 3 * VBYTES, NATIVE);
            acc0 = a0.fma(FloatVector.fromMemorySegment(F, b, bb + o, NATIVE), acc0);
            acc1 = a1.fma(FloatVector.fromMemorySegment(F, b, bb + o + VBYTES, NATIVE), acc1);
            acc2 = a2.fma(FloatVector.fromMemorySegment(F, b, bb + o + 2 * VBYTES, NATIVE), acc2);
            acc3 = a3.fma(FloatVector.fromMemorySegment(F, b, bb + o + 3 * VBYTES, NATIVE), acc3);
        }
        for (; i < d; i += FL) {
            int start = Math.min(i, d - FL);
            long o = (long) start * Float.BYTES;
            FloatVector p = FloatVector.fromMemorySegment(F, a, ab + o, NATIVE)
                    .mul(FloatVector.fromMemorySegment(F, b, bb + o, NATIVE));
            acc1 = acc1.add(FloatVector.zero(F).blend(p, VectorMask.fromArray(F, KEEP_F, start + FL - i)));
        }
        // The lanes summed in a fixed tree (see HALF_1), written out: no helper takes a vector.
        FloatVector t = acc0.add(acc1).add(acc2.add(acc3));
        t = FL >= 64 ? t.add(t.rearrange(HALF_32)) : t;
        t = FL >= 32 ? t.add(t.rearrange(HALF_16)) : t;
        t = FL >= 16 ? t.add(t.rearrange(HALF_8)) : t;
        t = FL >= 8 ? t.add(t.rearrange(HALF_4)) : t;
        t = FL >= 4 ? t.add(t.rearrange(HALF_2)) : t;
        t = FL >= 2 ? t.add(t.rearrange(HALF_1)) : t;
        return t.lane(0);
    }

    private static float l1(MemorySegment a, long ab, MemorySegment b, long bb, int d) {
        // Four chains cover the 3-cycle add latency at two loads per cycle.
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i <= d - 4 * FL; i += 4 * FL) {
            long o = (long) i * Float.BYTES;
            FloatVector a0 = FloatVector.fromMemorySegment(F, a, ab + o, NATIVE);
            FloatVector a1 = FloatVector.fromMemorySegment(F, a, ab + o + VBYTES, NATIVE);
            FloatVector a2 = FloatVector.fromMemorySegment(F, a, ab + o + 2 * VBYTES, NATIVE);
            FloatVector a3 = FloatVector.fromMemorySegment(F, a, ab + o + 3 * VBYTES, NATIVE);
            acc0 = acc0.add(a0.sub(FloatVector.fromMemorySegment(F, b, bb + o, NATIVE)).abs());
            acc1 = acc1.add(a1.sub(FloatVector.fromMemorySegment(F, b, bb + o + VBYTES, NATIVE)).abs());
            acc2 = acc2.add(a2.sub(FloatVector.fromMemorySegment(F, b, bb + o + 2 * VBYTES, NATIVE)).abs());
            acc3 = acc3.add(a3.sub(FloatVector.fromMemorySegment(F, b, bb + o + 3 * VBYTES, NATIVE)).abs());
        }
        for (; i < d; i += FL) {
            int start = Math.min(i, d - FL);
            long o = (long) start * Float.BYTES;
            FloatVector t = FloatVector.fromMemorySegment(F, a, ab + o, NATIVE)
                    .sub(FloatVector.fromMemorySegment(F, b, bb + o, NATIVE)).abs();
            acc1 = acc1.add(FloatVector.zero(F).blend(t, VectorMask.fromArray(F, KEEP_F, start + FL - i)));
        }
        // The lanes summed in a fixed tree (see HALF_1), written out: no helper takes a vector.
        FloatVector t = acc0.add(acc1).add(acc2.add(acc3));
        t = FL >= 64 ? t.add(t.rearrange(HALF_32)) : t;
        t = FL >= 32 ? t.add(t.rearrange(HALF_16)) : t;
        t = FL >= 16 ? t.add(t.rearrange(HALF_8)) : t;
        t = FL >= 8 ? t.add(t.rearrange(HALF_4)) : t;
        t = FL >= 4 ? t.add(t.rearrange(HALF_2)) : t;
        t = FL >= 2 ? t.add(t.rearrange(HALF_1)) : t;
        return t.lane(0);
    }

    private static float l2(MemorySegment a, long ab, MemorySegment b, long bb, int d) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i <= d - 4 * FL; i += 4 * FL) {
            long o = (long) i * Float.BYTES;
            FloatVector d0 = FloatVector.fromMemorySegment(F, a, ab + o, NATIVE)
                    .sub(FloatVector.fromMemorySegment(F, b, bb + o, NATIVE));
            FloatVector d1 = FloatVector.fromMemorySegment(F, a, ab + o + VBYTES, NATIVE)
                    .sub(FloatVector.fromMemorySegment(F, b, bb + o + VBYTES, NATIVE));
            FloatVector d2 = FloatVector.fromMemorySegment(F, a, ab + o + 2 * VBYTES, NATIVE)
                    .sub(FloatVector.fromMemorySegment(F, b, bb + o + 2 * VBYTES, NATIVE));
            FloatVector d3 = FloatVector.fromMemorySegment(F, a, ab + o + 3 * VBYTES, NATIVE)
                    .sub(FloatVector.fromMemorySegment(F, b, bb + o + 3 * VBYTES, NATIVE));
            acc0 = d0.fma(d0, acc0);
            acc1 = d1.fma(d1, acc1);
            acc2 = d2.fma(d2, acc2);
            acc3 = d3.fma(d3, acc3);
        }
        for (; i < d; i += FL) {
            int start = Math.min(i, d - FL);
            long o = (long) start * Float.BYTES;
            FloatVector t = FloatVector.fromMemorySegment(F, a, ab + o, NATIVE)
                    .sub(FloatVector.fromMemorySegment(F, b, bb + o, NATIVE));
            acc1 = acc1.add(FloatVector.zero(F).blend(t.mul(t), VectorMask.fromArray(F, KEEP_F, start + FL - i)));
        }
        // The lanes summed in a fixed tree (see HALF_1), written out: no helper takes a vector.
        FloatVector t = acc0.add(acc1).add(acc2.add(acc3));
        t = FL >= 64 ? t.add(t.rearrange(HALF_32)) : t;
        t = FL >= 32 ? t.add(t.rearrange(HALF_16)) : t;
        t = FL >= 16 ? t.add(t.rearrange(HALF_8)) : t;
        t = FL >= 8 ? t.add(t.rearrange(HALF_4)) : t;
        t = FL >= 4 ? t.add(t.rearrange(HALF_2)) : t;
        t = FL >= 2 ? t.add(t.rearrange(HALF_1)) : t;
        return t.lane(0);
    }

    // ---- uint8, one pair ----------------------------------------------------------------------

    /*
     * uint8 arithmetic, in every kernel below:
     * - |a - b| of unsigned bytes without widening: UMAX - UMIN never wraps.
     * - bytes to 16-bit lanes: reinterpret the byte vector as shorts and take the low byte
     *   (AND 0xFF) and the high byte (LSHR 8) of each; this stays inside 128-bit halves, whereas
     *   ZERO_EXTEND_B2S of the upper half needs a cross-lane shuffle on AVX2 (measured 3x slower).
     * - 16-bit lanes to 32-bit lanes the same way (AND 0xFFFF, LSHR 16 of the ints).
     * - products: a 16-bit multiply of two values <= 255 is exact as an unsigned short (65025 does
     *   not fit a signed short, but the bits are right and are only ever read back zero-extended).
     */

    @Override
    public long dotU8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        if (d < BL) {
            return ScalarKernels.INSTANCE.dotU8(a, aOff, b, bOff, d);
        }
        MemorySegment na = nativeView(0, a, aOff, d);
        MemorySegment nb = nativeView(1, b, bOff, d);
        return dotU8Native(na, na == a ? aOff : 0, nb, nb == b ? bOff : 0, d);
    }

    @Override
    public long l1U8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        if (d < BL) {
            return ScalarKernels.INSTANCE.l1U8(a, aOff, b, bOff, d);
        }
        MemorySegment na = nativeView(0, a, aOff, d);
        MemorySegment nb = nativeView(1, b, bOff, d);
        return l1U8Native(na, na == a ? aOff : 0, nb, nb == b ? bOff : 0, d);
    }

    @Override
    public long l2sqU8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        if (d < BL) {
            return ScalarKernels.INSTANCE.l2sqU8(a, aOff, b, bOff, d);
        }
        MemorySegment na = nativeView(0, a, aOff, d);
        MemorySegment nb = nativeView(1, b, bOff, d);
        return l2sqU8Native(na, na == a ? aOff : 0, nb, nb == b ? bOff : 0, d);
    }

    /*
     * C2 compiles Vector API code well only while a compiled method stays under its node budget
     * (NodeCountInliningCutoff): past it, C2 stops inlining vector operations and boxes every
     * vector (measured: 4-10x slower, up to 12 KB allocated per call). A uint8 step costs many
     * more nodes than a float one, so each uint8 kernel is one small "chunk" method (loop,
     * remainder, flush) that long inputs call once per chunk. L1 unrolls two vectors per iteration
     * into two accumulators, dot and L2 one (C2 unrolls that loop itself): integer adds have a
     * 1-cycle latency and each vector already costs 7-15 ALU operations, so the accumulator chains
     * are never the bottleneck; four-way unrolled versions went over the budget.
     */

    /** d >= BL; ab, bb are byte offsets into native segments. */
    private static long l1U8Native(MemorySegment a, long ab, MemorySegment b, long bb, int d) {
        long total = 0;
        int i = 0;
        for (; d - i > L1_CHUNK; i += L1_CHUNK) {
            total += l1U8Chunk(a, ab + i, b, bb + i, L1_CHUNK);
        }
        return total + l1U8Chunk(a, ab + i, b, bb + i, d - i);
    }

    /**
     * Bytes [0, n) from the given offsets, 0 < n <= L1_CHUNK. The last partial vector is re-loaded
     * as the full vector ending at n (it may reach back before this chunk, never past it; the input
     * as a whole is at least one vector long) with the already counted lanes masked off.
     * (Accumulating the 16-bit lanes whole plus their high bytes, and recovering the low-byte sum
     * at the end, saves one operation per vector and measured ~5% faster, but its bigger flush
     * pushed this method over C2's node budget once every path was hot.)
     */
    private static long l1U8Chunk(MemorySegment a, long ab, MemorySegment b, long bb, int n) {
        ShortVector acc0 = ShortVector.zero(S);
        ShortVector acc1 = ShortVector.zero(S);
        int i = 0;
        for (; i <= n - 2 * BL; i += 2 * BL) {
            ByteVector a0 = ByteVector.fromMemorySegment(B, a, ab + i, NATIVE);
            ByteVector b0 = ByteVector.fromMemorySegment(B, b, bb + i, NATIVE);
            ByteVector a1 = ByteVector.fromMemorySegment(B, a, ab + i + BL, NATIVE);
            ByteVector b1 = ByteVector.fromMemorySegment(B, b, bb + i + BL, NATIVE);
            ShortVector d0 = a0.lanewise(VectorOperators.UMAX, b0).sub(a0.lanewise(VectorOperators.UMIN, b0))
                    .reinterpretAsShorts();
            ShortVector d1 = a1.lanewise(VectorOperators.UMAX, b1).sub(a1.lanewise(VectorOperators.UMIN, b1))
                    .reinterpretAsShorts();
            acc0 = acc0.add(d0.and((short) 0xFF).add(d0.lanewise(VectorOperators.LSHR, 8)));
            acc1 = acc1.add(d1.and((short) 0xFF).add(d1.lanewise(VectorOperators.LSHR, 8)));
        }
        for (; i < n; i += BL) {
            int start = Math.min(i, n - BL);
            ByteVector a0 = ByteVector.fromMemorySegment(B, a, ab + start, NATIVE);
            ByteVector b0 = ByteVector.fromMemorySegment(B, b, bb + start, NATIVE);
            ShortVector d0 = a0.lanewise(VectorOperators.UMAX, b0).sub(a0.lanewise(VectorOperators.UMIN, b0))
                    .and(ByteVector.fromArray(B, KEEP_B, start + BL - i)).reinterpretAsShorts();
            acc0 = acc0.add(d0.and((short) 0xFF).add(d0.lanewise(VectorOperators.LSHR, 8)));
        }
        IntVector w0 = acc0.reinterpretAsInts();
        IntVector w1 = acc1.reinterpretAsInts();
        return w0.and(0xFFFF).add(w0.lanewise(VectorOperators.LSHR, 16))
                .add(w1.and(0xFFFF).add(w1.lanewise(VectorOperators.LSHR, 16)))
                .reduceLanes(VectorOperators.ADD);
    }

    private static long dotU8Native(MemorySegment a, long ab, MemorySegment b, long bb, int d) {
        long total = 0;
        int i = 0;
        for (; d - i > MUL_CHUNK; i += MUL_CHUNK) {
            total += dotU8Chunk(a, ab + i, b, bb + i, MUL_CHUNK);
        }
        return total + dotU8Chunk(a, ab + i, b, bb + i, d - i);
    }

    /** As {@link #l1U8Chunk}, 0 < n <= MUL_CHUNK; 32-bit lanes, each <= 4 * 65025 per vector. */
    private static long dotU8Chunk(MemorySegment a, long ab, MemorySegment b, long bb, int n) {
        IntVector acc = IntVector.zero(I);
        int i = 0;
        for (; i <= n - BL; i += BL) {
            ShortVector sa = ByteVector.fromMemorySegment(B, a, ab + i, NATIVE).reinterpretAsShorts();
            ShortVector sb = ByteVector.fromMemorySegment(B, b, bb + i, NATIVE).reinterpretAsShorts();
            IntVector lo = sa.and((short) 0xFF).mul(sb.and((short) 0xFF)).reinterpretAsInts();
            IntVector hi = sa.lanewise(VectorOperators.LSHR, 8).mul(sb.lanewise(VectorOperators.LSHR, 8))
                    .reinterpretAsInts();
            acc = acc.add(lo.and(0xFFFF).add(lo.lanewise(VectorOperators.LSHR, 16)))
                    .add(hi.and(0xFFFF).add(hi.lanewise(VectorOperators.LSHR, 16)));
        }
        if (i < n) {
            ShortVector sa = ByteVector.fromMemorySegment(B, a, ab + n - BL, NATIVE)
                    .and(ByteVector.fromArray(B, KEEP_B, n - i)).reinterpretAsShorts();
            ShortVector sb = ByteVector.fromMemorySegment(B, b, bb + n - BL, NATIVE).reinterpretAsShorts();
            IntVector lo = sa.and((short) 0xFF).mul(sb.and((short) 0xFF)).reinterpretAsInts();
            IntVector hi = sa.lanewise(VectorOperators.LSHR, 8).mul(sb.lanewise(VectorOperators.LSHR, 8))
                    .reinterpretAsInts();
            acc = acc.add(lo.and(0xFFFF).add(lo.lanewise(VectorOperators.LSHR, 16)))
                    .add(hi.and(0xFFFF).add(hi.lanewise(VectorOperators.LSHR, 16)));
        }
        // The chunk sum fits an int (see MUL_CHUNK), so an int reduction is exact.
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static long l2sqU8Native(MemorySegment a, long ab, MemorySegment b, long bb, int d) {
        long total = 0;
        int i = 0;
        for (; d - i > MUL_CHUNK; i += MUL_CHUNK) {
            total += l2sqU8Chunk(a, ab + i, b, bb + i, MUL_CHUNK);
        }
        return total + l2sqU8Chunk(a, ab + i, b, bb + i, d - i);
    }

    /** As {@link #dotU8Chunk}, with the squares of |a - b|. */
    private static long l2sqU8Chunk(MemorySegment a, long ab, MemorySegment b, long bb, int n) {
        IntVector acc = IntVector.zero(I);
        int i = 0;
        for (; i <= n - BL; i += BL) {
            ByteVector a0 = ByteVector.fromMemorySegment(B, a, ab + i, NATIVE);
            ByteVector b0 = ByteVector.fromMemorySegment(B, b, bb + i, NATIVE);
            ShortVector s = a0.lanewise(VectorOperators.UMAX, b0).sub(a0.lanewise(VectorOperators.UMIN, b0))
                    .reinterpretAsShorts();
            ShortVector low = s.and((short) 0xFF);
            ShortVector high = s.lanewise(VectorOperators.LSHR, 8);
            IntVector lo = low.mul(low).reinterpretAsInts();
            IntVector hi = high.mul(high).reinterpretAsInts();
            acc = acc.add(lo.and(0xFFFF).add(lo.lanewise(VectorOperators.LSHR, 16)))
                    .add(hi.and(0xFFFF).add(hi.lanewise(VectorOperators.LSHR, 16)));
        }
        if (i < n) {
            ByteVector a0 = ByteVector.fromMemorySegment(B, a, ab + n - BL, NATIVE);
            ByteVector b0 = ByteVector.fromMemorySegment(B, b, bb + n - BL, NATIVE);
            ShortVector s = a0.lanewise(VectorOperators.UMAX, b0).sub(a0.lanewise(VectorOperators.UMIN, b0))
                    .and(ByteVector.fromArray(B, KEEP_B, n - i)).reinterpretAsShorts();
            ShortVector low = s.and((short) 0xFF);
            ShortVector high = s.lanewise(VectorOperators.LSHR, 8);
            IntVector lo = low.mul(low).reinterpretAsInts();
            IntVector hi = high.mul(high).reinterpretAsInts();
            acc = acc.add(lo.and(0xFFFF).add(lo.lanewise(VectorOperators.LSHR, 16)))
                    .add(hi.and(0xFFFF).add(hi.lanewise(VectorOperators.LSHR, 16)));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // ---- one query against a block of rows ---------------------------------------------------
    // One pair kernel per row. The query is copied to native memory once per call if needed; a
    // heap block of rows is copied row by row.

    @Override
    public void l1F32Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                          float[] out, int outOff) {
        if (d < FL || n <= 0) {
            ScalarKernels.INSTANCE.l1F32Rows(q, qOff, rows, rowsOff, stride, n, d, out, outOff);
            return;
        }
        long bytes = (long) d * Float.BYTES;
        MemorySegment nq = nativeView(0, q, qOff * Float.BYTES, bytes);
        long qb = nq == q ? qOff * Float.BYTES : 0;
        for (int r = 0; r < n; r++) {
            long rowByte = (rowsOff + r * stride) * Float.BYTES;
            MemorySegment nr = nativeView(1, rows, rowByte, bytes);
            out[outOff + r] = l1(nq, qb, nr, nr == rows ? rowByte : 0, d);
        }
    }

    @Override
    public void l2sqF32Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                            float[] out, int outOff) {
        if (d < FL || n <= 0) {
            ScalarKernels.INSTANCE.l2sqF32Rows(q, qOff, rows, rowsOff, stride, n, d, out, outOff);
            return;
        }
        long bytes = (long) d * Float.BYTES;
        MemorySegment nq = nativeView(0, q, qOff * Float.BYTES, bytes);
        long qb = nq == q ? qOff * Float.BYTES : 0;
        for (int r = 0; r < n; r++) {
            long rowByte = (rowsOff + r * stride) * Float.BYTES;
            MemorySegment nr = nativeView(1, rows, rowByte, bytes);
            out[outOff + r] = l2(nq, qb, nr, nr == rows ? rowByte : 0, d);
        }
    }

    @Override
    public void l1U8Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                         long[] out, int outOff) {
        if (d < BL || n <= 0) {
            ScalarKernels.INSTANCE.l1U8Rows(q, qOff, rows, rowsOff, stride, n, d, out, outOff);
            return;
        }
        MemorySegment nq = nativeView(0, q, qOff, d);
        long qb = nq == q ? qOff : 0;
        for (int r = 0; r < n; r++) {
            long row = rowsOff + r * stride;
            MemorySegment nr = nativeView(1, rows, row, d);
            out[outOff + r] = l1U8Native(nq, qb, nr, nr == rows ? row : 0, d);
        }
    }

    @Override
    public void l2sqU8Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                           long[] out, int outOff) {
        if (d < BL || n <= 0) {
            ScalarKernels.INSTANCE.l2sqU8Rows(q, qOff, rows, rowsOff, stride, n, d, out, outOff);
            return;
        }
        MemorySegment nq = nativeView(0, q, qOff, d);
        long qb = nq == q ? qOff : 0;
        for (int r = 0; r < n; r++) {
            long row = rowsOff + r * stride;
            MemorySegment nr = nativeView(1, rows, row, d);
            out[outOff + r] = l2sqU8Native(nq, qb, nr, nr == rows ? row : 0, d);
        }
    }

    // ---- many queries against many rows (kNN tiles) ----------------------------------------------

    /*
     * Register tiles: QT queries x TT rows per pass, so each loaded vector serves several pairs and
     * a block of training rows kept in L2 is streamed once per QT queries instead of once per query.
     * Full vectors only in the tile loop; the last partial vector is one extra masked pass in its
     * own small method (keeping every method under C2's node budget), and leftover queries or rows
     * go through the one-pair kernels.
     */
    private static final int QT = 4;
    private static final int TT = 2;

    /*
     * uint8 tile, 7 operations per pair and vector: |a-b| = UMAX - UMIN (3), then low and high byte
     * of each 16-bit lane added into one 16-bit accumulator (4), <= 510 per step: 128 steps fit
     * before a flush to 32-bit lanes, so a chunk is 128 vectors.
     */
    private static final int L1T_CHUNK = 128 * BL;

    @Override
    public void l1U8Block(MemorySegment q, long qOff, long qStride, int nq,
                          MemorySegment t, long tOff, long tStride, int nt, int d,
                          int[] out, int outOff, int ldOut) {
        ScalarKernels.checkL1U8Dims(d);
        if (d < BL || !q.isNative() || !t.isNative()) {
            ScalarKernels.INSTANCE.l1U8Block(q, qOff, qStride, nq, t, tOff, tStride, nt, d, out, outOff, ldOut);
            return;
        }
        int full = d / BL * BL;
        int rem = d - full;
        int i = 0;
        for (; i <= nq - QT; i += QT) {
            long qa = qOff + i * qStride;
            int j = 0;
            for (; j <= nt - TT; j += TT) {
                long ta = tOff + j * tStride;
                int o = outOff + i * ldOut + j;
                for (int r = 0; r < QT; r++) {
                    out[o + r * ldOut] = 0;
                    out[o + r * ldOut + 1] = 0;
                }
                for (int c = 0; c < full; c += L1T_CHUNK) {
                    l1U8Tile(q, qa + c, qStride, t, ta + c, tStride, Math.min(L1T_CHUNK, full - c), out, o, ldOut);
                }
                if (rem > 0) {
                    l1U8TileTail(q, qa + d - BL, qStride, t, ta + d - BL, tStride, rem, out, o, ldOut);
                }
            }
            for (; j < nt; j++) {
                for (int r = 0; r < QT; r++) {
                    out[outOff + (i + r) * ldOut + j] = (int) l1U8Native(q, qa + r * qStride, t, tOff + j * tStride, d);
                }
            }
        }
        for (; i < nq; i++) {
            for (int j = 0; j < nt; j++) {
                out[outOff + i * ldOut + j] = (int) l1U8Native(q, qOff + i * qStride, t, tOff + j * tStride, d);
            }
        }
    }

    /** A 4 x 2 tile over n bytes (a multiple of BL, <= L1T_CHUNK): adds the 8 sums into out. */
    private static void l1U8Tile(MemorySegment q, long qa, long qs, MemorySegment t, long ta, long ts, int n,
                                 int[] out, int o, int ld) {
        ShortVector c00 = ShortVector.zero(S);
        ShortVector c01 = ShortVector.zero(S);
        ShortVector c10 = ShortVector.zero(S);
        ShortVector c11 = ShortVector.zero(S);
        ShortVector c20 = ShortVector.zero(S);
        ShortVector c21 = ShortVector.zero(S);
        ShortVector c30 = ShortVector.zero(S);
        ShortVector c31 = ShortVector.zero(S);
        for (int i = 0; i < n; i += BL) {
            ByteVector y0 = ByteVector.fromMemorySegment(B, t, ta + i, NATIVE);
            ByteVector y1 = ByteVector.fromMemorySegment(B, t, ta + ts + i, NATIVE);
            ByteVector x = ByteVector.fromMemorySegment(B, q, qa + i, NATIVE);
            ShortVector s0 = x.lanewise(VectorOperators.UMAX, y0).sub(x.lanewise(VectorOperators.UMIN, y0)).reinterpretAsShorts();
            ShortVector s1 = x.lanewise(VectorOperators.UMAX, y1).sub(x.lanewise(VectorOperators.UMIN, y1)).reinterpretAsShorts();
            c00 = c00.add(s0.and((short) 0xFF).add(s0.lanewise(VectorOperators.LSHR, 8)));
            c01 = c01.add(s1.and((short) 0xFF).add(s1.lanewise(VectorOperators.LSHR, 8)));
            x = ByteVector.fromMemorySegment(B, q, qa + qs + i, NATIVE);
            s0 = x.lanewise(VectorOperators.UMAX, y0).sub(x.lanewise(VectorOperators.UMIN, y0)).reinterpretAsShorts();
            s1 = x.lanewise(VectorOperators.UMAX, y1).sub(x.lanewise(VectorOperators.UMIN, y1)).reinterpretAsShorts();
            c10 = c10.add(s0.and((short) 0xFF).add(s0.lanewise(VectorOperators.LSHR, 8)));
            c11 = c11.add(s1.and((short) 0xFF).add(s1.lanewise(VectorOperators.LSHR, 8)));
            x = ByteVector.fromMemorySegment(B, q, qa + 2 * qs + i, NATIVE);
            s0 = x.lanewise(VectorOperators.UMAX, y0).sub(x.lanewise(VectorOperators.UMIN, y0)).reinterpretAsShorts();
            s1 = x.lanewise(VectorOperators.UMAX, y1).sub(x.lanewise(VectorOperators.UMIN, y1)).reinterpretAsShorts();
            c20 = c20.add(s0.and((short) 0xFF).add(s0.lanewise(VectorOperators.LSHR, 8)));
            c21 = c21.add(s1.and((short) 0xFF).add(s1.lanewise(VectorOperators.LSHR, 8)));
            x = ByteVector.fromMemorySegment(B, q, qa + 3 * qs + i, NATIVE);
            s0 = x.lanewise(VectorOperators.UMAX, y0).sub(x.lanewise(VectorOperators.UMIN, y0)).reinterpretAsShorts();
            s1 = x.lanewise(VectorOperators.UMAX, y1).sub(x.lanewise(VectorOperators.UMIN, y1)).reinterpretAsShorts();
            c30 = c30.add(s0.and((short) 0xFF).add(s0.lanewise(VectorOperators.LSHR, 8)));
            c31 = c31.add(s1.and((short) 0xFF).add(s1.lanewise(VectorOperators.LSHR, 8)));
        }
        // Unsigned 16-bit lanes to 32-bit ones; an int reduction is exact in any order.
        IntVector w = c00.reinterpretAsInts();
        out[o] += w.and(0xFFFF).add(w.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
        w = c01.reinterpretAsInts();
        out[o + 1] += w.and(0xFFFF).add(w.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
        w = c10.reinterpretAsInts();
        out[o + ld] += w.and(0xFFFF).add(w.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
        w = c11.reinterpretAsInts();
        out[o + ld + 1] += w.and(0xFFFF).add(w.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
        w = c20.reinterpretAsInts();
        out[o + 2 * ld] += w.and(0xFFFF).add(w.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
        w = c21.reinterpretAsInts();
        out[o + 2 * ld + 1] += w.and(0xFFFF).add(w.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
        w = c30.reinterpretAsInts();
        out[o + 3 * ld] += w.and(0xFFFF).add(w.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
        w = c31.reinterpretAsInts();
        out[o + 3 * ld + 1] += w.and(0xFFFF).add(w.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
    }

    /**
     * The last partial vector of a 4 x 2 tile: the full vector ending at d (starting at qa, ta),
     * of which only the last rem lanes are new.
     */
    private static void l1U8TileTail(MemorySegment q, long qa, long qs, MemorySegment t, long ta, long ts, int rem,
                                     int[] out, int o, int ld) {
        ByteVector keep = ByteVector.fromArray(B, KEEP_B, rem);
        ByteVector y0 = ByteVector.fromMemorySegment(B, t, ta, NATIVE);
        ByteVector y1 = ByteVector.fromMemorySegment(B, t, ta + ts, NATIVE);
        for (int r = 0; r < QT; r++) {
            ByteVector x = ByteVector.fromMemorySegment(B, q, qa + r * qs, NATIVE);
            ShortVector s0 = x.lanewise(VectorOperators.UMAX, y0).sub(x.lanewise(VectorOperators.UMIN, y0))
                    .and(keep).reinterpretAsShorts();
            ShortVector s1 = x.lanewise(VectorOperators.UMAX, y1).sub(x.lanewise(VectorOperators.UMIN, y1))
                    .and(keep).reinterpretAsShorts();
            IntVector w0 = s0.and((short) 0xFF).add(s0.lanewise(VectorOperators.LSHR, 8)).reinterpretAsInts();
            IntVector w1 = s1.and((short) 0xFF).add(s1.lanewise(VectorOperators.LSHR, 8)).reinterpretAsInts();
            out[o + r * ld] += w0.and(0xFFFF).add(w0.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
            out[o + r * ld + 1] += w1.and(0xFFFF).add(w1.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
        }
    }

    /*
     * float32 tile: one accumulator per pair (eight independent chains hide the add latency), lanes
     * summed in index order through an array (reduceLanes may add in a tree once compiled and in
     * order before: the result would change with JIT state), then the masked last vector summed the
     * same way and added. Every pair, in a tile or left over, goes through exactly these steps, so
     * its value does not depend on where it sits.
     */

    @Override
    public void l1F32Block(MemorySegment q, long qOff, long qStride, int nq,
                           MemorySegment t, long tOff, long tStride, int nt, int d,
                           float[] out, int outOff, int ldOut) {
        if (d < FL || !q.isNative() || !t.isNative()) {
            ScalarKernels.INSTANCE.l1F32Block(q, qOff, qStride, nq, t, tOff, tStride, nt, d, out, outOff, ldOut);
            return;
        }
        float[] lanes = new float[QT * TT * FL];
        int full = d / FL * FL;
        int rem = d - full;
        long qsb = qStride * Float.BYTES;
        long tsb = tStride * Float.BYTES;
        int i = 0;
        for (; i <= nq - QT; i += QT) {
            long qa = (qOff + i * qStride) * Float.BYTES;
            int j = 0;
            for (; j <= nt - TT; j += TT) {
                long ta = (tOff + j * tStride) * Float.BYTES;
                int o = outOff + i * ldOut + j;
                l1F32Tile(q, qa, qsb, t, ta, tsb, full, lanes);
                for (int r = 0; r < QT; r++) {
                    out[o + r * ldOut] = laneSum(lanes, (2 * r) * FL);
                    out[o + r * ldOut + 1] = laneSum(lanes, (2 * r + 1) * FL);
                }
                if (rem > 0) {
                    long back = (long) (d - FL) * Float.BYTES;
                    l1F32TileTail(q, qa + back, qsb, t, ta + back, tsb, rem, lanes);
                    for (int r = 0; r < QT; r++) {
                        out[o + r * ldOut] += laneSum(lanes, (2 * r) * FL);
                        out[o + r * ldOut + 1] += laneSum(lanes, (2 * r + 1) * FL);
                    }
                }
            }
            for (; j < nt; j++) {
                for (int r = 0; r < QT; r++) {
                    out[outOff + (i + r) * ldOut + j] = l1F32Pair(q, qa + r * qsb, t, (tOff + j * tStride) * Float.BYTES,
                            d, lanes);
                }
            }
        }
        for (; i < nq; i++) {
            for (int j = 0; j < nt; j++) {
                out[outOff + i * ldOut + j] = l1F32Pair(q, (qOff + i * qStride) * Float.BYTES, t,
                        (tOff + j * tStride) * Float.BYTES, d, lanes);
            }
        }
    }

    /** Lanes [off, off + FL) added in index order. */
    private static float laneSum(float[] lanes, int off) {
        float s = lanes[off];
        for (int l = 1; l < FL; l++) {
            s += lanes[off + l];
        }
        return s;
    }

    /** One pair with the tile's arithmetic (byte offsets); lanes is scratch. */
    private static float l1F32Pair(MemorySegment q, long qa, MemorySegment t, long ta, int d, float[] lanes) {
        int full = d / FL * FL;
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < full; i += FL) {
            long o = (long) i * Float.BYTES;
            acc = acc.add(FloatVector.fromMemorySegment(F, q, qa + o, NATIVE)
                    .sub(FloatVector.fromMemorySegment(F, t, ta + o, NATIVE)).abs());
        }
        acc.intoArray(lanes, 0);
        float sum = laneSum(lanes, 0);
        int rem = d - full;
        if (rem > 0) {
            long back = (long) (d - FL) * Float.BYTES;
            FloatVector v = FloatVector.fromMemorySegment(F, q, qa + back, NATIVE)
                    .sub(FloatVector.fromMemorySegment(F, t, ta + back, NATIVE)).abs();
            FloatVector.zero(F).blend(v, VectorMask.fromArray(F, KEEP_F, rem)).intoArray(lanes, 0);
            sum += laneSum(lanes, 0);
        }
        return sum;
    }

    /** The 4 x 2 tile over n floats (a multiple of FL): accumulator lanes of pair (r, c) to lanes[(2r + c) * FL]. */
    private static void l1F32Tile(MemorySegment q, long qa, long qs, MemorySegment t, long ta, long ts, int n,
                                  float[] lanes) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        for (int i = 0; i < n; i += FL) {
            long o = (long) i * Float.BYTES;
            FloatVector y0 = FloatVector.fromMemorySegment(F, t, ta + o, NATIVE);
            FloatVector y1 = FloatVector.fromMemorySegment(F, t, ta + ts + o, NATIVE);
            FloatVector x = FloatVector.fromMemorySegment(F, q, qa + o, NATIVE);
            c00 = c00.add(x.sub(y0).abs());
            c01 = c01.add(x.sub(y1).abs());
            x = FloatVector.fromMemorySegment(F, q, qa + qs + o, NATIVE);
            c10 = c10.add(x.sub(y0).abs());
            c11 = c11.add(x.sub(y1).abs());
            x = FloatVector.fromMemorySegment(F, q, qa + 2 * qs + o, NATIVE);
            c20 = c20.add(x.sub(y0).abs());
            c21 = c21.add(x.sub(y1).abs());
            x = FloatVector.fromMemorySegment(F, q, qa + 3 * qs + o, NATIVE);
            c30 = c30.add(x.sub(y0).abs());
            c31 = c31.add(x.sub(y1).abs());
        }
        c00.intoArray(lanes, 0);
        c01.intoArray(lanes, FL);
        c10.intoArray(lanes, 2 * FL);
        c11.intoArray(lanes, 3 * FL);
        c20.intoArray(lanes, 4 * FL);
        c21.intoArray(lanes, 5 * FL);
        c30.intoArray(lanes, 6 * FL);
        c31.intoArray(lanes, 7 * FL);
    }

    /** The masked last vector of a 4 x 2 tile (byte offsets of the vector ending at d), as lanes. */
    private static void l1F32TileTail(MemorySegment q, long qa, long qs, MemorySegment t, long ta, long ts, int rem,
                                      float[] lanes) {
        VectorMask<Float> keep = VectorMask.fromArray(F, KEEP_F, rem);
        FloatVector zero = FloatVector.zero(F);
        FloatVector y0 = FloatVector.fromMemorySegment(F, t, ta, NATIVE);
        FloatVector y1 = FloatVector.fromMemorySegment(F, t, ta + ts, NATIVE);
        for (int r = 0; r < QT; r++) {
            FloatVector x = FloatVector.fromMemorySegment(F, q, qa + r * qs, NATIVE);
            zero.blend(x.sub(y0).abs(), keep).intoArray(lanes, 2 * r * FL);
            zero.blend(x.sub(y1).abs(), keep).intoArray(lanes, (2 * r + 1) * FL);
        }
    }


    // ---- one query against scattered rows, four at a time ---------------------------------------

    /*
     * Four rows per pass: their loads are independent, so four cache misses are in flight at once
     * (a row of a large training set is usually not in cache when a filter asks for it). The same
     * arithmetic as the one-pair kernels; the masked last vector in its own method.
     */

    @Override
    public void l2sqU8Gather(MemorySegment q, long qOff, MemorySegment t, long[] tOffs, int n, int d, long[] out,
                             int outOff) {
        if (d < BL || !q.isNative() || !t.isNative() || d > MUL_CHUNK) {
            ScalarKernels.INSTANCE.l2sqU8Gather(q, qOff, t, tOffs, n, d, out, outOff);
            return;
        }
        int full = d / BL * BL;
        int r = 0;
        for (; r <= n - 4; r += 4) {
            l2sqU8Gather4(q, qOff, t, tOffs[r], tOffs[r + 1], tOffs[r + 2], tOffs[r + 3], full, out, outOff + r);
            if (full < d) {
                for (int j = 0; j < 4; j++) {
                    out[outOff + r + j] += l2sqU8Chunk(q, qOff + full, t, tOffs[r + j] + full, d - full);
                }
            }
        }
        for (; r < n; r++) {
            out[outOff + r] = l2sqU8Native(q, qOff, t, tOffs[r], d);
        }
    }

    /** Four rows over n bytes (a multiple of BL, <= MUL_CHUNK): the sums into out[o .. o + 3]. */
    private static void l2sqU8Gather4(MemorySegment q, long qa, MemorySegment t, long t0, long t1, long t2, long t3,
                                      int n, long[] out, int o) {
        IntVector c0 = IntVector.zero(I);
        IntVector c1 = IntVector.zero(I);
        IntVector c2 = IntVector.zero(I);
        IntVector c3 = IntVector.zero(I);
        for (int i = 0; i < n; i += BL) {
            ByteVector x = ByteVector.fromMemorySegment(B, q, qa + i, NATIVE);
            ByteVector y = ByteVector.fromMemorySegment(B, t, t0 + i, NATIVE);
            ShortVector s = x.lanewise(VectorOperators.UMAX, y).sub(x.lanewise(VectorOperators.UMIN, y)).reinterpretAsShorts();
            ShortVector lo = s.and((short) 0xFF);
            ShortVector hi = s.lanewise(VectorOperators.LSHR, 8);
            IntVector a = lo.mul(lo).reinterpretAsInts();
            IntVector b = hi.mul(hi).reinterpretAsInts();
            c0 = c0.add(a.and(0xFFFF).add(a.lanewise(VectorOperators.LSHR, 16))).add(b.and(0xFFFF).add(b.lanewise(VectorOperators.LSHR, 16)));
            y = ByteVector.fromMemorySegment(B, t, t1 + i, NATIVE);
            s = x.lanewise(VectorOperators.UMAX, y).sub(x.lanewise(VectorOperators.UMIN, y)).reinterpretAsShorts();
            lo = s.and((short) 0xFF);
            hi = s.lanewise(VectorOperators.LSHR, 8);
            a = lo.mul(lo).reinterpretAsInts();
            b = hi.mul(hi).reinterpretAsInts();
            c1 = c1.add(a.and(0xFFFF).add(a.lanewise(VectorOperators.LSHR, 16))).add(b.and(0xFFFF).add(b.lanewise(VectorOperators.LSHR, 16)));
            y = ByteVector.fromMemorySegment(B, t, t2 + i, NATIVE);
            s = x.lanewise(VectorOperators.UMAX, y).sub(x.lanewise(VectorOperators.UMIN, y)).reinterpretAsShorts();
            lo = s.and((short) 0xFF);
            hi = s.lanewise(VectorOperators.LSHR, 8);
            a = lo.mul(lo).reinterpretAsInts();
            b = hi.mul(hi).reinterpretAsInts();
            c2 = c2.add(a.and(0xFFFF).add(a.lanewise(VectorOperators.LSHR, 16))).add(b.and(0xFFFF).add(b.lanewise(VectorOperators.LSHR, 16)));
            y = ByteVector.fromMemorySegment(B, t, t3 + i, NATIVE);
            s = x.lanewise(VectorOperators.UMAX, y).sub(x.lanewise(VectorOperators.UMIN, y)).reinterpretAsShorts();
            lo = s.and((short) 0xFF);
            hi = s.lanewise(VectorOperators.LSHR, 8);
            a = lo.mul(lo).reinterpretAsInts();
            b = hi.mul(hi).reinterpretAsInts();
            c3 = c3.add(a.and(0xFFFF).add(a.lanewise(VectorOperators.LSHR, 16))).add(b.and(0xFFFF).add(b.lanewise(VectorOperators.LSHR, 16)));
        }
        out[o] = c0.reduceLanes(VectorOperators.ADD) & 0xFFFF_FFFFL;
        out[o + 1] = c1.reduceLanes(VectorOperators.ADD) & 0xFFFF_FFFFL;
        out[o + 2] = c2.reduceLanes(VectorOperators.ADD) & 0xFFFF_FFFFL;
        out[o + 3] = c3.reduceLanes(VectorOperators.ADD) & 0xFFFF_FFFFL;
    }

    @Override
    public void l1U8Gather(MemorySegment q, long qOff, MemorySegment t, long[] tOffs, int n, int d, long[] out,
                           int outOff) {
        if (d < BL || !q.isNative() || !t.isNative()) {
            ScalarKernels.INSTANCE.l1U8Gather(q, qOff, t, tOffs, n, d, out, outOff);
            return;
        }
        int full = d / BL * BL;
        int r = 0;
        for (; r <= n - 4; r += 4) {
            for (int j = 0; j < 4; j++) {
                out[outOff + r + j] = 0;
            }
            for (int c = 0; c < full; c += L1T_CHUNK) {
                l1U8Gather4(q, qOff + c, t, tOffs[r] + c, tOffs[r + 1] + c, tOffs[r + 2] + c, tOffs[r + 3] + c,
                        Math.min(L1T_CHUNK, full - c), out, outOff + r);
            }
            if (full < d) {
                for (int j = 0; j < 4; j++) {
                    out[outOff + r + j] += l1U8Chunk(q, qOff + full, t, tOffs[r + j] + full, d - full);
                }
            }
        }
        for (; r < n; r++) {
            out[outOff + r] = l1U8Native(q, qOff, t, tOffs[r], d);
        }
    }

    /** Four rows over n bytes (a multiple of BL, <= L1T_CHUNK): adds the sums into out[o .. o + 3]. */
    private static void l1U8Gather4(MemorySegment q, long qa, MemorySegment t, long t0, long t1, long t2, long t3,
                                    int n, long[] out, int o) {
        ShortVector c0 = ShortVector.zero(S);
        ShortVector c1 = ShortVector.zero(S);
        ShortVector c2 = ShortVector.zero(S);
        ShortVector c3 = ShortVector.zero(S);
        for (int i = 0; i < n; i += BL) {
            ByteVector x = ByteVector.fromMemorySegment(B, q, qa + i, NATIVE);
            ByteVector y = ByteVector.fromMemorySegment(B, t, t0 + i, NATIVE);
            ShortVector s = x.lanewise(VectorOperators.UMAX, y).sub(x.lanewise(VectorOperators.UMIN, y)).reinterpretAsShorts();
            c0 = c0.add(s.and((short) 0xFF).add(s.lanewise(VectorOperators.LSHR, 8)));
            y = ByteVector.fromMemorySegment(B, t, t1 + i, NATIVE);
            s = x.lanewise(VectorOperators.UMAX, y).sub(x.lanewise(VectorOperators.UMIN, y)).reinterpretAsShorts();
            c1 = c1.add(s.and((short) 0xFF).add(s.lanewise(VectorOperators.LSHR, 8)));
            y = ByteVector.fromMemorySegment(B, t, t2 + i, NATIVE);
            s = x.lanewise(VectorOperators.UMAX, y).sub(x.lanewise(VectorOperators.UMIN, y)).reinterpretAsShorts();
            c2 = c2.add(s.and((short) 0xFF).add(s.lanewise(VectorOperators.LSHR, 8)));
            y = ByteVector.fromMemorySegment(B, t, t3 + i, NATIVE);
            s = x.lanewise(VectorOperators.UMAX, y).sub(x.lanewise(VectorOperators.UMIN, y)).reinterpretAsShorts();
            c3 = c3.add(s.and((short) 0xFF).add(s.lanewise(VectorOperators.LSHR, 8)));
        }
        // Unsigned 16-bit lanes to 32-bit ones; an int reduction is exact in any order.
        IntVector w = c0.reinterpretAsInts();
        out[o] += w.and(0xFFFF).add(w.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
        w = c1.reinterpretAsInts();
        out[o + 1] += w.and(0xFFFF).add(w.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
        w = c2.reinterpretAsInts();
        out[o + 2] += w.and(0xFFFF).add(w.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
        w = c3.reinterpretAsInts();
        out[o + 3] += w.and(0xFFFF).add(w.lanewise(VectorOperators.LSHR, 16)).reduceLanes(VectorOperators.ADD);
    }

    // ---- panels: lanes across training rows (kNN lower bounds) ----------------------------------

    /*
     * The panel width (16 rows) is a data layout fixed by the caller. With 256-bit vectors: two per
     * panel, tiles of 4 queries x 1 panel, eight accumulators. With 512-bit vectors: one per panel,
     * tiles of 8 queries x 1 panel, again eight accumulators, so that their fma (add) chains hide the
     * latency; per feature one load and eight broadcasts serve 128 pairs instead of 64 (the L2 tile
     * took 38 % of a warm Fashion-MNIST search). Every lane sums its pair over f in index order with
     * the same operations at both widths, so both give the same bits.
     */
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final boolean PANELS_SIMD = F.vectorBitSize() >= 256 && 2 * F8.length() == PANEL;
    private static final VectorSpecies<Float> F16 = FloatVector.SPECIES_512;
    private static final boolean PANELS_512 = PANELS_SIMD && F.vectorBitSize() >= 512 && F16.length() == PANEL;

    @Override
    public void l1F32Panels(float[] q, int qOff, int qStride, int nq, MemorySegment panels, long panelsOff, int np,
                            int d, float[] out, int outOff, int ldOut) {
        if (!PANELS_SIMD || !panels.isNative() || d <= 0) {
            ScalarKernels.INSTANCE.l1F32Panels(q, qOff, qStride, nq, panels, panelsOff, np, d, out, outOff, ldOut);
            return;
        }
        long pBytes = (long) d * PANEL * Float.BYTES;
        int i = 0;
        if (PANELS_512) {
            for (; i <= nq - 8; i += 8) {
                for (int p = 0; p < np; p++) {
                    l1PanelTile8w(q, qOff + i * qStride, qStride, panels, panelsOff * Float.BYTES + p * pBytes, d,
                            out, outOff + i * ldOut + p * PANEL, ldOut);
                }
            }
        }
        for (; i <= nq - 4; i += 4) {
            for (int p = 0; p < np; p++) {
                l1PanelTile4(q, qOff + i * qStride, qStride, panels, panelsOff * Float.BYTES + p * pBytes, d, out,
                        outOff + i * ldOut + p * PANEL, ldOut);
            }
        }
        for (; i < nq; i++) {
            for (int p = 0; p < np; p++) {
                l1PanelTile1(q, qOff + i * qStride, panels, panelsOff * Float.BYTES + p * pBytes, d, out,
                        outOff + i * ldOut + p * PANEL);
            }
        }
    }

    private static void l1PanelTile8w(float[] q, int qa, int qs, MemorySegment t, long tb, int d, float[] out, int o,
                                      int ld) {
        FloatVector c0 = FloatVector.zero(F16);
        FloatVector c1 = FloatVector.zero(F16);
        FloatVector c2 = FloatVector.zero(F16);
        FloatVector c3 = FloatVector.zero(F16);
        FloatVector c4 = FloatVector.zero(F16);
        FloatVector c5 = FloatVector.zero(F16);
        FloatVector c6 = FloatVector.zero(F16);
        FloatVector c7 = FloatVector.zero(F16);
        for (int f = 0; f < d; f++) {
            FloatVector y = FloatVector.fromMemorySegment(F16, t, tb + (long) f * PANEL * Float.BYTES, NATIVE);
            c0 = c0.add(FloatVector.broadcast(F16, q[qa + f]).sub(y).abs());
            c1 = c1.add(FloatVector.broadcast(F16, q[qa + qs + f]).sub(y).abs());
            c2 = c2.add(FloatVector.broadcast(F16, q[qa + 2 * qs + f]).sub(y).abs());
            c3 = c3.add(FloatVector.broadcast(F16, q[qa + 3 * qs + f]).sub(y).abs());
            c4 = c4.add(FloatVector.broadcast(F16, q[qa + 4 * qs + f]).sub(y).abs());
            c5 = c5.add(FloatVector.broadcast(F16, q[qa + 5 * qs + f]).sub(y).abs());
            c6 = c6.add(FloatVector.broadcast(F16, q[qa + 6 * qs + f]).sub(y).abs());
            c7 = c7.add(FloatVector.broadcast(F16, q[qa + 7 * qs + f]).sub(y).abs());
        }
        c0.intoArray(out, o);
        c1.intoArray(out, o + ld);
        c2.intoArray(out, o + 2 * ld);
        c3.intoArray(out, o + 3 * ld);
        c4.intoArray(out, o + 4 * ld);
        c5.intoArray(out, o + 5 * ld);
        c6.intoArray(out, o + 6 * ld);
        c7.intoArray(out, o + 7 * ld);
    }

    private static void l1PanelTile4(float[] q, int qa, int qs, MemorySegment t, long tb, int d, float[] out, int o,
                                     int ld) {
        FloatVector c00 = FloatVector.zero(F8);
        FloatVector c01 = FloatVector.zero(F8);
        FloatVector c10 = FloatVector.zero(F8);
        FloatVector c11 = FloatVector.zero(F8);
        FloatVector c20 = FloatVector.zero(F8);
        FloatVector c21 = FloatVector.zero(F8);
        FloatVector c30 = FloatVector.zero(F8);
        FloatVector c31 = FloatVector.zero(F8);
        for (int f = 0; f < d; f++) {
            long a = tb + (long) f * PANEL * Float.BYTES;
            FloatVector y0 = FloatVector.fromMemorySegment(F8, t, a, NATIVE);
            FloatVector y1 = FloatVector.fromMemorySegment(F8, t, a + 32, NATIVE);
            FloatVector x = FloatVector.broadcast(F8, q[qa + f]);
            c00 = c00.add(x.sub(y0).abs());
            c01 = c01.add(x.sub(y1).abs());
            x = FloatVector.broadcast(F8, q[qa + qs + f]);
            c10 = c10.add(x.sub(y0).abs());
            c11 = c11.add(x.sub(y1).abs());
            x = FloatVector.broadcast(F8, q[qa + 2 * qs + f]);
            c20 = c20.add(x.sub(y0).abs());
            c21 = c21.add(x.sub(y1).abs());
            x = FloatVector.broadcast(F8, q[qa + 3 * qs + f]);
            c30 = c30.add(x.sub(y0).abs());
            c31 = c31.add(x.sub(y1).abs());
        }
        c00.intoArray(out, o);
        c01.intoArray(out, o + 8);
        c10.intoArray(out, o + ld);
        c11.intoArray(out, o + ld + 8);
        c20.intoArray(out, o + 2 * ld);
        c21.intoArray(out, o + 2 * ld + 8);
        c30.intoArray(out, o + 3 * ld);
        c31.intoArray(out, o + 3 * ld + 8);
    }

    private static void l1PanelTile1(float[] q, int qa, MemorySegment t, long tb, int d, float[] out, int o) {
        FloatVector c0 = FloatVector.zero(F8);
        FloatVector c1 = FloatVector.zero(F8);
        for (int f = 0; f < d; f++) {
            long a = tb + (long) f * PANEL * Float.BYTES;
            FloatVector x = FloatVector.broadcast(F8, q[qa + f]);
            c0 = c0.add(x.sub(FloatVector.fromMemorySegment(F8, t, a, NATIVE)).abs());
            c1 = c1.add(x.sub(FloatVector.fromMemorySegment(F8, t, a + 32, NATIVE)).abs());
        }
        c0.intoArray(out, o);
        c1.intoArray(out, o + 8);
    }

    /*
     * Four vectors per step with one test of their OR-ed masks: the values above the threshold, the
     * common case, cost a compare per vector and one branch per four.
     */
    @Override
    public int firstAtMost(float[] a, int from, int to, float thr) {
        java.util.Objects.checkFromToIndex(from, to, a.length);
        int i = from;
        for (; i + 4 * FL <= to; i += 4 * FL) {
            VectorMask<Float> m = FloatVector.fromArray(F, a, i).compare(VectorOperators.LE, thr)
                    .or(FloatVector.fromArray(F, a, i + FL).compare(VectorOperators.LE, thr))
                    .or(FloatVector.fromArray(F, a, i + 2 * FL).compare(VectorOperators.LE, thr))
                    .or(FloatVector.fromArray(F, a, i + 3 * FL).compare(VectorOperators.LE, thr));
            if (m.anyTrue()) {
                break;
            }
        }
        for (; i < to; i++) {
            if (a[i] <= thr) {
                return i;
            }
        }
        return to;
    }

    /*
     * Four vectors per step; their masks as one bit field (lane order), whose set bits are written out
     * lowest first. Most steps have no bit set: a compare per vector and one branch per four.
     */
    @Override
    public int indicesAtMost(float[] a, int from, int to, float thr, int[] out) {
        java.util.Objects.checkFromToIndex(from, to, a.length);
        java.util.Objects.checkFromIndexSize(0, to - from, out.length);
        int n = 0;
        int i = from;
        for (; i + 4 * FL <= to; i += 4 * FL) {
            long bits = FloatVector.fromArray(F, a, i).compare(VectorOperators.LE, thr).toLong()
                    | FloatVector.fromArray(F, a, i + FL).compare(VectorOperators.LE, thr).toLong() << FL
                    | FloatVector.fromArray(F, a, i + 2 * FL).compare(VectorOperators.LE, thr).toLong() << 2 * FL
                    | FloatVector.fromArray(F, a, i + 3 * FL).compare(VectorOperators.LE, thr).toLong() << 3 * FL;
            while (bits != 0) {
                out[n++] = i + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
            }
        }
        for (; i < to; i++) {
            if (a[i] <= thr) {
                out[n++] = i;
            }
        }
        return n;
    }

    @Override
    public void l2sqF32Panels(float[] q, int qOff, int qStride, int nq, MemorySegment panels, long panelsOff, int np,
                              int d, float[] out, int outOff, int ldOut) {
        if (!PANELS_SIMD || !panels.isNative() || d <= 0) {
            ScalarKernels.INSTANCE.l2sqF32Panels(q, qOff, qStride, nq, panels, panelsOff, np, d, out, outOff, ldOut);
            return;
        }
        long pBytes = (long) d * PANEL * Float.BYTES;
        int i = 0;
        if (PANELS_512) {
            for (; i <= nq - 8; i += 8) {
                for (int p = 0; p < np; p++) {
                    l2PanelTile8w(q, qOff + i * qStride, qStride, panels, panelsOff * Float.BYTES + p * pBytes, d,
                            out, outOff + i * ldOut + p * PANEL, ldOut);
                }
            }
        }
        for (; i <= nq - 4; i += 4) {
            for (int p = 0; p < np; p++) {
                l2PanelTile4(q, qOff + i * qStride, qStride, panels, panelsOff * Float.BYTES + p * pBytes, d, out,
                        outOff + i * ldOut + p * PANEL, ldOut);
            }
        }
        for (; i < nq; i++) {
            for (int p = 0; p < np; p++) {
                l2PanelTile1(q, qOff + i * qStride, panels, panelsOff * Float.BYTES + p * pBytes, d, out,
                        outOff + i * ldOut + p * PANEL);
            }
        }
    }

    private static void l2PanelTile8w(float[] q, int qa, int qs, MemorySegment t, long tb, int d, float[] out, int o,
                                      int ld) {
        FloatVector c0 = FloatVector.zero(F16);
        FloatVector c1 = FloatVector.zero(F16);
        FloatVector c2 = FloatVector.zero(F16);
        FloatVector c3 = FloatVector.zero(F16);
        FloatVector c4 = FloatVector.zero(F16);
        FloatVector c5 = FloatVector.zero(F16);
        FloatVector c6 = FloatVector.zero(F16);
        FloatVector c7 = FloatVector.zero(F16);
        for (int f = 0; f < d; f++) {
            FloatVector y = FloatVector.fromMemorySegment(F16, t, tb + (long) f * PANEL * Float.BYTES, NATIVE);
            FloatVector e = FloatVector.broadcast(F16, q[qa + f]).sub(y);
            c0 = e.fma(e, c0);
            e = FloatVector.broadcast(F16, q[qa + qs + f]).sub(y);
            c1 = e.fma(e, c1);
            e = FloatVector.broadcast(F16, q[qa + 2 * qs + f]).sub(y);
            c2 = e.fma(e, c2);
            e = FloatVector.broadcast(F16, q[qa + 3 * qs + f]).sub(y);
            c3 = e.fma(e, c3);
            e = FloatVector.broadcast(F16, q[qa + 4 * qs + f]).sub(y);
            c4 = e.fma(e, c4);
            e = FloatVector.broadcast(F16, q[qa + 5 * qs + f]).sub(y);
            c5 = e.fma(e, c5);
            e = FloatVector.broadcast(F16, q[qa + 6 * qs + f]).sub(y);
            c6 = e.fma(e, c6);
            e = FloatVector.broadcast(F16, q[qa + 7 * qs + f]).sub(y);
            c7 = e.fma(e, c7);
        }
        c0.intoArray(out, o);
        c1.intoArray(out, o + ld);
        c2.intoArray(out, o + 2 * ld);
        c3.intoArray(out, o + 3 * ld);
        c4.intoArray(out, o + 4 * ld);
        c5.intoArray(out, o + 5 * ld);
        c6.intoArray(out, o + 6 * ld);
        c7.intoArray(out, o + 7 * ld);
    }

    private static void l2PanelTile4(float[] q, int qa, int qs, MemorySegment t, long tb, int d, float[] out, int o,
                                     int ld) {
        FloatVector c00 = FloatVector.zero(F8);
        FloatVector c01 = FloatVector.zero(F8);
        FloatVector c10 = FloatVector.zero(F8);
        FloatVector c11 = FloatVector.zero(F8);
        FloatVector c20 = FloatVector.zero(F8);
        FloatVector c21 = FloatVector.zero(F8);
        FloatVector c30 = FloatVector.zero(F8);
        FloatVector c31 = FloatVector.zero(F8);
        for (int f = 0; f < d; f++) {
            long a = tb + (long) f * PANEL * Float.BYTES;
            FloatVector y0 = FloatVector.fromMemorySegment(F8, t, a, NATIVE);
            FloatVector y1 = FloatVector.fromMemorySegment(F8, t, a + 32, NATIVE);
            FloatVector x = FloatVector.broadcast(F8, q[qa + f]);
            FloatVector e0 = x.sub(y0);
            FloatVector e1 = x.sub(y1);
            c00 = e0.fma(e0, c00);
            c01 = e1.fma(e1, c01);
            x = FloatVector.broadcast(F8, q[qa + qs + f]);
            e0 = x.sub(y0);
            e1 = x.sub(y1);
            c10 = e0.fma(e0, c10);
            c11 = e1.fma(e1, c11);
            x = FloatVector.broadcast(F8, q[qa + 2 * qs + f]);
            e0 = x.sub(y0);
            e1 = x.sub(y1);
            c20 = e0.fma(e0, c20);
            c21 = e1.fma(e1, c21);
            x = FloatVector.broadcast(F8, q[qa + 3 * qs + f]);
            e0 = x.sub(y0);
            e1 = x.sub(y1);
            c30 = e0.fma(e0, c30);
            c31 = e1.fma(e1, c31);
        }
        c00.intoArray(out, o);
        c01.intoArray(out, o + 8);
        c10.intoArray(out, o + ld);
        c11.intoArray(out, o + ld + 8);
        c20.intoArray(out, o + 2 * ld);
        c21.intoArray(out, o + 2 * ld + 8);
        c30.intoArray(out, o + 3 * ld);
        c31.intoArray(out, o + 3 * ld + 8);
    }

    private static void l2PanelTile1(float[] q, int qa, MemorySegment t, long tb, int d, float[] out, int o) {
        FloatVector c0 = FloatVector.zero(F8);
        FloatVector c1 = FloatVector.zero(F8);
        for (int f = 0; f < d; f++) {
            long a = tb + (long) f * PANEL * Float.BYTES;
            FloatVector x = FloatVector.broadcast(F8, q[qa + f]);
            FloatVector e0 = x.sub(FloatVector.fromMemorySegment(F8, t, a, NATIVE));
            FloatVector e1 = x.sub(FloatVector.fromMemorySegment(F8, t, a + 32, NATIVE));
            c0 = e0.fma(e0, c0);
            c1 = e1.fma(e1, c1);
        }
        c0.intoArray(out, o);
        c1.intoArray(out, o + 8);
    }

    // ---- softmax -------------------------------------------------------------------------------

    @Override
    public void softmaxRows(MemorySegment s, long off, int rows, int cols) {
        if (cols < FL || rows <= 0 || s.isReadOnly()) {
            ScalarKernels.INSTANCE.softmaxRows(s, off, rows, cols);
            return;
        }
        if (s.isNative()) {
            for (int r = 0; r < rows; r++) {
                softmaxRow(s, (off + (long) r * cols) * Float.BYTES, cols);
            }
            return;
        }
        // Heap: through native scratch, a batch of rows at a time.
        long rowBytes = (long) cols * Float.BYTES;
        int batch = (int) Math.max(1, Math.min(rows, SCRATCH_KEEP / rowBytes));
        for (int r0 = 0; r0 < rows; r0 += batch) {
            int m = Math.min(batch, rows - r0);
            long byteOff = (off + (long) r0 * cols) * Float.BYTES;
            MemorySegment tmp = nativeView(0, s, byteOff, m * rowBytes);
            for (int r = 0; r < m; r++) {
                softmaxRow(tmp, r * rowBytes, cols);
            }
            MemorySegment.copy(tmp, 0, s, byteOff, m * rowBytes);
        }
    }

    /*
     * Few load and store sites per method: the first version (two-way unrolled exp loop plus
     * separate tail code) went over C2's node budget when all its paths were hot and boxed every
     * vector (15 KB per row of 1000). The class-major pass therefore handles its last partial
     * block inside the loop: it re-loads the FL samples ending at sample n - 1, and a "fresh" mask
     * keeps the lanes of samples already finished unchanged on store.
     */

    // exp for softmax, written out where it is used (three places: a helper taking a vector is boxed
    // when C2 does not inline it, see above): Cephes' expf (S. L. Moshier) for x <= 0, within 2 ulp of
    // the correctly rounded value, 0 below -104. x = n ln 2 + r with |r| <= ln 2 / 2, 1 + r + r^2 p(r)
    // with a degree-5 p, times 2^n as 2^(n >> 1) 2^(n - (n >> 1)) (both normal for n >= -150, so results
    // below 2^-126 round once, into the subnormals). Only adds, multiplies, fmas, conversions and shifts,
    // each IEEE-exact the same compiled or not. lanewise(VectorOperators.EXP), used before, is not: C2
    // calls an intrinsic (SVML) whose last bit differs in some lanes from the Java fallback's Math.exp,
    // so softmax and the softmax training changed bits once compiled (and so, now and then, with the
    // thread count). SimdExpTest checks the bits against a scalar transcription.
    static final float EXP_MIN = -104f; // below it, exp(x) rounds to 0 in float
    static final float LOG2E = 1.44269504088896341f;
    static final float ROUND_MAGIC = 0x1.8p23f; // x + 1.5 * 2^23 - 1.5 * 2^23 rounds x to an integer
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    static final float EXP_P0 = 1.9875691500e-4f;
    static final float EXP_P1 = 1.3981999507e-3f;
    static final float EXP_P2 = 8.3334519073e-3f;
    static final float EXP_P3 = 4.1665795894e-2f;
    static final float EXP_P4 = 1.6666665459e-1f;
    static final float EXP_P5 = 5.0000001201e-1f;

    // Their vectors (constants: C2 folds static final vectors, no allocation).
    private static final FloatVector NEG_LN2_HI_V = FloatVector.broadcast(F, -LN2_HI);
    private static final FloatVector NEG_LN2_LO_V = FloatVector.broadcast(F, -LN2_LO);
    private static final FloatVector EXP_C0 = FloatVector.broadcast(F, EXP_P0);
    private static final FloatVector EXP_C1 = FloatVector.broadcast(F, EXP_P1);
    private static final FloatVector EXP_C2 = FloatVector.broadcast(F, EXP_P2);
    private static final FloatVector EXP_C3 = FloatVector.broadcast(F, EXP_P3);
    private static final FloatVector EXP_C4 = FloatVector.broadcast(F, EXP_P4);
    private static final FloatVector EXP_C5 = FloatVector.broadcast(F, EXP_P5);

    /*
     * Float lane sums: lane i plus lane i + FL/2, and so on down to lane 0, one shuffle by HALF_h and one
     * add per step. Not reduceLanes(ADD): its order of additions is unspecified, and C2's differs from
     * the Java fallback's, so a float kernel's result changed its last bits once C2 had compiled it (and
     * so could depend on which thread ran compiled code first). Each step here is exact the same in both
     * modes; FloatSumDeterminismTest and SimdExpTest check it. Lane i to lane (i + h) mod FL, constants
     * as C2 wants them.
     */
    private static final VectorShuffle<Float> HALF_32 = FL >= 64 ? VectorShuffle.iota(F, 32, 1, true) : null;
    private static final VectorShuffle<Float> HALF_16 = FL >= 32 ? VectorShuffle.iota(F, 16, 1, true) : null;
    private static final VectorShuffle<Float> HALF_8 = FL >= 16 ? VectorShuffle.iota(F, 8, 1, true) : null;
    private static final VectorShuffle<Float> HALF_4 = FL >= 8 ? VectorShuffle.iota(F, 4, 1, true) : null;
    private static final VectorShuffle<Float> HALF_2 = FL >= 4 ? VectorShuffle.iota(F, 2, 1, true) : null;
    private static final VectorShuffle<Float> HALF_1 = FL >= 2 ? VectorShuffle.iota(F, 1, 1, true) : null;

    /** One row of {@code cols >= FL} floats at byte offset {@code base} of a native segment. */
    private static void softmaxRow(MemorySegment s, long base, int cols) {
        long last = base + (long) (cols - FL) * Float.BYTES;
        // Two chains hide the latency of Java-semantics MAX (NaN and -0.0 aware: several
        // instructions on AVX2). Loads are clamped to the last full vector: overlap is harmless
        // for a max, and MAX propagates NaN.
        FloatVector m0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        FloatVector m1 = m0;
        for (int i = 0; i < cols; i += 2 * FL) {
            long o0 = base + (long) Math.min(i, cols - FL) * Float.BYTES;
            long o1 = base + (long) Math.min(i + FL, cols - FL) * Float.BYTES;
            m0 = m0.max(FloatVector.fromMemorySegment(F, s, o0, NATIVE));
            m1 = m1.max(FloatVector.fromMemorySegment(F, s, o1, NATIVE));
        }
        float max = m0.max(m1).reduceLanes(VectorOperators.MAX);
        if (!Float.isFinite(max)) {
            // NaN, +inf, or all -inf: documented as an all-NaN row.
            FloatVector nan = FloatVector.broadcast(F, Float.NaN);
            for (int i = 0; i < cols; i += FL) {
                nan.intoMemorySegment(s, base + (long) Math.min(i, cols - FL) * Float.BYTES, NATIVE);
            }
            return;
        }
        FloatVector vmax = FloatVector.broadcast(F, max);
        int rem = cols % FL;
        int full = cols - rem;
        // The overlapping last vector is computed from the original scores before the loop
        // overwrites them, and stored after it: its overlapped lanes get bit-identical values.
        // (Successive exp calls are independent, so out-of-order execution overlaps them.)
        FloatVector lastEX = FloatVector.fromMemorySegment(F, s, last, NATIVE).sub(vmax).max(EXP_MIN);
        FloatVector lastEN = lastEX.mul(LOG2E).add(ROUND_MAGIC).sub(ROUND_MAGIC);
        FloatVector lastER = lastEN.fma(NEG_LN2_LO_V, lastEN.fma(NEG_LN2_HI_V, lastEX));
        IntVector lastEI = (IntVector) lastEN.convert(VectorOperators.F2I, 0);
        IntVector lastEH = lastEI.lanewise(VectorOperators.ASHR, 1);
        FloatVector lastE = EXP_C0.fma(lastER, EXP_C1).fma(lastER, EXP_C2).fma(lastER, EXP_C3).fma(lastER, EXP_C4)
                .fma(lastER, EXP_C5).fma(lastER.mul(lastER), lastER).add(1f)
                .mul(lastEH.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                .mul(lastEI.sub(lastEH).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
        FloatVector sum = FloatVector.zero(F).blend(lastE, VectorMask.fromArray(F, KEEP_F, rem));
        for (int i = 0; i < full; i += FL) {
            long o = base + (long) i * Float.BYTES;
            FloatVector eX = FloatVector.fromMemorySegment(F, s, o, NATIVE).sub(vmax).max(EXP_MIN);
            FloatVector eN = eX.mul(LOG2E).add(ROUND_MAGIC).sub(ROUND_MAGIC);
            FloatVector eR = eN.fma(NEG_LN2_LO_V, eN.fma(NEG_LN2_HI_V, eX));
            IntVector eI = (IntVector) eN.convert(VectorOperators.F2I, 0);
            IntVector eH = eI.lanewise(VectorOperators.ASHR, 1);
            FloatVector e = EXP_C0.fma(eR, EXP_C1).fma(eR, EXP_C2).fma(eR, EXP_C3).fma(eR, EXP_C4)
                    .fma(eR, EXP_C5).fma(eR.mul(eR), eR).add(1f)
                    .mul(eH.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(eI.sub(eH).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            e.intoMemorySegment(s, o, NATIVE);
            sum = sum.add(e);
        }
        lastE.intoMemorySegment(s, last, NATIVE);
        // One division, then multiplies: within 1 ulp of dividing each entry, several times faster.
        // The lanes summed in a fixed tree (see HALF_1), written out: no helper takes a vector.
        FloatVector t = sum;
        t = FL >= 64 ? t.add(t.rearrange(HALF_32)) : t;
        t = FL >= 32 ? t.add(t.rearrange(HALF_16)) : t;
        t = FL >= 16 ? t.add(t.rearrange(HALF_8)) : t;
        t = FL >= 8 ? t.add(t.rearrange(HALF_4)) : t;
        t = FL >= 4 ? t.add(t.rearrange(HALF_2)) : t;
        t = FL >= 2 ? t.add(t.rearrange(HALF_1)) : t;
        FloatVector inv = FloatVector.broadcast(F, 1f / t.lane(0));
        FloatVector lastP = FloatVector.fromMemorySegment(F, s, last, NATIVE).mul(inv);
        for (int i = 0; i < full; i += FL) {
            long o = base + (long) i * Float.BYTES;
            FloatVector.fromMemorySegment(F, s, o, NATIVE).mul(inv).intoMemorySegment(s, o, NATIVE);
        }
        lastP.intoMemorySegment(s, last, NATIVE);
    }

    // ---- uint8 -> float32 conversion --------------------------------------------------------------

    /**
     * FL bytes per step: one float vector's worth (16 bytes with 512-bit vectors, 8 with 256-bit).
     * Null when that is narrower than the narrowest byte vector (64 bits), i.e. 128-bit float
     * vectors; the scalar reference runs then.
     */
    private static final VectorSpecies<Byte> BQ = FL * Byte.SIZE >= 64
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(FL * Byte.SIZE)) : null;

    /**
     * One step per FL elements: load FL bytes, zero-extend to int lanes (vpmovzxbd), convert to
     * float (vcvtdq2ps), one fma with the per-element scale and offset, store. The last partial
     * vector is redone as the final full vector of the row (a pure map, so the overlap writes the
     * same values again). Heap segments go to the scalar reference (see the class comment on heap
     * and native loads); the results are the same bit for bit either way, as fma rounds once.
     */
    @Override
    public void u8ToF32Fma(MemorySegment src, long srcOff, MemorySegment a, long aOff, MemorySegment b, long bOff,
                           MemorySegment dst, long dstOff, int d) {
        if (BQ == null || d < FL || !src.isNative() || !a.isNative() || !b.isNative() || !dst.isNative()
                || dst.isReadOnly()) {
            ScalarKernels.INSTANCE.u8ToF32Fma(src, srcOff, a, aOff, b, bOff, dst, dstOff, d);
            return;
        }
        long ab = aOff * Float.BYTES;
        long bb = bOff * Float.BYTES;
        long db = dstOff * Float.BYTES;
        for (int i = 0; ; i += FL) {
            int at = Math.min(i, d - FL);
            FloatVector x = (FloatVector) ByteVector.fromMemorySegment(BQ, src, srcOff + at, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)
                    .convert(VectorOperators.I2F, 0);
            long fo = (long) at * Float.BYTES;
            FloatVector.fromMemorySegment(F, a, ab + fo, NATIVE)
                    .fma(x, FloatVector.fromMemorySegment(F, b, bb + fo, NATIVE))
                    .intoMemorySegment(dst, db + fo, NATIVE);
            if (at == d - FL) {
                return;
            }
        }
    }

    // ---- a linear layer over raw rows (fused SGD training) ----------------------------------------

    private static final ValueLayout.OfFloat JAVA_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfByte JAVA_U8 = ValueLayout.JAVA_BYTE;
    /** 512-bit vectors: x86 then has 32 vector registers (AVX-512), room for 20 accumulators. */
    private static final boolean WIDE = FL >= 16;

    private static boolean fusedNative(MemorySegment x, MemorySegment a, MemorySegment b, MemorySegment w,
                                       MemorySegment out) {
        return x.isNative() && a.isNative() && b.isNative() && w.isNative() && out.isNative() && !out.isReadOnly();
    }

    @Override
    public void linearStripesU8(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a,
            MemorySegment b, MemorySegment w, long ldw, int classes, MemorySegment part) {
        if (BQ == null || STRIPES % FL != 0 || !fusedNative(x, a, b, w, part)) {
            ScalarKernels.INSTANCE.linearStripesU8(x, rowOffs, rows, d, a, b, w, ldw, classes, part);
            return;
        }
        int d16 = d - d % STRIPES;
        long wr = ldw * Float.BYTES;
        // Rows per pass: 4 with 32 vector registers (AVX-512: 20 accumulators), else 2 (AVX2's 16
        // registers: 10). Rows past the last repeat it (their sums are not stored).
        int step = WIDE ? 4 : 2;
        for (int i = 0; i < rows; i += step) {
            for (int c0 = 0; c0 < classes; c0 += 5) {
                // STRIPES / FL passes: one on AVX-512, two (stripes 0-7, then 8-15) on AVX2.
                for (int k = 0; k < STRIPES; k += FL) {
                    if (WIDE) {
                        stripesU8Pass4(x, rowOffs, i, rows, a, b, w, wr, c0, classes, k, d16, part);
                    } else {
                        stripesU8Pass2(x, rowOffs, i, rows, a, b, w, wr, c0, classes, k, d16, part);
                    }
                }
            }
            // The last d % STRIPES features continue their stripes, in scalar.
            for (int r = i; r < Math.min(i + step, rows); r++) {
                long xo = rowOffs[r];
                for (int f = d16; f < d; f++) {
                    float xs = Math.fma(a.getAtIndex(JAVA_F32, f), Byte.toUnsignedInt(x.get(JAVA_U8, xo + f)), b.getAtIndex(JAVA_F32, f));
                    for (int c = 0; c < classes; c++) {
                        long po = ((long) r * classes + c) * STRIPES + f % STRIPES;
                        part.setAtIndex(JAVA_F32, po, Math.fma(xs, w.getAtIndex(JAVA_F32, c * ldw + f),
                                part.getAtIndex(JAVA_F32, po)));
                    }
                }
            }
        }
    }

    /**
     * Stripes k .. k + FL of rows i .. i + 1 against classes c0 .. c0 + 4 (10 accumulators; past the
     * last class the last is repeated, writing the same values twice). A method of its own, called
     * per (row block, class block), so that C2's call counters reach it soon.
     */
    private static void stripesU8Pass2(MemorySegment x, long[] rowOffs, int i, int rows, MemorySegment a,
            MemorySegment b, MemorySegment w, long wr, int c0, int classes, int k, int d16, MemorySegment part) {
        int last = classes - 1;
        int c1 = Math.min(c0 + 1, last);
        int c2 = Math.min(c0 + 2, last);
        int c3 = Math.min(c0 + 3, last);
        int c4 = Math.min(c0 + 4, last);
        long w0 = c0 * wr;
        long w1 = c1 * wr;
        long w2 = c2 * wr;
        long w3 = c3 * wr;
        long w4 = c4 * wr;
        long x0 = rowOffs[Math.min(i + 0, rows - 1)];
        long x1 = rowOffs[Math.min(i + 1, rows - 1)];
        FloatVector s00 = FloatVector.zero(F);
        FloatVector s01 = FloatVector.zero(F);
        FloatVector s02 = FloatVector.zero(F);
        FloatVector s03 = FloatVector.zero(F);
        FloatVector s04 = FloatVector.zero(F);
        FloatVector s10 = FloatVector.zero(F);
        FloatVector s11 = FloatVector.zero(F);
        FloatVector s12 = FloatVector.zero(F);
        FloatVector s13 = FloatVector.zero(F);
        FloatVector s14 = FloatVector.zero(F);
        for (int f = k; f < d16; f += STRIPES) {
            long fo = (long) f * Float.BYTES;
            FloatVector av = FloatVector.fromMemorySegment(F, a, fo, NATIVE);
            FloatVector bv = FloatVector.fromMemorySegment(F, b, fo, NATIVE);
            FloatVector v0 = av.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, x0 + f, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), bv);
            FloatVector v1 = av.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, x1 + f, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), bv);
            FloatVector wv = FloatVector.fromMemorySegment(F, w, w0 + fo, NATIVE);
            s00 = v0.fma(wv, s00);
            s10 = v1.fma(wv, s10);
            wv = FloatVector.fromMemorySegment(F, w, w1 + fo, NATIVE);
            s01 = v0.fma(wv, s01);
            s11 = v1.fma(wv, s11);
            wv = FloatVector.fromMemorySegment(F, w, w2 + fo, NATIVE);
            s02 = v0.fma(wv, s02);
            s12 = v1.fma(wv, s12);
            wv = FloatVector.fromMemorySegment(F, w, w3 + fo, NATIVE);
            s03 = v0.fma(wv, s03);
            s13 = v1.fma(wv, s13);
            wv = FloatVector.fromMemorySegment(F, w, w4 + fo, NATIVE);
            s04 = v0.fma(wv, s04);
            s14 = v1.fma(wv, s14);
        }
        long ko = (long) k * Float.BYTES;
        long cs = STRIPES * Float.BYTES;
        long rs = (long) classes * cs;
        long p0 = (i + 0) * rs + ko;
        s00.intoMemorySegment(part, p0 + c0 * cs, NATIVE);
        s01.intoMemorySegment(part, p0 + c1 * cs, NATIVE);
        s02.intoMemorySegment(part, p0 + c2 * cs, NATIVE);
        s03.intoMemorySegment(part, p0 + c3 * cs, NATIVE);
        s04.intoMemorySegment(part, p0 + c4 * cs, NATIVE);
        if (i + 1 < rows) {
            long p1 = (i + 1) * rs + ko;
            s10.intoMemorySegment(part, p1 + c0 * cs, NATIVE);
            s11.intoMemorySegment(part, p1 + c1 * cs, NATIVE);
            s12.intoMemorySegment(part, p1 + c2 * cs, NATIVE);
            s13.intoMemorySegment(part, p1 + c3 * cs, NATIVE);
            s14.intoMemorySegment(part, p1 + c4 * cs, NATIVE);
        }
    }

    /**
     * Stripes k .. k + FL of rows i .. i + 3 against classes c0 .. c0 + 4 (20 accumulators; past the
     * last class the last is repeated, writing the same values twice). A method of its own, called
     * per (row block, class block), so that C2's call counters reach it soon.
     */
    private static void stripesU8Pass4(MemorySegment x, long[] rowOffs, int i, int rows, MemorySegment a,
            MemorySegment b, MemorySegment w, long wr, int c0, int classes, int k, int d16, MemorySegment part) {
        int last = classes - 1;
        int c1 = Math.min(c0 + 1, last);
        int c2 = Math.min(c0 + 2, last);
        int c3 = Math.min(c0 + 3, last);
        int c4 = Math.min(c0 + 4, last);
        long w0 = c0 * wr;
        long w1 = c1 * wr;
        long w2 = c2 * wr;
        long w3 = c3 * wr;
        long w4 = c4 * wr;
        long x0 = rowOffs[Math.min(i + 0, rows - 1)];
        long x1 = rowOffs[Math.min(i + 1, rows - 1)];
        long x2 = rowOffs[Math.min(i + 2, rows - 1)];
        long x3 = rowOffs[Math.min(i + 3, rows - 1)];
        FloatVector s00 = FloatVector.zero(F);
        FloatVector s01 = FloatVector.zero(F);
        FloatVector s02 = FloatVector.zero(F);
        FloatVector s03 = FloatVector.zero(F);
        FloatVector s04 = FloatVector.zero(F);
        FloatVector s10 = FloatVector.zero(F);
        FloatVector s11 = FloatVector.zero(F);
        FloatVector s12 = FloatVector.zero(F);
        FloatVector s13 = FloatVector.zero(F);
        FloatVector s14 = FloatVector.zero(F);
        FloatVector s20 = FloatVector.zero(F);
        FloatVector s21 = FloatVector.zero(F);
        FloatVector s22 = FloatVector.zero(F);
        FloatVector s23 = FloatVector.zero(F);
        FloatVector s24 = FloatVector.zero(F);
        FloatVector s30 = FloatVector.zero(F);
        FloatVector s31 = FloatVector.zero(F);
        FloatVector s32 = FloatVector.zero(F);
        FloatVector s33 = FloatVector.zero(F);
        FloatVector s34 = FloatVector.zero(F);
        for (int f = k; f < d16; f += STRIPES) {
            long fo = (long) f * Float.BYTES;
            FloatVector av = FloatVector.fromMemorySegment(F, a, fo, NATIVE);
            FloatVector bv = FloatVector.fromMemorySegment(F, b, fo, NATIVE);
            FloatVector v0 = av.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, x0 + f, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), bv);
            FloatVector v1 = av.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, x1 + f, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), bv);
            FloatVector v2 = av.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, x2 + f, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), bv);
            FloatVector v3 = av.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, x3 + f, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), bv);
            FloatVector wv = FloatVector.fromMemorySegment(F, w, w0 + fo, NATIVE);
            s00 = v0.fma(wv, s00);
            s10 = v1.fma(wv, s10);
            s20 = v2.fma(wv, s20);
            s30 = v3.fma(wv, s30);
            wv = FloatVector.fromMemorySegment(F, w, w1 + fo, NATIVE);
            s01 = v0.fma(wv, s01);
            s11 = v1.fma(wv, s11);
            s21 = v2.fma(wv, s21);
            s31 = v3.fma(wv, s31);
            wv = FloatVector.fromMemorySegment(F, w, w2 + fo, NATIVE);
            s02 = v0.fma(wv, s02);
            s12 = v1.fma(wv, s12);
            s22 = v2.fma(wv, s22);
            s32 = v3.fma(wv, s32);
            wv = FloatVector.fromMemorySegment(F, w, w3 + fo, NATIVE);
            s03 = v0.fma(wv, s03);
            s13 = v1.fma(wv, s13);
            s23 = v2.fma(wv, s23);
            s33 = v3.fma(wv, s33);
            wv = FloatVector.fromMemorySegment(F, w, w4 + fo, NATIVE);
            s04 = v0.fma(wv, s04);
            s14 = v1.fma(wv, s14);
            s24 = v2.fma(wv, s24);
            s34 = v3.fma(wv, s34);
        }
        long ko = (long) k * Float.BYTES;
        long cs = STRIPES * Float.BYTES;
        long rs = (long) classes * cs;
        long p0 = (i + 0) * rs + ko;
        s00.intoMemorySegment(part, p0 + c0 * cs, NATIVE);
        s01.intoMemorySegment(part, p0 + c1 * cs, NATIVE);
        s02.intoMemorySegment(part, p0 + c2 * cs, NATIVE);
        s03.intoMemorySegment(part, p0 + c3 * cs, NATIVE);
        s04.intoMemorySegment(part, p0 + c4 * cs, NATIVE);
        if (i + 1 < rows) {
            long p1 = (i + 1) * rs + ko;
            s10.intoMemorySegment(part, p1 + c0 * cs, NATIVE);
            s11.intoMemorySegment(part, p1 + c1 * cs, NATIVE);
            s12.intoMemorySegment(part, p1 + c2 * cs, NATIVE);
            s13.intoMemorySegment(part, p1 + c3 * cs, NATIVE);
            s14.intoMemorySegment(part, p1 + c4 * cs, NATIVE);
        }
        if (i + 2 < rows) {
            long p2 = (i + 2) * rs + ko;
            s20.intoMemorySegment(part, p2 + c0 * cs, NATIVE);
            s21.intoMemorySegment(part, p2 + c1 * cs, NATIVE);
            s22.intoMemorySegment(part, p2 + c2 * cs, NATIVE);
            s23.intoMemorySegment(part, p2 + c3 * cs, NATIVE);
            s24.intoMemorySegment(part, p2 + c4 * cs, NATIVE);
        }
        if (i + 3 < rows) {
            long p3 = (i + 3) * rs + ko;
            s30.intoMemorySegment(part, p3 + c0 * cs, NATIVE);
            s31.intoMemorySegment(part, p3 + c1 * cs, NATIVE);
            s32.intoMemorySegment(part, p3 + c2 * cs, NATIVE);
            s33.intoMemorySegment(part, p3 + c3 * cs, NATIVE);
            s34.intoMemorySegment(part, p3 + c4 * cs, NATIVE);
        }
    }

    @Override
    public void linearStripesF32(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a,
            MemorySegment b, MemorySegment w, long ldw, int classes, MemorySegment part) {
        if (STRIPES % FL != 0 || !fusedNative(x, a, b, w, part)) {
            ScalarKernels.INSTANCE.linearStripesF32(x, rowOffs, rows, d, a, b, w, ldw, classes, part);
            return;
        }
        int d16 = d - d % STRIPES;
        long wr = ldw * Float.BYTES;
        // Rows per pass: 4 with 32 vector registers (AVX-512: 20 accumulators), else 2 (AVX2's 16
        // registers: 10). Rows past the last repeat it (their sums are not stored).
        int step = WIDE ? 4 : 2;
        for (int i = 0; i < rows; i += step) {
            for (int c0 = 0; c0 < classes; c0 += 5) {
                // STRIPES / FL passes: one on AVX-512, two (stripes 0-7, then 8-15) on AVX2.
                for (int k = 0; k < STRIPES; k += FL) {
                    if (WIDE) {
                        stripesF32Pass4(x, rowOffs, i, rows, a, b, w, wr, c0, classes, k, d16, part);
                    } else {
                        stripesF32Pass2(x, rowOffs, i, rows, a, b, w, wr, c0, classes, k, d16, part);
                    }
                }
            }
            // The last d % STRIPES features continue their stripes, in scalar.
            for (int r = i; r < Math.min(i + step, rows); r++) {
                long xo = rowOffs[r];
                for (int f = d16; f < d; f++) {
                    float xs = Math.fma(a.getAtIndex(JAVA_F32, f), x.getAtIndex(JAVA_F32, xo + f), b.getAtIndex(JAVA_F32, f));
                    for (int c = 0; c < classes; c++) {
                        long po = ((long) r * classes + c) * STRIPES + f % STRIPES;
                        part.setAtIndex(JAVA_F32, po, Math.fma(xs, w.getAtIndex(JAVA_F32, c * ldw + f),
                                part.getAtIndex(JAVA_F32, po)));
                    }
                }
            }
        }
    }

    /**
     * Stripes k .. k + FL of rows i .. i + 1 against classes c0 .. c0 + 4 (10 accumulators; past the
     * last class the last is repeated, writing the same values twice). A method of its own, called
     * per (row block, class block), so that C2's call counters reach it soon.
     */
    private static void stripesF32Pass2(MemorySegment x, long[] rowOffs, int i, int rows, MemorySegment a,
            MemorySegment b, MemorySegment w, long wr, int c0, int classes, int k, int d16, MemorySegment part) {
        int last = classes - 1;
        int c1 = Math.min(c0 + 1, last);
        int c2 = Math.min(c0 + 2, last);
        int c3 = Math.min(c0 + 3, last);
        int c4 = Math.min(c0 + 4, last);
        long w0 = c0 * wr;
        long w1 = c1 * wr;
        long w2 = c2 * wr;
        long w3 = c3 * wr;
        long w4 = c4 * wr;
        long x0 = rowOffs[Math.min(i + 0, rows - 1)];
        long x1 = rowOffs[Math.min(i + 1, rows - 1)];
        FloatVector s00 = FloatVector.zero(F);
        FloatVector s01 = FloatVector.zero(F);
        FloatVector s02 = FloatVector.zero(F);
        FloatVector s03 = FloatVector.zero(F);
        FloatVector s04 = FloatVector.zero(F);
        FloatVector s10 = FloatVector.zero(F);
        FloatVector s11 = FloatVector.zero(F);
        FloatVector s12 = FloatVector.zero(F);
        FloatVector s13 = FloatVector.zero(F);
        FloatVector s14 = FloatVector.zero(F);
        for (int f = k; f < d16; f += STRIPES) {
            long fo = (long) f * Float.BYTES;
            FloatVector av = FloatVector.fromMemorySegment(F, a, fo, NATIVE);
            FloatVector bv = FloatVector.fromMemorySegment(F, b, fo, NATIVE);
            FloatVector v0 = av.fma(FloatVector.fromMemorySegment(F, x, (x0 + f) * Float.BYTES, NATIVE), bv);
            FloatVector v1 = av.fma(FloatVector.fromMemorySegment(F, x, (x1 + f) * Float.BYTES, NATIVE), bv);
            FloatVector wv = FloatVector.fromMemorySegment(F, w, w0 + fo, NATIVE);
            s00 = v0.fma(wv, s00);
            s10 = v1.fma(wv, s10);
            wv = FloatVector.fromMemorySegment(F, w, w1 + fo, NATIVE);
            s01 = v0.fma(wv, s01);
            s11 = v1.fma(wv, s11);
            wv = FloatVector.fromMemorySegment(F, w, w2 + fo, NATIVE);
            s02 = v0.fma(wv, s02);
            s12 = v1.fma(wv, s12);
            wv = FloatVector.fromMemorySegment(F, w, w3 + fo, NATIVE);
            s03 = v0.fma(wv, s03);
            s13 = v1.fma(wv, s13);
            wv = FloatVector.fromMemorySegment(F, w, w4 + fo, NATIVE);
            s04 = v0.fma(wv, s04);
            s14 = v1.fma(wv, s14);
        }
        long ko = (long) k * Float.BYTES;
        long cs = STRIPES * Float.BYTES;
        long rs = (long) classes * cs;
        long p0 = (i + 0) * rs + ko;
        s00.intoMemorySegment(part, p0 + c0 * cs, NATIVE);
        s01.intoMemorySegment(part, p0 + c1 * cs, NATIVE);
        s02.intoMemorySegment(part, p0 + c2 * cs, NATIVE);
        s03.intoMemorySegment(part, p0 + c3 * cs, NATIVE);
        s04.intoMemorySegment(part, p0 + c4 * cs, NATIVE);
        if (i + 1 < rows) {
            long p1 = (i + 1) * rs + ko;
            s10.intoMemorySegment(part, p1 + c0 * cs, NATIVE);
            s11.intoMemorySegment(part, p1 + c1 * cs, NATIVE);
            s12.intoMemorySegment(part, p1 + c2 * cs, NATIVE);
            s13.intoMemorySegment(part, p1 + c3 * cs, NATIVE);
            s14.intoMemorySegment(part, p1 + c4 * cs, NATIVE);
        }
    }

    /**
     * Stripes k .. k + FL of rows i .. i + 3 against classes c0 .. c0 + 4 (20 accumulators; past the
     * last class the last is repeated, writing the same values twice). A method of its own, called
     * per (row block, class block), so that C2's call counters reach it soon.
     */
    private static void stripesF32Pass4(MemorySegment x, long[] rowOffs, int i, int rows, MemorySegment a,
            MemorySegment b, MemorySegment w, long wr, int c0, int classes, int k, int d16, MemorySegment part) {
        int last = classes - 1;
        int c1 = Math.min(c0 + 1, last);
        int c2 = Math.min(c0 + 2, last);
        int c3 = Math.min(c0 + 3, last);
        int c4 = Math.min(c0 + 4, last);
        long w0 = c0 * wr;
        long w1 = c1 * wr;
        long w2 = c2 * wr;
        long w3 = c3 * wr;
        long w4 = c4 * wr;
        long x0 = rowOffs[Math.min(i + 0, rows - 1)];
        long x1 = rowOffs[Math.min(i + 1, rows - 1)];
        long x2 = rowOffs[Math.min(i + 2, rows - 1)];
        long x3 = rowOffs[Math.min(i + 3, rows - 1)];
        FloatVector s00 = FloatVector.zero(F);
        FloatVector s01 = FloatVector.zero(F);
        FloatVector s02 = FloatVector.zero(F);
        FloatVector s03 = FloatVector.zero(F);
        FloatVector s04 = FloatVector.zero(F);
        FloatVector s10 = FloatVector.zero(F);
        FloatVector s11 = FloatVector.zero(F);
        FloatVector s12 = FloatVector.zero(F);
        FloatVector s13 = FloatVector.zero(F);
        FloatVector s14 = FloatVector.zero(F);
        FloatVector s20 = FloatVector.zero(F);
        FloatVector s21 = FloatVector.zero(F);
        FloatVector s22 = FloatVector.zero(F);
        FloatVector s23 = FloatVector.zero(F);
        FloatVector s24 = FloatVector.zero(F);
        FloatVector s30 = FloatVector.zero(F);
        FloatVector s31 = FloatVector.zero(F);
        FloatVector s32 = FloatVector.zero(F);
        FloatVector s33 = FloatVector.zero(F);
        FloatVector s34 = FloatVector.zero(F);
        for (int f = k; f < d16; f += STRIPES) {
            long fo = (long) f * Float.BYTES;
            FloatVector av = FloatVector.fromMemorySegment(F, a, fo, NATIVE);
            FloatVector bv = FloatVector.fromMemorySegment(F, b, fo, NATIVE);
            FloatVector v0 = av.fma(FloatVector.fromMemorySegment(F, x, (x0 + f) * Float.BYTES, NATIVE), bv);
            FloatVector v1 = av.fma(FloatVector.fromMemorySegment(F, x, (x1 + f) * Float.BYTES, NATIVE), bv);
            FloatVector v2 = av.fma(FloatVector.fromMemorySegment(F, x, (x2 + f) * Float.BYTES, NATIVE), bv);
            FloatVector v3 = av.fma(FloatVector.fromMemorySegment(F, x, (x3 + f) * Float.BYTES, NATIVE), bv);
            FloatVector wv = FloatVector.fromMemorySegment(F, w, w0 + fo, NATIVE);
            s00 = v0.fma(wv, s00);
            s10 = v1.fma(wv, s10);
            s20 = v2.fma(wv, s20);
            s30 = v3.fma(wv, s30);
            wv = FloatVector.fromMemorySegment(F, w, w1 + fo, NATIVE);
            s01 = v0.fma(wv, s01);
            s11 = v1.fma(wv, s11);
            s21 = v2.fma(wv, s21);
            s31 = v3.fma(wv, s31);
            wv = FloatVector.fromMemorySegment(F, w, w2 + fo, NATIVE);
            s02 = v0.fma(wv, s02);
            s12 = v1.fma(wv, s12);
            s22 = v2.fma(wv, s22);
            s32 = v3.fma(wv, s32);
            wv = FloatVector.fromMemorySegment(F, w, w3 + fo, NATIVE);
            s03 = v0.fma(wv, s03);
            s13 = v1.fma(wv, s13);
            s23 = v2.fma(wv, s23);
            s33 = v3.fma(wv, s33);
            wv = FloatVector.fromMemorySegment(F, w, w4 + fo, NATIVE);
            s04 = v0.fma(wv, s04);
            s14 = v1.fma(wv, s14);
            s24 = v2.fma(wv, s24);
            s34 = v3.fma(wv, s34);
        }
        long ko = (long) k * Float.BYTES;
        long cs = STRIPES * Float.BYTES;
        long rs = (long) classes * cs;
        long p0 = (i + 0) * rs + ko;
        s00.intoMemorySegment(part, p0 + c0 * cs, NATIVE);
        s01.intoMemorySegment(part, p0 + c1 * cs, NATIVE);
        s02.intoMemorySegment(part, p0 + c2 * cs, NATIVE);
        s03.intoMemorySegment(part, p0 + c3 * cs, NATIVE);
        s04.intoMemorySegment(part, p0 + c4 * cs, NATIVE);
        if (i + 1 < rows) {
            long p1 = (i + 1) * rs + ko;
            s10.intoMemorySegment(part, p1 + c0 * cs, NATIVE);
            s11.intoMemorySegment(part, p1 + c1 * cs, NATIVE);
            s12.intoMemorySegment(part, p1 + c2 * cs, NATIVE);
            s13.intoMemorySegment(part, p1 + c3 * cs, NATIVE);
            s14.intoMemorySegment(part, p1 + c4 * cs, NATIVE);
        }
        if (i + 2 < rows) {
            long p2 = (i + 2) * rs + ko;
            s20.intoMemorySegment(part, p2 + c0 * cs, NATIVE);
            s21.intoMemorySegment(part, p2 + c1 * cs, NATIVE);
            s22.intoMemorySegment(part, p2 + c2 * cs, NATIVE);
            s23.intoMemorySegment(part, p2 + c3 * cs, NATIVE);
            s24.intoMemorySegment(part, p2 + c4 * cs, NATIVE);
        }
        if (i + 3 < rows) {
            long p3 = (i + 3) * rs + ko;
            s30.intoMemorySegment(part, p3 + c0 * cs, NATIVE);
            s31.intoMemorySegment(part, p3 + c1 * cs, NATIVE);
            s32.intoMemorySegment(part, p3 + c2 * cs, NATIVE);
            s33.intoMemorySegment(part, p3 + c3 * cs, NATIVE);
            s34.intoMemorySegment(part, p3 + c4 * cs, NATIVE);
        }
    }

    @Override
    public void linearGradU8(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a, MemorySegment b,
            float[] ds, int classes, MemorySegment g, long ldg) {
        if (BQ == null || d < FL || !fusedNative(x, a, b, g, g)) {
            ScalarKernels.INSTANCE.linearGradU8(x, rowOffs, rows, d, a, b, ds, classes, g, ldg);
            return;
        }
        // Lanes run over features and each lane sums over the rows in order, as the scalar
        // reference does: no reduction, the same bits at any vector size. Blocks of 4 vectors of
        // features with 32 registers (AVX-512: 20 accumulators), else 2 (AVX2: 10); then single
        // vectors, the last partial one redone as the final full vector (the same sums again).
        long gr = ldg * Float.BYTES;
        int block = (WIDE ? 4 : 2) * FL;
        int f = 0;
        for (; f + block <= d; f += block) {
            for (int c0 = 0; c0 < classes; c0 += 5) {
                if (WIDE) {
                    gradU8Pass4(x, rowOffs, rows, f, a, b, ds, classes, c0, g, gr);
                } else {
                    gradU8Pass2(x, rowOffs, rows, f, a, b, ds, classes, c0, g, gr);
                }
            }
        }
        for (; f < d; f += FL) {
            int at = Math.min(f, d - FL);
            for (int c0 = 0; c0 < classes; c0 += 5) {
                gradU8Pass1(x, rowOffs, rows, at, a, b, ds, classes, c0, g, gr);
            }
        }
    }

    /**
     * Features at .. at + 1 * FL of classes c0 .. c0 + 4 over all rows (5 accumulators; past the last
     * class the last is repeated, writing the same values twice); a method of its own, as the
     * stripes passes.
     */
    private static void gradU8Pass1(MemorySegment x, long[] rowOffs, int rows, int at, MemorySegment a,
            MemorySegment b, float[] ds, int classes, int c0, MemorySegment g, long gr) {
        int last = classes - 1;
        int c1 = Math.min(c0 + 1, last);
        int c2 = Math.min(c0 + 2, last);
        int c3 = Math.min(c0 + 3, last);
        int c4 = Math.min(c0 + 4, last);
        long fo = (long) at * Float.BYTES;
        FloatVector a0 = FloatVector.fromMemorySegment(F, a, fo + 0 * VBYTES, NATIVE);
        FloatVector b0 = FloatVector.fromMemorySegment(F, b, fo + 0 * VBYTES, NATIVE);
        FloatVector g00 = FloatVector.zero(F);
        FloatVector g01 = FloatVector.zero(F);
        FloatVector g02 = FloatVector.zero(F);
        FloatVector g03 = FloatVector.zero(F);
        FloatVector g04 = FloatVector.zero(F);
        for (int i = 0; i < rows; i++) {
            long xo = rowOffs[i] + at;
            FloatVector v0 = a0.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, xo + 0 * FL, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), b0);
            int o = i * classes;
            FloatVector dv = FloatVector.broadcast(F, ds[o + c0]);
            g00 = v0.fma(dv, g00);
            dv = FloatVector.broadcast(F, ds[o + c1]);
            g01 = v0.fma(dv, g01);
            dv = FloatVector.broadcast(F, ds[o + c2]);
            g02 = v0.fma(dv, g02);
            dv = FloatVector.broadcast(F, ds[o + c3]);
            g03 = v0.fma(dv, g03);
            dv = FloatVector.broadcast(F, ds[o + c4]);
            g04 = v0.fma(dv, g04);
        }
        g00.intoMemorySegment(g, c0 * gr + fo + 0 * VBYTES, NATIVE);
        g01.intoMemorySegment(g, c1 * gr + fo + 0 * VBYTES, NATIVE);
        g02.intoMemorySegment(g, c2 * gr + fo + 0 * VBYTES, NATIVE);
        g03.intoMemorySegment(g, c3 * gr + fo + 0 * VBYTES, NATIVE);
        g04.intoMemorySegment(g, c4 * gr + fo + 0 * VBYTES, NATIVE);
    }

    /**
     * Features at .. at + 2 * FL of classes c0 .. c0 + 4 over all rows (10 accumulators; past the last
     * class the last is repeated, writing the same values twice); a method of its own, as the
     * stripes passes.
     */
    private static void gradU8Pass2(MemorySegment x, long[] rowOffs, int rows, int at, MemorySegment a,
            MemorySegment b, float[] ds, int classes, int c0, MemorySegment g, long gr) {
        int last = classes - 1;
        int c1 = Math.min(c0 + 1, last);
        int c2 = Math.min(c0 + 2, last);
        int c3 = Math.min(c0 + 3, last);
        int c4 = Math.min(c0 + 4, last);
        long fo = (long) at * Float.BYTES;
        FloatVector a0 = FloatVector.fromMemorySegment(F, a, fo + 0 * VBYTES, NATIVE);
        FloatVector b0 = FloatVector.fromMemorySegment(F, b, fo + 0 * VBYTES, NATIVE);
        FloatVector a1 = FloatVector.fromMemorySegment(F, a, fo + 1 * VBYTES, NATIVE);
        FloatVector b1 = FloatVector.fromMemorySegment(F, b, fo + 1 * VBYTES, NATIVE);
        FloatVector g00 = FloatVector.zero(F);
        FloatVector g01 = FloatVector.zero(F);
        FloatVector g02 = FloatVector.zero(F);
        FloatVector g03 = FloatVector.zero(F);
        FloatVector g04 = FloatVector.zero(F);
        FloatVector g10 = FloatVector.zero(F);
        FloatVector g11 = FloatVector.zero(F);
        FloatVector g12 = FloatVector.zero(F);
        FloatVector g13 = FloatVector.zero(F);
        FloatVector g14 = FloatVector.zero(F);
        for (int i = 0; i < rows; i++) {
            long xo = rowOffs[i] + at;
            FloatVector v0 = a0.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, xo + 0 * FL, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), b0);
            FloatVector v1 = a1.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, xo + 1 * FL, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), b1);
            int o = i * classes;
            FloatVector dv = FloatVector.broadcast(F, ds[o + c0]);
            g00 = v0.fma(dv, g00);
            g10 = v1.fma(dv, g10);
            dv = FloatVector.broadcast(F, ds[o + c1]);
            g01 = v0.fma(dv, g01);
            g11 = v1.fma(dv, g11);
            dv = FloatVector.broadcast(F, ds[o + c2]);
            g02 = v0.fma(dv, g02);
            g12 = v1.fma(dv, g12);
            dv = FloatVector.broadcast(F, ds[o + c3]);
            g03 = v0.fma(dv, g03);
            g13 = v1.fma(dv, g13);
            dv = FloatVector.broadcast(F, ds[o + c4]);
            g04 = v0.fma(dv, g04);
            g14 = v1.fma(dv, g14);
        }
        g00.intoMemorySegment(g, c0 * gr + fo + 0 * VBYTES, NATIVE);
        g01.intoMemorySegment(g, c1 * gr + fo + 0 * VBYTES, NATIVE);
        g02.intoMemorySegment(g, c2 * gr + fo + 0 * VBYTES, NATIVE);
        g03.intoMemorySegment(g, c3 * gr + fo + 0 * VBYTES, NATIVE);
        g04.intoMemorySegment(g, c4 * gr + fo + 0 * VBYTES, NATIVE);
        g10.intoMemorySegment(g, c0 * gr + fo + 1 * VBYTES, NATIVE);
        g11.intoMemorySegment(g, c1 * gr + fo + 1 * VBYTES, NATIVE);
        g12.intoMemorySegment(g, c2 * gr + fo + 1 * VBYTES, NATIVE);
        g13.intoMemorySegment(g, c3 * gr + fo + 1 * VBYTES, NATIVE);
        g14.intoMemorySegment(g, c4 * gr + fo + 1 * VBYTES, NATIVE);
    }

    /**
     * Features at .. at + 4 * FL of classes c0 .. c0 + 4 over all rows (20 accumulators; past the last
     * class the last is repeated, writing the same values twice); a method of its own, as the
     * stripes passes.
     */
    private static void gradU8Pass4(MemorySegment x, long[] rowOffs, int rows, int at, MemorySegment a,
            MemorySegment b, float[] ds, int classes, int c0, MemorySegment g, long gr) {
        int last = classes - 1;
        int c1 = Math.min(c0 + 1, last);
        int c2 = Math.min(c0 + 2, last);
        int c3 = Math.min(c0 + 3, last);
        int c4 = Math.min(c0 + 4, last);
        long fo = (long) at * Float.BYTES;
        FloatVector a0 = FloatVector.fromMemorySegment(F, a, fo + 0 * VBYTES, NATIVE);
        FloatVector b0 = FloatVector.fromMemorySegment(F, b, fo + 0 * VBYTES, NATIVE);
        FloatVector a1 = FloatVector.fromMemorySegment(F, a, fo + 1 * VBYTES, NATIVE);
        FloatVector b1 = FloatVector.fromMemorySegment(F, b, fo + 1 * VBYTES, NATIVE);
        FloatVector a2 = FloatVector.fromMemorySegment(F, a, fo + 2 * VBYTES, NATIVE);
        FloatVector b2 = FloatVector.fromMemorySegment(F, b, fo + 2 * VBYTES, NATIVE);
        FloatVector a3 = FloatVector.fromMemorySegment(F, a, fo + 3 * VBYTES, NATIVE);
        FloatVector b3 = FloatVector.fromMemorySegment(F, b, fo + 3 * VBYTES, NATIVE);
        FloatVector g00 = FloatVector.zero(F);
        FloatVector g01 = FloatVector.zero(F);
        FloatVector g02 = FloatVector.zero(F);
        FloatVector g03 = FloatVector.zero(F);
        FloatVector g04 = FloatVector.zero(F);
        FloatVector g10 = FloatVector.zero(F);
        FloatVector g11 = FloatVector.zero(F);
        FloatVector g12 = FloatVector.zero(F);
        FloatVector g13 = FloatVector.zero(F);
        FloatVector g14 = FloatVector.zero(F);
        FloatVector g20 = FloatVector.zero(F);
        FloatVector g21 = FloatVector.zero(F);
        FloatVector g22 = FloatVector.zero(F);
        FloatVector g23 = FloatVector.zero(F);
        FloatVector g24 = FloatVector.zero(F);
        FloatVector g30 = FloatVector.zero(F);
        FloatVector g31 = FloatVector.zero(F);
        FloatVector g32 = FloatVector.zero(F);
        FloatVector g33 = FloatVector.zero(F);
        FloatVector g34 = FloatVector.zero(F);
        for (int i = 0; i < rows; i++) {
            long xo = rowOffs[i] + at;
            FloatVector v0 = a0.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, xo + 0 * FL, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), b0);
            FloatVector v1 = a1.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, xo + 1 * FL, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), b1);
            FloatVector v2 = a2.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, xo + 2 * FL, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), b2);
            FloatVector v3 = a3.fma(((FloatVector) ByteVector.fromMemorySegment(BQ, x, xo + 3 * FL, NATIVE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)), b3);
            int o = i * classes;
            FloatVector dv = FloatVector.broadcast(F, ds[o + c0]);
            g00 = v0.fma(dv, g00);
            g10 = v1.fma(dv, g10);
            g20 = v2.fma(dv, g20);
            g30 = v3.fma(dv, g30);
            dv = FloatVector.broadcast(F, ds[o + c1]);
            g01 = v0.fma(dv, g01);
            g11 = v1.fma(dv, g11);
            g21 = v2.fma(dv, g21);
            g31 = v3.fma(dv, g31);
            dv = FloatVector.broadcast(F, ds[o + c2]);
            g02 = v0.fma(dv, g02);
            g12 = v1.fma(dv, g12);
            g22 = v2.fma(dv, g22);
            g32 = v3.fma(dv, g32);
            dv = FloatVector.broadcast(F, ds[o + c3]);
            g03 = v0.fma(dv, g03);
            g13 = v1.fma(dv, g13);
            g23 = v2.fma(dv, g23);
            g33 = v3.fma(dv, g33);
            dv = FloatVector.broadcast(F, ds[o + c4]);
            g04 = v0.fma(dv, g04);
            g14 = v1.fma(dv, g14);
            g24 = v2.fma(dv, g24);
            g34 = v3.fma(dv, g34);
        }
        g00.intoMemorySegment(g, c0 * gr + fo + 0 * VBYTES, NATIVE);
        g01.intoMemorySegment(g, c1 * gr + fo + 0 * VBYTES, NATIVE);
        g02.intoMemorySegment(g, c2 * gr + fo + 0 * VBYTES, NATIVE);
        g03.intoMemorySegment(g, c3 * gr + fo + 0 * VBYTES, NATIVE);
        g04.intoMemorySegment(g, c4 * gr + fo + 0 * VBYTES, NATIVE);
        g10.intoMemorySegment(g, c0 * gr + fo + 1 * VBYTES, NATIVE);
        g11.intoMemorySegment(g, c1 * gr + fo + 1 * VBYTES, NATIVE);
        g12.intoMemorySegment(g, c2 * gr + fo + 1 * VBYTES, NATIVE);
        g13.intoMemorySegment(g, c3 * gr + fo + 1 * VBYTES, NATIVE);
        g14.intoMemorySegment(g, c4 * gr + fo + 1 * VBYTES, NATIVE);
        g20.intoMemorySegment(g, c0 * gr + fo + 2 * VBYTES, NATIVE);
        g21.intoMemorySegment(g, c1 * gr + fo + 2 * VBYTES, NATIVE);
        g22.intoMemorySegment(g, c2 * gr + fo + 2 * VBYTES, NATIVE);
        g23.intoMemorySegment(g, c3 * gr + fo + 2 * VBYTES, NATIVE);
        g24.intoMemorySegment(g, c4 * gr + fo + 2 * VBYTES, NATIVE);
        g30.intoMemorySegment(g, c0 * gr + fo + 3 * VBYTES, NATIVE);
        g31.intoMemorySegment(g, c1 * gr + fo + 3 * VBYTES, NATIVE);
        g32.intoMemorySegment(g, c2 * gr + fo + 3 * VBYTES, NATIVE);
        g33.intoMemorySegment(g, c3 * gr + fo + 3 * VBYTES, NATIVE);
        g34.intoMemorySegment(g, c4 * gr + fo + 3 * VBYTES, NATIVE);
    }

    @Override
    public void linearGradF32(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a, MemorySegment b,
            float[] ds, int classes, MemorySegment g, long ldg) {
        if (d < FL || !fusedNative(x, a, b, g, g)) {
            ScalarKernels.INSTANCE.linearGradF32(x, rowOffs, rows, d, a, b, ds, classes, g, ldg);
            return;
        }
        // Lanes run over features and each lane sums over the rows in order, as the scalar
        // reference does: no reduction, the same bits at any vector size. Blocks of 4 vectors of
        // features with 32 registers (AVX-512: 20 accumulators), else 2 (AVX2: 10); then single
        // vectors, the last partial one redone as the final full vector (the same sums again).
        long gr = ldg * Float.BYTES;
        int block = (WIDE ? 4 : 2) * FL;
        int f = 0;
        for (; f + block <= d; f += block) {
            for (int c0 = 0; c0 < classes; c0 += 5) {
                if (WIDE) {
                    gradF32Pass4(x, rowOffs, rows, f, a, b, ds, classes, c0, g, gr);
                } else {
                    gradF32Pass2(x, rowOffs, rows, f, a, b, ds, classes, c0, g, gr);
                }
            }
        }
        for (; f < d; f += FL) {
            int at = Math.min(f, d - FL);
            for (int c0 = 0; c0 < classes; c0 += 5) {
                gradF32Pass1(x, rowOffs, rows, at, a, b, ds, classes, c0, g, gr);
            }
        }
    }

    /**
     * Features at .. at + 1 * FL of classes c0 .. c0 + 4 over all rows (5 accumulators; past the last
     * class the last is repeated, writing the same values twice); a method of its own, as the
     * stripes passes.
     */
    private static void gradF32Pass1(MemorySegment x, long[] rowOffs, int rows, int at, MemorySegment a,
            MemorySegment b, float[] ds, int classes, int c0, MemorySegment g, long gr) {
        int last = classes - 1;
        int c1 = Math.min(c0 + 1, last);
        int c2 = Math.min(c0 + 2, last);
        int c3 = Math.min(c0 + 3, last);
        int c4 = Math.min(c0 + 4, last);
        long fo = (long) at * Float.BYTES;
        FloatVector a0 = FloatVector.fromMemorySegment(F, a, fo + 0 * VBYTES, NATIVE);
        FloatVector b0 = FloatVector.fromMemorySegment(F, b, fo + 0 * VBYTES, NATIVE);
        FloatVector g00 = FloatVector.zero(F);
        FloatVector g01 = FloatVector.zero(F);
        FloatVector g02 = FloatVector.zero(F);
        FloatVector g03 = FloatVector.zero(F);
        FloatVector g04 = FloatVector.zero(F);
        for (int i = 0; i < rows; i++) {
            long xo = rowOffs[i] + at;
            FloatVector v0 = a0.fma(FloatVector.fromMemorySegment(F, x, (xo + 0 * FL) * Float.BYTES, NATIVE), b0);
            int o = i * classes;
            FloatVector dv = FloatVector.broadcast(F, ds[o + c0]);
            g00 = v0.fma(dv, g00);
            dv = FloatVector.broadcast(F, ds[o + c1]);
            g01 = v0.fma(dv, g01);
            dv = FloatVector.broadcast(F, ds[o + c2]);
            g02 = v0.fma(dv, g02);
            dv = FloatVector.broadcast(F, ds[o + c3]);
            g03 = v0.fma(dv, g03);
            dv = FloatVector.broadcast(F, ds[o + c4]);
            g04 = v0.fma(dv, g04);
        }
        g00.intoMemorySegment(g, c0 * gr + fo + 0 * VBYTES, NATIVE);
        g01.intoMemorySegment(g, c1 * gr + fo + 0 * VBYTES, NATIVE);
        g02.intoMemorySegment(g, c2 * gr + fo + 0 * VBYTES, NATIVE);
        g03.intoMemorySegment(g, c3 * gr + fo + 0 * VBYTES, NATIVE);
        g04.intoMemorySegment(g, c4 * gr + fo + 0 * VBYTES, NATIVE);
    }

    /**
     * Features at .. at + 2 * FL of classes c0 .. c0 + 4 over all rows (10 accumulators; past the last
     * class the last is repeated, writing the same values twice); a method of its own, as the
     * stripes passes.
     */
    private static void gradF32Pass2(MemorySegment x, long[] rowOffs, int rows, int at, MemorySegment a,
            MemorySegment b, float[] ds, int classes, int c0, MemorySegment g, long gr) {
        int last = classes - 1;
        int c1 = Math.min(c0 + 1, last);
        int c2 = Math.min(c0 + 2, last);
        int c3 = Math.min(c0 + 3, last);
        int c4 = Math.min(c0 + 4, last);
        long fo = (long) at * Float.BYTES;
        FloatVector a0 = FloatVector.fromMemorySegment(F, a, fo + 0 * VBYTES, NATIVE);
        FloatVector b0 = FloatVector.fromMemorySegment(F, b, fo + 0 * VBYTES, NATIVE);
        FloatVector a1 = FloatVector.fromMemorySegment(F, a, fo + 1 * VBYTES, NATIVE);
        FloatVector b1 = FloatVector.fromMemorySegment(F, b, fo + 1 * VBYTES, NATIVE);
        FloatVector g00 = FloatVector.zero(F);
        FloatVector g01 = FloatVector.zero(F);
        FloatVector g02 = FloatVector.zero(F);
        FloatVector g03 = FloatVector.zero(F);
        FloatVector g04 = FloatVector.zero(F);
        FloatVector g10 = FloatVector.zero(F);
        FloatVector g11 = FloatVector.zero(F);
        FloatVector g12 = FloatVector.zero(F);
        FloatVector g13 = FloatVector.zero(F);
        FloatVector g14 = FloatVector.zero(F);
        for (int i = 0; i < rows; i++) {
            long xo = rowOffs[i] + at;
            FloatVector v0 = a0.fma(FloatVector.fromMemorySegment(F, x, (xo + 0 * FL) * Float.BYTES, NATIVE), b0);
            FloatVector v1 = a1.fma(FloatVector.fromMemorySegment(F, x, (xo + 1 * FL) * Float.BYTES, NATIVE), b1);
            int o = i * classes;
            FloatVector dv = FloatVector.broadcast(F, ds[o + c0]);
            g00 = v0.fma(dv, g00);
            g10 = v1.fma(dv, g10);
            dv = FloatVector.broadcast(F, ds[o + c1]);
            g01 = v0.fma(dv, g01);
            g11 = v1.fma(dv, g11);
            dv = FloatVector.broadcast(F, ds[o + c2]);
            g02 = v0.fma(dv, g02);
            g12 = v1.fma(dv, g12);
            dv = FloatVector.broadcast(F, ds[o + c3]);
            g03 = v0.fma(dv, g03);
            g13 = v1.fma(dv, g13);
            dv = FloatVector.broadcast(F, ds[o + c4]);
            g04 = v0.fma(dv, g04);
            g14 = v1.fma(dv, g14);
        }
        g00.intoMemorySegment(g, c0 * gr + fo + 0 * VBYTES, NATIVE);
        g01.intoMemorySegment(g, c1 * gr + fo + 0 * VBYTES, NATIVE);
        g02.intoMemorySegment(g, c2 * gr + fo + 0 * VBYTES, NATIVE);
        g03.intoMemorySegment(g, c3 * gr + fo + 0 * VBYTES, NATIVE);
        g04.intoMemorySegment(g, c4 * gr + fo + 0 * VBYTES, NATIVE);
        g10.intoMemorySegment(g, c0 * gr + fo + 1 * VBYTES, NATIVE);
        g11.intoMemorySegment(g, c1 * gr + fo + 1 * VBYTES, NATIVE);
        g12.intoMemorySegment(g, c2 * gr + fo + 1 * VBYTES, NATIVE);
        g13.intoMemorySegment(g, c3 * gr + fo + 1 * VBYTES, NATIVE);
        g14.intoMemorySegment(g, c4 * gr + fo + 1 * VBYTES, NATIVE);
    }

    /**
     * Features at .. at + 4 * FL of classes c0 .. c0 + 4 over all rows (20 accumulators; past the last
     * class the last is repeated, writing the same values twice); a method of its own, as the
     * stripes passes.
     */
    private static void gradF32Pass4(MemorySegment x, long[] rowOffs, int rows, int at, MemorySegment a,
            MemorySegment b, float[] ds, int classes, int c0, MemorySegment g, long gr) {
        int last = classes - 1;
        int c1 = Math.min(c0 + 1, last);
        int c2 = Math.min(c0 + 2, last);
        int c3 = Math.min(c0 + 3, last);
        int c4 = Math.min(c0 + 4, last);
        long fo = (long) at * Float.BYTES;
        FloatVector a0 = FloatVector.fromMemorySegment(F, a, fo + 0 * VBYTES, NATIVE);
        FloatVector b0 = FloatVector.fromMemorySegment(F, b, fo + 0 * VBYTES, NATIVE);
        FloatVector a1 = FloatVector.fromMemorySegment(F, a, fo + 1 * VBYTES, NATIVE);
        FloatVector b1 = FloatVector.fromMemorySegment(F, b, fo + 1 * VBYTES, NATIVE);
        FloatVector a2 = FloatVector.fromMemorySegment(F, a, fo + 2 * VBYTES, NATIVE);
        FloatVector b2 = FloatVector.fromMemorySegment(F, b, fo + 2 * VBYTES, NATIVE);
        FloatVector a3 = FloatVector.fromMemorySegment(F, a, fo + 3 * VBYTES, NATIVE);
        FloatVector b3 = FloatVector.fromMemorySegment(F, b, fo + 3 * VBYTES, NATIVE);
        FloatVector g00 = FloatVector.zero(F);
        FloatVector g01 = FloatVector.zero(F);
        FloatVector g02 = FloatVector.zero(F);
        FloatVector g03 = FloatVector.zero(F);
        FloatVector g04 = FloatVector.zero(F);
        FloatVector g10 = FloatVector.zero(F);
        FloatVector g11 = FloatVector.zero(F);
        FloatVector g12 = FloatVector.zero(F);
        FloatVector g13 = FloatVector.zero(F);
        FloatVector g14 = FloatVector.zero(F);
        FloatVector g20 = FloatVector.zero(F);
        FloatVector g21 = FloatVector.zero(F);
        FloatVector g22 = FloatVector.zero(F);
        FloatVector g23 = FloatVector.zero(F);
        FloatVector g24 = FloatVector.zero(F);
        FloatVector g30 = FloatVector.zero(F);
        FloatVector g31 = FloatVector.zero(F);
        FloatVector g32 = FloatVector.zero(F);
        FloatVector g33 = FloatVector.zero(F);
        FloatVector g34 = FloatVector.zero(F);
        for (int i = 0; i < rows; i++) {
            long xo = rowOffs[i] + at;
            FloatVector v0 = a0.fma(FloatVector.fromMemorySegment(F, x, (xo + 0 * FL) * Float.BYTES, NATIVE), b0);
            FloatVector v1 = a1.fma(FloatVector.fromMemorySegment(F, x, (xo + 1 * FL) * Float.BYTES, NATIVE), b1);
            FloatVector v2 = a2.fma(FloatVector.fromMemorySegment(F, x, (xo + 2 * FL) * Float.BYTES, NATIVE), b2);
            FloatVector v3 = a3.fma(FloatVector.fromMemorySegment(F, x, (xo + 3 * FL) * Float.BYTES, NATIVE), b3);
            int o = i * classes;
            FloatVector dv = FloatVector.broadcast(F, ds[o + c0]);
            g00 = v0.fma(dv, g00);
            g10 = v1.fma(dv, g10);
            g20 = v2.fma(dv, g20);
            g30 = v3.fma(dv, g30);
            dv = FloatVector.broadcast(F, ds[o + c1]);
            g01 = v0.fma(dv, g01);
            g11 = v1.fma(dv, g11);
            g21 = v2.fma(dv, g21);
            g31 = v3.fma(dv, g31);
            dv = FloatVector.broadcast(F, ds[o + c2]);
            g02 = v0.fma(dv, g02);
            g12 = v1.fma(dv, g12);
            g22 = v2.fma(dv, g22);
            g32 = v3.fma(dv, g32);
            dv = FloatVector.broadcast(F, ds[o + c3]);
            g03 = v0.fma(dv, g03);
            g13 = v1.fma(dv, g13);
            g23 = v2.fma(dv, g23);
            g33 = v3.fma(dv, g33);
            dv = FloatVector.broadcast(F, ds[o + c4]);
            g04 = v0.fma(dv, g04);
            g14 = v1.fma(dv, g14);
            g24 = v2.fma(dv, g24);
            g34 = v3.fma(dv, g34);
        }
        g00.intoMemorySegment(g, c0 * gr + fo + 0 * VBYTES, NATIVE);
        g01.intoMemorySegment(g, c1 * gr + fo + 0 * VBYTES, NATIVE);
        g02.intoMemorySegment(g, c2 * gr + fo + 0 * VBYTES, NATIVE);
        g03.intoMemorySegment(g, c3 * gr + fo + 0 * VBYTES, NATIVE);
        g04.intoMemorySegment(g, c4 * gr + fo + 0 * VBYTES, NATIVE);
        g10.intoMemorySegment(g, c0 * gr + fo + 1 * VBYTES, NATIVE);
        g11.intoMemorySegment(g, c1 * gr + fo + 1 * VBYTES, NATIVE);
        g12.intoMemorySegment(g, c2 * gr + fo + 1 * VBYTES, NATIVE);
        g13.intoMemorySegment(g, c3 * gr + fo + 1 * VBYTES, NATIVE);
        g14.intoMemorySegment(g, c4 * gr + fo + 1 * VBYTES, NATIVE);
        g20.intoMemorySegment(g, c0 * gr + fo + 2 * VBYTES, NATIVE);
        g21.intoMemorySegment(g, c1 * gr + fo + 2 * VBYTES, NATIVE);
        g22.intoMemorySegment(g, c2 * gr + fo + 2 * VBYTES, NATIVE);
        g23.intoMemorySegment(g, c3 * gr + fo + 2 * VBYTES, NATIVE);
        g24.intoMemorySegment(g, c4 * gr + fo + 2 * VBYTES, NATIVE);
        g30.intoMemorySegment(g, c0 * gr + fo + 3 * VBYTES, NATIVE);
        g31.intoMemorySegment(g, c1 * gr + fo + 3 * VBYTES, NATIVE);
        g32.intoMemorySegment(g, c2 * gr + fo + 3 * VBYTES, NATIVE);
        g33.intoMemorySegment(g, c3 * gr + fo + 3 * VBYTES, NATIVE);
        g34.intoMemorySegment(g, c4 * gr + fo + 3 * VBYTES, NATIVE);
    }

    @Override
    public void softmaxClassMajor(MemorySegment s, long off, int classes, int n) {
        if (classes <= 0 || n < FL || s.isReadOnly()) {
            ScalarKernels.INSTANCE.softmaxClassMajor(s, off, classes, n);
            return;
        }
        long bytes = (long) classes * n * Float.BYTES;
        MemorySegment ns = nativeView(0, s, off * Float.BYTES, bytes);
        softmaxColumns(ns, ns == s ? off * Float.BYTES : 0, classes, n);
        if (ns != s) {
            MemorySegment.copy(ns, 0, s, off * Float.BYTES, bytes);
        }
    }

    /** Class-major softmax of a native segment from byte offset {@code base}; n >= FL. */
    private static void softmaxColumns(MemorySegment s, long base, int classes, int n) {
        long rowBytes = (long) n * Float.BYTES;
        FloatVector nan = FloatVector.broadcast(F, Float.NaN);
        FloatVector one = FloatVector.broadcast(F, 1f);
        // Lanes run across samples, so every operation is lane-wise: no reduction at all.
        for (int j = 0; j < n; j += FL) {
            int start = Math.min(j, n - FL);
            long col = base + (long) start * Float.BYTES;
            VectorMask<Float> fresh = VectorMask.fromArray(F, KEEP_F, start + FL - j);
            FloatVector max = FloatVector.fromMemorySegment(F, s, col, NATIVE);
            for (int c = 1; c < classes; c++) {
                max = max.max(FloatVector.fromMemorySegment(F, s, col + c * rowBytes, NATIVE));
            }
            // A sample whose max is NaN, +inf or -inf (all -inf) becomes all NaN, as documented.
            VectorMask<Float> bad = max.test(VectorOperators.IS_FINITE).not();
            FloatVector sum = FloatVector.zero(F);
            for (int c = 0; c < classes; c++) {
                long o = col + c * rowBytes;
                FloatVector x = FloatVector.fromMemorySegment(F, s, o, NATIVE);
                FloatVector eX = x.sub(max).max(EXP_MIN);
                FloatVector eN = eX.mul(LOG2E).add(ROUND_MAGIC).sub(ROUND_MAGIC);
                FloatVector eR = eN.fma(NEG_LN2_LO_V, eN.fma(NEG_LN2_HI_V, eX));
                IntVector eI = (IntVector) eN.convert(VectorOperators.F2I, 0);
                IntVector eH = eI.lanewise(VectorOperators.ASHR, 1);
                FloatVector e = EXP_C0.fma(eR, EXP_C1).fma(eR, EXP_C2).fma(eR, EXP_C3).fma(eR, EXP_C4)
                        .fma(eR, EXP_C5).fma(eR.mul(eR), eR).add(1f)
                        .mul(eH.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(eI.sub(eH).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                x.blend(e, fresh).intoMemorySegment(s, o, NATIVE);
                sum = sum.add(e);
            }
            FloatVector inv = one.div(sum);
            for (int c = 0; c < classes; c++) {
                long o = col + c * rowBytes;
                FloatVector x = FloatVector.fromMemorySegment(F, s, o, NATIVE);
                x.blend(x.mul(inv).blend(nan, bad), fresh).intoMemorySegment(s, o, NATIVE);
            }
        }
    }

    private static final VectorSpecies<Double> DV = VectorSpecies.of(double.class, F.vectorShape());
    private static final int DVL = DV.length();

    @Override
    public void accumulateRowsF64(double[] w, int m, int[] rows, double[] x, int n, double[] acc) {
        java.util.Objects.checkFromIndexSize(0, m, acc.length);
        java.util.Objects.checkFromIndexSize(0, n, Math.min(rows.length, x.length));
        int k = 0;
        // Four vectors of acc stay in registers over all n rows; two rows per step into two sets of
        // accumulators, so eight independent FMA chains hide the FMA latency (4 cycles on Zen).
        for (; k + 4 * DVL <= m; k += 4 * DVL) {
            DoubleVector a0 = DoubleVector.fromArray(DV, acc, k);
            DoubleVector a1 = DoubleVector.fromArray(DV, acc, k + DVL);
            DoubleVector a2 = DoubleVector.fromArray(DV, acc, k + 2 * DVL);
            DoubleVector a3 = DoubleVector.fromArray(DV, acc, k + 3 * DVL);
            DoubleVector b0 = DoubleVector.zero(DV);
            DoubleVector b1 = b0;
            DoubleVector b2 = b0;
            DoubleVector b3 = b0;
            int a = 0;
            for (; a + 1 < n; a += 2) {
                int o0 = rows[a] * m + k;
                int o1 = rows[a + 1] * m + k;
                DoubleVector x0 = DoubleVector.broadcast(DV, x[a]);
                DoubleVector x1 = DoubleVector.broadcast(DV, x[a + 1]);
                a0 = DoubleVector.fromArray(DV, w, o0).fma(x0, a0);
                a1 = DoubleVector.fromArray(DV, w, o0 + DVL).fma(x0, a1);
                a2 = DoubleVector.fromArray(DV, w, o0 + 2 * DVL).fma(x0, a2);
                a3 = DoubleVector.fromArray(DV, w, o0 + 3 * DVL).fma(x0, a3);
                b0 = DoubleVector.fromArray(DV, w, o1).fma(x1, b0);
                b1 = DoubleVector.fromArray(DV, w, o1 + DVL).fma(x1, b1);
                b2 = DoubleVector.fromArray(DV, w, o1 + 2 * DVL).fma(x1, b2);
                b3 = DoubleVector.fromArray(DV, w, o1 + 3 * DVL).fma(x1, b3);
            }
            if (a < n) {
                int o0 = rows[a] * m + k;
                DoubleVector x0 = DoubleVector.broadcast(DV, x[a]);
                a0 = DoubleVector.fromArray(DV, w, o0).fma(x0, a0);
                a1 = DoubleVector.fromArray(DV, w, o0 + DVL).fma(x0, a1);
                a2 = DoubleVector.fromArray(DV, w, o0 + 2 * DVL).fma(x0, a2);
                a3 = DoubleVector.fromArray(DV, w, o0 + 3 * DVL).fma(x0, a3);
            }
            a0.add(b0).intoArray(acc, k);
            a1.add(b1).intoArray(acc, k + DVL);
            a2.add(b2).intoArray(acc, k + 2 * DVL);
            a3.add(b3).intoArray(acc, k + 3 * DVL);
        }
        if (k + 2 * DVL <= m) {
            DoubleVector a0 = DoubleVector.fromArray(DV, acc, k);
            DoubleVector a1 = DoubleVector.fromArray(DV, acc, k + DVL);
            DoubleVector b0 = DoubleVector.zero(DV);
            DoubleVector b1 = b0;
            int a = 0;
            for (; a + 1 < n; a += 2) {
                int o0 = rows[a] * m + k;
                int o1 = rows[a + 1] * m + k;
                DoubleVector x0 = DoubleVector.broadcast(DV, x[a]);
                DoubleVector x1 = DoubleVector.broadcast(DV, x[a + 1]);
                a0 = DoubleVector.fromArray(DV, w, o0).fma(x0, a0);
                a1 = DoubleVector.fromArray(DV, w, o0 + DVL).fma(x0, a1);
                b0 = DoubleVector.fromArray(DV, w, o1).fma(x1, b0);
                b1 = DoubleVector.fromArray(DV, w, o1 + DVL).fma(x1, b1);
            }
            if (a < n) {
                int o0 = rows[a] * m + k;
                DoubleVector x0 = DoubleVector.broadcast(DV, x[a]);
                a0 = DoubleVector.fromArray(DV, w, o0).fma(x0, a0);
                a1 = DoubleVector.fromArray(DV, w, o0 + DVL).fma(x0, a1);
            }
            a0.add(b0).intoArray(acc, k);
            a1.add(b1).intoArray(acc, k + DVL);
            k += 2 * DVL;
        }
        if (k + DVL <= m) {
            DoubleVector a0 = DoubleVector.fromArray(DV, acc, k);
            DoubleVector b0 = DoubleVector.zero(DV);
            int a = 0;
            for (; a + 1 < n; a += 2) {
                a0 = DoubleVector.fromArray(DV, w, rows[a] * m + k).fma(DoubleVector.broadcast(DV, x[a]), a0);
                b0 = DoubleVector.fromArray(DV, w, rows[a + 1] * m + k).fma(DoubleVector.broadcast(DV, x[a + 1]), b0);
            }
            if (a < n) {
                a0 = DoubleVector.fromArray(DV, w, rows[a] * m + k).fma(DoubleVector.broadcast(DV, x[a]), a0);
            }
            a0.add(b0).intoArray(acc, k);
            k += DVL;
        }
        if (k < m) {
            for (int a = 0; a < n; a++) {
                double v = x[a];
                int o = rows[a] * m;
                java.util.Objects.checkFromIndexSize(o, m, w.length);
                for (int j = k; j < m; j++) {
                    acc[j] = Math.fma(v, w[o + j], acc[j]);
                }
            }
        }
    }
}
