package io.vecml.engine.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The distance, dot-product, softmax and arg-extreme kernels every model is built on.
 *
 * <p>Two implementations exist: {@link ScalarKernels}, the plain reference, and {@code SimdKernels}
 * (Vector API). Both give the same answers: exactly for uint8 (integer) inputs, and within float
 * rounding for float32 inputs. {@link KernelSelection#current()} picks one once per JVM
 * ({@code -Dvecml.kernels=auto|scalar|simd}).
 *
 * <p>Conventions for every method:
 * <ul>
 *   <li>Vectors live in {@link MemorySegment}s (heap or native). Offsets, strides and lengths are
 *       counted in <em>elements</em> (floats or bytes), never in bytes.</li>
 *   <li>float32 data is read in native byte order; uint8 data is unsigned (0..255).</li>
 *   <li>{@code d} is the dimension; {@code d == 0} gives 0.</li>
 *   <li>Bounds are checked by the memory access itself: out-of-range offsets throw
 *       {@link IndexOutOfBoundsException}.</li>
 * </ul>
 */
public interface Kernels {

    /** Short name: {@code "scalar"} or {@code "simd"}. */
    String name();

    // ---- float32, one pair --------------------------------------------------------------------

    /** Sum of a[i] * b[i]. */
    float dotF32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d);

    /** Sum of |a[i] - b[i]|. */
    float l1F32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d);

    /** Sum of (a[i] - b[i])^2 (squared Euclidean distance). */
    float l2sqF32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d);

    // ---- uint8, one pair: exact integer results at any dimension ------------------------------

    long dotU8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d);

    long l1U8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d);

    long l2sqU8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d);

    // ---- one query against a block of rows ---------------------------------------------------
    // Row r of the block starts at rowsOff + r * stride (elements); out[outOff + r] receives the
    // result for row r, for r in [0, n).

    void l1F32Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                   float[] out, int outOff);

    void l2sqF32Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                     float[] out, int outOff);

    void l1U8Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                  long[] out, int outOff);

    void l2sqU8Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride, int n, int d,
                    long[] out, int outOff);

    // ---- many queries against many rows (kNN tiles) ----------------------------------------------
    // Query i of the block starts at qOff + i * qStride, row j at tOff + j * tStride (elements);
    // out[outOff + i * ldOut + j] receives the distance of pair (i, j), for i in [0, nq), j in [0, nt).

    /**
     * Exact L1 distances of uint8 vectors for a block of queries against a block of rows.
     *
     * @throws IllegalArgumentException if {@code 255 * d} does not fit an int
     */
    void l1U8Block(MemorySegment q, long qOff, long qStride, int nq,
                           MemorySegment t, long tOff, long tStride, int nt, int d,
                           int[] out, int outOff, int ldOut);

    /**
     * float32 L1 distances for a block of queries against a block of rows. Each pair is summed in
     * one fixed order chosen by the implementation (the scalar reference: index order), the same
     * for every pair whatever its position in the block and whatever {@code nq} and {@code nt}, so
     * the results do not depend on how a caller cuts the work into blocks or threads.
     */
    void l1F32Block(MemorySegment q, long qOff, long qStride, int nq,
                            MemorySegment t, long tOff, long tStride, int nt, int d,
                            float[] out, int outOff, int ldOut);

    // ---- one query against rows at arbitrary offsets (kNN refinement) ---------------------------
    // Rows scattered in memory (the candidates of a filter): the implementation may interleave
    // several rows so that their cache misses overlap. out[outOff + r] receives the result for the
    // row starting at tOffs[r] (elements), r in [0, n).

    /** Exact squared L2 distances of uint8 vectors (see above). */
    void l2sqU8Gather(MemorySegment q, long qOff, MemorySegment t, long[] tOffs, int n, int d, long[] out,
                              int outOff);

    /** Exact L1 distances of uint8 vectors (see above). */
    void l1U8Gather(MemorySegment q, long qOff, MemorySegment t, long[] tOffs, int n, int d, long[] out,
                            int outOff);

    // ---- many queries against training rows stored in panels (kNN lower bounds) ------------------
    // Training rows in panels of PANEL rows, feature-major inside a panel: feature f of row j is
    // the float at panelsOff + (j / PANEL) * d * PANEL + f * PANEL + j % PANEL (elements). Lanes
    // then run across training rows, so no lane reduction is needed and short rows (d of 16..200,
    // pooled images) cost no tail handling. Queries are plain float arrays, query i at
    // qOff + i * qStride. out[outOff + i * ldOut + j] receives pair (i, j) for the rows of the np
    // panels, j in [0, np * PANEL). Each pair is summed over f in index order, one float
    // accumulator (the SIMD implementation may fuse a multiply-add; for integer-valued inputs whose
    // sums stay below 2^24, L1 is exact).

    /** Rows per panel. */
    int PANEL = 16;

    /** L1 distances of queries against panel-stored rows (see above). */
    void l1F32Panels(float[] q, int qOff, int qStride, int nq, MemorySegment panels, long panelsOff, int np,
                             int d, float[] out, int outOff, int ldOut);

    /** Squared L2 distances of queries against panel-stored rows (see above). */
    void l2sqF32Panels(float[] q, int qOff, int qStride, int nq, MemorySegment panels, long panelsOff, int np,
                               int d, float[] out, int outOff, int ldOut);

    /**
     * The first index i in [from, to) with {@code a[i] <= thr}, or {@code to} if there is none (NaN
     * never qualifies). The scans of the kNN filter over one query's bounds: most values are above
     * the threshold, so a vector compare per lane group skips them.
     */
    int firstAtMost(float[] a, int from, int to, float thr);

    /**
     * Every index i in [from, to) with {@code a[i] <= thr} (NaN never qualifies), in increasing order,
     * into {@code out} from index 0; returns how many. {@code out} must hold {@code to - from} indices.
     * The kNN filter's candidate scan with a fixed threshold: one call per query instead of one
     * {@link #firstAtMost} call per candidate.
     */
    int indicesAtMost(float[] a, int from, int to, float thr, int[] out);

    /**
     * {@code acc[k] += x[0] w[rows[0] m + k] + ... + x[n-1] w[rows[n-1] m + k]} for k in [0, m):
     * a sparse vector (values x at the row indices {@code rows}) times a row-major matrix w of row
     * length m, in double. Each coordinate is a sum of n products taken in any order, each product
     * and sum rounded or fused (the error of a sum of n + 1 terms, gamma_(n+1) times the sum of
     * their magnitudes, covers every implementation). The projection of a uint8 row onto the
     * principal directions of the kNN filter's L2 bounds (rows: its non-zero features).
     */
    void accumulateRowsF64(double[] w, int m, int[] rows, double[] x, int n, double[] acc);

    // ---- uint8 -> float32 conversion --------------------------------------------------------------

    /**
     * {@code dst[dstOff + i] = Math.fma(a[aOff + i], (float) src[srcOff + i], b[bOff + i])} for i in
     * [0, d): unsigned bytes to float32, scaled and offset per element with one fused multiply-add
     * (one rounding), so every implementation gives bit-identical results. {@code a = 1, b = 0}
     * converts exactly. {@code src} is uint8, {@code a}, {@code b} and {@code dst} float32; {@code dst}
     * must not overlap the inputs.
     */
    void u8ToF32Fma(MemorySegment src, long srcOff, MemorySegment a, long aOff, MemorySegment b, long bOff,
                    MemorySegment dst, long dstOff, int d);

    // ---- a linear layer over raw rows, preprocessing fused (SGD training) ------------------------
    // Rows are read where they are: row i (i in [0, rows)) is the d values at element offset
    // rowOffs[i] of x (uint8 or float32), and its feature f enters as xs = fma(a[f], x_f, b[f]) in
    // float (the value u8ToF32Fma writes; a, b: d float32 values from element 0), so no
    // preprocessed copy of the rows is ever made. Weights and gradients are class-major: class c's
    // value for feature f at element c * ld + f. The order of every sum is defined below, and every
    // implementation follows it exactly, whatever its vector size: the results are bit-identical.

    /** Stripes of a score sum: feature f is added to partial sum f % STRIPES. */
    int STRIPES = 16;

    /**
     * Partial class scores of uint8 rows (see above): for row i, class c and stripe j in
     * [0, STRIPES), {@code part[(i * classes + c) * STRIPES + j]} = the sum over the features f < d
     * with f % STRIPES == j, in increasing f, of xs_f * w[c * ldw + f], accumulated as
     * {@code acc = fma(xs_f, w, acc)} from {@code acc = 0}. A caller adds the stripes in a fixed
     * order of its own. {@code part} (float32) must not overlap the inputs.
     */
    void linearStripesU8(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a, MemorySegment b,
                         MemorySegment w, long ldw, int classes, MemorySegment part);

    /** {@link #linearStripesU8} for float32 rows. */
    void linearStripesF32(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a, MemorySegment b,
                          MemorySegment w, long ldw, int classes, MemorySegment part);

    /**
     * The weight gradient of uint8 rows (see above): {@code g[c * ldg + f]} = the sum over rows i in
     * [0, rows), in order, of xs_f(row i) * {@code ds[i * classes + c]}, accumulated as
     * {@code acc = fma(xs, ds, acc)} from {@code acc = 0}, for f in [0, d) and c in [0, classes).
     * Other entries of {@code g} are not written; {@code g} must not overlap the inputs.
     */
    void linearGradU8(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a, MemorySegment b,
                      float[] ds, int classes, MemorySegment g, long ldg);

    /** {@link #linearGradU8} for float32 rows. */
    void linearGradF32(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a, MemorySegment b,
                       float[] ds, int classes, MemorySegment g, long ldg);

    // ---- softmax -------------------------------------------------------------------------------

    /**
     * In-place, numerically stable softmax of each row of a row-major {@code rows x cols} float32
     * matrix starting at {@code off} (row r at {@code off + r * cols}): p_j = exp(s_j - max) / sum.
     *
     * <p>Special values: entries equal to -inf get probability 0 when the row has a finite
     * maximum. A row that contains NaN or +inf, or whose entries are all -inf, becomes all NaN
     * (there is no meaningful distribution; this matches scipy.special.softmax).
     */
    void softmaxRows(MemorySegment s, long off, int rows, int cols);

    /**
     * The same softmax for a class-major layout: {@code classes x n} row-major, where column j
     * (entries {@code off + c * n + j}) holds the scores of sample j. This is the fast layout for
     * few classes (such as 10): SIMD lanes run across samples.
     */
    void softmaxClassMajor(MemorySegment s, long off, int classes, int n);

    // ---- arg-extremes --------------------------------------------------------------------------

}
