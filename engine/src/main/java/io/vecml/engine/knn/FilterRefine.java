package io.vecml.engine.knn;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Exact filter and refine over uint8 data: lower bounds from {@link PooledBounds} for every
 * (query, training row) pair, exact integer distances (into an {@link ExactConsumer}) only for rows
 * whose bound does not rule them out. When the bounds turn out not to prune ({@link KnnSearch.FilterStats}),
 * the remaining queries go to a brute-force producer made on first need.
 */
final class FilterRefine implements DistanceProducer {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;
    private static final long IDX_MASK = 0x7FFF_FFFFL;

    /**
     * Exact distances computed together: the rows are scattered over a training set larger than
     * the caches, and their misses overlap only when several are in flight (the gather kernels
     * interleave 4; 8 per group measured 2.3x faster than 1 and 1.4x than 4 on Fashion-MNIST, 16
     * and 32 no better).
     */
    static final int GATHER = 8;
    /**
     * Rows of smallest coarse bound measured first to set the threshold: more than k gives a lower
     * first threshold, so fewer candidates to collect and sort (Fashion-MNIST L2, k = 5: 5087
     * candidates with 5 seeds, 2798 with 24).
     */
    static final int SEEDS = 24;
    /** Panels per call of the bound kernel: about 200 KB of pooled training rows stay in L2. */
    private static final int PANEL_BLOCK = 64;
    /** Bounds per call of the candidate scan kernel (its index buffer: 16 KB). */
    static final int HIT_CHUNK = 4096;

    private final SearchContext ctx;
    private final PooledBounds bounds;
    private final KnnSearch.FilterStats stats;
    private final ExactConsumer sink;
    private final Supplier<DistanceProducer> bruteForce;
    private DistanceProducer fallback;
    private final Arena arena = Arena.ofConfined();
    private final int k;
    private final int d;

    private float[] qPool0 = new float[0];
    private MemorySegment qPool1;
    private double[] qNormsF = new double[0];
    private float[] lb0 = new float[0];
    private long[] candKeys = new long[64];
    /** Rows of one chunk of a query's bounds that pass the float pre-test (collectCandidates). */
    private int[] hits;
    private final int[] gatherRows = new int[GATHER];
    private final long[] gatherOffs = new long[GATHER];
    private final long[] gatherDist = new long[GATHER];
    private long[] seen;
    private TopK seedTop;
    private long[] seedKeys;
    private byte[] rowBuf;
    private int[] sums;
    // Counts of the last refine call: exact distances, fine bounds, candidates.
    private long lastExact;
    private long lastFine;
    private long lastCandidates;
    // Rows in the group made by the last fillGroup call.
    private int groupSize;

    /**
     * The largest buffers of a search, kept by its thread for the next search when they are small
     * (one-row searches, as a server answers them, allocated about 300 KB each, mostly these; with the
     * launcher's 24 MB young generation that made a collection every ~55 requests).
     */
    private static final class Spare {
        float[] lb0;
        long[] candKeys;
        int[] hits;
        long[] seen;
    }

    /** The bounds buffer's length that this thread keeps for its next search, or -1 if none (tests). */
    static int spareBounds() {
        Spare spare = SPARE.get();
        return spare == null ? -1 : spare.lb0.length;
    }

    /** Bounds kept per thread at most: one query's bounds of up to 256 K training rows (1 MB). */
    static final int SPARE_MAX_BOUNDS = 1 << 18;
    private static final ThreadLocal<Spare> SPARE = new ThreadLocal<>();

    FilterRefine(SearchContext ctx, PooledBounds bounds, KnnSearch.FilterStats stats, ExactConsumer sink,
                 Supplier<DistanceProducer> bruteForce) {
        this.ctx = ctx;
        this.bounds = bounds;
        this.stats = stats;
        this.sink = sink;
        this.bruteForce = bruteForce;
        this.k = ctx.k();
        this.d = ctx.dims();
        Spare spare = SPARE.get();
        if (spare != null) {
            SPARE.remove();
            lb0 = spare.lb0;
            candKeys = spare.candKeys;
            hits = spare.hits;
            int words = (ctx.train().rows() + 63) >>> 6;
            if (spare.seen.length == words) {
                // A search that failed may have left marks: a stale one would skip a candidate.
                Arrays.fill(spare.seen, 0L);
                seen = spare.seen;
            }
        } else {
            hits = new int[HIT_CHUNK];
        }
    }

    int seedCount() {
        return Math.min(ctx.train().rows(), Math.max(k, SEEDS));
    }

