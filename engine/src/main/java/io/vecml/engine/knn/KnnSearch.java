package io.vecml.engine.knn;

import io.vecml.engine.concurrent.Fork;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.gemm.Bf16Gemm;
import io.vecml.engine.gemm.Bf16Selection;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * One exact neighbour search: the work is cut into units (a block of queries x a contiguous part
 * of the training set), each unit finds the exact k nearest of its part for each of its queries,
 * and the per-part lists are merged by (distance, index). Every unit's answer is exact, so the
 * result does not depend on how many units there are or which thread ran them.
 *
 * <p>This class only plans and runs the units; how a unit's distances are computed is a
 * {@link DistanceProducer}, and what becomes of them a consumer:
 * <ul>
 *   <li>{@link DirectTiles} (uint8 L1 and L2, exact integer kernels) into an {@link ExactConsumer}
 *       ({@link TopKConsumer});</li>
 *   <li>{@link FloatTiles} (float32 L1 and L2, float kernels) and {@link GemmTiles} (L2 through
 *       sgemm; {@link Bf16GemmTiles} through sbgemm for uint8) within a proven bound into a
 *       {@link BoundedConsumer} ({@link RerankConsumer}: candidates, then an exact re-rank);</li>
 *   <li>{@link FilterRefine} (uint8, pooled lower bounds) into an {@link ExactConsumer}, with one
 *       of the brute-force producers as its fallback when the bounds do not prune.</li>
 * </ul>
 * Which producer runs is chosen by {@link KnnClassifier} (the path) and {@link #bruteForce}.
 */
final class KnnSearch {

    /** Queries per unit on the direct paths: 64 rows of 3072 bytes stay well inside L2 beside a training block. */
    static final int QB_DIRECT = 64;
    /** GEMM tile: 256 queries x 2048 training rows (2 MB of float results per worker). */
    static final int QB_GEMM = 256;
    static final int TB_GEMM = 2048;
    /** Bytes of training rows swept per query block: half of Zen 3's 512 KB L2, the rest for queries. */
    static final long TRAIN_BLOCK_BYTES = 256 * 1024;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;

    private final Dataset train;
    private final Metric metric;
    private final Kernels kernels;
    private final boolean gemmPath;
    private TrainCache cache;
    private final IntFunction<Gemm> gemms;
    private final PooledBounds bounds;
    private final Supplier<TrainCache> fallbackCache;
    private FilterStats stats = new FilterStats();
    private final Bf16Selection bf16;
    private volatile String bruteForceName = "none";

    /**
     * @param cache  float copy and norms of the training set (L2 paths that need them), else null
     * @param gemms  GEMM for a given thread count (GEMM path only)
     */
    KnnSearch(Dataset train, Metric metric, Kernels kernels, boolean gemmPath, TrainCache cache,
              IntFunction<Gemm> gemms) {
        this(train, metric, kernels, gemmPath, cache, gemms, null, null, null);
    }

    /**
     * The filter-and-refine search when {@code bounds} is not null: every unit bounds all pairs
     * with the pooled bounds and computes exact distances only where a bound does not exclude the
     * row; when the bounds turn out not to prune (the data has no smooth structure), the remaining
     * queries fall back to brute force (GEMM for L2 if {@code gemmPath}, with the training cache
     * from {@code fallbackCache}).
     */
    KnnSearch(Dataset train, Metric metric, Kernels kernels, boolean gemmPath, TrainCache cache,
              IntFunction<Gemm> gemms, PooledBounds bounds, Supplier<TrainCache> fallbackCache, Bf16Selection bf16) {
        this.train = train;
        this.metric = metric;
        this.kernels = kernels;
        this.gemmPath = gemmPath;
        this.cache = cache;
        this.gemms = gemms;
        this.bounds = bounds;
        this.fallbackCache = fallbackCache;
        this.bf16 = bf16;
    }

    /**
     * Whether the GEMM producer multiplies uint8 data in bfloat16: the L2 GEMM path, uint8 data
     * and a bfloat16 GEMM selected.
     */
    static boolean usesBf16(Dataset train, Metric metric, boolean gemmPath, Bf16Selection bf16) {
        return gemmPath && metric == Metric.L2 && train.type() == Dataset.Type.UINT8 && bf16 != null && bf16.active();
    }

    /** The brute-force producer the last search used (or would use), e.g. "gemm:openblas", "gemm-bf16:java-bf16". */
    String bruteForceName() {
        return bruteForceName;
    }

    /** Queries per unit on the filter path. */
    static final int QB_FILTER = 64;

    /**
     * Counts of the filter path, shared by the workers: once at least MIN_QUERIES queries are done
     * and the exact distances per query exceed a tenth of the training rows, brute force is
     * cheaper and the remaining queries take it.
     */
    static final class FilterStats {
        static final int MIN_QUERIES = 16;
        final java.util.concurrent.atomic.AtomicLong queries = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong exact = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong fine = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong candidates = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong fallbackQueries = new java.util.concurrent.atomic.AtomicLong();
        volatile boolean useless;

        /** Adds another search's counts (not its verdict) to these. */
        void addCounts(FilterStats o) {
            queries.addAndGet(o.queries.get());
            exact.addAndGet(o.exact.get());
            fine.addAndGet(o.fine.get());
            candidates.addAndGet(o.candidates.get());
            fallbackQueries.addAndGet(o.fallbackQueries.get());
        }

        void add(long q, long ex, long fi, long cand, int rows) {
            long nq = queries.addAndGet(q);
            long ne = exact.addAndGet(ex);
            fine.addAndGet(fi);
            candidates.addAndGet(cand);
            if (nq >= MIN_QUERIES && ne > nq * (rows / 10.0)) {
                useless = true;
            }
        }

        @Override
        public String toString() {
            long q = Math.max(1, queries.get());
            return String.format("filter: %d queries, per query %.1f candidates, %.1f fine bounds, %.1f exact; %d"
                    + " queries by brute force", queries.get(), candidates.get() / (double) q, fine.get() / (double) q,
                    exact.get() / (double) q, fallbackQueries.get());
        }
    }

    FilterStats stats() {
        return stats;
    }

    /**
     * Training-set derived data for the L2 paths: squared norms and, for uint8 GEMM, a float32 copy
     * ({@code floats}, sgemm) or a bfloat16 copy ({@code bf16}, sbgemm), each null when not built;
     * both with leading dimension {@code ld} (elements).
     */
    record TrainCache(double[] norms, MemorySegment floats, MemorySegment bf16, int ld) {
    }

    /** Per query, the exact k nearest (fewer when a unit's part is smaller), sorted by (distance, index). */
    static final class Lists {
        final int k;
        final double[] dist;
        final int[] idx;
        final int[] count;

        Lists(int nq, int k) {
            this.k = k;
            this.dist = new double[nq * k];
            this.idx = new int[nq * k];
            this.count = new int[nq];
        }
    }

    /**
     * The k nearest of every query; distances are L1 or squared L2 here.
     *
     * <p>With pooled bounds (the filter path) the queries go in filter units first; as soon as the
     * bounds are seen not to prune ({@link FilterStats#useless}, decided on the first
     * {@link FilterStats#MIN_QUERIES} queries) no further filter unit starts, and every query not
     * yet started is planned again as brute force with that producer's own unit size (a GEMM
     * unit of {@link #QB_GEMM} queries reuses each training tile four times as often as a filter
     * unit would), so failed pruning costs the probe and the pooled copy, not a slower brute force.
     */
    Lists run(Dataset queries, int k, int threads) {
        int nq = queries.rows();
        SearchContext ctx = new SearchContext(train, queries, metric, kernels, k);
        Lists out = new Lists(nq, k);
        if (bounds == null) {
            List<Unit> units = plan(0, nq, gemmPath ? QB_GEMM : QB_DIRECT, threads, true);
            runUnits(ctx, units, threads, null, null, out);
            return out;
        }
        PooledBounds pb = bounds.principalIfBuilt();
        if (pb != null || !bounds.principalPossible()) {
            runFilter(ctx, 0, nq, pb != null ? pb : bounds, stats, threads, out);
            return out;
        }
        // Probe on the cheap block level first: the principal-direction level (a basis and a dense
        // projection of every training row) is built only when the block bounds show that the data
        // has structure to prune with; on random data the probe fails as it would have with the
        // principal directions, and the queries go to brute force without paying for them.
        int probe = Math.min(nq, FilterStats.MIN_QUERIES);
        FilterStats probeStats = new FilterStats();
        runFilter(ctx, 0, probe, bounds, probeStats, threads, out);
        bounds.recordProbe(probeStats.queries.get(), probeStats.exact.get());
        pb = probe < nq && bounds.principalWanted(FilterStats.MIN_QUERIES) ? bounds.principal(threads) : null;
        if (pb == null) {
            // Go on with the block level (and its verdict): the same search as without a probe.
            stats = probeStats;
            if (probe < nq) {
                runFilter(ctx, probe, nq, bounds, stats, threads, out);
            }
            return out;
        }
        runFilter(ctx, probe, nq, pb, stats, threads, out);
        stats.addCounts(probeStats);
        return out;
    }

    /**
     * Queries from..to - 1 in filter units over {@code pb}, counted in {@code st}; once the bounds
     * are seen not to prune, the queries not yet started are planned again as brute force.
     */
    private void runFilter(SearchContext ctx, int from, int to, PooledBounds pb, FilterStats st, int threads,
                           Lists out) {
        int nq = to - from;
        int qb = Math.max(1, Math.min(QB_FILTER, (nq + threads - 1) / threads));
        List<Unit> units = plan(from, to, qb, threads, false);
        boolean[] done = runUnits(ctx, units, threads, pb, st, out);
        List<Unit> rest = new ArrayList<>();
        for (int u = 0; u < units.size(); u++) {
            if (!done[u]) {
                // Consecutive unstarted units form one range, re-cut at the brute-force unit size.
                int first = units.get(u).q0;
                while (u + 1 < units.size() && !done[u + 1]) {
                    u++;
                }
                st.fallbackQueries.addAndGet(units.get(u).q1 - first);
                rest.addAll(plan(first, units.get(u).q1, gemmPath ? QB_GEMM : QB_DIRECT, threads, true));
            }
        }
        if (!rest.isEmpty()) {
            runUnits(ctx, rest, threads, null, null, out);
        }
    }

    private record Unit(int q0, int q1, int t0, int t1) {
    }

    /**
     * Units over queries from..to - 1 in blocks of qb; with fewer blocks than threads and
     * {@code splitTrain}, the training set is cut into parts too, so every thread has work.
     */
    private List<Unit> plan(int from, int to, int qb, int threads, boolean splitTrain) {
        int nt = train.rows();
        int qBlocks = (to - from + qb - 1) / qb;
        int parts = !splitTrain || qBlocks >= threads ? 1 : Math.min(nt, (threads + qBlocks - 1) / qBlocks);
        parts = Math.max(1, parts);
        List<Unit> units = new ArrayList<>();
        for (int b = 0; b < qBlocks; b++) {
            for (int p = 0; p < parts; p++) {
                units.add(new Unit(from + b * qb, Math.min(to, from + (b + 1) * qb),
                        (int) ((long) nt * p / parts), (int) ((long) nt * (p + 1) / parts)));
            }
        }
        return units;
    }

    /**
     * Runs the units on up to {@code threads} threads and merges their lists into out. With
     * {@code filter}, units are filter units, and a worker starts none once the filter stats say
     * the bounds do not prune; returns which units ran.
     */
    private boolean[] runUnits(SearchContext ctx, List<Unit> units, int threads, PooledBounds pb, FilterStats st,
                               Lists out) {
        boolean filter = pb != null;
        int k = ctx.k();
        int javaThreads = Math.max(1, Math.min(threads, units.size()));
        // Java threads and OpenBLAS threads never both: several Java threads each get a 1-thread GEMM.
        int gemmThreads = javaThreads > 1 ? 1 : threads;
        Lists[] results = new Lists[units.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work = () -> {
            try (DistanceProducer w = filter
                    ? new FilterRefine(ctx, pb, st, new TopKConsumer(k), () -> bruteForce(ctx, gemmThreads))
                    : bruteForce(ctx, gemmThreads)) {
                for (int u; (u = next.getAndIncrement()) < units.size() && failure.get() == null; ) {
                    if (filter && st.useless) {
                        break;
                    }
                    Unit unit = units.get(u);
                    Lists l = new Lists(unit.q1 - unit.q0, k);
                    w.search(unit.q0, unit.q1, unit.t0, unit.t1, l);
                    results[u] = l;
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        if (!units.isEmpty()) {
            Fork.run(javaThreads, "vecml-knn", i -> work.run());
        }
        Throwable t = failure.get();
        if (t != null) {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
        }
        boolean[] done = new boolean[units.size()];
        for (int u = 0; u < units.size(); ) {
            // The parts of one query block are consecutive units with the same queries.
            int end = u + 1;
            while (end < units.size() && units.get(end).q0 == units.get(u).q0) {
                end++;
            }
            if (results[u] != null) {
                merge(units.get(u).q0, units.get(u).q1, k, results, u, end, out);
                for (int x = u; x < end; x++) {
                    done[x] = true;
                }
            }
            u = end;
        }
        return done;
    }

    /**
     * The k nearest of each training row range, queries q0..q1 - 1 in results[from..to), merged by
     * (distance, index) into out.
     */
    private static void merge(int q0, int q1, int k, Lists[] results, int from, int to, Lists out) {
        int parts = to - from;
        int[] pos = new int[parts];
        for (int q = q0; q < q1; q++) {
            int local = q - q0;
            Arrays.fill(pos, 0);
            int n = 0;
            while (n < k) {
                int best = -1;
                double bd = 0;
                int bi = 0;
                for (int p = 0; p < parts; p++) {
                    Lists l = results[from + p];
                    if (pos[p] < l.count[local]) {
                        int at = local * k + pos[p];
                        double dd = l.dist[at];
                        int ii = l.idx[at];
                        if (best < 0 || dd < bd || (dd == bd && ii < bi)) {
                            best = p;
                            bd = dd;
                            bi = ii;
                        }
                    }
                }
                if (best < 0) {
                    break;
                }
                pos[best]++;
                out.dist[q * k + n] = bd;
                out.idx[q * k + n] = bi;
                n++;
            }
            out.count[q] = n;
        }
    }

    /**
     * The brute-force producer of this search's metric, type and path: L2 through GEMM when
     * {@code gemmPath}, else the exact uint8 tiles or the float32 tiles with an exact re-rank.
     */
    private DistanceProducer bruteForce(SearchContext ctx, int gemmThreads) {
        if (usesBf16(train, metric, gemmPath, bf16)) {
            Gemm g = gemms.apply(gemmThreads);
            Bf16Gemm b = bf16.create(gemmThreads, g).orElseThrow();
            bf16.announce();
            bruteForceName = "gemm-bf16:" + b.name();
            return new Bf16GemmTiles(ctx, new RerankConsumer(ctx), trainCache(), b);
        }
        if (metric == Metric.L2 && gemmPath) {
            Gemm g = gemms.apply(gemmThreads);
            bruteForceName = "gemm:" + g.name();
            return new GemmTiles(ctx, new RerankConsumer(ctx), trainCache(), g);
        }
        if (train.type() == Dataset.Type.FLOAT32) {
            bruteForceName = "float-tiles";
            return new FloatTiles(ctx, new RerankConsumer(ctx), metric == Metric.L2 ? trainCache().norms() : null);
        }
        bruteForceName = "direct-tiles";
        return new DirectTiles(ctx, new TopKConsumer(ctx.k()));
    }

    private synchronized TrainCache trainCache() {
        if (cache == null) {
            cache = fallbackCache.get();
        }
        return cache;
    }

    // ---- error bounds --------------------------------------------------------------------------

    /**
     * gamma_n = n u / (1 - n u) with u = 2^-24: the classic bound on the relative error of a float
     * sum of n terms (Higham, Accuracy and Stability of Numerical Algorithms, 3.1), valid for any
     * summation order and with or without fused multiply-adds.
     */
    static double gamma(long n) {
        double nu = n * 0x1p-24;
        return nu >= 1 ? Double.POSITIVE_INFINITY : nu / (1 - nu);
    }

    /**
     * Bound factor g of the GEMM path: |approx - exact| <= g * (||q||^2 + ||t||^2).
     *
     * <p>approx = ||q||^2 + ||t||^2 - 2 fl(q.t) in double, where fl(q.t) is GEMM's float dot product
     * of exactly representable inputs (uint8 values, or float32 data as is). Then
     * |fl(q.t) - q.t| <= gamma_d sum |q_i t_i| <= gamma_d (||q||^2 + ||t||^2) / 2 (since
     * |q_i t_i| <= (q_i^2 + t_i^2) / 2), so the factor 2 of the dot product gives gamma_d. The
     * norms are exact for uint8 (integers below 2^53) and double sums for float32 (relative error
     * <= d 2^-53); the float32 exact reference (a double sum of (q_i - t_i)^2) is within
     * (d + 3) 2^-53 of the real value, which is <= 2 (||q||^2 + ||t||^2); and the few double
     * operations forming approx and its bounds add a few 2^-53. (2d + 12) 2^-52 covers all of these.
     */
    static double gemmBound(int d) {
        return gamma(d) + (2.0 * d + 12) * 0x1p-52;
    }

    /**
     * Bound factor of the bfloat16 GEMM path (uint8 data only): the operands are exact in bfloat16
     * and every product of two of them is exact in float32 (at most 16 significant bits), so the
     * only rounding is in the float32 sums, as in {@link #gemmBound}. The sums' rounding mode is the
     * library's (the BF16 dot-product instructions round to nearest even; a kernel could also add
     * pairs before accumulating, or round toward zero): twice gamma_d covers a unit roundoff of
     * 2^-23 per addition in any order, so the bound holds whichever the kernel does.
     */
    static double bf16GemmBound(int d) {
        return 2 * gamma(d) + (2.0 * d + 12) * 0x1p-52;
    }

    /**
     * Bound factor of the direct float32 path: the float kernel sums d non-negative terms, each a
     * rounded difference squared, so |approx - D| <= gamma_{d+3} D, and D <= 2 (||q||^2 + ||t||^2).
     */
    static double directF32Bound(int d) {
        return 2 * gamma(d + 3L) + (2.0 * d + 12) * 0x1p-52;
    }

    /**
     * Bound factor of a float32 L1 sum: each |a - b| is rounded once (relative u) and the d terms,
     * all non-negative, are added in some order (any summation tree: relative gamma_(d-1)), so
     * |fl - S| <= gamma_d S <= gamma_d / (1 - gamma_d) fl; 2 gamma_(d+1) covers it with room.
     */
    static double directL1F32Bound(int d) {
        return 2 * gamma(d + 1L);
    }

    /** Absolute slack for float L1 sums (subnormal differences are exact, so this is only a guard). */
    static final double L1_ABS_SLACK = 0x1p-126;

    /** The exact float32 L1 reference: a double sum of |a - b| in index order (each term exact). */
    static double exactL1F32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            s += Math.abs((double) a.getAtIndex(F32, aOff + i) - b.getAtIndex(F32, bOff + i));
        }
        return s;
    }

    /** The exact float32 reference: squared L2 as a double sum in index order. */
    static double exactL2F32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            double diff = (double) a.getAtIndex(F32, aOff + i) - b.getAtIndex(F32, bOff + i);
            s += diff * diff;
        }
        return s;
    }

    /** Squared norm of one row: exact for uint8, a double sum for float32. */
    static double norm(Kernels kernels, Dataset ds, int row) {
        long o = ds.rowOffset(row);
        if (ds.type() == Dataset.Type.UINT8) {
            return kernels.dotU8(ds.segment(), o, ds.segment(), o, ds.dims());
        }
        double s = 0;
        for (int i = 0; i < ds.dims(); i++) {
            double v = ds.segment().getAtIndex(F32, o + i);
            s += v * v;
        }
        return s;
    }

    /** The largest float <= v (v >= 0 clamps negatives to 0). */
    static float floorFloat(double v) {
        if (!(v > 0)) {
            return 0f;
        }
        float f = (float) v;
        return f > v ? Math.nextDown(f) : f;
    }
}
