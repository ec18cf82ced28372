package io.vecml.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The plain reference implementation of {@link Kernels}: simple loops, one accumulator, no tricks.
 *
 * <p>It is the honest baseline the SIMD kernels are measured against and the oracle they are tested
 * against. float32 sums accumulate in float in index order (as a naive C loop would); uint8 sums
 * accumulate exactly in long.
 */
public final class ScalarKernels implements Kernels {

    /** The single instance (the class is stateless). */
    public static final ScalarKernels INSTANCE = new ScalarKernels();

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;

    private ScalarKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String toString() {
        return name();
    }

    // ---- float32, one pair --------------------------------------------------------------------

    @Override
    public float dotF32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        float sum = 0f;
        for (int i = 0; i < d; i++) {
            sum += a.getAtIndex(F32, aOff + i) * b.getAtIndex(F32, bOff + i);
        }
        return sum;
    }

    @Override
    public float l1F32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        float sum = 0f;
        for (int i = 0; i < d; i++) {
            sum += Math.abs(a.getAtIndex(F32, aOff + i) - b.getAtIndex(F32, bOff + i));
        }
        return sum;
    }

    @Override
    public float l2sqF32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        float sum = 0f;
        for (int i = 0; i < d; i++) {
            float diff = a.getAtIndex(F32, aOff + i) - b.getAtIndex(F32, bOff + i);
            sum += diff * diff;
        }
        return sum;
    }

    // ---- uint8, one pair ----------------------------------------------------------------------

    @Override
    public long dotU8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        long sum = 0;
        for (int i = 0; i < d; i++) {
            sum += (a.getAtIndex(U8, aOff + i) & 0xFF) * (b.getAtIndex(U8, bOff + i) & 0xFF);
        }
        return sum;
    }

    @Override
    public long l1U8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        long sum = 0;
        for (int i = 0; i < d; i++) {
            sum += Math.abs((a.getAtIndex(U8, aOff + i) & 0xFF) - (b.getAtIndex(U8, bOff + i) & 0xFF));
        }
        return sum;
    }

    @Override
    public long l2sqU8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        long sum = 0;
        for (int i = 0; i < d; i++) {
            int diff = (a.getAtIndex(U8, aOff + i) & 0xFF) - (b.getAtIndex(U8, bOff + i) & 0xFF);
            sum += diff * diff;
        }
        return sum;
    }

    // ---- one query against a block of rows ---------------------------------------------------

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

    // ---- many queries against many rows ------------------------------------------------------

    @Override
    public void l1U8Block(MemorySegment q, long qOff, long qStride, int nq,
                          MemorySegment t, long tOff, long tStride, int nt, int d,
                          int[] out, int outOff, int ldOut) {
        checkL1U8Dims(d);
        for (int i = 0; i < nq; i++) {
            for (int j = 0; j < nt; j++) {
                out[outOff + i * ldOut + j] = (int) l1U8(q, qOff + i * qStride, t, tOff + j * tStride, d);
            }
        }
    }

    @Override
    public void l1F32Block(MemorySegment q, long qOff, long qStride, int nq,
                           MemorySegment t, long tOff, long tStride, int nt, int d,
                           float[] out, int outOff, int ldOut) {
        for (int i = 0; i < nq; i++) {
            for (int j = 0; j < nt; j++) {
                out[outOff + i * ldOut + j] = l1F32(q, qOff + i * qStride, t, tOff + j * tStride, d);
            }
        }
    }

    /** The int results of {@link #l1U8Block} need 255 * d <= Integer.MAX_VALUE. */
    static void checkL1U8Dims(int d) {
        if (d < 0 || d > Integer.MAX_VALUE / 255) {
            throw new IllegalArgumentException("l1U8Block: d = " + d + " is outside 0.." + Integer.MAX_VALUE / 255
                    + " (int distances)");
        }
    }

    // ---- softmax -------------------------------------------------------------------------------

    @Override
    public void softmaxRows(MemorySegment s, long off, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            softmaxStrided(s, off + (long) r * cols, 1, cols);
        }
    }

    @Override
    public void u8ToF32Fma(MemorySegment src, long srcOff, MemorySegment a, long aOff, MemorySegment b, long bOff,
                           MemorySegment dst, long dstOff, int d) {
        for (int i = 0; i < d; i++) {
            float x = Byte.toUnsignedInt(src.get(ValueLayout.JAVA_BYTE, srcOff + i));
            float y = Math.fma(a.getAtIndex(F32, aOff + i), x, b.getAtIndex(F32, bOff + i));
            dst.setAtIndex(F32, dstOff + i, y);
        }
    }

    @Override
    public void linearStripesU8(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a, MemorySegment b,
                                MemorySegment w, long ldw, int classes, MemorySegment part) {
        stripes(x, true, rowOffs, rows, d, a, b, w, ldw, classes, part);
    }

    @Override
    public void linearStripesF32(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a, MemorySegment b,
                                 MemorySegment w, long ldw, int classes, MemorySegment part) {
        stripes(x, false, rowOffs, rows, d, a, b, w, ldw, classes, part);
    }

    /** Feature f of the row at element offset {@code off}, preprocessed: fma(a[f], x_f, b[f]). */
    private static float feature(MemorySegment x, boolean u8, long off, int f, MemorySegment a, MemorySegment b) {
        float v = u8 ? Byte.toUnsignedInt(x.get(U8, off + f)) : x.getAtIndex(F32, off + f);
        return Math.fma(a.getAtIndex(F32, f), v, b.getAtIndex(F32, f));
    }

    private static void stripes(MemorySegment x, boolean u8, long[] rowOffs, int rows, int d, MemorySegment a,
                                MemorySegment b, MemorySegment w, long ldw, int classes, MemorySegment part) {
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < classes; c++) {
                for (int j = 0; j < STRIPES; j++) {
                    float acc = 0f;
                    for (int f = j; f < d; f += STRIPES) {
                        acc = Math.fma(feature(x, u8, rowOffs[i], f, a, b), w.getAtIndex(F32, c * ldw + f), acc);
                    }
                    part.setAtIndex(F32, ((long) i * classes + c) * STRIPES + j, acc);
                }
            }
        }
    }

    @Override
    public void linearGradU8(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a, MemorySegment b,
                             float[] ds, int classes, MemorySegment g, long ldg) {
        grad(x, true, rowOffs, rows, d, a, b, ds, classes, g, ldg);
    }

    @Override
    public void linearGradF32(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a, MemorySegment b,
                              float[] ds, int classes, MemorySegment g, long ldg) {
        grad(x, false, rowOffs, rows, d, a, b, ds, classes, g, ldg);
    }

    private static void grad(MemorySegment x, boolean u8, long[] rowOffs, int rows, int d, MemorySegment a,
                             MemorySegment b, float[] ds, int classes, MemorySegment g, long ldg) {
        for (int c = 0; c < classes; c++) {
            for (int f = 0; f < d; f++) {
                float acc = 0f;
                for (int i = 0; i < rows; i++) {
                    acc = Math.fma(feature(x, u8, rowOffs[i], f, a, b), ds[i * classes + c], acc);
                }
                g.setAtIndex(F32, c * ldg + f, acc);
            }
        }
    }

    @Override
    public void softmaxClassMajor(MemorySegment s, long off, int classes, int n) {
        for (int j = 0; j < n; j++) {
            softmaxStrided(s, off + j, n, classes);
        }
    }

    /** Softmax of the {@code len} entries {@code start, start + step, ...}; the documented special values. */
    private static void softmaxStrided(MemorySegment s, long start, long step, int len) {
        if (len == 0) {
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) {
            // Math.max propagates NaN, so a NaN anywhere makes max NaN.
            max = Math.max(max, s.getAtIndex(F32, start + j * step));
        }
        if (!Float.isFinite(max)) {
            // NaN, +inf, or all -inf: no meaningful distribution.
            for (int j = 0; j < len; j++) {
                s.setAtIndex(F32, start + j * step, Float.NaN);
            }
            return;
        }
        float sum = 0f;
        for (int j = 0; j < len; j++) {
            long idx = start + j * step;
            float e = (float) Math.exp(s.getAtIndex(F32, idx) - max);
            s.setAtIndex(F32, idx, e);
            sum += e;
        }
        for (int j = 0; j < len; j++) {
            long idx = start + j * step;
            s.setAtIndex(F32, idx, s.getAtIndex(F32, idx) / sum);
        }
    }

    // ---- arg-extremes --------------------------------------------------------------------------

    // ---- gathers and panels: the plain loops the SIMD versions are checked against ----

    @Override
    public void l2sqU8Gather(MemorySegment q, long qOff, MemorySegment t, long[] tOffs, int n, int d, long[] out,
                              int outOff) {
        for (int r = 0; r < n; r++) {
            out[outOff + r] = l2sqU8(q, qOff, t, tOffs[r], d);
        }
    }

    @Override
    public void l1U8Gather(MemorySegment q, long qOff, MemorySegment t, long[] tOffs, int n, int d, long[] out,
                            int outOff) {
        for (int r = 0; r < n; r++) {
            out[outOff + r] = l1U8(q, qOff, t, tOffs[r], d);
        }
    }

    @Override
    public void l1F32Panels(float[] q, int qOff, int qStride, int nq, MemorySegment panels, long panelsOff, int np,
                             int d, float[] out, int outOff, int ldOut) {
        for (int i = 0; i < nq; i++) {
            for (int p = 0; p < np; p++) {
                long base = panelsOff + (long) p * d * Kernels.PANEL;
                for (int r = 0; r < Kernels.PANEL; r++) {
                    float s = 0;
                    for (int f = 0; f < d; f++) {
                        s += Math.abs(q[qOff + i * qStride + f]
                                - panels.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, base + (long) f * Kernels.PANEL + r));
                    }
                    out[outOff + i * ldOut + p * Kernels.PANEL + r] = s;
                }
            }
        }
    }

    @Override
    public int firstAtMost(float[] a, int from, int to, float thr) {
        java.util.Objects.checkFromToIndex(from, to, a.length);
        for (int i = from; i < to; i++) {
            if (a[i] <= thr) {
                return i;
            }
        }
        return to;
    }

    @Override
    public int indicesAtMost(float[] a, int from, int to, float thr, int[] out) {
        java.util.Objects.checkFromToIndex(from, to, a.length);
        java.util.Objects.checkFromIndexSize(0, to - from, out.length);
        int n = 0;
        for (int i = from; i < to; i++) {
            if (a[i] <= thr) {
                out[n++] = i;
            }
        }
        return n;
    }

    @Override
    public void l2sqF32Panels(float[] q, int qOff, int qStride, int nq, MemorySegment panels, long panelsOff, int np,
                               int d, float[] out, int outOff, int ldOut) {
        for (int i = 0; i < nq; i++) {
            for (int p = 0; p < np; p++) {
                long base = panelsOff + (long) p * d * Kernels.PANEL;
                for (int r = 0; r < Kernels.PANEL; r++) {
                    float s = 0;
                    for (int f = 0; f < d; f++) {
                        float diff = q[qOff + i * qStride + f]
                                - panels.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, base + (long) f * Kernels.PANEL + r);
                        s += diff * diff;
                    }
                    out[outOff + i * ldOut + p * Kernels.PANEL + r] = s;
                }
            }
        }
    }

    @Override
    public void accumulateRowsF64(double[] w, int m, int[] rows, double[] x, int n, double[] acc) {
        java.util.Objects.checkFromIndexSize(0, m, acc.length);
        java.util.Objects.checkFromIndexSize(0, n, Math.min(rows.length, x.length));
        for (int a = 0; a < n; a++) {
            double v = x[a];
            int o = rows[a] * m;
            java.util.Objects.checkFromIndexSize(o, m, w.length);
            for (int k = 0; k < m; k++) {
                acc[k] += v * w[o + k];
            }
        }
    }
}
