package io.vecml.engine.linear;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The float32 forward and backward pass of a linear classifier over one batch, on GEMM:
 * {@code S = X_b W} and {@code dW = X_b^T dS}, with the O(B C) score step of
 * {@link Objective#scoreGradient} in between.
 *
 * <p>{@link #fill} copies the batch rows, preprocessed and with the bias feature 1 appended, into a
 * contiguous off-heap buffer (rows {@link #ld()} floats apart) that both GEMMs read; a shard of a
 * batch (128 x 3073 floats = 1.5 MB) stays in the cache between them. Buffers are off-heap and
 * shared, so OpenBLAS and the Java GEMM's worker threads can read them. One instance per thread;
 * not thread-safe.
 */
public final class BatchGradient implements AutoCloseable {

    private final Objective objective;
    private final FeatureScaling.Writer writer;
    private final Gemm gemm;
    private final Kernels kernels;
    private final int dims;
    private final int classes;
    private final int maxBatch;
    private final int ld;
    private final Arena arena;
    private final MemorySegment xb;
    private final MemorySegment sN;
    private final MemorySegment dsN;
    private final float[] s;
    private final float[] ds;
    private final int[] labels;

    /**
     * @param scaling  the preprocessing applied by {@link #fill}
     * @param maxBatch the largest batch
     */
    public BatchGradient(Objective objective, FeatureScaling scaling, int classes, int maxBatch, Gemm gemm,
            Kernels kernels) {
        this.objective = Objects.requireNonNull(objective, "objective");
        this.gemm = Objects.requireNonNull(gemm, "gemm");
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        if (classes < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("need classes >= 1 and maxBatch >= 1, got " + classes + " and " + maxBatch);
        }
        this.writer = scaling.writer(kernels);
        this.dims = scaling.dims();
        this.classes = classes;
        this.maxBatch = maxBatch;
        // 16 floats = 64 bytes: every batch row starts on a cache line.
        this.ld = (dims + 1 + 15) / 16 * 16;
        this.arena = Arena.ofShared();
        this.xb = arena.allocate((long) maxBatch * ld * Float.BYTES, 64);
        this.sN = arena.allocate((long) maxBatch * classes * Float.BYTES, 64);
        this.dsN = arena.allocate((long) maxBatch * classes * Float.BYTES, 64);
        this.s = new float[maxBatch * classes];
        this.ds = new float[maxBatch * classes];
        this.labels = new int[maxBatch];
    }

    public int dims() {
        return dims;
    }

    public int classes() {
        return classes;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Floats between batch rows. */
    public int ld() {
        return ld;
    }

    /** Copies rows {@code rows[from .. from+count)} of {@code data} (preprocessed, plus bias) into the batch. */
    public void fill(Dataset data, int[] rows, int from, int count) {
        if (count < 0 || count > maxBatch) {
            throw new IllegalArgumentException("batch of " + count + " rows, at most " + maxBatch);
        }
        for (int i = 0; i < count; i++) {
            int r = rows[from + i];
            writer.write(data, r, xb, (long) i * ld);
            labels[i] = data.label(r);
        }
    }

    /** Copies {@code count} consecutive rows from {@code first}. */
    public void fillRange(Dataset data, int first, int count) {
        if (count < 0 || count > maxBatch) {
            throw new IllegalArgumentException("batch of " + count + " rows, at most " + maxBatch);
        }
        for (int i = 0; i < count; i++) {
            writer.write(data, first + i, xb, (long) i * ld);
            labels[i] = data.label(first + i);
        }
    }

    /** Scores of the {@code batch} rows filled last: {@code out[i * C + c]}. */
    public void scores(MemorySegment w, int batch, float[] out) {
        gemm.sgemm(false, false, batch, classes, dims + 1, 1f, xb, 0, ld, w, 0, classes, 0f, sN, 0, classes);
        MemorySegment.copy(sN, ValueLayout.JAVA_FLOAT, 0, out, 0, batch * classes);
    }

    /**
     * The gradient of the mean data loss of the {@code batch} rows filled last, {@code X_b^T dS},
     * into {@code grad} ((D+1) x C, off-heap); the penalty is not included (the optimiser adds its
     * derivative while it updates the weights, one pass over W instead of two).
     *
     * @param w (D+1) x C weights, off-heap
     */
    public Objective.BatchStats dataGradient(MemorySegment w, int batch, MemorySegment grad) {
        return dataGradient(w, batch, batch, grad);
    }

    /**
     * As {@link #dataGradient(MemorySegment, int, MemorySegment)} for a shard of a larger batch: the
     * loss gradient is divided by {@code meanOver}, the size of the whole batch, so the shards'
     * gradients add up to the batch's.
     */
    public Objective.BatchStats dataGradient(MemorySegment w, int batch, int meanOver, MemorySegment grad) {
        if (batch < 1 || batch > maxBatch) {
            throw new IllegalArgumentException("batch of " + batch + " rows, expected 1.." + maxBatch);
        }
        int n = batch * classes;
        gemm.sgemm(false, false, batch, classes, dims + 1, 1f, xb, 0, ld, w, 0, classes, 0f, sN, 0, classes);
        MemorySegment.copy(sN, ValueLayout.JAVA_FLOAT, 0, s, 0, n);
        Objective.BatchStats stats = objective.scoreGradient(s, labels, 0, batch, classes, ds, meanOver, kernels);
        MemorySegment.copy(ds, 0, dsN, ValueLayout.JAVA_FLOAT, 0, n);
        gemm.sgemm(true, false, dims + 1, classes, batch, 1f, xb, 0, ld, dsN, 0, classes, 0f, grad, 0, classes);
        return stats;
    }

    @Override
    public void close() {
        arena.close();
    }
}
