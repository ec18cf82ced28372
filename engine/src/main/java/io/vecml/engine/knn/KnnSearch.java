package io.vecml.engine.knn;

import io.vecml.engine.concurrent.Fork;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.Arena;
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
 * One exact brute-force neighbour search: the work is cut into units (a block of queries x a
 * contiguous part of the training set), each unit finds the exact k nearest of its part for each
 * of its queries, and the per-part lists are merged by (distance, index). Every unit's answer is
 * exact, so the result does not depend on how many units there are or which thread ran them.
 *
 * <p>Paths (chosen by {@link KnnClassifier}):
 * <ul>
 *   <li>L1: the tile kernels ({@code l1U8Block}, {@code l1F32Block}) over a training block sized
 *       for L2 cache, fed into a {@link TopK} per query.</li>
 *   <li>L2 direct, uint8: exact integer squared distances ({@code l2sqU8Rows}) into a TopK.</li>
 *   <li>L2 through GEMM (uint8 and float32), and L2 direct for float32: approximate squared
 *       distances with a proven error bound, a candidate list per query of every row that may
 *       still be among the k nearest, then an exact re-rank (integers for uint8, a double sum for
 *       float32). See {@link #gemmBound} for the bound.</li>
 * </ul>
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
    private static final long IDX_MASK = 0x7FFF_FFFFL;

    private final Dataset train;
    private final Metric metric;
    private final Kernels kernels;
    private final boolean gemmPath;
    private TrainCache cache;
    private final IntFunction<Gemm> gemms;
    private final PooledBounds bounds;
    private final Supplier<TrainCache> fallbackCache;
    private final FilterStats stats = new FilterStats();

    /**
     * @param cache  float copy and norms of the training set (L2 paths that need them), else null
     * @param gemms  GEMM for a given thread count (GEMM path only)
     */
    KnnSearch(Dataset train, Metric metric, Kernels kernels, boolean gemmPath, TrainCache cache,
              IntFunction<Gemm> gemms) {
        this(train, metric, kernels, gemmPath, cache, gemms, null, null);
    }

    /**
     * The filter-and-refine search when {@code bounds} is not null: every unit bounds all pairs
     * with the pooled bounds and computes exact distances only where a bound does not exclude the
     * row; when the bounds turn out not to prune (the data has no smooth structure), the remaining
     * queries fall back to brute force (GEMM for L2 if {@code gemmPath}, with the training cache
     * from {@code fallbackCache}).
     */
    KnnSearch(Dataset train, Metric metric, Kernels kernels, boolean gemmPath, TrainCache cache,
              IntFunction<Gemm> gemms, PooledBounds bounds, Supplier<TrainCache> fallbackCache) {
        this.train = train;
        this.metric = metric;
        this.kernels = kernels;
        this.gemmPath = gemmPath;
        this.cache = cache;
        this.gemms = gemms;
        this.bounds = bounds;
        this.fallbackCache = fallbackCache;
    }

    /**
     * Exact distances computed together on the filter path: the rows are scattered over a training
     * set larger than the caches, and their misses overlap only when several are in flight (the
     * gather kernels interleave 4; 8 per group measured 2.3x faster than 1 and 1.4x than 4 on
     * Fashion-MNIST, 16 and 32 no better).
     */
    static final int GATHER = 8;
    /**
     * Rows of smallest coarse bound measured first to set the threshold: more than k gives a lower
     * first threshold, so fewer candidates to collect and sort (Fashion-MNIST L2, k = 5: 5087
     * candidates with 5 seeds, 2798 with 24).
     */
    static final int SEEDS = 24;
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

    /** Training-set derived data for the L2 paths: squared norms and (GEMM, uint8) a float32 copy. */
    record TrainCache(double[] norms, MemorySegment floats, int ld) {
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

    private record Unit(int q0, int q1, int t0, int t1) {
    }

    /** The k nearest of every query; distances are L1 or squared L2 here. */
    Lists run(Dataset queries, int k, int threads) {
        int nq = queries.rows();
        int nt = train.rows();
        int qb = bounds != null ? Math.max(1, Math.min(QB_FILTER, (nq + threads - 1) / threads))
                : gemmPath ? QB_GEMM : QB_DIRECT;
        int qBlocks = (nq + qb - 1) / qb;
        // Fewer query blocks than threads: also split the training set, so every thread has work.
        int parts = qBlocks >= threads || bounds != null ? 1 : Math.min(nt, (threads + qBlocks - 1) / qBlocks);
        parts = Math.max(1, parts);
        List<Unit> units = new ArrayList<>();
        for (int b = 0; b < qBlocks; b++) {
            for (int p = 0; p < parts; p++) {
                units.add(new Unit(b * qb, Math.min(nq, (b + 1) * qb),
                        (int) ((long) nt * p / parts), (int) ((long) nt * (p + 1) / parts)));
            }
        }
        int javaThreads = Math.min(threads, units.size());
        // Java threads and OpenBLAS threads never both: several Java threads each get a 1-thread GEMM.
        int gemmThreads = javaThreads > 1 ? 1 : threads;
        Lists[] results = new Lists[units.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work = () -> {
            try (Worker w = new Worker(queries, k, gemmPath ? gemms.apply(gemmThreads) : null)) {
                for (int u; (u = next.getAndIncrement()) < units.size() && failure.get() == null; ) {
                    Unit unit = units.get(u);
                    results[u] = bounds != null ? w.runFilter(unit.q0, unit.q1) : w.run(unit.q0, unit.q1, unit.t0, unit.t1);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        Fork.run(javaThreads, "vecml-knn", i -> work.run());
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
        return merge(nq, k, qb, parts, results);
    }

    private synchronized TrainCache trainCache() {
        if (cache == null) {
            cache = fallbackCache.get();
        }
        return cache;
    }

    /** Merges the parts' lists of each query by (distance, index). */
    private static Lists merge(int nq, int k, int qb, int parts, Lists[] results) {
        Lists out = new Lists(nq, k);
        int[] pos = new int[parts];
        for (int q = 0; q < nq; q++) {
            int b = q / qb;
            int local = q - b * qb;
            Arrays.fill(pos, 0);
            int n = 0;
            while (n < k) {
                int best = -1;
                double bd = 0;
                int bi = 0;
                for (int p = 0; p < parts; p++) {
                    Lists l = results[b * parts + p];
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
        return out;
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

    // ---- feeding exact distances into a TopK ----------------------------------------------------
    // Keys are distance << 31 | index; the common case (key >= worst) costs one compare.

    static void feedInts(TopK top, int[] dist, int off, int n, int firstIndex) {
        long worst = top.worst();
        for (int j = 0; j < n; j++) {
            long key = (long) dist[off + j] << 31 | (firstIndex + j);
            if (key < worst) {
                top.offer(key);
                worst = top.worst();
            }
        }
    }

    static void feedLongs(TopK top, long[] dist, int n, int firstIndex) {
        long worst = top.worst();
        for (int j = 0; j < n; j++) {
            long key = dist[j] << 31 | (firstIndex + j);
            if (key < worst) {
                top.offer(key);
                worst = top.worst();
            }
        }
    }

    /** Non-negative floats order as their bits (+ 0f turns -0 into +0, NaN gets its canonical bits). */
    static void feedFloats(TopK top, float[] dist, int off, int n, int firstIndex) {
        long worst = top.worst();
        for (int j = 0; j < n; j++) {
            long key = (long) Float.floatToIntBits(dist[off + j] + 0f) << 31 | (firstIndex + j);
            if (key < worst) {
                top.offer(key);
                worst = top.worst();
            }
        }
    }

    // ---- one worker thread ---------------------------------------------------------------------

    /** Scratch memory of one thread, reused across its units. */
    private final class Worker implements AutoCloseable {
        private final Dataset queries;
        private final int k;
        private final int d;
        private final Gemm gemm;
        private final Arena arena = Arena.ofConfined();
        private final TopK[] tops;
        private final Candidates[] cands;
        private final int trainBlock;
        private int[] outI = new int[0];
        private float[] outF = new float[0];
        private long[] outL = new long[0];
        private double[] qNorms = new double[0];
        private long[] sorted;
        private MemorySegment qFloats;
        private MemorySegment cTile;
        private float[] cRow;

        Worker(Dataset queries, int k, Gemm gemm) {
            this.queries = queries;
            this.k = k;
            this.d = train.dims();
            this.gemm = gemm;
            int qb = gemm != null ? QB_GEMM : QB_DIRECT;
            this.tops = new TopK[qb];
            this.cands = new Candidates[qb];
            long rowBytes = train.stride() * train.type().bytes;
            this.trainBlock = (int) Math.max(16, Math.min(TRAIN_BLOCK_BYTES / Math.max(1, rowBytes), 4096)) & ~1;
            this.sorted = new long[k];
        }

        Lists run(int q0, int q1, int t0, int t1) {
            int m = q1 - q0;
            Lists out = new Lists(m, k);
            if (t1 <= t0) {
                return out;
            }
            boolean candidatesPath = metric == Metric.L2 && (gemm != null || train.type() == Dataset.Type.FLOAT32);
            if (metric == Metric.L1 && train.type() == Dataset.Type.FLOAT32) {
                runCandidatesL1(q0, q1, t0, t1, out);
            } else if (candidatesPath) {
                runCandidates(q0, q1, t0, t1, out);
            } else {
                runTopK(q0, q1, t0, t1, out);
            }
            return out;
        }

        private TopK top(int i) {
            TopK t = tops[i];
            if (t == null) {
                t = new TopK(k);
                tops[i] = t;
            } else {
                t.clear();
            }
            return t;
        }

        // ---- exact keys straight into a TopK: L1 (both types), L2 uint8 direct ---------------------

        private void runTopK(int q0, int q1, int t0, int t1, Lists out) {
            int m = q1 - q0;
            for (int i = 0; i < m; i++) {
                top(i);
            }
            MemorySegment qs = queries.segment();
            MemorySegment ts = train.segment();
            long stride = train.stride();
            boolean u8 = train.type() == Dataset.Type.UINT8;
            for (int tb = t0; tb < t1; tb += trainBlock) {
                int n = Math.min(trainBlock, t1 - tb);
                if (metric == Metric.L1 && u8) {
                    if (outI.length < m * n) {
                        outI = new int[m * n];
                    }
                    kernels.l1U8Block(qs, queries.rowOffset(q0), stride, m, ts, train.rowOffset(tb), stride, n, d,
                            outI, 0, n);
                    for (int i = 0; i < m; i++) {
                        feedInts(tops[i], outI, i * n, n, tb);
                    }
                } else if (metric == Metric.L1) {
                    if (outF.length < m * n) {
                        outF = new float[m * n];
                    }
                    kernels.l1F32Block(qs, queries.rowOffset(q0), stride, m, ts, train.rowOffset(tb), stride, n, d,
                            outF, 0, n);
                    for (int i = 0; i < m; i++) {
                        feedFloats(tops[i], outF, i * n, n, tb);
                    }
                } else {
                    if (outL.length < n) {
                        outL = new long[n];
                    }
                    for (int i = 0; i < m; i++) {
                        kernels.l2sqU8Rows(qs, queries.rowOffset(q0 + i), ts, train.rowOffset(tb), stride, n, d,
                                outL, 0);
                        feedLongs(tops[i], outL, n, tb);
                    }
                }
            }
            boolean floatKeys = metric == Metric.L1 && !u8;
            for (int i = 0; i < m; i++) {
                int c = tops[i].sortedInto(sorted, 0);
                for (int r = 0; r < c; r++) {
                    long key = sorted[r];
                    long dist = key >>> 31;
                    out.idx[i * k + r] = (int) (key & IDX_MASK);
                    out.dist[i * k + r] = floatKeys ? Float.intBitsToFloat((int) dist) : dist;
                }
                out.count[i] = c;
            }
        }

        // ---- approximate distances, candidates, exact re-rank: L2 GEMM, L2 float32 direct ---------

        private void runCandidates(int q0, int q1, int t0, int t1, Lists out) {
            int m = q1 - q0;
            if (qNorms.length < m) {
                qNorms = new double[m];
            }
            for (int i = 0; i < m; i++) {
                qNorms[i] = norm(kernels, queries, q0 + i);
                top(i);
                if (cands[i] == null) {
                    cands[i] = new Candidates(k);
                }
                cands[i].clear();
            }
            double[] tn = trainCache().norms();
            if (gemm != null) {
                runGemm(q0, m, t0, t1, tn);
            } else {
                double g = directF32Bound(d);
                MemorySegment qs = queries.segment();
                MemorySegment ts = train.segment();
                for (int tb = t0; tb < t1; tb += trainBlock) {
                    int n = Math.min(trainBlock, t1 - tb);
                    if (outF.length < n) {
                        outF = new float[n];
                    }
                    for (int i = 0; i < m; i++) {
                        kernels.l2sqF32Rows(qs, queries.rowOffset(q0 + i), ts, train.rowOffset(tb), train.stride(), n,
                                d, outF, 0);
                        scan(i, outF, n, tb, tn, g, false);
                    }
                }
            }
            for (int i = 0; i < m; i++) {
                rerank(i, q0 + i, out);
            }
        }

        /**
         * float32 L1: the tile kernel's float sums (whose rounding depends on the kernel's summation
         * order) only select candidates; every row whose sum is within the bound of the k-th is
         * re-ranked with {@link #exactL1F32}, so answers do not depend on the kernel or the threads.
         */
        private void runCandidatesL1(int q0, int q1, int t0, int t1, Lists out) {
            int m = q1 - q0;
            for (int i = 0; i < m; i++) {
                top(i);
                if (cands[i] == null) {
                    cands[i] = new Candidates(k);
                }
                cands[i].clear();
            }
            double g = directL1F32Bound(d);
            MemorySegment qs = queries.segment();
            MemorySegment ts = train.segment();
            long stride = train.stride();
            for (int tb = t0; tb < t1; tb += trainBlock) {
                int n = Math.min(trainBlock, t1 - tb);
                if (outF.length < m * n) {
                    outF = new float[m * n];
                }
                kernels.l1F32Block(qs, queries.rowOffset(q0), stride, m, ts, train.rowOffset(tb), stride, n, d,
                        outF, 0, n);
                for (int i = 0; i < m; i++) {
                    scanL1(i, outF, i * n, n, tb, g);
                }
            }
            for (int i = 0; i < m; i++) {
                rerank(i, q0 + i, out);
            }
        }

        /** As {@link #scan}, for float L1 sums: |sum - exact| <= g * sum + tiny. */
        private void scanL1(int i, float[] v, int off, int n, int tb, double g) {
            TopK upper = tops[i];
            Candidates c = cands[i];
            long worst = upper.worst();
            double u = worst == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : Double.longBitsToDouble(worst);
            for (int j = 0; j < n; j++) {
                double a = v[off + j];
                double b = g * a + L1_ABS_SLACK;
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

        private void runGemm(int q0, int m, int t0, int t1, double[] tn) {
            MemorySegment qf;
            long qOff;
            int ldq;
            MemorySegment tf;
            int ldt;
            if (train.type() == Dataset.Type.FLOAT32) {
                qf = queries.segment();
                qOff = queries.rowOffset(q0);
                ldq = (int) queries.stride();
                tf = train.segment();
                ldt = (int) train.stride();
            } else {
                ldq = (int) train.stride();
                if (qFloats == null) {
                    qFloats = arena.allocate((long) QB_GEMM * ldq * Float.BYTES, 64);
                }
                MemorySegment qs = queries.segment();
                for (int i = 0; i < m; i++) {
                    long src = queries.rowOffset(q0 + i);
                    long dst = (long) i * ldq;
                    for (int c = 0; c < d; c++) {
                        qFloats.setAtIndex(F32, dst + c, Byte.toUnsignedInt(qs.get(ValueLayout.JAVA_BYTE, src + c)));
                    }
                }
                qf = qFloats;
                qOff = 0;
                tf = trainCache().floats();
                ldt = trainCache().ld();
            }
            if (cTile == null) {
                cTile = arena.allocate((long) QB_GEMM * TB_GEMM * Float.BYTES, 64);
                cRow = new float[TB_GEMM];
            }
            double g = gemmBound(d);
            for (int tb = t0; tb < t1; tb += TB_GEMM) {
                int n = Math.min(TB_GEMM, t1 - tb);
                gemm.sgemm(false, true, m, n, d, 1f, qf, qOff, ldq, tf, (long) tb * ldt, ldt, 0f, cTile, 0, n);
                for (int i = 0; i < m; i++) {
                    MemorySegment.copy(cTile, F32, (long) i * n * Float.BYTES, cRow, 0, n);
                    scan(i, cRow, n, tb, tn, g, true);
                }
            }
        }

        /**
         * Row i of a tile: dot products (GEMM) or approximate squared distances (direct). Keeps the
         * k smallest upper bounds (their largest is the threshold U) and every row whose lower
         * bound is <= U: any row among the exact k nearest has exact distance <= U.
         */
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

        /** Exact distances of the candidates of query i that can still be among the k nearest. */
        private void rerank(int i, int qRow, Lists out) {
            long worst = tops[i].worst();
            double u = worst == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : Double.longBitsToDouble(worst);
            Candidates c = cands[i];
            c.prune(u);
            int n = c.n;
            double[] ex = new double[n];
            Integer[] order = new Integer[n];
            MemorySegment qs = queries.segment();
            MemorySegment ts = train.segment();
            long qo = queries.rowOffset(qRow);
            boolean u8 = train.type() == Dataset.Type.UINT8;
            for (int r = 0; r < n; r++) {
                long to = train.rowOffset(c.idx[r]);
                ex[r] = u8 ? kernels.l2sqU8(qs, qo, ts, to, d)
                        : metric == Metric.L1 ? exactL1F32(qs, qo, ts, to, d) : exactL2F32(qs, qo, ts, to, d);
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


        // ---- filter and refine: pooled lower bounds for all pairs, exact distances where needed ------

        private float[] qPool0 = new float[0];
        private MemorySegment qPool1;
        private double[] qNormsF = new double[0];
        private float[] lb0 = new float[0];
        private long[] candKeys = new long[64];
        private final int[] gatherRows = new int[GATHER];
        private final long[] gatherOffs = new long[GATHER];
        private final long[] gatherDist = new long[GATHER];
        private long[] seen;
        private TopK seedTop;
        private long[] seedKeys;
        private byte[] rowBuf;
        private int[] sums;

        /** Panels per call of the bound kernel: about 200 KB of pooled training rows stay in L2. */
        private static final int PANEL_BLOCK = 64;

        int seedCount() {
            return Math.min(train.rows(), Math.max(k, SEEDS));
        }

        Lists runFilter(int q0, int q1) {
            int m = q1 - q0;
            Lists out = new Lists(m, k);
            PooledBounds pb = bounds;
            PooledBounds.Level c0 = pb.coarse;
            PooledBounds.Level c1 = pb.fine;
            int nt = train.rows();
            if (stats.useless) {
                fallback(q0, q1, 0, out);
                return out;
            }
            int f0 = c0.features;
            int f1 = c1 == null ? 0 : c1.features;
            if (qPool0.length < m * f0) {
                qPool0 = new float[m * f0];
            }
            if (c1 != null && (qPool1 == null || qPool1.byteSize() < (long) m * f1 * Float.BYTES)) {
                qPool1 = arena.allocate((long) QB_FILTER * f1 * Float.BYTES, 64);
            }
            if (qNormsF.length < m) {
                qNormsF = new double[m];
            }
            if (rowBuf == null) {
                rowBuf = new byte[d];
                sums = new int[Math.max(c0.blocks, c1 == null ? 0 : c1.blocks)];
                seen = new long[(nt + 63) >>> 6];
                seedTop = new TopK(seedCount());
                seedKeys = new long[seedCount()];
            }
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
            boolean l2 = metric == Metric.L2;
            for (int p = 0; p < pb.panelCount; p += PANEL_BLOCK) {
                int np = Math.min(PANEL_BLOCK, pb.panelCount - p);
                long off = (long) p * f0 * Kernels.PANEL;
                if (l2) {
                    kernels.l2sqF32Panels(qPool0, 0, f0, m, pb.panels, off, np, f0, lb0, p * Kernels.PANEL, ntPad);
                } else {
                    kernels.l1F32Panels(qPool0, 0, f0, m, pb.panels, off, np, f0, lb0, p * Kernels.PANEL, ntPad);
                }
            }
            long exact = 0;
            long fine = 0;
            long cand = 0;
            int done = 0;
            for (int i = 0; i < m; i++) {
                if (stats.useless) {
                    break;
                }
                long[] r = refine(q0 + i, i, i * ntPad, out);
                exact += r[0];
                fine += r[1];
                cand += r[2];
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
            int first = 0;
            while (first < m && out.count[first] > 0) {
                first++;
            }
            if (first < m) {
                fallback(q0, q1, first, out);
            }
            return out;
        }

        /** Brute force for queries q0 + from .. q1 - 1 of a filter unit, into out. */
        private void fallback(int q0, int q1, int from, Lists out) {
            Lists sub = new Lists(q1 - q0 - from, k);
            stats.fallbackQueries.addAndGet(q1 - q0 - from);
            if (metric == Metric.L2 && gemm != null) {
                runCandidates(q0 + from, q1, 0, train.rows(), sub);
            } else {
                runTopK(q0 + from, q1, 0, train.rows(), sub);
            }
            System.arraycopy(sub.dist, 0, out.dist, from * k, sub.dist.length);
            System.arraycopy(sub.idx, 0, out.idx, from * k, sub.idx.length);
            System.arraycopy(sub.count, 0, out.count, from, sub.count.length);
        }

        /** Exact distances of the query at qo to the n training rows at offs. */
        private void exactDistances(long qo, long[] offs, int n, long[] out) {
            if (metric == Metric.L2) {
                kernels.l2sqU8Gather(queries.segment(), qo, train.segment(), offs, n, d, out, 0);
            } else {
                kernels.l1U8Gather(queries.segment(), qo, train.segment(), offs, n, d, out, 0);
            }
        }

        /**
         * One query: the k rows of smallest coarse bound give exact distances and so a threshold
         * U (the k-th smallest exact distance seen); every row whose safe bound is <= U becomes a
         * candidate; candidates are visited in increasing bound order, each checked against the
         * fine bound and then measured exactly, U falling as the top k improve, until the next
         * bound exceeds U. A skipped row has a lower bound > U >= the final k-th distance, so it
         * is not among the k nearest, whatever its index. Returns {exact, fine, candidates}.
         */
        private long[] refine(int qRow, int i, int lbOff, Lists out) {
            PooledBounds pb = bounds;
            int nt = train.rows();
            float[] lb = lb0;
            long qo = queries.rowOffset(qRow);
            boolean l2 = metric == Metric.L2;
            // Seeds: the k smallest raw coarse bounds.
            TopK seeds = seedTop;
            seeds.clear();
            float wv = Float.POSITIVE_INFINITY;
            for (int j = 0; j < nt; j++) {
                float v = lb[lbOff + j];
                if (v < wv) {
                    seeds.offer((long) Float.floatToRawIntBits(v) << 31 | j);
                    long w = seeds.worst();
                    wv = w == Long.MAX_VALUE ? Float.POSITIVE_INFINITY : Float.intBitsToFloat((int) (w >>> 31));
                }
            }
            TopK top = top(i);
            int ns = seeds.sortedInto(seedKeys, 0);
            for (int s0 = 0; s0 < ns; s0 += GATHER) {
                int g = Math.min(GATHER, ns - s0);
                for (int x = 0; x < g; x++) {
                    int row = (int) (seedKeys[s0 + x] & IDX_MASK);
                    seen[row >>> 6] |= 1L << row;
                    gatherOffs[x] = train.rowOffset(row);
                }
                exactDistances(qo, gatherOffs, g, gatherDist);
                for (int x = 0; x < g; x++) {
                    top.offer(gatherDist[x] << 31 | (seedKeys[s0 + x] & IDX_MASK));
                }
            }
            long exact = ns;
            double u = (double) (top.worst() >>> 31);
            // Candidates: safe bound <= U, keyed by (bound rounded down to float, row).
            double[] tn = pb.norms;
            double g0 = pb.coarse.g;
            double gq = g0 * qNormsF[i];
            int n = 0;
            long[] keys = candKeys;
            for (int j = 0; j < nt; j++) {
                double v = lb[lbOff + j];
                if (l2) {
                    v = v - gq - g0 * tn[j];
                }
                if (v <= u) {
                    if (n == keys.length) {
                        keys = Arrays.copyOf(keys, 2 * n);
                        candKeys = keys;
                    }
                    keys[n++] = (long) Float.floatToRawIntBits(floorFloat(v)) << 32 | j;
                }
            }
            Arrays.sort(keys, 0, n);
            PooledBounds.Level c1 = pb.fine;
            int f1 = c1 == null ? 0 : c1.features;
            double g1 = c1 == null ? 0 : c1.g;
            long fine = 0;
            // Exact distances GATHER rows at a time (their cache misses overlap), U updated between groups.
            int[] grp = gatherRows;
            long[] offs = gatherOffs;
            long[] dist = gatherDist;
            int r = 0;
            while (r < n) {
                int g = 0;
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
                        double v = l2 ? kernels.l2sqF32(qPool1, (long) i * f1, pb.fineRows, (long) row * f1, f1)
                                - g1 * (qNormsF[i] + tn[row])
                                : kernels.l1F32(qPool1, (long) i * f1, pb.fineRows, (long) row * f1, f1);
                        if (v > u) {
                            continue;
                        }
                    }
                    grp[g] = row;
                    offs[g] = train.rowOffset(row);
                    g++;
                }
                if (g == 0) {
                    break;
                }
                exact += g;
                exactDistances(qo, offs, g, dist);
                for (int x = 0; x < g; x++) {
                    long k2 = dist[x] << 31 | grp[x];
                    if (k2 < top.worst()) {
                        top.offer(k2);
                    }
                }
                u = (double) (top.worst() >>> 31);
            }
            for (int s = 0; s < ns; s++) {
                int row = (int) (seedKeys[s] & IDX_MASK);
                seen[row >>> 6] &= ~(1L << row);
            }
            int c = top.sortedInto(sorted, 0);
            for (int x = 0; x < c; x++) {
                long key = sorted[x];
                out.idx[i * k + x] = (int) (key & IDX_MASK);
                out.dist[i * k + x] = key >>> 31;
            }
            out.count[i] = c;
            return new long[] {exact, fine, n};
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /** The largest float <= v (v >= 0 clamps negatives to 0). */
    static float floorFloat(double v) {
        if (!(v > 0)) {
            return 0f;
        }
        float f = (float) v;
        return f > v ? Math.nextDown(f) : f;
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