    /** Filter units span the whole training set: t0, t1 must be 0, rows. */
    @Override
    public void search(int q0, int q1, int t0, int t1, KnnSearch.Lists out) {
        Dataset train = ctx.train();
        if (t0 != 0 || t1 != train.rows()) {
            throw new IllegalArgumentException("filter units span the training set, got rows " + t0 + ".." + t1);
        }
        int m = q1 - q0;
        PooledBounds pb = bounds;
        PooledBounds.Level c0 = pb.coarse;
        PooledBounds.Level c1 = pb.fine;
        int nt = train.rows();
        if (stats.useless) {
            fallback(q0, q1, 0, out);
            return;
        }
        int f0 = c0.features;
        int f1 = c1 == null ? 0 : c1.features;
        if (qPool0.length < m * f0) {
            qPool0 = new float[m * f0];
        }
        if (c1 != null && (qPool1 == null || qPool1.byteSize() < (long) m * f1 * Float.BYTES)) {
            qPool1 = arena.allocate((long) Math.max(m, KnnSearch.QB_FILTER) * f1 * Float.BYTES, 64);
        }
        if (qNormsF.length < m) {
            qNormsF = new double[m];
        }
        if (rowBuf == null) {
            rowBuf = new byte[d];
            sums = new int[Math.max(c0.blocks, c1 == null ? 0 : c1.blocks)];
            if (seen == null) {
                seen = new long[(nt + 63) >>> 6];
            }
            seedTop = new TopK(seedCount());
            seedKeys = new long[seedCount()];
        }
        Dataset queries = ctx.queries();
        float[] p1 = new float[f1];
        for (int i = 0; i < m; i++) {
            MemorySegment.copy(queries.segment(), ValueLayout.JAVA_BYTE, queries.rowOffset(q0 + i), rowBuf, 0, d);
            qNormsF[i] = c0.pool(rowBuf, sums, qPool0, i * f0);
            if (c1 != null) {
                c1.pool(rowBuf, sums, p1, 0);
                MemorySegment.copy(p1, 0, qPool1, F32, (long) i * f1 * Float.BYTES, f1);
            }
        }
        int ntPad = pb.panelCount * Kernels.PANEL;
        if (lb0.length < (long) m * ntPad) {
            lb0 = new float[Math.toIntExact((long) m * ntPad)];
        }
        boolean l2 = ctx.metric() == Metric.L2;
        Kernels kernels = ctx.kernels();
        for (int p = 0; p < pb.panelCount; p += PANEL_BLOCK) {
            int np = Math.min(PANEL_BLOCK, pb.panelCount - p);
            long off = (long) p * f0 * Kernels.PANEL;
            if (l2) {
                kernels.l2sqF32Panels(qPool0, 0, f0, m, pb.panels, off, np, f0, lb0, p * Kernels.PANEL, ntPad);
            } else {
                kernels.l1F32Panels(qPool0, 0, f0, m, pb.panels, off, np, f0, lb0, p * Kernels.PANEL, ntPad);
            }
        }
        sink.begin(m);
        long exact = 0;
        long fine = 0;
        long cand = 0;
        int done = 0;
        int refined = 0;
        for (int i = 0; i < m; i++) {
            if (stats.useless) {
                break;
            }
            refine(q0 + i, i, i * ntPad);
            refined++;
            exact += lastExact;
            fine += lastFine;
            cand += lastCandidates;
            done++;
            if ((done & 7) == 0 || i == m - 1) {
                stats.add(done, exact, fine, cand, nt);
                done = 0;
                exact = 0;
                fine = 0;
                cand = 0;
            }
        }
        if (done > 0) {
            stats.add(done, exact, fine, cand, nt);
        }
        sink.finish(out, 0, refined);
        if (refined < m) {
            fallback(q0, q1, refined, out);
        }
    }

    /** Brute force for queries q0 + from .. q1 - 1 of a filter unit, into out. */
    private void fallback(int q0, int q1, int from, KnnSearch.Lists out) {
        KnnSearch.Lists sub = new KnnSearch.Lists(q1 - q0 - from, k);
        stats.fallbackQueries.addAndGet(q1 - q0 - from);
        if (fallback == null) {
            fallback = bruteForce.get();
        }
        fallback.search(q0 + from, q1, 0, ctx.train().rows(), sub);
        System.arraycopy(sub.dist, 0, out.dist, from * k, sub.dist.length);
        System.arraycopy(sub.idx, 0, out.idx, from * k, sub.idx.length);
        System.arraycopy(sub.count, 0, out.count, from, sub.count.length);
    }

