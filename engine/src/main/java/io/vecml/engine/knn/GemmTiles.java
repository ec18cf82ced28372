package io.vecml.engine.knn;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.gemm.Gemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Brute-force squared L2 through a matrix product: a block of up to {@link KnnSearch#QB_GEMM}
 * queries times tiles of {@link KnnSearch#TB_GEMM} training rows, Q T^T in float32 (sgemm), and
 * approx = ||q||^2 + ||t||^2 - 2 q.t within the proven bound {@link KnnSearch#gemmBound}; the
 * {@link BoundedConsumer} keeps the candidates and re-ranks them exactly. uint8 data is multiplied
 * as exact float copies (the training copy is built once, see {@link KnnSearch.TrainCache}).
 * Subclasses change the operands and the product (see {@link Bf16GemmTiles}).
 */
class GemmTiles implements DistanceProducer {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;

    final SearchContext ctx;
    final BoundedConsumer sink;
    final KnnSearch.TrainCache cache;
    final Arena arena = Arena.ofConfined();
    private final Gemm gemm;
    private MemorySegment qFloats;
    private MemorySegment cTile;
    private float[] cRow;

    GemmTiles(SearchContext ctx, BoundedConsumer sink, KnnSearch.TrainCache cache, Gemm gemm) {
        this.ctx = ctx;
        this.sink = sink;
        this.cache = cache;
        this.gemm = gemm;
    }

    /** |approx - exact| <= bound * (||q||^2 + ||t||^2) for this product. */
    double bound() {
        return KnnSearch.gemmBound(ctx.dims());
    }

    /** Prepares the operands of queries q0..q0 + m - 1 (uint8: their exact float copies). */
    void prepareQueries(int q0, int m) {
        if (ctx.uint8()) {
            Dataset queries = ctx.queries();
            int d = ctx.dims();
            int ldq = (int) ctx.train().stride();
            if (qFloats == null) {
                qFloats = arena.allocate((long) KnnSearch.QB_GEMM * ldq * Float.BYTES, 64);
            }
            MemorySegment qs = queries.segment();
            for (int i = 0; i < m; i++) {
                long src = queries.rowOffset(q0 + i);
                long dst = (long) i * ldq;
                for (int c = 0; c < d; c++) {
                    qFloats.setAtIndex(F32, dst + c, Byte.toUnsignedInt(qs.get(ValueLayout.JAVA_BYTE, src + c)));
                }
            }
        }
    }

    /** C[m x n] (row-major, ldc n) = the dot products of the prepared queries with rows tb..tb + n - 1. */
    void multiply(int q0, int m, int tb, int n, MemorySegment c) {
        Dataset train = ctx.train();
        int d = ctx.dims();
        if (ctx.uint8()) {
            int ld = cache.ld();
            gemm.sgemm(false, true, m, n, d, 1f, qFloats, 0, (int) train.stride(), cache.floats(), (long) tb * ld, ld,
                    0f, c, 0, n);
        } else {
            Dataset queries = ctx.queries();
            gemm.sgemm(false, true, m, n, d, 1f, queries.segment(), queries.rowOffset(q0), (int) queries.stride(),
                    train.segment(), (long) tb * train.stride(), (int) train.stride(), 0f, c, 0, n);
        }
    }

    @Override
    public final void search(int q0, int q1, int t0, int t1, KnnSearch.Lists out) {
        int m = q1 - q0;
        if (t1 <= t0) {
            return;
        }
        if (m > KnnSearch.QB_GEMM) {
            throw new IllegalArgumentException("a GEMM unit holds at most " + KnnSearch.QB_GEMM + " queries, got " + m);
        }
        sink.begin(q0, m);
        double[] tn = cache.norms();
        prepareQueries(q0, m);
        if (cTile == null) {
            cTile = arena.allocate((long) KnnSearch.QB_GEMM * KnnSearch.TB_GEMM * Float.BYTES, 64);
            cRow = new float[KnnSearch.TB_GEMM];
        }
        double g = bound();
        for (int tb = t0; tb < t1; tb += KnnSearch.TB_GEMM) {
            int n = Math.min(KnnSearch.TB_GEMM, t1 - tb);
            multiply(q0, m, tb, n, cTile);
            for (int i = 0; i < m; i++) {
                MemorySegment.copy(cTile, F32, (long) i * n * Float.BYTES, cRow, 0, n);
                sink.dots(i, cRow, n, tb, tn, g);
            }
        }
        sink.finish(out);
    }

    @Override
    public void close() {
        arena.close();
    }
}
