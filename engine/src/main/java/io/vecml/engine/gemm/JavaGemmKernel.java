package io.vecml.engine.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Packing routines and the register-blocked micro-kernel behind {@link JavaGemm}.
 *
 * <p>Packed layouts (Goto/BLIS): a block of op(A) is stored as micro-panels of {@link #MR} rows,
 * each panel {@code kc x MR} with the MR values of one k step adjacent; a block of op(B) as
 * micro-panels of {@link #NR} columns, each {@code kc x NR}. Packing absorbs the transposes and
 * the leading dimensions, so the micro-kernel reads both operands strictly sequentially, and it
 * zero-pads the last panel of a block so the micro-kernel always runs a full MR x NR tile.
 */
final class JavaGemmKernel {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    /*
     * Register budget on AVX2 (16 ymm): 6 rows x 2 vectors = 12 accumulators, 2 B vectors and one
     * broadcast of A = 15 registers, so C2 need not spill in the k loop. Per k step that is 12 FMAs
     * against 2 loads + 6 broadcasts, comfortably inside Zen 3's 2 FMA + 3 load ports, and 12
     * independent accumulators cover the FMA latency (4 cycles x 2 pipes = 8 in flight).
     */
    static final int MR = 6;
    static final int NR = 2 * L;

    /** How the first k block combines with the old C: C = alpha*acc (beta == 0, C not read). */
    static final int MODE_ZERO = 0;
    /** C = alpha*acc + beta*C. */
    static final int MODE_BETA = 1;
    /** C = alpha*acc + C: every k block after the first. */
    static final int MODE_ADD = 2;

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private JavaGemmKernel() {
    }

    // ---------------------------------------------------------------- packing

    /**
     * Packs rows [i0, i0 + mc) and k range [p0, p0 + kc) of op(A) into {@code ap} as
     * ceil(mc / MR) micro-panels of {@code kc * MR} floats.
     */
    static void packA(boolean transA, MemorySegment a, long aOff, long lda,
                      int i0, int mc, int p0, int kc, float[] ap) {
        for (int q = 0, i = 0; i < mc; q++, i += MR) {
            int rows = Math.min(MR, mc - i);
            int dst = q * MR * kc;
            if (transA) {
                // op(A)(i, p) = A[p][i]: the MR values of one k step are contiguous in A.
                long src = aOff + (long) p0 * lda + i0 + i;
                for (int p = 0; p < kc; p++, src += lda) {
                    int d = dst + p * MR;
                    int r = 0;
                    for (; r < rows; r++) {
                        ap[d + r] = a.getAtIndex(F, src + r);
                    }
                    for (; r < MR; r++) {
                        ap[d + r] = 0f;
                    }
                }
            } else {
                // op(A)(i, p) = A[i][p]: walk each row contiguously, write with stride MR.
                for (int r = 0; r < rows; r++) {
                    long src = aOff + (long) (i0 + i + r) * lda + p0;
                    for (int p = 0; p < kc; p++) {
                        ap[dst + p * MR + r] = a.getAtIndex(F, src + p);
                    }
                }
                for (int r = rows; r < MR; r++) {
                    for (int p = 0; p < kc; p++) {
                        ap[dst + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs columns [j0, j0 + nc) and k range [p0, p0 + kc) of op(B) into {@code bp} as
     * ceil(nc / NR) micro-panels of {@code kc * NR} floats.
     */
    static void packB(boolean transB, MemorySegment b, long bOff, long ldb,
                      int j0, int nc, int p0, int kc, float[] bp) {
        for (int q = 0, j = 0; j < nc; q++, j += NR) {
            int cols = Math.min(NR, nc - j);
            int dst = q * NR * kc;
            if (transB) {
                // op(B)(p, j) = B[j][p]: read each row of B contiguously, write with stride NR.
                for (int c = 0; c < cols; c++) {
                    long src = bOff + (long) (j0 + j + c) * ldb + p0;
                    for (int p = 0; p < kc; p++) {
                        bp[dst + p * NR + c] = b.getAtIndex(F, src + p);
                    }
                }
                for (int c = cols; c < NR; c++) {
                    for (int p = 0; p < kc; p++) {
                        bp[dst + p * NR + c] = 0f;
                    }
                }
            } else {
                long src = bOff + (long) p0 * ldb + j0 + j;
                if (cols == NR) {
                    for (int p = 0; p < kc; p++, src += ldb) {
                        int d = dst + p * NR;
                        long o = src * Float.BYTES;
                        FloatVector.fromMemorySegment(S, b, o, ORDER).intoArray(bp, d);
                        FloatVector.fromMemorySegment(S, b, o + (long) L * Float.BYTES, ORDER).intoArray(bp, d + L);
                    }
                } else {
                    for (int p = 0; p < kc; p++, src += ldb) {
                        int d = dst + p * NR;
                        int c = 0;
                        for (; c < cols; c++) {
                            bp[d + c] = b.getAtIndex(F, src + c);
                        }
                        for (; c < NR; c++) {
                            bp[d + c] = 0f;
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- micro-kernel

    /**
     * One MR x NR tile of C from an A micro-panel at {@code ap[ai..]} and a B micro-panel at
     * {@code bp[bi..]}, both {@code kc} steps long. {@code rows} and {@code cols} are the part of
     * the tile that lies inside C; a partial tile goes through {@code tile} and scalar stores.
     *
     * <p>The accumulators are locals, never an array or a field, so that C2 keeps them in
     * registers (an escaping vector would be boxed on every step).
     */
    static void kernel(int kc, float[] ap, int ai, float[] bp, int bi,
                       MemorySegment c, long cIdx, long ldc, int rows, int cols,
                       float alpha, float beta, int mode, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int a0 = ai + p * MR;
            int b0i = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, b0i);
            FloatVector b1 = FloatVector.fromArray(S, bp, b0i + L);
            FloatVector av = FloatVector.broadcast(S, ap[a0]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, ap[a0 + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, ap[a0 + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, ap[a0 + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, ap[a0 + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, ap[a0 + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        if (rows == MR && cols == NR) {
            long ldcB = ldc * Float.BYTES;
            long o = cIdx * Float.BYTES;
            FloatVector alphaV = FloatVector.broadcast(S, alpha);
            store(c, o, c00, c01, alphaV, beta, mode);
            store(c, o += ldcB, c10, c11, alphaV, beta, mode);
            store(c, o += ldcB, c20, c21, alphaV, beta, mode);
            store(c, o += ldcB, c30, c31, alphaV, beta, mode);
            store(c, o += ldcB, c40, c41, alphaV, beta, mode);
            store(c, o + ldcB, c50, c51, alphaV, beta, mode);
        } else {
            c00.intoArray(tile, 0);
            c01.intoArray(tile, L);
            c10.intoArray(tile, NR);
            c11.intoArray(tile, NR + L);
            c20.intoArray(tile, 2 * NR);
            c21.intoArray(tile, 2 * NR + L);
            c30.intoArray(tile, 3 * NR);
            c31.intoArray(tile, 3 * NR + L);
            c40.intoArray(tile, 4 * NR);
            c41.intoArray(tile, 4 * NR + L);
            c50.intoArray(tile, 5 * NR);
            c51.intoArray(tile, 5 * NR + L);
            storePartial(c, cIdx, ldc, rows, cols, tile, alpha, beta, mode);
        }
    }

    private static void store(MemorySegment c, long o, FloatVector x0, FloatVector x1,
                              FloatVector alpha, float beta, int mode) {
        long o1 = o + (long) L * Float.BYTES;
        if (mode == MODE_ADD) {
            x0.fma(alpha, FloatVector.fromMemorySegment(S, c, o, ORDER)).intoMemorySegment(c, o, ORDER);
            x1.fma(alpha, FloatVector.fromMemorySegment(S, c, o1, ORDER)).intoMemorySegment(c, o1, ORDER);
        } else if (mode == MODE_ZERO) {
            x0.mul(alpha).intoMemorySegment(c, o, ORDER);
            x1.mul(alpha).intoMemorySegment(c, o1, ORDER);
        } else {
            x0.fma(alpha, FloatVector.fromMemorySegment(S, c, o, ORDER).mul(beta)).intoMemorySegment(c, o, ORDER);
            x1.fma(alpha, FloatVector.fromMemorySegment(S, c, o1, ORDER).mul(beta)).intoMemorySegment(c, o1, ORDER);
        }
    }

    /** Same arithmetic as {@link #store}, lane by lane, so edge tiles round exactly like full ones. */
    private static void storePartial(MemorySegment c, long cIdx, long ldc, int rows, int cols,
                                     float[] tile, float alpha, float beta, int mode) {
        for (int r = 0; r < rows; r++) {
            long row = cIdx + r * ldc;
            for (int j = 0; j < cols; j++) {
                float acc = tile[r * NR + j];
                float v;
                if (mode == MODE_ADD) {
                    v = Math.fma(acc, alpha, c.getAtIndex(F, row + j));
                } else if (mode == MODE_ZERO) {
                    v = acc * alpha;
                } else {
                    v = Math.fma(acc, alpha, c.getAtIndex(F, row + j) * beta);
                }
                c.setAtIndex(F, row + j, v);
            }
        }
    }

    /** C = beta * C over an m x n block; beta == 0 writes zeros without reading C. */
    static void scale(MemorySegment c, long cOff, long ldc, int m, int n, float beta) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            long row = cOff + i * ldc;
            if (beta == 0f) {
                c.asSlice(row * Float.BYTES, (long) n * Float.BYTES).fill((byte) 0);
            } else {
                for (int j = 0; j < n; j++) {
                    c.setAtIndex(F, row + j, c.getAtIndex(F, row + j) * beta);
                }
            }
        }
    }
}
