package io.vecml.engine.knn;

/**
 * Receives approximate distances of a block of queries, each with a proven error bound, and
 * answers with the exact k nearest: every row whose lower bound is not above the k-th smallest
 * upper bound is a candidate, and the candidates are re-ranked with exact distances. The three
 * shapes of bound are the ones the producers can prove (see {@link KnnSearch#gemmBound},
 * {@link KnnSearch#directF32Bound}, {@link KnnSearch#directL1F32Bound}). Implementation:
 * {@link RerankConsumer}.
 */
interface BoundedConsumer {

    /** Starts a block of queries q0..q0 + m - 1, forgetting the previous block. */
    void begin(int q0, int m);

    /** Exact squared norm of local query i (L2), computed by {@link #begin}. */
    double queryNorm(int i);

    /**
     * GEMM dot products v[j] of query i with rows firstRow + j: approx = qn + tn - 2 v,
     * |approx - exact| <= g (qn + tn).
     */
    void dots(int i, float[] v, int n, int firstRow, double[] trainNorms, double g);

    /** Approximate squared distances v[j]: |v - exact| <= g (qn + tn). */
    void squared(int i, float[] v, int n, int firstRow, double[] trainNorms, double g);

    /** Approximate (float-summed) L1 distances v[off + j]: |v - exact| <= g v + slack. */
    void relative(int i, float[] v, int off, int n, int firstRow, double g, double slack);

    /** Re-ranks each query's candidates exactly and writes its k nearest into out rows 0..m - 1. */
    void finish(KnnSearch.Lists out);
}