    /** Exact distances of the query at qo to the n training rows at offs. */
    private void exactDistances(long qo, long[] offs, int n, long[] out) {
        Dataset train = ctx.train();
        if (ctx.metric() == Metric.L2) {
            ctx.kernels().l2sqU8Gather(ctx.queries().segment(), qo, train.segment(), offs, n, d, out, 0);
        } else {
            ctx.kernels().l1U8Gather(ctx.queries().segment(), qo, train.segment(), offs, n, d, out, 0);
        }
    }

    /**
     * One query: the k rows of smallest coarse bound give exact distances and so a threshold
     * U (the k-th smallest exact distance seen); every row whose safe bound is <= U becomes a
     * candidate; candidates are visited in increasing bound order, each checked against the
     * fine bound and then measured exactly, U falling as the top k improve, until the next
     * bound exceeds U. A skipped row has a lower bound > U >= the final k-th distance, so it
     * is not among the k nearest, whatever its index. Sets the counts lastExact, lastFine, lastCandidates.
     *
     * <p>Each loop is a method of its own (issue 13, cold runs): C2 compiles, and after a deoptimisation
     * recompiles, one small loop at a time instead of the whole query, and no loop needs on-stack
     * replacement inside a long method.
     */
    private void refine(int qRow, int i, int lbOff) {
        int nt = ctx.train().rows();
        long qo = ctx.queries().rowOffset(qRow);
        int ns = seedScan(lbOff, nt);
        measureSeeds(qo, i, ns);
        double u = (double) (sink.worst(i) >>> 31);
        int n = collectCandidates(i, lbOff, nt, u);
        Arrays.sort(candKeys, 0, n);
        lastFine = 0;
        lastExact = ns + measureCandidates(qo, i, n, u);
        clearSeen(ns);
        lastCandidates = n;
    }

    /** Seeds: the seedCount() smallest raw coarse bounds of the query at lbOff, sorted into seedKeys; returns how many. */
    private int seedScan(int lbOff, int nt) {
        Kernels kernels = ctx.kernels();
        float[] lb = lb0;
        TopK seeds = seedTop;
        seeds.clear();
        float wv = Float.POSITIVE_INFINITY;
        // Only values below the current worst seed can enter: the scan kernel skips to the next one.
        for (int j = kernels.firstAtMost(lb, lbOff, lbOff + nt, Float.MAX_VALUE) - lbOff; j < nt;
                j = kernels.firstAtMost(lb, lbOff + j + 1, lbOff + nt, Math.nextDown(wv)) - lbOff) {
            float v = lb[lbOff + j];
            seeds.offer((long) Float.floatToRawIntBits(v) << 31 | j);
            long w = seeds.worst();
            wv = w == Long.MAX_VALUE ? Float.POSITIVE_INFINITY : Float.intBitsToFloat((int) (w >>> 31));
        }
        return seeds.sortedInto(seedKeys, 0);
    }

    /** Exact distances of the ns seeds into the sink (query i), GATHER at a time; marks them seen. */
    private void measureSeeds(long qo, int i, int ns) {
        Dataset train = ctx.train();
        ExactConsumer top = sink;
        long[] offs = gatherOffs;
        long[] dist = gatherDist;
        for (int s0 = 0; s0 < ns; s0 += GATHER) {
            int g = Math.min(GATHER, ns - s0);
            for (int x = 0; x < g; x++) {
                int row = (int) (seedKeys[s0 + x] & IDX_MASK);
                seen[row >>> 6] |= 1L << row;
                offs[x] = train.rowOffset(row);
            }
            exactDistances(qo, offs, g, dist);
            for (int x = 0; x < g; x++) {
                top.offer(i, dist[x] << 31 | (seedKeys[s0 + x] & IDX_MASK));
            }
        }
    }

