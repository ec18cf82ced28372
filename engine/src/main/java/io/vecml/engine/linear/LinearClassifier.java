package io.vecml.engine.linear;

import io.vecml.engine.concurrent.Fork;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.ImageShape;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * A trained linear classifier: scores = x' W, where x' is the preprocessed row with a constant 1
 * appended (the bias trick), and W is (D+1) x C, row-major, its last row the biases. The predicted
 * class is the highest score (ties: the smallest class). Softmax models also give probabilities.
 *
 * <p>The model keeps its preprocessing statistics ({@link FeatureScaling}) and applies them to every
 * row it scores. Save and load with {@link #save}/{@link #load} ({@link LinearModelFile}).
 * Instances are immutable and may be shared between threads.
 */
public final class LinearClassifier {

    /**
     * Rows scored per GEMM call. 256: each thread copies its block into a buffer of 256 x (D+1)
     * floats (3 MB at the CIFAR shape; 1024 rows made it 12.6 MB per thread, part of the peak RSS of
     * `linear train` that issue 13 bounds).
     */
    private static final int BLOCK = 256;

    private final LinearConfig config;
    private final FeatureScaling scaling;
    private final List<String> classNames;
    private final ImageShape imageShape;
    private final float[] weights;

    /**
     * @param config     loss, margin, penalty and preprocessing kind the model was trained with
     * @param scaling    the fitted preprocessing (its kind must be the config's)
     * @param imageShape the image shape of the rows, or null
     * @param weights    (D+1) x C row-major, copied
     */
    public LinearClassifier(LinearConfig config, FeatureScaling scaling, List<String> classNames,
            ImageShape imageShape, float[] weights) {
        this.config = Objects.requireNonNull(config, "config");
        this.scaling = Objects.requireNonNull(scaling, "scaling");
        this.classNames = List.copyOf(classNames);
        this.imageShape = imageShape;
        if (scaling.kind() != config.preprocessing()) {
            throw new IllegalArgumentException("preprocessing statistics are " + scaling.kind().id()
                    + " but the configuration says " + config.preprocessing().id());
        }
        if (this.classNames.isEmpty()) {
            throw new IllegalArgumentException("a classifier needs at least one class");
        }
        long want = (long) (scaling.dims() + 1) * this.classNames.size();
        if (weights.length != want) {
            throw new IllegalArgumentException("weights have " + weights.length + " values, expected (" + scaling.dims()
                    + " + 1) x " + this.classNames.size() + " = " + want);
        }
        if (imageShape != null && imageShape.dims() != scaling.dims()) {
            throw new IllegalArgumentException("image shape " + imageShape + " does not have " + scaling.dims()
                    + " values");
        }
        this.weights = weights.clone();
    }

    public LinearConfig config() {
        return config;
    }

    public Loss loss() {
        return config.loss();
    }

    public FeatureScaling scaling() {
        return scaling;
    }

    /** Number of input features D (without the bias). */
    public int dims() {
        return scaling.dims();
    }

    public int numClasses() {
        return classNames.size();
    }

    public List<String> classNames() {
        return classNames;
    }

    public Optional<ImageShape> imageShape() {
        return Optional.ofNullable(imageShape);
    }

    /** A copy of W, (D+1) x C row-major. */
    public float[] weights() {
        return weights.clone();
    }

    /** W[row][c]; row D is the bias. */
    public float weight(int row, int c) {
        Objects.checkIndex(row, dims() + 1);
        Objects.checkIndex(c, numClasses());
        return weights[row * numClasses() + c];
    }

    /** Column c of W without the bias: the class's weight "image" (D values). */
    public float[] classWeights(int c) {
        Objects.checkIndex(c, numClasses());
        float[] out = new float[dims()];
        for (int f = 0; f < out.length; f++) {
            out[f] = weights[f * numClasses() + c];
        }
        return out;
    }

    /** Scores of every row, row-major n x C, using {@code threads} threads (results do not depend on it). */
    public float[] scores(Dataset data, int threads) {
        return scores(data, threads, GemmSelection.current()::create);
    }

    /**
     * Scores with GEMMs from {@code gemms} (called with 1: Java threads over blocks of rows, each
     * with a one-thread GEMM, so a row's scores are the same whatever the thread count).
     */
    public float[] scores(Dataset data, int threads, IntFunction<Gemm> gemms) {
        return run(data, threads, gemms, false);
    }

    /**
     * Class probabilities (softmax of the scores), row-major n x C.
     *
     * @throws IllegalStateException for an SVM model, whose scores are not probabilities
     */
    public float[] probabilities(Dataset data, int threads) {
        if (config.loss() != Loss.SOFTMAX) {
            throw new IllegalStateException("an " + config.loss().id()
                    + " model gives scores, not probabilities; train with the softmax loss");
        }
        return run(data, threads, GemmSelection.current()::create, true);
    }

    /** The class with the highest score per row (ties: smallest class). */
    public int[] predict(Dataset data, int threads) {
        return predict(data, threads, GemmSelection.current()::create);
    }

    /** As {@link #predict(Dataset, int)} with GEMMs from {@code gemms}. */
    public int[] predict(Dataset data, int threads, IntFunction<Gemm> gemms) {
        float[] s = scores(data, threads, gemms);
        int c = numClasses();
        int[] out = new int[data.rows()];
        for (int i = 0; i < out.length; i++) {
            int best = 0;
            for (int j = 1; j < c; j++) {
                if (s[i * c + j] > s[i * c + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** Fraction of rows whose predicted class equals their label (NaN for no rows). */
    public double accuracy(Dataset data, int threads) {
        return accuracy(data, threads, GemmSelection.current()::create);
    }

    /** As {@link #accuracy(Dataset, int)} with GEMMs from {@code gemms}. */
    public double accuracy(Dataset data, int threads, IntFunction<Gemm> gemms) {
        int[] p = predict(data, threads, gemms);
        int ok = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == data.label(i)) {
                ok++;
            }
        }
        return p.length == 0 ? Double.NaN : (double) ok / p.length;
    }

    private float[] run(Dataset data, int threads, IntFunction<Gemm> gemms, boolean softmax) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(gemms, "gemms");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (data.dims() != dims()) {
            throw new IllegalArgumentException("the model was trained on " + dims() + " features, the data has "
                    + data.dims());
        }
        int n = data.rows();
        int c = numClasses();
        float[] out = new float[Math.multiplyExact(n, c)];
        if (n == 0) {
            return out;
        }
        Kernels k = KernelSelection.current().kernels();
        int blocks = Math.ceilDiv(n, BLOCK);
        int workers = Math.min(threads, blocks);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment w = weightSegment(arena);
            Fork.run(workers, "vecml-linear", t -> {
                try (BatchGradient b = new BatchGradient(Objective.of(config), scaling, c, Math.min(BLOCK, n),
                        gemms.apply(1), k)) {
                    float[] block = new float[b.maxBatch() * c];
                    for (int blk = t; blk < blocks; blk += workers) {
                        int r0 = blk * BLOCK;
                        int m = Math.min(BLOCK, n - r0);
                        b.fillRange(data, r0, m);
                        b.scores(w, m, block);
                        if (softmax) {
                            k.softmaxRows(MemorySegment.ofArray(block), 0, m, c);
                        }
                        System.arraycopy(block, 0, out, r0 * c, m * c);
                    }
                }
            });
        }
        return out;
    }

    /** W copied off-heap (the GEMM needs native memory for OpenBLAS). */
    MemorySegment weightSegment(Arena arena) {
        MemorySegment w = arena.allocate((long) weights.length * Float.BYTES, 64);
        MemorySegment.copy(weights, 0, w, ValueLayout.JAVA_FLOAT, 0, weights.length);
        return w;
    }

    /** Writes the model to {@code file} atomically; see {@link LinearModelFile}. */
    public void save(Path file) throws IOException {
        LinearModelFile.write(this, file);
    }

    /** Reads a model written by {@link #save}; see {@link LinearModelFile}. */
    public static LinearClassifier load(Path file) throws IOException {
        return LinearModelFile.read(file);
    }

    @Override
    public String toString() {
        return "linear " + config.loss().id() + " classifier, " + dims() + " features, " + numClasses() + " classes, "
                + config.regularizer() + ", " + scaling.kind().id();
    }
}
