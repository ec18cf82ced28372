package io.vecml.cli;

import io.vecml.engine.data.Archives;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.FileAccess;
import io.vecml.engine.data.IdxReader;
import io.vecml.engine.data.ImageShape;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Neighbors;
import io.vecml.engine.knn.ProjectionDrill;
import io.vecml.engine.knn.Weights;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Warm-up of the kNN search while {@code vecml knn} loads its data (issue 13: a cold run should cost
 * close to a warm one). The Vector API kernels run boxed, hundreds of times slower, until C2 has
 * compiled them; loading Fashion-MNIST keeps one core busy for about half a second while the other is
 * idle. A daemon thread uses that core to run the same search code (same metric, k, weights, feature
 * count, image shape and storage type, so the same producer, consumer and kernels, with the same
 * vector tails) on a small synthetic problem of its own, until the data is loaded. Before that it calls
 * the projection kernel of the principal-direction level directly ({@link ProjectionDrill}), which its
 * small searches never reach.
 *
 * <p>It never changes a result: its data, classifier and caches are its own, and the engine keeps no
 * state between searches beyond the JIT's. It never prints: a failure ends it and is kept
 * ({@link #failure()}), and {@code vecml knn} mentions it in one line after its results, since it can
 * only mean a bug in the warm-up (the real search, on its own data, reports its own problems). It runs, when {@value #PROPERTY} is {@code on}, only when the real search will take the filter path
 * (uint8 data of at least {@link KnnOptions#FILTER_MIN_ROWS} training rows, read from IDX files
 * whose header gives the shape before loading).
 */
final class KnnWarmup implements AutoCloseable {

    /**
     * System property: {@code on} or {@code off} (the default: on the shared, loaded 2-core machine of
     * issue 13 it gave no measurable gain, the second core being busy anyway, and costs CPU time).
     */
    static final String PROPERTY = "vecml.warmup";

    /** Training rows of the warm-up problem: just enough for the filter path. */
    static final int TRAIN_ROWS = KnnOptions.FILTER_MIN_ROWS + 24;
    /** Queries per warm-up search (the filter path decides whether bounds prune after 16). */
    static final int QUERIES = 16;
    private static final int CLASSES = 10;
    /** Calls of the projection kernel before the searches (its C2 threshold is a few hundred calls). */
    static final int DRILL_CALLS = 600;

    /** What the warm-up must imitate: the training set's shape as its header tells it. */
    record Shape(int rows, int dims, Dataset.Type type, Optional<ImageShape> image) {
    }

    private static final KnnWarmup NONE = new KnnWarmup(null);

    private final Thread thread;
    private volatile boolean stop;
    private volatile int searches;
    private volatile Throwable failure;

    private KnnWarmup(Thread thread) {
        this.thread = thread;
    }

    /** Whether {@value #PROPERTY} allows the warm-up. */
    static boolean enabled() {
        String v = System.getProperty(PROPERTY, "off").strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0", "" -> false;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + " must be on or off, got '" + v + "'");
        };
    }

    /**
     * Starts the warm-up of a search with these options on data of this shape, or returns an inert
     * object when it does not apply (disabled, unknown shape, not the filter path).
     */
    static KnnWarmup start(Optional<Shape> shape, List<Metric> metrics, int kMax, int[] ks, Weights weights) {
        if (!enabled() || shape.isEmpty() || !filterPath(shape.get(), kMax)) {
            return NONE;
        }
        Shape s = shape.get();
        KnnWarmup[] self = new KnnWarmup[1];
        Thread t = Thread.ofPlatform().daemon().name("vecml-warmup").unstarted(() -> self[0].run(s, metrics, kMax, ks,
                weights));
        t.setPriority(Thread.MIN_PRIORITY);
        self[0] = new KnnWarmup(t);
        t.start();
        return self[0];
    }

    /** Whether the real search will take the filter path (the only one warmed up). */
    static boolean filterPath(Shape s, int kMax) {
        return s.type() == Dataset.Type.UINT8 && s.dims() >= 2 && s.rows() >= KnnOptions.FILTER_MIN_ROWS
                && kMax <= TRAIN_ROWS / 4;
    }

    private void run(Shape s, List<Metric> metrics, int kMax, int[] ks, Weights weights) {
        try {
            // The principal-direction level's projection kernel first: the searches below never reach it.
            for (Metric m : metrics) {
                ProjectionDrill.run(KernelSelection.current().kernels(), m, s.dims(), DRILL_CALLS, () -> stop);
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            return;
        }
        try (Dataset train = synthetic(s, TRAIN_ROWS, 1); Dataset test = synthetic(s, QUERIES, 2)) {
            List<KnnClassifier> models = new ArrayList<>();
            for (Metric m : metrics) {
                models.add(new KnnClassifier(KnnOptions.of(m).withThreads(1).withWeights(weights)
                        .withPath(KnnOptions.Path.FILTER)).fit(train));
            }
            try {
                while (!stop) {
                    for (KnnClassifier knn : models) {
                        Neighbors nb = knn.kneighbors(test, kMax);
                        knn.predictAll(nb, ks, weights);
                        if (stop) {
                            break;
                        }
                    }
                    searches++;
                }
            } finally {
                models.forEach(KnnClassifier::close);
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        }
    }

    /** What ended the warm-up early, if anything did. */
    Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * The line {@code vecml knn} prints on stderr after its results when the warm-up failed: it did not
     * change them, but it is a bug worth reporting.
     */
    Optional<String> failureNote(String prefix) {
        return failure().map(e -> prefix + ": note: the warm-up of the search failed (" + e.getClass().getName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); the results above are unaffected "
                + "(only the first seconds of the search may have been slower), but please report it "
                + "(-D" + PROPERTY + "=off in VECML_JAVA_OPTS turns the warm-up off)");
    }

    /** Warm-up searches finished so far (tests). */
    int searches() {
        return searches;
    }

    /** Whether a warm-up thread was started. */
    boolean running() {
        return thread != null && thread.isAlive();
    }

    /** Waits for the thread to end after {@link #close()} (tests); true when it has. */
    boolean awaitEnd(long millis) throws InterruptedException {
        if (thread == null) {
            return true;
        }
        thread.join(millis);
        return !thread.isAlive();
    }

    /**
     * Tells the warm-up to stop; it ends after its current search (a few milliseconds once compiled)
     * and is not waited for, so the real search starts at once.
     */
    @Override
    public void close() {
        stop = true;
    }

    /**
     * Smooth synthetic images of this shape (the filter path's bounds prune on them as on real
     * pictures): per class a prototype of a few smooth bumps per channel, per row the prototype
     * shifted in brightness, plus a smooth perturbation and a little noise, clamped to 0..255.
     */
    static Dataset synthetic(Shape s, int rows, long seed) {
        int d = s.dims();
        int h;
        int w;
        int c;
        if (s.image().isPresent() && s.image().get().dims() == d) {
            h = s.image().get().height();
            w = s.image().get().width();
            c = s.image().get().channels();
        } else {
            h = 1;
            w = d;
            c = 1;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] protos = new float[CLASSES][];
        SplittableRandom pr = new SplittableRandom(0x5eed);
        for (int k = 0; k < CLASSES; k++) {
            protos[k] = field(pr, h, w, c, 4, 60, 200);
        }
        Dataset.Builder b = Dataset.builder(Dataset.Type.UINT8, rows, d);
        try {
            MemorySegment seg = b.segment();
            for (int r = 0; r < rows; r++) {
                int label = r % CLASSES;
                b.label(r, label);
                float[] p = protos[label];
                float[] pert = field(rnd, h, w, c, 3, 25, 0);
                float shift = (float) (rnd.nextDouble() * 30 - 15);
                long o = b.rowByteOffset(r);
                for (int i = 0; i < d; i++) {
                    float v = p[i] + pert[i] + shift + (float) (rnd.nextDouble() * 6 - 3);
                    int q = Math.round(Math.max(0f, Math.min(255f, v)));
                    seg.set(ValueLayout.JAVA_BYTE, o + i, (byte) q);
                }
            }
            List<String> names = new ArrayList<>();
            for (int k = 0; k < CLASSES; k++) {
                names.add(Integer.toString(k));
            }
            return b.build(names, s.image().filter(im -> im.dims() == d).orElse(null));
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    /**
     * A smooth field over h x w x c (channel-planar, as {@link ImageShape#index} for planar and
     * grey images; interleaved channels are as smooth): {@code bumps} Gaussian bumps of random
     * amplitude up to {@code amp} (and sign when {@code base} is 0) on the level {@code base}.
     */
    private static float[] field(SplittableRandom rnd, int h, int w, int c, int bumps, float amp, float base) {
        float[] f = new float[h * w * c];
        for (int ch = 0; ch < c; ch++) {
            for (int n = 0; n < bumps; n++) {
                double cy = rnd.nextDouble() * h;
                double cx = rnd.nextDouble() * w;
                double sy = Math.max(1, h / 4.0) * (0.5 + rnd.nextDouble());
                double sx = Math.max(1, w / 4.0) * (0.5 + rnd.nextDouble());
                double a = amp * (base == 0 ? rnd.nextDouble() * 2 - 1 : rnd.nextDouble());
                // exp(-(ey + ex)) = exp(-ey) exp(-ex): h + w exponentials instead of h w
                float[] gx = new float[w];
                for (int x = 0; x < w; x++) {
                    gx[x] = (float) Math.exp(-(x - cx) * (x - cx) / (2 * sx * sx));
                }
                for (int y = 0; y < h; y++) {
                    float gy = (float) (a * Math.exp(-(y - cy) * (y - cy) / (2 * sy * sy)));
                    int row = (ch * h + y) * w;
                    for (int x = 0; x < w; x++) {
                        f[row + x] += gy * gx[x];
                    }
                }
            }
            for (int i = ch * h * w; i < (ch + 1) * h * w; i++) {
                f[i] += base == 0 ? 0 : base / 2;
            }
        }
        return f;
    }

    /**
     * The training set's shape from the IDX header of {@code data} (a folder with the standard files,
     * or one images file), without loading it; empty for other formats or on any problem (the loader
     * reports problems).
     *
     * @param trainLimit  --train-limit (may be null)
     */
    static Optional<Shape> probeIdx(String data, String format, Integer trainLimit) {
        if (data == null || (format != null && !format.strip().equalsIgnoreCase("idx"))) {
            return Optional.empty();
        }
        try {
            Path p = Path.of(data);
            if (!IdxReader.looksLike(p)) {
                return Optional.empty();
            }
            Path images = Files.isDirectory(p) ? findTrainImages(p) : p;
            if (images == null) {
                return Optional.empty();
            }
            try (Archives.Source src = Archives.openSource(images, FileAccess.UNRESTRICTED)) {
                InputStream in = src.in();
                byte[] h = in.readNBytes(16);
                if (h.length < 16 || readInt(h, 0) != IdxReader.IMAGES_MAGIC) {
                    return Optional.empty();
                }
                int n = readInt(h, 4);
                int rows = readInt(h, 8);
                int cols = readInt(h, 12);
                if (n < 0 || rows <= 0 || cols <= 0 || (long) rows * cols > Integer.MAX_VALUE / 2) {
                    return Optional.empty();
                }
                int trainRows = trainLimit == null ? n : Math.min(n, trainLimit);
                return Optional.of(new Shape(trainRows, rows * cols, Dataset.Type.UINT8,
                        Optional.of(ImageShape.grey(rows, cols))));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Path findTrainImages(Path dir) {
        for (String name : new String[] {"train-images-idx3-ubyte.gz", "train-images-idx3-ubyte",
            "train-images.idx3-ubyte.gz", "train-images.idx3-ubyte"}) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        return null;
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