    /**
     * Candidates of query i: rows whose safe bound is <= u, into candKeys keyed by (bound rounded down
     * to float, row), unsorted; returns how many.
     */
    private int collectCandidates(int i, int lbOff, int nt, double u) {
        PooledBounds pb = bounds;
        Kernels kernels = ctx.kernels();
        float[] lb = lb0;
        boolean l2 = ctx.metric() == Metric.L2;
        double[] tn = pb.norms;
        double g0 = pb.coarse.g;
        double gq = g0 * qNormsF[i];
        int n = 0;
        long[] keys = candKeys;
        // A float pre-test that every row passing the exact (double) test passes too: lb <= u + gq +
        // g0 * tn <= u + gq + g0 * max tn, raised by 2^-40 for the double roundings, then rounded up to float.
        float pre = Math.nextUp((float) ((u + gq + g0 * pb.maxNorm) * (1 + 0x1p-40)));
        int[] hit = hits;
        for (int c0 = 0; c0 < nt; c0 += HIT_CHUNK) {
            int h = kernels.indicesAtMost(lb, lbOff + c0, lbOff + Math.min(nt, c0 + HIT_CHUNK), pre, hit);
            for (int x = 0; x < h; x++) {
                int j = hit[x] - lbOff;
                double v = lb[lbOff + j];
                if (l2) {
                    v = v - gq - g0 * tn[j];
                }
                if (v <= u) {
                    if (n == keys.length) {
                        keys = Arrays.copyOf(keys, 2 * n);
                        candKeys = keys;
                    }
                    keys[n++] = (long) Float.floatToRawIntBits(KnnSearch.floorFloat(v)) << 32 | j;
                }
            }
        }
        return n;
    }

    /**
     * The n sorted candidates of query i in increasing bound order, GATHER rows at a time (their cache
     * misses overlap), the threshold u updated between groups, until the next bound exceeds u; returns
     * the exact distances computed (adds the fine bounds to lastFine).
     */
    private long measureCandidates(long qo, int i, int n, double u) {
        ExactConsumer top = sink;
        int[] grp = gatherRows;
        long[] dist = gatherDist;
        long exact = 0;
        int r = 0;
        while (r < n) {
            r = fillGroup(i, r, n, u);
            int g = groupSize;
            if (g == 0) {
                break;
            }
            exact += g;
            exactDistances(qo, gatherOffs, g, dist);
            for (int x = 0; x < g; x++) {
                long k2 = dist[x] << 31 | grp[x];
                if (k2 < top.worst(i)) {
                    top.offer(i, k2);
                }
            }
            u = (double) (top.worst(i) >>> 31);
        }
        return exact;
    }

    /**
     * From sorted candidate r on, the next up to GATHER rows of query i that are not seeds and pass the
     * fine bound, into gatherRows and gatherOffs (their number into groupSize); returns the candidate to
     * go on from (n when the bounds exceed u).
     */
    private int fillGroup(int i, int r, int n, double u) {
        PooledBounds pb = bounds;
        PooledBounds.Level c1 = pb.fine;
        Dataset train = ctx.train();
        long[] keys = candKeys;
        int[] grp = gatherRows;
        long[] offs = gatherOffs;
        int g = 0;
        int fine = 0;
        for (; r < n && g < GATHER; r++) {
            long key = keys[r];
            if (Float.intBitsToFloat((int) (key >>> 32)) > u) {
                r = n;
                break;
            }
            int row = (int) key;
            if ((seen[row >>> 6] & 1L << row) != 0) {
                continue;
            }
            if (c1 != null) {
                fine++;
                if (fineBound(i, row) > u) {
                    continue;
                }
            }
            grp[g] = row;
            offs[g] = train.rowOffset(row);
            g++;
        }
        groupSize = g;
        lastFine += fine;
        return r;
    }

    /** The fine level's safe bound of query i to a training row. */
    private double fineBound(int i, int row) {
        PooledBounds pb = bounds;
        PooledBounds.Level c1 = pb.fine;
        int f1 = c1.features;
        return ctx.metric() == Metric.L2
                ? ctx.kernels().l2sqF32(qPool1, (long) i * f1, pb.fineRows, (long) row * f1, f1)
                        - c1.g * (qNormsF[i] + pb.norms[row])
                : ctx.kernels().l1F32(qPool1, (long) i * f1, pb.fineRows, (long) row * f1, f1);
    }

    /** Clears the seen marks of the ns seeds. */
    private void clearSeen(int ns) {
        for (int s = 0; s < ns; s++) {
            int row = (int) (seedKeys[s] & IDX_MASK);
            seen[row >>> 6] &= ~(1L << row);
        }
    }

    @Override
    public void close() {
        try {
            if (fallback != null) {
                fallback.close();
            }
        } finally {
            arena.close();
            if (lb0.length <= SPARE_MAX_BOUNDS && seen != null && candKeys.length <= SPARE_MAX_BOUNDS) {
                Spare spare = new Spare();
                spare.lb0 = lb0;
                spare.candKeys = candKeys;
                spare.hits = hits;
                spare.seen = seen;
                SPARE.set(spare);
            }
        }
    }
}
