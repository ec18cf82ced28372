package io.vecml.engine.template;

import io.vecml.engine.concurrent.Fork;
import io.vecml.engine.progress.ProgressListener;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.ImageShape;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The template (nearest-centroid) classifier: one float32 template per class, and a row is given
 * the class whose template is nearest, by L1 or L2 distance.
 *
 * <p>Templates are accumulated in double and then rounded to float: the per-feature class mean
 * ({@link Center#MEAN}, the lecture's template) or the per-feature class median
 * ({@link Center#MEDIAN}, the centre that minimises the summed L1 distance; numpy's median, so
 * the average of the two middle values for an even count). This matches scikit-learn's
 * {@code NearestCentroid()} and {@code NearestCentroid(metric='manhattan')}.
 *
 * <p>Ties go to the smallest class label. A class without training rows has no template and is
 * never predicted. Results do not depend on the thread count: each row's distances are computed
 * by the same operations whoever computes them (and the Java GEMM is bit-identical across threads).
 *
 * <p>Instances are immutable and may be shared between threads.
 */
public final class TemplateClassifier {

    /** How a class's rows are summarised into its template. */
    public enum Center {
        /** Per-feature mean (minimises the summed squared L2 distance). */
        MEAN,
        /** Per-feature median (minimises the summed L1 distance). */
        MEDIAN
    }

    /** The progress stage of {@link #fit(Dataset, Center, ProgressListener)}. */
    public static final String FIT_STAGE = "template fit";
    /** The progress stage of {@link #predict(Dataset, Metric, int, ProgressListener)}. */
    public static final String PREDICT_STAGE = "template predict";

    /** Rows per GEMM block in L2 prediction: 1024 x 3072 floats = 12 MB at CIFAR size. */
    private static final int L2_BLOCK = 1024;

    private final Center center;
    private final int dims;
    private final int classes;
    private final List<String> classNames;
    private final ImageShape imageShape;
    /** classes x dims row-major float32, native (OpenBLAS reads it). */
    private final MemorySegment templates;
    /** The same templates as uint8 when every value is an integer in 0..255, else null. */
    private final MemorySegment templatesU8;
    /** Squared L2 norm of each template, in float as the GEMM path uses it. */
    private final float[] norms;
    private final boolean[] present;
    private final int[] counts;

    private TemplateClassifier(Center center, double[][] t, int[] counts, List<String> classNames,
            ImageShape imageShape) {
        this.center = center;
        this.classes = t.length;
        this.dims = classes == 0 ? 0 : t[0].length;
        this.classNames = List.copyOf(classNames);
        this.imageShape = imageShape;
        this.counts = counts.clone();
        this.present = new boolean[classes];
        // Arena.ofAuto: the model is a value that can be dropped without close(); the GC frees it.
        Arena arena = Arena.ofAuto();
        this.templates = arena.allocate(Math.max(1L, (long) classes * dims * Float.BYTES), 64);
        this.norms = new float[classes];
        boolean integral = true;
        for (int c = 0; c < classes; c++) {
            present[c] = counts[c] > 0;
            float n = 0;
            for (int f = 0; f < dims; f++) {
                float v = present[c] ? (float) t[c][f] : 0f;
                templates.setAtIndex(ValueLayout.JAVA_FLOAT, (long) c * dims + f, v);
                n += v * v;
                integral &= v == Math.rint(v) && v >= 0 && v <= 255;
            }
            norms[c] = n;
        }
        if (integral && classes > 0) {
            templatesU8 = arena.allocate(Math.max(1L, (long) classes * dims), 64);
            for (long i = 0; i < (long) classes * dims; i++) {
                templatesU8.set(ValueLayout.JAVA_BYTE, i, (byte) templates.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            }
        } else {
            templatesU8 = null;
        }
    }

    /**
     * Fits one template per class of {@code train}.
     *
     * @throws IllegalArgumentException when {@code train} has no rows
     */
    public static TemplateClassifier fit(Dataset train, Center center) {
        return fit(train, center, ProgressListener.NONE);
    }

    /**
     * As {@link #fit(Dataset, Center)}, telling {@code progress} the training rows summarised so far
     * (stage {@value #FIT_STAGE}).
     */
    public static TemplateClassifier fit(Dataset train, Center center, ProgressListener progress) {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(center, "center");
        Objects.requireNonNull(progress, "progress");
        io.vecml.engine.data.DataChecks.requireTrainable(train, "the template classifier");
        int[] counts = train.classCounts();
        RowProgress done = new RowProgress(progress, FIT_STAGE, train.rows());
        double[][] t = center == Center.MEAN ? means(train, counts, done) : medians(train, counts, done);
        done.finish();
        return new TemplateClassifier(center, t, counts, train.classNames(), train.imageShape().orElse(null));
    }

    /**
     * A classifier from saved templates ({@code classes x dims}; a class with count 0 has no template
     * and is never predicted), as {@link #templates()} and {@link #count} gave them.
     */
    public static TemplateClassifier restore(Center center, float[][] templates, int[] counts, List<String> classNames,
            ImageShape imageShape) {
        Objects.requireNonNull(center, "center");
        if (templates.length != counts.length || templates.length != classNames.size() || templates.length == 0) {
            throw new IllegalArgumentException(templates.length + " templates, " + counts.length + " counts and "
                    + classNames.size() + " class names must agree and be > 0");
        }
        double[][] t = new double[templates.length][];
        for (int c = 0; c < t.length; c++) {
            if (templates[c].length != templates[0].length) {
                throw new IllegalArgumentException("template " + c + " has " + templates[c].length + " features, not "
                        + templates[0].length);
            }
            t[c] = new double[templates[c].length];
            for (int f = 0; f < t[c].length; f++) {
                t[c][f] = templates[c][f];
            }
        }
        return new TemplateClassifier(center, t, counts, classNames, imageShape);
    }

    private static double[][] means(Dataset train, int[] counts, RowProgress done) {
        int d = train.dims();
        double[][] sum = new double[counts.length][d];
        float[] row = new float[d];
        for (int r = 0; r < train.rows(); r++) {
            readRow(train, r, row);
            double[] s = sum[train.label(r)];
            for (int f = 0; f < d; f++) {
                s[f] += row[f];
            }
            done.add(1);
        }
        for (int c = 0; c < counts.length; c++) {
            for (int f = 0; f < d && counts[c] > 0; f++) {
                sum[c][f] /= counts[c];
            }
        }
        return sum;
    }

    private static double[][] medians(Dataset train, int[] counts, RowProgress done) {
        int d = train.dims();
        double[][] med = new double[counts.length][d];
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] == 0) {
                continue;
            }
            int[] rows = new int[counts[c]];
            int n = 0;
            for (int r = 0; r < train.rows(); r++) {
                if (train.label(r) == c) {
                    rows[n++] = r;
                }
            }
            if (train.type() == Dataset.Type.UINT8) {
                medianU8(train, rows, med[c]);
            } else {
                medianF32(train, rows, med[c]);
            }
            done.add(counts[c]);
        }
        return med;
    }

    /** Counting per feature: reads rows sequentially and needs no sort. */
    private static void medianU8(Dataset train, int[] rows, double[] out) {
        int d = train.dims();
        int[] hist = new int[d * 256];
        MemorySegment s = train.segment();
        for (int r : rows) {
            long off = train.rowOffset(r);
            for (int f = 0; f < d; f++) {
                hist[f * 256 + Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, off + f))]++;
            }
        }
        int n = rows.length;
        for (int f = 0; f < d; f++) {
            // Values of 0-based ranks lo = (n-1)/2 and hi = n/2 (equal when n is odd).
            int lo = (n - 1) / 2;
            int hi = n / 2;
            int loV = -1;
            int hiV = -1;
            int seen = 0;
            for (int v = 0; v < 256 && hiV < 0; v++) {
                seen += hist[f * 256 + v];
                if (loV < 0 && seen > lo) {
                    loV = v;
                }
                if (seen > hi) {
                    hiV = v;
                }
            }
            out[f] = (loV + hiV) / 2.0;
        }
    }

    private static void medianF32(Dataset train, int[] rows, double[] out) {
        int d = train.dims();
        int n = rows.length;
        // Feature-major copy so each feature's values are contiguous for the sort.
        float[] cols = new float[Math.multiplyExact(d, n)];
        float[] row = new float[d];
        for (int i = 0; i < n; i++) {
            readRow(train, rows[i], row);
            for (int f = 0; f < d; f++) {
                cols[f * n + i] = row[f];
            }
        }
        for (int f = 0; f < d; f++) {
            Arrays.sort(cols, f * n, f * n + n);
            out[f] = ((double) cols[f * n + (n - 1) / 2] + cols[f * n + n / 2]) / 2.0;
        }
    }

    private static void readRow(Dataset data, int r, float[] row) {
        MemorySegment s = data.segment();
        long off = data.rowOffset(r);
        if (data.type() == Dataset.Type.UINT8) {
            for (int f = 0; f < row.length; f++) {
                row[f] = Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, off + f));
            }
        } else {
            MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, off * Float.BYTES, row, 0, row.length);
        }
    }

    // ---- accessors ---------------------------------------------------------------------------

    public Center center() {
        return center;
    }

    public int dims() {
        return dims;
    }

    public int numClasses() {
        return classes;
    }

    public List<String> classNames() {
        return classNames;
    }

    /** The image shape of the training rows, so templates can be drawn as images. */
    public Optional<ImageShape> imageShape() {
        return Optional.ofNullable(imageShape);
    }

    /** Whether class {@code c} had training rows (and so a template). */
    public boolean hasTemplate(int c) {
        return present[Objects.checkIndex(c, classes)];
    }

    /** Training rows of class {@code c}. */
    public int count(int c) {
        return counts[Objects.checkIndex(c, classes)];
    }

    /** A copy of class {@code c}'s template (all zeros when the class had no rows). */
    public float[] template(int c) {
        Objects.checkIndex(c, classes);
        float[] out = new float[dims];
        MemorySegment.copy(templates, ValueLayout.JAVA_FLOAT, (long) c * dims * Float.BYTES, out, 0, dims);
        return out;
    }

    /** Copies of all templates, indexed by class. */
    public float[][] templates() {
        float[][] out = new float[classes][];
        for (int c = 0; c < classes; c++) {
            out[c] = template(c);
        }
        return out;
    }

    // ---- prediction ----------------------------------------------------------------------------

    /** Fraction of rows of {@code data} whose predicted class equals their label. */
    public double accuracy(Dataset data, Metric metric, int threads) {
        int[] p = predict(data, metric, threads);
        if (p.length == 0) {
            return Double.NaN;
        }
        int ok = 0;
        for (int r = 0; r < p.length; r++) {
            if (p[r] == data.label(r)) {
                ok++;
            }
        }
        return (double) ok / p.length;
    }

    /**
     * The class of the nearest template for every row of {@code data}, using {@code threads} threads
     * (results do not depend on it).
     *
     * @throws IllegalArgumentException when the dimensions differ or {@code threads < 1}
     */
    public int[] predict(Dataset data, Metric metric, int threads) {
        return predict(data, metric, threads, ProgressListener.NONE);
    }

    /**
     * As {@link #predict(Dataset, Metric, int)}, telling {@code progress} the rows classified so far
     * (stage {@value #PREDICT_STAGE}, from the worker threads; it only observes).
     */
    public int[] predict(Dataset data, Metric metric, int threads, ProgressListener progress) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(progress, "progress");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (data.dims() != dims) {
            throw new IllegalArgumentException("the templates have " + dims + " features but the data has "
                    + data.dims());
        }
        int[] out = new int[data.rows()];
        if (out.length == 0) {
            return out;
        }
        RowProgress done = new RowProgress(progress, PREDICT_STAGE, out.length);
        if (metric == Metric.L1) {
            predictL1(data, out, threads, done);
        } else {
            predictL2(data, out, threads, done);
        }
        done.finish();
        return out;
    }

    /** Smallest distance wins; strict {@code <} in class order gives ties to the smallest class. */
    private int argmin(float[] dist) {
        int best = -1;
        float bestD = Float.POSITIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            if (present[c] && (best < 0 || dist[c] < bestD)) {
                best = c;
                bestD = dist[c];
            }
        }
        return best;
    }

    private void predictL1(Dataset data, int[] out, int threads, RowProgress done) {
        Kernels k = KernelSelection.current().kernels();
        boolean exactU8 = data.type() == Dataset.Type.UINT8 && templatesU8 != null;
        Fork.ranges(data.rows(), threads, 64, "vecml-template", (from, to) -> {
            float[] dist = new float[classes];
            MemorySegment src = data.segment();
            if (exactU8) {
                // Integer templates (medians of uint8 data, usually): exact integer distances on bytes.
                long[] ld = new long[classes];
                for (int r = from; r < to; r++) {
                    k.l1U8Rows(src, data.rowOffset(r), templatesU8, 0, dims, classes, dims, ld, 0);
                    for (int c = 0; c < classes; c++) {
                        dist[c] = ld[c];
                    }
                    out[r] = argmin(dist);
                    done.add(1);
                }
                return;
            }
            try (Arena a = Arena.ofConfined()) {
                MemorySegment row = data.type() == Dataset.Type.UINT8
                        ? a.allocate(Math.max(1L, (long) dims * Float.BYTES), 64) : null;
                for (int r = from; r < to; r++) {
                    MemorySegment q = src;
                    long qOff = data.rowOffset(r);
                    if (row != null) {
                        // One uint8 -> float conversion per row, reused for every template.
                        for (int f = 0; f < dims; f++) {
                            row.setAtIndex(ValueLayout.JAVA_FLOAT, f,
                                    Byte.toUnsignedInt(src.get(ValueLayout.JAVA_BYTE, qOff + f)));
                        }
                        q = row;
                        qOff = 0;
                    }
                    k.l1F32Rows(q, qOff, templates, 0, dims, classes, dims, dist, 0);
                    out[r] = argmin(dist);
                    done.add(1);
                }
            }
        });
    }

    /*
     * ||x - t||^2 = ||x||^2 - 2 x.t + ||t||^2; ||x||^2 is the same for every template of a row, so
     * the ranking uses ||t||^2 - 2 x.t alone (one cancellation fewer). Java threads take fixed blocks
     * of rows, each with a one-thread GEMM: a row's distances do not depend on the thread count
     * (OpenBLAS's threaded sgemm differs from its one-thread sgemm in the last bits).
     */
    private void predictL2(Dataset data, int[] out, int threads, RowProgress done) {
        int n = data.rows();
        int blocks = Math.ceilDiv(n, L2_BLOCK);
        int workers = Math.min(threads, blocks);
        boolean u8 = data.type() == Dataset.Type.UINT8;
        GemmSelection sel = GemmSelection.current();
        Fork.ranges(blocks, workers, 1, "vecml-template", (fromBlock, toBlock) -> {
            Gemm gemm = sel.create(1);
            int block = Math.min(L2_BLOCK, n);
            try (Arena a = Arena.ofShared()) {
                // Shared: the Java GEMM may read them from its worker threads.
                MemorySegment xb = u8 ? a.allocate(Math.max(1L, (long) block * dims * Float.BYTES), 64) : null;
                MemorySegment g = a.allocate((long) block * classes * Float.BYTES, 64);
                float[] dist = new float[classes];
                for (int blk = fromBlock; blk < toBlock; blk++) {
                    int r0 = blk * L2_BLOCK;
                    int m = Math.min(L2_BLOCK, n - r0);
                    MemorySegment x = data.segment();
                    long xOff = data.rowOffset(r0);
                    int ldx = (int) data.stride();
                    if (u8) {
                        MemorySegment src = data.segment();
                        for (int i = 0; i < m; i++) {
                            long so = data.rowOffset(r0 + i);
                            long dOff = (long) i * dims;
                            for (int f = 0; f < dims; f++) {
                                xb.setAtIndex(ValueLayout.JAVA_FLOAT, dOff + f,
                                        Byte.toUnsignedInt(src.get(ValueLayout.JAVA_BYTE, so + f)));
                            }
                        }
                        x = xb;
                        xOff = 0;
                        ldx = Math.max(1, dims);
                    }
                    gemm.sgemm(false, true, m, classes, dims, 1f, x, xOff, ldx, templates, 0, Math.max(1, dims),
                            0f, g, 0, classes);
                    for (int i = 0; i < m; i++) {
                        for (int c = 0; c < classes; c++) {
                            dist[c] = norms[c] - 2 * g.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * classes + c);
                        }
                        out[r0 + i] = argmin(dist);
                    }
                    done.add(m);
                }
            }
        });
    }

    /**
     * Counts rows done across worker threads and tells the listener about every 1024 rows (and at the
     * end), so that a listener's cost does not show per row.
     */
    private static final class RowProgress {
        private static final long EVERY = 1024;
        private final ProgressListener listener;
        private final String stage;
        private final long total;
        private final AtomicLong done = new AtomicLong();

        RowProgress(ProgressListener listener, String stage, long total) {
            this.listener = listener;
            this.stage = stage;
            this.total = total;
            if (listener != ProgressListener.NONE && total > 0) {
                listener.update(stage, 0, total);
            }
        }

        void add(long rows) {
            if (listener == ProgressListener.NONE) {
                return;
            }
            long before = done.getAndAdd(rows);
            long after = before + rows;
            if (after < total && after / EVERY != before / EVERY) {
                listener.update(stage, after, total);
            }
        }

        void finish() {
            if (listener != ProgressListener.NONE) {
                listener.update(stage, total, total);
            }
        }
    }
}
