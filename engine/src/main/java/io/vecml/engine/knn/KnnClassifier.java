package io.vecml.engine.knn;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.gemm.Bf16Selection;
import io.vecml.engine.gemm.GemmSelection;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Exact brute-force k-nearest-neighbour classifier (L1 or L2, uniform or distance weights).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Neighbours are the exact k nearest, ordered by (distance, training index). uint8 data gets
 *       exact integer distances (L1; L2 ranks by the exact integer squared distance and reports its
 *       square root). float32 L2 ranks by the squared distance summed in double in index order,
 *       whatever path computed the approximate distances (a GEMM or the float kernels are only
 *       used to shortlist candidates within a proven error bound). float32 L1 ranks by the float
 *       sum of the chosen kernels, summed in one fixed order per pair.</li>
 *   <li>The answer does not depend on the thread count, on the path (GEMM or direct) or, except
 *       for float32 L1 near-ties (order of float additions), on the kernel implementation.</li>
 *   <li>A vote tie goes to the smallest class label (as scikit-learn).</li>
 * </ul>
 *
 * <p>{@link #fit} keeps a reference to the training set (no copy; keep it open while this model is
 * used). The L2 GEMM path of uint8 data builds a float32 copy of the training set on first use
 * (a bfloat16 copy, half the size, when {@link Bf16Selection} multiplies in bfloat16),
 * and the filter path of uint8 data ({@link KnnOptions.Path#FILTER}, the default for 1000 or more
 * training rows) a pooled copy (block sums, about 1/16 to 1/4 of the floats of a full copy); both
 * are freed by {@link #close()}. Inputs must be finite. uint8 L2 supports up to 66052 dimensions (the
 * squared distance must fit 32 bits), uint8 L1 up to 8421504.
 */
public final class KnnClassifier implements AutoCloseable {

    /** Largest uint8 dimension for L2: 255^2 * d < 2^32 (the packed (distance, index) keys). */
    static final int MAX_U8_L2_DIMS = (int) ((1L << 32) / (255 * 255));

    private final KnnOptions options;
    private Dataset train;
    private int[] labels;
    private int classes;
    private double[] norms;
    private Arena cacheArena;
    private MemorySegment floats;
    private PooledBounds bounds;
    private volatile KnnSearch.FilterStats lastStats;
    private volatile String lastBruteForce;
    private MemorySegment bf16Copy;
    private Bf16Selection bf16;

    public KnnClassifier(KnnOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public KnnOptions options() {
        return options;
    }

    /** Uses {@code train} as the training set (not copied); returns this. */
    public KnnClassifier fit(Dataset train) {
        Objects.requireNonNull(train, "train");
        // Rows of one class are accepted: the neighbours are still meaningful (kneighbors), only the vote is
        // trivial; the classifying faces warn about it (vecml knn) or refuse it (grid search, cross-validation).
        io.vecml.engine.data.DataChecks.requireFeatures(train, "the training data");
        if (train.type() == Dataset.Type.UINT8 && options.metric() == Metric.L2 && train.dims() > MAX_U8_L2_DIMS) {
            throw new IllegalArgumentException("uint8 L2 kNN supports up to " + MAX_U8_L2_DIMS + " dimensions, the"
                    + " training set has " + train.dims());
        }
        if (train.type() == Dataset.Type.UINT8 && train.dims() > Integer.MAX_VALUE / 255) {
            throw new IllegalArgumentException("uint8 kNN supports up to " + Integer.MAX_VALUE / 255
                    + " dimensions, the training set has " + train.dims());
        }
        synchronized (this) {
            freeCache();
            this.train = train;
            this.labels = train.labels();
            this.classes = train.numClasses();
        }
        return this;
    }

    /**
     * The k nearest training rows of every query.
     *
     * @throws IllegalStateException    before {@link #fit}
     * @throws IllegalArgumentException if k is not in 1..training rows, or the queries do not match
     */
    public Neighbors kneighbors(Dataset queries, int k) {
        Dataset t = requireFitted();
        Objects.requireNonNull(queries, "queries");
        if (queries.type() != t.type()) {
            throw new IllegalArgumentException("queries are " + queries.type() + " but the training set is " + t.type());
        }
        if (queries.dims() != t.dims()) {
            throw new IllegalArgumentException("queries have " + queries.dims() + " features but the training set has "
                    + t.dims());
        }
        if (k < 1 || k > t.rows()) {
            throw new IllegalArgumentException("k must be in 1.." + t.rows() + " (the training rows), got " + k);
        }
        boolean l2 = options.metric() == Metric.L2;
        KnnOptions.Path path = options.path();
        boolean filter = PooledBounds.applies(t, options.metric()) && switch (path) {
            case FILTER -> true;
            case AUTO -> t.rows() >= KnnOptions.FILTER_MIN_ROWS;
            default -> false;
        };
        boolean gemm = l2 && switch (path) {
            case GEMM -> true;
            case DIRECT -> false;
            case AUTO, FILTER -> (long) queries.rows() * t.dims() >= KnnOptions.GEMM_MIN_WORK;
        };
        boolean u8Gemm = gemm && t.type() == Dataset.Type.UINT8;
        Bf16Selection bf = u8Gemm ? bf16() : null;
        boolean useBf16 = KnnSearch.usesBf16(t, options.metric(), gemm, bf);
        KnnSearch.TrainCache cache = null;
        if (!filter && l2 && (gemm || t.type() == Dataset.Type.FLOAT32)) {
            cache = cache(u8Gemm && !useBf16, useBf16);
        }
        int threads = options.threads();
        if (gemm && threads > 1) {
            // OpenBLAS's thread count is process-wide: set it once here rather than racing from workers.
            GemmSelection sel = GemmSelection.current();
            if (sel.choice().equals("openblas")) {
                sel.blas().ifPresent(b -> {
                    if (b.numThreads() != 1) {
                        b.setNumThreads(1);
                    }
                });
            }
        }
        KnnSearch search = new KnnSearch(t, options.metric(), options.kernels(), gemm, cache,
                n -> GemmSelection.current().create(n), filter ? bounds() : null,
                () -> cache(u8Gemm && !useBf16, useBf16), bf);
        KnnSearch.Lists lists = search.run(queries, k, threads);
        lastStats = filter ? search.stats() : null;
        lastBruteForce = search.bruteForceName();
        int nq = queries.rows();
        double[] dist = new double[nq * k];
        for (int i = 0; i < dist.length; i++) {
            dist[i] = l2 ? Math.sqrt(lists.dist[i]) : lists.dist[i];
        }
        return new Neighbors(nq, k, lists.idx, dist);
    }

    /** Predicted labels with k neighbours and the options' weights. */
    public int[] predict(Dataset queries, int k) {
        return predictAll(kneighbors(queries, k), new int[] {k}, options.weights())[0];
    }

    /**
     * Predictions for several k from one neighbour search: row i uses the first {@code ks[i]}
     * neighbours of each query ({@code ks[i] <= neighbors.k()}).
     */
    public int[][] predictAll(Neighbors neighbors, int[] ks, Weights weights) {
        requireFitted();
        Objects.requireNonNull(weights, "weights");
        for (int kk : ks) {
            if (kk < 1 || kk > neighbors.k()) {
                throw new IllegalArgumentException("each k must be in 1.." + neighbors.k() + " (the neighbours found), got "
                        + kk);
            }
        }
        int nq = neighbors.queries();
        int[][] out = new int[ks.length][nq];
        double[] votes = new double[classes];
        for (int a = 0; a < ks.length; a++) {
            int kk = ks[a];
            for (int q = 0; q < nq; q++) {
                java.util.Arrays.fill(votes, 0);
                boolean zero = false;
                if (weights == Weights.DISTANCE) {
                    for (int r = 0; r < kk; r++) {
                        zero |= neighbors.distance(q, r) == 0;
                    }
                }
                for (int r = 0; r < kk; r++) {
                    double dd = neighbors.distance(q, r);
                    double w = weights == Weights.UNIFORM ? 1 : zero ? (dd == 0 ? 1 : 0) : 1 / dd;
                    votes[labels[neighbors.index(q, r)]] += w;
                }
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (votes[c] > votes[best]) {
                        best = c;
                    }
                }
                out[a][q] = best;
            }
        }
        return out;
    }

    /** Accuracy of {@link #predict} against the queries' labels. */
    public double score(Dataset queries, int k) {
        int[] p = predict(queries, k);
        if (p.length == 0) {
            return Double.NaN;
        }
        int ok = 0;
        for (int i = 0; i < p.length; i++) {
            ok += p[i] == queries.label(i) ? 1 : 0;
        }
        return (double) ok / p.length;
    }

    private synchronized Dataset requireFitted() {
        if (train == null) {
            throw new IllegalStateException("call fit(train) before using the classifier");
        }
        return train;
    }

    /**
     * Norms of the training rows, and for uint8 GEMM a float32 copy or a bfloat16 copy (same
     * stride), each built once.
     */
    private synchronized KnnSearch.TrainCache cache(boolean needFloats, boolean needBf16) {
        Dataset t = train;
        if (norms == null) {
            double[] n = new double[t.rows()];
            for (int r = 0; r < n.length; r++) {
                n[r] = KnnSearch.norm(options.kernels(), t, r);
            }
            norms = n;
        }
        if (needFloats && floats == null) {
            cacheArena = Arena.ofShared();
            long ld = t.stride();
            MemorySegment f = cacheArena.allocate(Math.max(1, t.rows() * ld * Float.BYTES), 64);
            byte[] row = new byte[t.dims()];
            float[] frow = new float[t.dims()];
            for (int r = 0; r < t.rows(); r++) {
                MemorySegment.copy(t.segment(), ValueLayout.JAVA_BYTE, t.rowOffset(r), row, 0, row.length);
                for (int c = 0; c < row.length; c++) {
                    frow[c] = Byte.toUnsignedInt(row[c]);
                }
                MemorySegment.copy(frow, 0, f, ValueLayout.JAVA_FLOAT, r * ld * Float.BYTES, frow.length);
            }
            floats = f;
        }
        if (needBf16 && bf16Copy == null) {
            if (cacheArena == null) {
                cacheArena = Arena.ofShared();
            }
            long ld = t.stride();
            MemorySegment b = cacheArena.allocate(Math.max(1, t.rows() * ld * 2), 64);
            byte[] row = new byte[t.dims()];
            short[] brow = new short[t.dims()];
            for (int r = 0; r < t.rows(); r++) {
                MemorySegment.copy(t.segment(), ValueLayout.JAVA_BYTE, t.rowOffset(r), row, 0, row.length);
                for (int c = 0; c < row.length; c++) {
                    brow[c] = Bf16GemmTiles.bf16(row[c] & 0xFF);
                }
                MemorySegment.copy(brow, 0, b, ValueLayout.JAVA_SHORT_UNALIGNED, r * ld * 2, brow.length);
            }
            bf16Copy = b;
        }
        return new KnnSearch.TrainCache(norms, floats, bf16Copy, (int) t.stride());
    }

    /** The bfloat16 choice for uint8 L2 GEMM: the JVM's unless a test set one. */
    private synchronized Bf16Selection bf16() {
        return bf16 != null ? bf16 : Bf16Selection.current();
    }

    /** Uses this bfloat16 choice instead of the JVM's (tests: every choice on any machine). */
    synchronized void useBf16(Bf16Selection selection) {
        this.bf16 = selection;
    }

    /** The brute-force producer of the last search (diagnostics, tests), e.g. "gemm-bf16:openblas-sbgemm". */
    String lastBruteForce() {
        return lastBruteForce;
    }

    /** The pooled training set of the filter path, built once. */
    private synchronized PooledBounds bounds() {
        if (bounds == null) {
            bounds = PooledBounds.build(train, options.metric(), options.threads(), options.kernels());
        }
        return bounds;
    }

    /** The pooled training set of the filter path if it has been built, else null (tests). */
    synchronized PooledBounds pooledBoundsIfBuilt() {
        return bounds;
    }

    /** Pruning counts of the last filter-path search (diagnostics, tests), or null. */
    KnnSearch.FilterStats lastFilterStats() {
        return lastStats;
    }

    private void freeCache() {
        if (bounds != null) {
            bounds.close();
            bounds = null;
        }
        norms = null;
        floats = null;
        bf16Copy = null;
        if (cacheArena != null) {
            cacheArena.close();
            cacheArena = null;
        }
    }

    /** Frees the float32 copy of the training set, if one was made. */
    @Override
    public synchronized void close() {
        freeCache();
    }
}
