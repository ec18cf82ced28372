package io.vecml.engine.knn;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import java.lang.foreign.MemorySegment;

/**
 * Brute force over float32 data with the float kernels, whose sums (and so their rounding) depend on
 * the kernel's summation order: they only shortlist candidates within a proven bound
 * ({@link KnnSearch#directL1F32Bound} for L1 by the tile kernel, {@link KnnSearch#directF32Bound}
 * for squared L2 by {@code l2sqF32Rows}), and the {@link BoundedConsumer} re-ranks them exactly.
 */
final class FloatTiles implements DistanceProducer {

    private final SearchContext ctx;
    private final BoundedConsumer sink;
    private final double[] trainNorms;
    private final int trainBlock;
    private float[] outF = new float[0];

    /** @param trainNorms exact squared norms of the training rows (L2), else null */
    FloatTiles(SearchContext ctx, BoundedConsumer sink, double[] trainNorms) {
        if (ctx.uint8()) {
            throw new IllegalArgumentException("the float tile producer takes float32 data");
        }
        this.ctx = ctx;
        this.sink = sink;
        this.trainNorms = trainNorms;
        this.trainBlock = ctx.trainBlock();
    }

    @Override
    public void search(int q0, int q1, int t0, int t1, KnnSearch.Lists out) {
        int m = q1 - q0;
        if (t1 <= t0) {
            return;
        }
        sink.begin(q0, m);
        Dataset queries = ctx.queries();
        Dataset train = ctx.train();
        MemorySegment qs = queries.segment();
        MemorySegment ts = train.segment();
        long stride = train.stride();
        int d = ctx.dims();
        if (ctx.metric() == Metric.L1) {
            double g = KnnSearch.directL1F32Bound(d);
            for (int tb = t0; tb < t1; tb += trainBlock) {
                int n = Math.min(trainBlock, t1 - tb);
                if (outF.length < m * n) {
                    outF = new float[m * n];
                }
                ctx.kernels().l1F32Block(qs, queries.rowOffset(q0), stride, m, ts, train.rowOffset(tb), stride, n, d,
                        outF, 0, n);
                for (int i = 0; i < m; i++) {
                    sink.relative(i, outF, i * n, n, tb, g, KnnSearch.L1_ABS_SLACK);
                }
            }
        } else {
            double g = KnnSearch.directF32Bound(d);
            for (int tb = t0; tb < t1; tb += trainBlock) {
                int n = Math.min(trainBlock, t1 - tb);
                if (outF.length < n) {
                    outF = new float[n];
                }
                for (int i = 0; i < m; i++) {
                    ctx.kernels().l2sqF32Rows(qs, queries.rowOffset(q0 + i), ts, train.rowOffset(tb), stride, n, d,
                            outF, 0);
                    sink.squared(i, outF, n, tb, trainNorms, g);
                }
            }
        }
        sink.finish(out);
    }

    @Override
    public void close() {
    }
}
