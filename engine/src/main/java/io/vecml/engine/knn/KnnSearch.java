package io.vecml.engine.knn;

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
    private final TrainCache cache;
    private final IntFunction<Gemm> gemms;

    /**
     * @param cache  float copy and norms of the training set (L2 paths that need them), else null
     * @param gemms  GEMM for a given thread count (GEMM path only)
     */
    KnnSearch(Dataset train, Metric metric, Kernels kernels, boolean gemmPath, TrainCache cache,
              IntFunction<Gemm> gemms) {
        this.train = train;
        this.metric = metric;
        this.kernels = kernels;
        this.gemmPath = gemmPath;
        this.cache = cache;
        this.gemms = gemms;
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
        int qb = gemmPath ? QB_GEMM : QB_DIRECT;
        int qBlocks = (nq + qb - 1) / qb;
        // Fewer query blocks than threads: also split the training set, so every thread has work.
        int parts = qBlocks >= threads ? 1 : Math.min(nt, (threads + qBlocks - 1) / qBlocks);
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
                    results[u] = w.run(unit.q0, unit.q1, unit.t0, unit.t1);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        if (javaThreads <= 1) {
            work.run();
        } else {
            Thread[] ts = new Thread[javaThreads];
            for (int i = 0; i < javaThreads; i++) {
                ts[i] = Thread.ofPlatform().name("vecml-knn-" + i).start(work);
            }
            for (Thread t : ts) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while searching neighbours", e);
                }
            }
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
        return merge(nq, k, qb, parts, results);
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
            if (candidatesPath) {
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
            double[] tn = cache.norms();
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
                tf = cache.floats();
                ldt = cache.ld();
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
                ex[r] = u8 ? kernels.l2sqU8(qs, qo, ts, to, d) : exactL2F32(qs, qo, ts, to, d);
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

        @Override
        public void close() {
            arena.close();
        }
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
