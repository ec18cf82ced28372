package io.vecml.engine.knn;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Candidates within a proven bound, then an exact re-rank: integer squared distances for uint8,
 * double sums in index order for float32 (L2 squared, or L1), so answers do not depend on the
 * producer, the kernels or the threads. Per query it keeps the k smallest upper bounds (their
 * largest is the threshold U) and every row whose lower bound is <= U: any row among the exact k
 * nearest has exact distance <= U.
 */
final class RerankConsumer implements BoundedConsumer {

    private final SearchContext ctx;
    private final int k;
    private TopK[] tops = new TopK[0];
    private Candidates[] cands = new Candidates[0];
    private double[] qNorms = new double[0];
    private int q0;
    private int m;

    RerankConsumer(SearchContext ctx) {
        this.ctx = ctx;
        this.k = ctx.k();
    }

    @Override
    public void begin(int q0, int m) {
        this.q0 = q0;
        this.m = m;
        if (tops.length < m) {
            tops = Arrays.copyOf(tops, m);
            cands = Arrays.copyOf(cands, m);
            qNorms = new double[m];
        }
        boolean norms = ctx.l2();
        for (int i = 0; i < m; i++) {
            if (norms) {
                qNorms[i] = KnnSearch.norm(ctx.kernels(), ctx.queries(), q0 + i);
            }
            if (tops[i] == null) {
                tops[i] = new TopK(k);
            } else {
                tops[i].clear();
            }
            if (cands[i] == null) {
                cands[i] = new Candidates(k);
            }
            cands[i].clear();
        }
    }

    @Override
    public double queryNorm(int i) {
        return qNorms[i];
    }

    @Override
    public void dots(int i, float[] v, int n, int firstRow, double[] tn, double g) {
        scan(i, v, n, firstRow, tn, g, true);
    }

    @Override
    public void squared(int i, float[] v, int n, int firstRow, double[] tn, double g) {
        scan(i, v, n, firstRow, tn, g, false);
    }

    private void scan(int i, float[] v, int n, int tb, double[] tn, double g, boolean dots) {
        TopK upper = tops[i];
        Candidates c = cands[i];
        double qn = qNorms[i];
        long worst = upper.worst();
        double u = worst == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : Double.longBitsToDouble(worst);
        for (int j = 0; j < n; j++) {
            double s = qn + tn[tb + j];
            double a = dots ? s - 2.0 * v[j] : v[j];
            double b = g * s;
            double lo = a - b;
            if (lo > u) {
                continue;
            }
            double hi = Math.max(0.0, a + b);
            // Non-negative doubles order as their bits; the index breaks no ties here (only U matters).
            long key = Double.doubleToRawLongBits(hi);
            if (key < worst) {
                upper.offer(key);
                worst = upper.worst();
                u = worst == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : Double.longBitsToDouble(worst);
            }
            c.add(tb + j, lo, u);
        }
    }

    @Override
    public void relative(int i, float[] v, int off, int n, int tb, double g, double slack) {
        TopK upper = tops[i];
        Candidates c = cands[i];
        long worst = upper.worst();
        double u = worst == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : Double.longBitsToDouble(worst);
        for (int j = 0; j < n; j++) {
            double a = v[off + j];
            double b = g * a + slack;
            double lo = a - b;
            if (lo > u) {
                continue;
            }
            long key = Double.doubleToRawLongBits(a + b);
            if (key < worst) {
                upper.offer(key);
                worst = upper.worst();
                u = worst == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : Double.longBitsToDouble(worst);
            }
            c.add(tb + j, lo, u);
        }
    }

    @Override
    public void finish(KnnSearch.Lists out) {
        for (int i = 0; i < m; i++) {
            rerank(i, q0 + i, out);
        }
    }

    /** Exact distances of the candidates of query i that can still be among the k nearest. */
    private void rerank(int i, int qRow, KnnSearch.Lists out) {
        long worst = tops[i].worst();
        double u = worst == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : Double.longBitsToDouble(worst);
        Candidates c = cands[i];
        c.prune(u);
        int n = c.n;
        double[] ex = new double[n];
        Integer[] order = new Integer[n];
        Dataset queries = ctx.queries();
        Dataset train = ctx.train();
        MemorySegment qs = queries.segment();
        MemorySegment ts = train.segment();
        long qo = queries.rowOffset(qRow);
        int d = ctx.dims();
        boolean u8 = ctx.uint8();
        boolean l1 = ctx.metric() == Metric.L1;
        for (int r = 0; r < n; r++) {
            long to = train.rowOffset(c.idx[r]);
            ex[r] = u8 ? ctx.kernels().l2sqU8(qs, qo, ts, to, d)
                    : l1 ? KnnSearch.exactL1F32(qs, qo, ts, to, d) : KnnSearch.exactL2F32(qs, qo, ts, to, d);
            order[r] = r;
        }
        Arrays.sort(order, (x, y) -> {
            int cmp = Double.compare(ex[x], ex[y]);
            return cmp != 0 ? cmp : Integer.compare(c.idx[x], c.idx[y]);
        });
        int cnt = Math.min(k, n);
        for (int r = 0; r < cnt; r++) {
            out.dist[i * k + r] = ex[order[r]];
            out.idx[i * k + r] = c.idx[order[r]];
        }
        out.count[i] = cnt;
    }

    /** Candidate rows of one query with their lower bounds; pruned against the threshold as it falls. */
    private static final class Candidates {
        int[] idx;
        double[] lo;
        int n;

        Candidates(int k) {
            int cap = Math.max(64, 2 * k);
            this.idx = new int[cap];
            this.lo = new double[cap];
        }

        void clear() {
            n = 0;
        }

        void add(int row, double lower, double u) {
            if (n == idx.length) {
                prune(u);
                if (n > idx.length / 2) {
                    idx = Arrays.copyOf(idx, idx.length * 2);
                    lo = Arrays.copyOf(lo, lo.length * 2);
                }
            }
            idx[n] = row;
            lo[n] = lower;
            n++;
        }

        void prune(double u) {
            int w = 0;
            for (int r = 0; r < n; r++) {
                if (lo[r] <= u) {
                    idx[w] = idx[r];
                    lo[w] = lo[r];
                    w++;
                }
            }
            n = w;
        }
    }
}
