package io.vecml.engine.knn;

import io.vecml.engine.concurrent.Fork;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.ImageShape;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Lower bounds on uint8 distances from block sums ("pooling"), for the exact filter-and-refine
 * search of {@link KnnSearch}. The features are cut into blocks B (spatial b x b blocks of each
 * channel for images, runs of consecutive features otherwise), and S_B(x) is the sum of x over B.
 *
 * <p><b>L1.</b> ||q - t||_1 = sum_B sum_{i in B} |q_i - t_i| >= sum_B |S_B(q) - S_B(t)| (triangle
 * inequality per block). The block sums are integers; the bound is computed in float, exactly,
 * because every partial sum is an integer <= 255 d < 2^24 (d <= {@link #MAX_L1_DIMS}).
 *
 * <p><b>L2.</b> Let P project onto the block means (P x has S_B(x) / |B| on B) and R = I - P. Then
 * ||q - t||^2 = ||P(q - t)||^2 + ||R q - R t||^2 >= sum_B (S_B(q) - S_B(t))^2 / |B| + (||R q|| -
 * ||R t||)^2 (orthogonality, then the reverse triangle inequality). That is the squared distance
 * between the "pooled" vectors p(x) = (S_B(x) / sqrt|B| for each B, ||R x||), whose squared norm
 * is exactly ||x||^2. The pooled vectors are rounded to float (relative error e <= u + 2^-40,
 * u = 2^-24: the sums are exact, the scale and the residual norm are computed in double; the
 * residual as a sum of squared deviations, so it has no cancellation) and the bound is summed in
 * float (any order, fused or not). With s_f = |p_f(q)| + |p_f(t)|, each computed difference is
 * within d = 2e + u e of the real one times s_f, its square within d (2 + d) s_f^2 <= 2 d (2 + d)
 * (p_f(q)^2 + p_f(t)^2), and summing n non-negative terms adds at most gamma_n times their total
 * (<= 2 (1 + d)^2 (||q||^2 + ||t||^2)). So |computed - bound| <= g (||q||^2 + ||t||^2) with
 * g = 2 (1 + d)^2 gamma_n + 2 d (2 + d) <= {@link #l2Factor}(n), and computed - g (||q||^2 + ||t||^2)
 * is a lower bound of the exact squared distance (the few double operations that form it are
 * covered by the margin of {@link #l2Factor}).
 */
final class PooledBounds {

    /** uint8 L1 bounds are exact floats up to this dimension (255 d < 2^24). */
    static final int MAX_L1_DIMS = (1 << 24) / 255;
    /**
     * L2 takes a coarse level of principal directions ({@link PcaBasis}) up to this dimension (its
     * covariance costs d^2 per sampled row); above it, and for L1, block sums. At the CIFAR shape
     * (3072) the blocks already leave 0.2% of the rows to measure.
     */
    static final int PCA_MAX_DIMS = 1024;
    /** Principal directions of the coarse L2 level (plus the residual norm: the blocks' 49 + 1 values on Fashion-MNIST). */
    static final int PCA_COMPONENTS = 48;
    /** The coarse level aims at this many blocks (all pairs are bounded at this level). */
    static final int COARSE_BLOCKS = 64;

    /** One partition of the features into blocks. */
    static final class Level {
        final int[] blockOf;
        final int blocks;
        final int[] size;
        final double[] scale;
        /** Values per pooled vector: the blocks, plus the residual norm for L2. */
        final int features;
        /** L2 bound factor g (0 for L1). */
        final double g;
        final boolean l2;
        /** The principal-direction level's basis (L2 only), or null for a level of block sums. */
        final PcaBasis basis;

        /** The L2 level of a principal-direction basis: m coordinates and the residual norm. */
        Level(PcaBasis basis) {
            this.basis = basis;
            this.blockOf = null;
            this.blocks = basis.m;
            this.size = null;
            this.scale = null;
            this.l2 = true;
            this.features = basis.m + 1;
            this.g = basis.l2Factor();
        }

        Level(int[] blockOf, boolean l2) {
            this.basis = null;
            this.blockOf = blockOf;
            int b = 0;
            for (int v : blockOf) {
                b = Math.max(b, v + 1);
            }
            this.blocks = b;
            this.size = new int[b];
            for (int v : blockOf) {
                size[v]++;
            }
            this.scale = new double[b];
            for (int i = 0; i < b; i++) {
                scale[i] = l2 ? 1 / Math.sqrt(size[i]) : 1;
            }
            this.l2 = l2;
            this.features = l2 ? b + 1 : b;
            this.g = l2 ? l2Factor(features) : 0;
        }

        /**
         * Pools one uint8 row (bytes in {@code row}) into dst[off, off + features); sums is
         * scratch of at least {@code blocks}. Returns the squared norm of the row.
         */
        private final ThreadLocal<double[]> means = ThreadLocal.withInitial(this::newMeans);

        private double[] newMeans() {
            return new double[blocks];
        }

        long pool(byte[] row, int[] sums, float[] dst, int off) {
            if (basis != null) {
                return basis.pool(row, means.get(), dst, off);
            }
            java.util.Arrays.fill(sums, 0, blocks, 0);
            long norm = 0;
            // Consecutive features mostly fall in the same block (a block's row segment): summing a run
            // in a register avoids a store-to-load dependency on sums[b] for every element.
            int cur = row.length == 0 ? 0 : blockOf[0];
            int acc = 0;
            for (int i = 0; i < row.length; i++) {
                int v = Byte.toUnsignedInt(row[i]);
                int b = blockOf[i];
                if (b != cur) {
                    sums[cur] += acc;
                    acc = 0;
                    cur = b;
                }
                acc += v;
                norm += v * v;
            }
            if (row.length > 0) {
                sums[cur] += acc;
            }
            for (int b = 0; b < blocks; b++) {
                dst[off + b] = l2 ? (float) (sums[b] * scale[b]) : sums[b];
            }
            if (l2) {
                // sum (v - mean_b)^2 over the block = sum v^2 - sums_b^2 / size_b would cancel badly in
                // float; in double with integer inputs it is exact enough, but keep the two-pass form
                // (one division per block, not per element) so the value matches the proof's definition.
                double[] mean = means.get();
                for (int b = 0; b < blocks; b++) {
                    mean[b] = (double) sums[b] / size[b];
                }
                double r2 = 0;
                for (int i = 0; i < row.length; i++) {
                    double dev = Byte.toUnsignedInt(row[i]) - mean[blockOf[i]];
                    r2 += dev * dev;
                }
                dst[off + blocks] = (float) Math.sqrt(r2);
            }
            return norm;
        }
    }

    /**
     * The L2 bound factor for n pooled values (see the class comment): 2 (1 + d)^2 gamma_n +
     * 2 d (2 + d) with d = 2e + u e, rounded up generously (2.01 gamma_n + 2^-19).
     */
    static double l2Factor(int n) {
        return 2.01 * KnnSearch.gamma(n) + 0x1p-19;
    }

    final Metric metric;
    final int rows;
    final Level coarse;
    /** A finer level checked per candidate before the exact distance, or null. */
    final Level fine;
    /** The training set pooled at the coarse level, in panels of {@link Kernels#PANEL} rows. */
    final MemorySegment panels;
    final int panelCount;
    /** The training set pooled at the fine level, row-major, {@code fine.features} apart. */
    final MemorySegment fineRows;
    /** Exact squared norms of the training rows (L2). */
    final double[] norms;
    /** The largest of {@link #norms} (0 without rows). */
    final double maxNorm;
    private final Arena arena;

    private PooledBounds(Metric metric, int rows, Level coarse, Level fine, MemorySegment panels, int panelCount,
                         MemorySegment fineRows, double[] norms, Arena arena) {
        this.metric = metric;
        this.rows = rows;
        this.coarse = coarse;
        this.fine = fine;
        this.panels = panels;
        this.panelCount = panelCount;
        this.fineRows = fineRows;
        this.norms = norms;
        double mx = 0;
        for (double v : norms) {
            mx = Math.max(mx, v);
        }
        this.maxNorm = mx;
        this.arena = arena;
    }

    /** Whether pooled bounds apply: uint8 data (and, for L1, sums that stay exact in float). */
    static boolean applies(Dataset train, Metric metric) {
        return train.type() == Dataset.Type.UINT8 && train.dims() >= 2
                && (metric == Metric.L2 || train.dims() <= MAX_L1_DIMS);
    }

    /** The two levels for a dataset: the block layout of its images, or runs of features. */
    static Level[] levels(int dims, java.util.Optional<ImageShape> shape, Metric metric) {
        boolean l2 = metric == Metric.L2;
        if (shape.isPresent() && shape.get().dims() == dims) {
            ImageShape s = shape.get();
            int b0 = 2;
            while (s.channels() * ceilDiv(s.height(), b0) * ceilDiv(s.width(), b0) > COARSE_BLOCKS
                    && b0 < Math.max(s.height(), s.width())) {
                b0++;
            }
            int b1 = b0 / 2;
            return new Level[] {new Level(imageBlocks(s, b0), l2), fine(b1 >= 2 ? imageBlocks(s, b1) : null, l2)};
        }
        int g0 = Math.max(2, ceilDiv(dims, COARSE_BLOCKS * 3 / 4));
        int g1 = ceilDiv(g0, 4);
        return new Level[] {new Level(runs(dims, g0), l2), fine(g1 >= 2 ? runs(dims, g1) : null, l2)};
    }

    /**
     * The fine level, when its float rows take at most half the bytes of a uint8 row. Checking a
     * candidate costs a cache miss per row either way (the candidates are scattered over a
     * training set larger than the caches), so a fine row as large as the exact one saves nothing:
     * measured on Fashion-MNIST (2x2 blocks, 197 floats against 784 bytes) it was slower than going
     * straight to the exact distance; on CIFAR (4x4 blocks, 193 floats against 3072 bytes) it pays.
     */
    private static Level fine(int[] blockOf, boolean l2) {
        if (blockOf == null) {
            return null;
        }
        Level f = new Level(blockOf, l2);
        return (long) f.features * Float.BYTES * 2 <= blockOf.length ? f : null;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** b x b spatial blocks of every channel (smaller at the right and bottom edges). */
    static int[] imageBlocks(ImageShape s, int b) {
        int bw = ceilDiv(s.width(), b);
        int bh = ceilDiv(s.height(), b);
        int[] of = new int[s.dims()];
        for (int c = 0; c < s.channels(); c++) {
            for (int y = 0; y < s.height(); y++) {
                for (int x = 0; x < s.width(); x++) {
                    of[s.index(y, x, c)] = (c * bh + y / b) * bw + x / b;
                }
            }
        }
        return of;
    }

    /** Runs of g consecutive features (the last one shorter). */
    static int[] runs(int dims, int g) {
        int[] of = new int[dims];
        for (int i = 0; i < dims; i++) {
            of[i] = i / g;
        }
        return of;
    }

    /** Pools the training set at both levels (uint8; see {@link #applies}). */
    static PooledBounds build(Dataset train, Metric metric) {
        return build(train, metric, 1);
    }

    /**
     * Builds the pooled copy with {@code threads} threads over row ranges (each row's values do not
     * depend on them): always the block levels, which cost one cheap pass over the training set. For
     * L2 up to {@link #PCA_MAX_DIMS} dimensions the principal-direction level prunes better but
     * costs a basis and a dense projection of every row; it is built only by {@link #principal},
     * once a probe on the block level has shown that the data has structure to prune with
     * ({@link #principalWanted}): on random data the probe fails and that cost is never paid.
     */
    static PooledBounds build(Dataset train, Metric metric, int threads) {
        return build(train, metric, threads, io.vecml.engine.kernels.KernelSelection.current().kernels());
    }

    /** As {@link #build(Dataset, Metric, int)}; the principal-direction level projects rows with {@code kernels}. */
    static PooledBounds build(Dataset train, Metric metric, int threads, Kernels kernels) {
        Level[] lv = levels(train.dims(), train.imageShape(), metric);
        boolean pcaPossible = metric == Metric.L2 && train.dims() <= PCA_MAX_DIMS
                && train.dims() > 2 * PCA_COMPONENTS;
        return build(train, metric, threads, lv[0], lv[1], pcaPossible ? train : null, kernels);
    }

    private static PooledBounds build(Dataset train, Metric metric, int threads, Level coarse, Level fine,
                                      Dataset pcaSource, Kernels kernels) {
        int n = train.rows();
        int np = ceilDiv(Math.max(n, 1), Kernels.PANEL);
        Arena arena = Arena.ofShared();
        MemorySegment panels = arena.allocate((long) np * coarse.features * Kernels.PANEL * Float.BYTES, 64);
        MemorySegment fineRows = fine == null ? null
                : arena.allocate(Math.max(1, (long) n * fine.features * Float.BYTES), 64);
        double[] norms = new double[n];
        int workers = Math.max(1, Math.min(threads, n / 256));
        Runnable[] parts = new Runnable[workers];
        for (int w = 0; w < workers; w++) {
            int from = (int) ((long) n * w / workers);
            int to = (int) ((long) n * (w + 1) / workers);
            parts[w] = () -> poolRows(train, coarse, fine, panels, fineRows, norms, from, to);
        }
        try {
            Fork.run(workers, "vecml-pool", w -> parts[w].run());
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
        PooledBounds pb = new PooledBounds(metric, n, coarse, fine, panels, np, fineRows, norms, arena);
        pb.pcaSource = pcaSource;
        pb.kernels = kernels;
        return pb;
    }

    // ---- the principal-direction level, built on evidence ----------------------------------------

    /**
     * The block-level probe asks for the principal-direction level when its exact distances per
     * query are at most this fraction of the training rows. The principal directions prune several
     * times better than blocks on structured data (Fashion-MNIST k = 5: 692 against 2463 rows per
     * query), so data whose blocks leave even half the rows is worth the basis; random data leaves
     * all of them.
     */
    static final double PCA_PROBE_MAX_FRACTION = 0.5;

    /** The training set to build the principal-direction level from, or null when it does not apply. */
    private Dataset pcaSource;
    private Kernels kernels;
    private final java.util.concurrent.atomic.AtomicLong probeQueries = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong probeExact = new java.util.concurrent.atomic.AtomicLong();
    private volatile PooledBounds principal;
    private volatile boolean principalFailed;

    /** Whether a principal-direction level may still be built for these (block-level) bounds. */
    boolean principalPossible() {
        return pcaSource != null && !principalFailed;
    }

    /** The principal-direction level if it has been built, else null. */
    PooledBounds principalIfBuilt() {
        return principal;
    }

    /** Adds the counts of block-level queries (refined with these bounds) to the probe's evidence. */
    void recordProbe(long queries, long exact) {
        probeQueries.addAndGet(queries);
        probeExact.addAndGet(exact);
    }

    /**
     * Whether the block-level queries seen so far (over all searches with these bounds) ask for the
     * principal-direction level: at least {@code minQueries} of them, with at most
     * {@link #PCA_PROBE_MAX_FRACTION} of the rows measured exactly per query.
     */
    boolean principalWanted(int minQueries) {
        long q = probeQueries.get();
        return principalPossible() && q >= minQueries && probeExact.get() <= q * (rows * PCA_PROBE_MAX_FRACTION);
    }

    /**
     * The bounds with the principal-direction coarse level (same fine level), built once with
     * {@code threads} threads and closed with these; null when it does not apply or the basis
     * could not be made orthonormal enough.
     */
    synchronized PooledBounds principal(int threads) {
        if (principal == null && principalPossible()) {
            PcaBasis basis = PcaBasis.compute(pcaSource, PCA_COMPONENTS, threads, kernels);
            if (basis == null) {
                principalFailed = true;
            } else {
                principal = build(pcaSource, metric, threads, new Level(basis), fine, null, kernels);
            }
        }
        return principal;
    }

    private static void poolRows(Dataset train, Level coarse, Level fine, MemorySegment panels, MemorySegment fineRows,
            double[] norms, int from, int to) {
        int d = train.dims();
        byte[] row = new byte[d];
        int[] sums = new int[Math.max(coarse.blocks, fine == null ? 0 : fine.blocks)];
        float[] p0 = new float[coarse.features];
        float[] p1 = new float[fine == null ? 0 : fine.features];
        for (int r = from; r < to; r++) {
            MemorySegment.copy(train.segment(), ValueLayout.JAVA_BYTE, train.rowOffset(r), row, 0, d);
            norms[r] = coarse.pool(row, sums, p0, 0);
            long base = (long) (r / Kernels.PANEL) * coarse.features * Kernels.PANEL + r % Kernels.PANEL;
            for (int f = 0; f < coarse.features; f++) {
                panels.setAtIndex(ValueLayout.JAVA_FLOAT, base + (long) f * Kernels.PANEL, p0[f]);
            }
            if (fine != null) {
                fine.pool(row, sums, p1, 0);
                MemorySegment.copy(p1, 0, fineRows, ValueLayout.JAVA_FLOAT, (long) r * fine.features * Float.BYTES,
                        p1.length);
            }
        }
    }

    void close() {
        try {
            PooledBounds p = principal;
            if (p != null) {
                p.close();
            }
        } finally {
            arena.close();
        }
    }
}
