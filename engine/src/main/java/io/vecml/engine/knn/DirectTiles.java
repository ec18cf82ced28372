package io.vecml.engine.knn;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import java.lang.foreign.MemorySegment;

/**
 * Brute force over uint8 data with the exact integer kernels: L1 by the tile kernel
 * ({@code l1U8Block}, a block of queries x a training block sized for L2 cache), L2 by
 * {@code l2sqU8Rows} per query. Every distance is exact, so it goes straight to an {@link ExactConsumer}.
 */
final class DirectTiles implements DistanceProducer {

    private final SearchContext ctx;
    private final ExactConsumer sink;
    private final int trainBlock;
    private int[] outI = new int[0];
    private long[] outL = new long[0];

    DirectTiles(SearchContext ctx, ExactConsumer sink) {
        if (!ctx.uint8()) {
            throw new IllegalArgumentException("the exact tile producer takes uint8 data");
        }
        this.ctx = ctx;
        this.sink = sink;
        this.trainBlock = ctx.trainBlock();
    }

    @Override
    public void search(int q0, int q1, int t0, int t1, KnnSearch.Lists out) {
        int m = q1 - q0;
        if (t1 <= t0) {
            return;
        }
        sink.begin(m);
        Dataset queries = ctx.queries();
        Dataset train = ctx.train();
        MemorySegment qs = queries.segment();
        MemorySegment ts = train.segment();
        long stride = train.stride();
        int d = ctx.dims();
        boolean l1 = ctx.metric() == Metric.L1;
        for (int tb = t0; tb < t1; tb += trainBlock) {
            int n = Math.min(trainBlock, t1 - tb);
            if (l1) {
                if (outI.length < m * n) {
                    outI = new int[m * n];
                }
                ctx.kernels().l1U8Block(qs, queries.rowOffset(q0), stride, m, ts, train.rowOffset(tb), stride, n, d,
                        outI, 0, n);
                for (int i = 0; i < m; i++) {
                    sink.offerInts(i, outI, i * n, n, tb);
                }
            } else {
                if (outL.length < n) {
                    outL = new long[n];
                }
                for (int i = 0; i < m; i++) {
                    ctx.kernels().l2sqU8Rows(qs, queries.rowOffset(q0 + i), ts, train.rowOffset(tb), stride, n, d,
                            outL, 0);
                    sink.offerLongs(i, outL, n, tb);
                }
            }
        }
        sink.finish(out, 0, m);
    }

    @Override
    public void close() {
    }
}
