package io.vecml.engine.knn;

/**
 * A way to compute distances (brute-force tiles of the distance kernels, GEMM tiles with a proven
 * bound, filter and refine over pooled lower bounds), paired with a consumer that decides what the
 * distances become ({@link ExactConsumer}: exact distances straight into the k nearest;
 * {@link BoundedConsumer}: approximate distances within a proven bound shortlist candidates for an
 * exact re-rank). One instance per worker thread, reused across its units; not thread-safe.
 *
 * <p>Contract: {@link #search} writes, for each query q0..q1 - 1, the exact k nearest of training
 * rows t0..t1 - 1 (fewer when the part has fewer rows), sorted by (distance, index). The answer
 * must not depend on the producer: every producer's answers are the same exact lists.
 */
interface DistanceProducer extends AutoCloseable {

    /** The k nearest of queries q0..q1 - 1 among training rows t0..t1 - 1 into out (row i = query q0 + i). */
    void search(int q0, int q1, int t0, int t1, KnnSearch.Lists out);

    /** Frees native scratch memory. */
    @Override
    void close();
}
