package io.vecml.engine.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

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
     * broadcast of A = 15 registers, and C2 indeed keeps the loop spill-free. Per k step that is
     * 12 FMAs against 2 loads + 6 broadcasts (vbroadcastss from memory), and 12 independent
     * accumulators cover the FMA latency (4 cycles x 2 pipes = 8 in flight). Measured
     * alternatives, all slower: 4 x 24 (exactly 16 registers: C2 uses two for broadcasts and
     * spills two accumulators), 5 x 16, 4 x 16 and 8 x 8.
     * The kernel and packA are written out for MR = 6; NR follows the vector length.
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

    /** Floats of scratch space {@link #packA} and {@link #packB} need for a given kc and mc. */
    static int scratchSize(int kc, int mc) {
        return Math.max(Math.max(MR, NR) * kc, mc + MR);
    }

    /*
     * Packing first copies whole source rows into {@code scratch} with one bulk
     * MemorySegment.copy, then interleaves from the float[]: element-wise MemorySegment reads pay
     * a bounds and liveness check each, and the transposed-A path, which read 6 floats per row
     * of A, took twice as long. Packing is ~5% of a large multiply either way.
     */

    /**
     * Packs rows [i0, i0 + mc) and k range [p0, p0 + kc) of op(A) into {@code ap} as
     * ceil(mc / MR) micro-panels of {@code kc * MR} floats.
     */
    static void packA(boolean transA, MemorySegment a, long aOff, long lda,
                      int i0, int mc, int p0, int kc, float[] ap, float[] scratch) {
        if (transA) {
            // op(A)(i, p) = A[p][i]: row p of A holds the values of step p for every panel.
            int padded = ceilDiv(mc, MR) * MR;
            Arrays.fill(scratch, mc, padded, 0f);
            for (int p = 0; p < kc; p++) {
                MemorySegment.copy(a, F, (aOff + (long) (p0 + p) * lda + i0) * Float.BYTES, scratch, 0, mc);
                for (int i = 0, d = p * MR; i < padded; i += MR, d += MR * kc) {
                    ap[d] = scratch[i];
                    ap[d + 1] = scratch[i + 1];
                    ap[d + 2] = scratch[i + 2];
                    ap[d + 3] = scratch[i + 3];
                    ap[d + 4] = scratch[i + 4];
                    ap[d + 5] = scratch[i + 5];
                }
            }
            return;
        }
        for (int q = 0, i = 0; i < mc; q++, i += MR) {
            int rows = Math.min(MR, mc - i);
            int dst = q * MR * kc;
            // op(A)(i, p) = A[i][p]: the panel's rows side by side in scratch, then interleaved.
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(a, F, (aOff + (long) (i0 + i + r) * lda + p0) * Float.BYTES, scratch, r * kc, kc);
            }
            if (rows < MR) {
                Arrays.fill(scratch, rows * kc, MR * kc, 0f);
            }
            for (int p = 0, d = dst; p < kc; p++, d += MR) {
                ap[d] = scratch[p];
                ap[d + 1] = scratch[kc + p];
                ap[d + 2] = scratch[2 * kc + p];
                ap[d + 3] = scratch[3 * kc + p];
                ap[d + 4] = scratch[4 * kc + p];
                ap[d + 5] = scratch[5 * kc + p];
            }
        }
    }

    /**
     * Packs columns [j0, j0 + nc) and k range [p0, p0 + kc) of op(B) into {@code bp} as
     * ceil(nc / NR) micro-panels of {@code kc * NR} floats.
     */
    static void packB(boolean transB, MemorySegment b, long bOff, long ldb,
                      int j0, int nc, int p0, int kc, float[] bp, float[] scratch) {
        int[] rowStarts = transB ? gatherIndex(kc) : null;
        for (int q = 0, j = 0; j < nc; q++, j += NR) {
            int cols = Math.min(NR, nc - j);
            int dst = q * NR * kc;
            if (transB) {
                // op(B)(p, j) = B[j][p]: the panel's NR rows of B side by side, then transposed.
                for (int c = 0; c < cols; c++) {
                    MemorySegment.copy(b, F, (bOff + (long) (j0 + j + c) * ldb + p0) * Float.BYTES, scratch, c * kc, kc);
                }
                if (cols < NR) {
                    Arrays.fill(scratch, cols * kc, NR * kc, 0f);
                }
                // A gather per NR/L lanes (vgatherdps) beat NR scalar strided loads by ~30%.
                for (int p = 0, d = dst; p < kc; p++, d += NR) {
                    for (int v = 0; v < NR; v += L) {
                        FloatVector.fromArray(S, scratch, p, rowStarts, v).intoArray(bp, d + v);
                    }
                }
            } else {
                long src = bOff + (long) p0 * ldb + j0 + j;
                if (cols == NR) {
                    for (int p = 0; p < kc; p++, src += ldb) {
                        int d = dst + p * NR;
                        long o = src * Float.BYTES;
                        for (int v = 0; v < NR; v += L) {
                            FloatVector.fromMemorySegment(S, b, o + (long) v * Float.BYTES, ORDER).intoArray(bp, d + v);
                        }
                    }
                } else {
                    for (int p = 0; p < kc; p++, src += ldb) {
                        int d = dst + p * NR;
                        MemorySegment.copy(b, F, src * Float.BYTES, bp, d, cols);
                        Arrays.fill(bp, d + cols, d + NR, 0f);
                    }
                }
            }
        }
    }

    /** {0, kc, 2kc, ...}: lane c of a gather reads row c of the scratch copy. */
    private static int[] gatherIndex(int kc) {
        int[] idx = new int[NR];
        for (int c = 0; c < NR; c++) {
            idx[c] = c * kc;
        }
        return idx;
    }

    private static int ceilDiv(int x, int y) {
        return Math.ceilDiv(x, y);
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
        // Indices derived from p (not pointers bumped each step) let C2 prove them in range and
        // drop the bounds checks. Unrolling k by hand (2 or 4 steps) was ~2x slower: C2 then
        // hoists every broadcast to the top of the body and spills accumulators.
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
        // The tile goes through a small array rather than straight to C: passing vectors to a
        // helper that C2 declines to inline (NodeCountInliningCutoff) would box all twelve, and
        // 12 stores + 12 loads per KC steps of the loop cost nothing measurable.
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
        if (cols == NR) {
            storeRows(c, cIdx, ldc, rows, tile, alpha, beta, mode);
        } else {
            storePartial(c, cIdx, ldc, rows, cols, tile, alpha, beta, mode);
        }
    }

    /** C rows += the first {@code rows} full-width rows of {@code tile}, a vector at a time. */
    private static void storeRows(MemorySegment c, long cIdx, long ldc, int rows, float[] tile,
                                  float alpha, float beta, int mode) {
        FloatVector alphaV = FloatVector.broadcast(S, alpha);
        for (int r = 0; r < rows; r++) {
            long o = (cIdx + r * ldc) * Float.BYTES;
            for (int v = 0; v < NR; v += L, o += (long) L * Float.BYTES) {
                FloatVector x = FloatVector.fromArray(S, tile, r * NR + v);
                FloatVector y;
                if (mode == MODE_ADD) {
                    y = x.fma(alphaV, FloatVector.fromMemorySegment(S, c, o, ORDER));
                } else if (mode == MODE_ZERO) {
                    y = x.mul(alphaV);
                } else {
                    y = x.fma(alphaV, FloatVector.fromMemorySegment(S, c, o, ORDER).mul(beta));
                }
                y.intoMemorySegment(c, o, ORDER);
            }
        }
    }

    /** Same arithmetic as {@link #storeRows}, lane by lane, so edge tiles round exactly like full ones. */
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
