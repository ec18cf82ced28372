package io.vecml.engine.knn;

/**
 * Receives exact distances of a block of queries, as keys {@code distance << 31 | row} (an integer
 * distance, or the bits of a non-negative float: both order as the keys do), and keeps the k
 * nearest of each query. A producer may ask {@link #worst} to skip work that cannot change the
 * answer. Implementations: {@link TopKConsumer} (any k); a k = 1 specialisation would be another.
 */
interface ExactConsumer {

    /** Starts a block of m queries (local indices 0..m - 1), forgetting the previous block. */
    void begin(int m);

    /** Keys at or above this cannot enter query i's list (Long.MAX_VALUE while it holds fewer than k). */
    long worst(int i);

    /** Offers one key of query i (each (distance, row) at most once). */
    void offer(int i, long key);

    /** Offers n integer distances dist[off + j] of query i to rows firstRow + j. */
    void offerInts(int i, int[] dist, int off, int n, int firstRow);

    /** Offers n long (integer) distances dist[j] of query i to rows firstRow + j. */
    void offerLongs(int i, long[] dist, int n, int firstRow);

    /**
     * Writes each query's kept keys, nearest first, into out rows from..m - 1 (count, indices and
     * integer distances); returns nothing for queries outside that range.
     */
    void finish(KnnSearch.Lists out, int from, int to);
}
