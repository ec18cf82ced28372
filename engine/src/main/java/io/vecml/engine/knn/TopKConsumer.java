package io.vecml.engine.knn;

/** The k nearest of each query in a {@link TopK} (sorted insertion or a heap, by k). */
final class TopKConsumer implements ExactConsumer {

    private static final long IDX_MASK = 0x7FFF_FFFFL;

    private final int k;
    private TopK[] tops = new TopK[0];
    private final long[] sorted;

    TopKConsumer(int k) {
        this.k = k;
        this.sorted = new long[k];
    }

    @Override
    public void begin(int m) {
        if (tops.length < m) {
            tops = java.util.Arrays.copyOf(tops, m);
        }
        for (int i = 0; i < m; i++) {
            TopK t = tops[i];
            if (t == null) {
                tops[i] = new TopK(k);
            } else {
                t.clear();
            }
        }
    }

    @Override
    public long worst(int i) {
        return tops[i].worst();
    }

    @Override
    public void offer(int i, long key) {
        tops[i].offer(key);
    }

    // Keys are distance << 31 | index; the common case (key >= worst) costs one compare.

    @Override
    public void offerInts(int i, int[] dist, int off, int n, int firstRow) {
        TopK top = tops[i];
        long worst = top.worst();
        for (int j = 0; j < n; j++) {
            long key = (long) dist[off + j] << 31 | (firstRow + j);
            if (key < worst) {
                top.offer(key);
                worst = top.worst();
            }
        }
    }

    @Override
    public void offerLongs(int i, long[] dist, int n, int firstRow) {
        TopK top = tops[i];
        long worst = top.worst();
        for (int j = 0; j < n; j++) {
            long key = dist[j] << 31 | (firstRow + j);
            if (key < worst) {
                top.offer(key);
                worst = top.worst();
            }
        }
    }

    @Override
    public void finish(KnnSearch.Lists out, int from, int to) {
        for (int i = from; i < to; i++) {
            int c = tops[i].sortedInto(sorted, 0);
            for (int r = 0; r < c; r++) {
                long key = sorted[r];
                out.idx[i * k + r] = (int) (key & IDX_MASK);
                out.dist[i * k + r] = key >>> 31;
            }
            out.count[i] = c;
        }
    }
}
