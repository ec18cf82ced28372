package io.vecml.engine.linear;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The float32 forward and backward pass of a linear classifier over one batch:
 * {@code S = X_b W} and {@code dW = X_b^T dS}, with the O(B C) score step of
 * {@link Objective#scoreGradient} in between.
 *
 * <p>Two paths. Training ({@link #shardGradient}, class-major weights) runs the <b>fused</b> path
 * whenever {@link #fusedApplies} (up to {@value #FUSED_MAX_CLASSES} classes, uint8 or float32
 * rows): {@link Kernels#linearStripesU8}/{@link Kernels#linearStripesF32} read the shard's rows
 * where they are in the dataset, preprocess each chunk of features in registers and multiply it
 * into all classes at once; the score of (row, class) is the sum of the kernel's
 * {@link Kernels#STRIPES} partial sums in the fixed pairwise order of {@link #scoreOf}, plus the
 * bias; {@link Kernels#linearGradU8}/{@link Kernels#linearGradF32} give {@code dW}, each entry
 * summed over the rows in order, and the bias gradient is the plain sum of dS over the rows in
 * order. Every order is fixed, so the result is the same bits for the scalar and the SIMD kernels
 * (AVX2 or AVX-512) and any thread count. No float copy of a row is ever made. With more classes
 * the GEMM path runs (N = classes is then wide enough for a GEMM to be efficient):
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
    /** The GEMM path's batch rows, allocated on first use (the fused path never needs them). */
    private MemorySegment xb;
    private final MemorySegment sN;
    private final MemorySegment dsN;
    private final float[] s;
    private final float[] ds;
    private final int[] labels;
    /** Fused path: a, b of the preprocessing (off-heap), row offsets, the stripe sums. */
    private final MemorySegment aN;
    private final MemorySegment bN;
    private final long[] rowOffs;
    private MemorySegment part;

    /** The fused kernels serve up to this many classes; above, the GEMMs are efficient anyway. */
    public static final int FUSED_MAX_CLASSES = 32;

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
        this.sN = arena.allocate((long) maxBatch * classes * Float.BYTES, 64);
        this.dsN = arena.allocate((long) maxBatch * classes * Float.BYTES, 64);
        this.s = new float[maxBatch * classes];
        this.ds = new float[maxBatch * classes];
        this.labels = new int[maxBatch];
        float[] a = scaling.multipliers();
        float[] b = scaling.offsets();
        this.aN = arena.allocate(Math.max(1L, (long) dims * Float.BYTES), 64);
        this.bN = arena.allocate(Math.max(1L, (long) dims * Float.BYTES), 64);
        MemorySegment.copy(a, 0, aN, ValueLayout.JAVA_FLOAT, 0, dims);
        MemorySegment.copy(b, 0, bN, ValueLayout.JAVA_FLOAT, 0, dims);
        this.rowOffs = new long[maxBatch];
    }

    /**
     * Floats between the classes of class-major weights for {@code dims} features: the features,
     * the bias at {@code dims}, zero padding up to a multiple of 16 (64 bytes, so every class
     * starts on a cache line).
     */
    public static int classStride(int dims) {
        return (dims + 1 + 15) / 16 * 16;
    }

    /** True when {@link #shardGradient} runs the fused kernels for this data (see the class comment). */
    public boolean fusedApplies(Dataset data) {
        return classes <= FUSED_MAX_CLASSES;
    }

    /** Set once {@link #warmUp} saw compiled speed for uint8 ([0]) or float32 ([1]) rows. */
    private static final boolean[] WARM = new boolean[2];

    /**
     * Brings the fused kernels for rows of {@code type} to compiled code before a long run, on a
     * tiny problem, and returns when a call is fast (or after 3 seconds at most).
     *
     * <p>Why: until C2 compiles them, Vector API methods run in the interpreter and C1 with every
     * vector boxed (a heap object per operation). On a CIFAR-size shard that cold phase cost 1.5-3 s
     * of the first epoch and a few hundred MB of heap garbage (and so of peak RSS), because C2's
     * thresholds count calls and loop iterations, and each iteration of the real problem is large.
     * Calls on a 5-row, 81-feature problem reach the same thresholds (and take every branch of the
     * kernels, the stripe tail included) at a small fraction of that work. The results do not
     * depend on this: compiled or not, the kernels compute the same bits.
     */
    public static void warmUp(Kernels kernels, Dataset.Type type) {
        int which = type == Dataset.Type.UINT8 ? 0 : 1;
        if (WARM[which]) {
            return;
        }
        boolean u8 = which == 0;
        // Every pass method and branch the real problem takes: two class blocks, row blocks of 4 (2
        // on AVX2) both full and cut short, a block of 64 features and single vectors after it, a
        // stripe tail. (A branch never seen here would be compiled as a trap, and the first real
        // shard would send the kernel back to the interpreter.)
        int d = 5 * Kernels.STRIPES + 1;
        int rows = 5;
        int classes = 7;
        int cs = classStride(d);
        // A shared arena, as the training data and buffers use: C2 profiles the kind of memory session.
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = arena.allocate((long) rows * d * Float.BYTES, 64);
            MemorySegment a = arena.allocate((long) d * Float.BYTES, 64);
            MemorySegment b = arena.allocate((long) d * Float.BYTES, 64);
            MemorySegment w = arena.allocate((long) classes * cs * Float.BYTES, 64);
            MemorySegment part = arena.allocate((long) rows * classes * Kernels.STRIPES * Float.BYTES, 64);
            MemorySegment g = arena.allocate((long) classes * cs * Float.BYTES, 64);
            for (int f = 0; f < d; f++) {
                a.setAtIndex(ValueLayout.JAVA_FLOAT, f, 1f);
            }
            long[] offs = {0, d, 2 * d, 3 * d, 4 * d};
            float[] ds = new float[rows * classes];
            // Until compiled (C2 may queue behind other compilations on a loaded machine), at most 3 s.
            long end = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 64; i++) {
                    if (u8) {
                        kernels.linearStripesU8(x, offs, rows, d, a, b, w, cs, classes, part);
                        kernels.linearGradU8(x, offs, rows, d, a, b, ds, classes, g, cs);
                        // The conversion that scoring after training uses (FeatureScaling.Writer).
                        kernels.u8ToF32Fma(x, i, a, 0, b, 0, g, 0, d);
                    } else {
                        kernels.linearStripesF32(x, offs, rows, d, a, b, w, cs, classes, part);
                        kernels.linearGradF32(x, offs, rows, d, a, b, ds, classes, g, cs);
                    }
                }
                long took = System.nanoTime() - t0;
                // Compiled, a pair of calls takes about a microsecond; boxed, a hundred or more.
                if (took / 64 < 5_000) {
                    WARM[which] = true;
                    return;
                }
                // Half the time asleep: once the methods are queued for C2, more boxed calls only
                // make garbage (heap, so RSS) and take the CPU from the compiler thread.
                try {
                    Thread.sleep(java.time.Duration.ofNanos(took));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private MemorySegment xb() {
        if (xb == null) {
            xb = arena.allocate((long) maxBatch * ld * Float.BYTES, 64);
        }
        return xb;
    }

    /**
     * The gradient of the data loss of rows {@code rows[from .. from+count)} of {@code data}
     * (preprocessed by this instance's scaling), divided by {@code meanOver} (the size of the
     * whole batch, so that shards' gradients add up to the batch's), into {@code gT}; the penalty
     * is not included.
     *
     * @param wT class-major weights, {@code classes x} {@link #classStride} floats, off-heap: class c's
     *           weight for feature f at {@code c * classStride + f}, its bias at {@code c * classStride + dims}
     * @param gT receives the gradient in the same layout (the padding is not written)
     */
    public Objective.BatchStats shardGradient(Dataset data, int[] rows, int from, int count, MemorySegment wT,
            int meanOver, MemorySegment gT) {
        if (count < 1 || count > maxBatch) {
            throw new IllegalArgumentException("shard of " + count + " rows, expected 1.." + maxBatch);
        }
        if (data.dims() != dims) {
            throw new IllegalArgumentException("the model has " + dims + " features, the data has " + data.dims());
        }
        int cs = classStride(dims);
        if (!fusedApplies(data)) {
            fill(data, rows, from, count);
            MemorySegment x = xb();
            gemm.sgemm(false, true, count, classes, dims + 1, 1f, x, 0, ld, wT, 0, cs, 0f, sN, 0, classes);
            MemorySegment.copy(sN, ValueLayout.JAVA_FLOAT, 0, s, 0, count * classes);
            Objective.BatchStats stats = objective.scoreGradient(s, labels, 0, count, classes, ds, meanOver, kernels);
            MemorySegment.copy(ds, 0, dsN, ValueLayout.JAVA_FLOAT, 0, count * classes);
            gemm.sgemm(true, false, classes, dims + 1, count, 1f, dsN, 0, classes, x, 0, ld, 0f, gT, 0, cs);
            return stats;
        }
        if (part == null) {
            part = arena.allocate((long) maxBatch * classes * Kernels.STRIPES * Float.BYTES, 64);
        }
        MemorySegment x = data.segment();
        boolean u8 = data.type() == Dataset.Type.UINT8;
        for (int i = 0; i < count; i++) {
            int r = rows[from + i];
            rowOffs[i] = data.rowOffset(r);
            labels[i] = data.label(r);
        }
        if (u8) {
            kernels.linearStripesU8(x, rowOffs, count, dims, aN, bN, wT, cs, classes, part);
        } else {
            kernels.linearStripesF32(x, rowOffs, count, dims, aN, bN, wT, cs, classes, part);
        }
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < classes; c++) {
                s[i * classes + c] = scoreOf(part, ((long) i * classes + c) * Kernels.STRIPES)
                        + wT.getAtIndex(ValueLayout.JAVA_FLOAT, (long) c * cs + dims);
            }
        }
        Objective.BatchStats stats = objective.scoreGradient(s, labels, 0, count, classes, ds, meanOver, kernels);
        if (u8) {
            kernels.linearGradU8(x, rowOffs, count, dims, aN, bN, ds, classes, gT, cs);
        } else {
            kernels.linearGradF32(x, rowOffs, count, dims, aN, bN, ds, classes, gT, cs);
        }
        for (int c = 0; c < classes; c++) {
            float bias = 0f;
            for (int i = 0; i < count; i++) {
                bias += ds[i * classes + c];
            }
            gT.setAtIndex(ValueLayout.JAVA_FLOAT, (long) c * cs + dims, bias);
        }
        return stats;
    }

    /**
     * The sum of the {@link Kernels#STRIPES} = 16 partial sums from {@code off}, pairwise:
     * p[j] + p[j + 8], then the same with 4, 2 and 1 (the tree a SIMD reduction by halves would
     * take, written out so its order is fixed).
     */
    static float scoreOf(MemorySegment part, long off) {
        ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
        float q0 = part.getAtIndex(f, off) + part.getAtIndex(f, off + 8);
        float q1 = part.getAtIndex(f, off + 1) + part.getAtIndex(f, off + 9);
        float q2 = part.getAtIndex(f, off + 2) + part.getAtIndex(f, off + 10);
        float q3 = part.getAtIndex(f, off + 3) + part.getAtIndex(f, off + 11);
        float q4 = part.getAtIndex(f, off + 4) + part.getAtIndex(f, off + 12);
        float q5 = part.getAtIndex(f, off + 5) + part.getAtIndex(f, off + 13);
        float q6 = part.getAtIndex(f, off + 6) + part.getAtIndex(f, off + 14);
        float q7 = part.getAtIndex(f, off + 7) + part.getAtIndex(f, off + 15);
        return ((q0 + q4) + (q2 + q6)) + ((q1 + q5) + (q3 + q7));
    }

    public int dims() {
        return dims;
    }

    public int classes() {
        return classes;
    }

    /** The kernels this instance runs. */
    public Kernels kernels() {
        return kernels;
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
            writer.write(data, r, xb(), (long) i * ld);
            labels[i] = data.label(r);
        }
    }

    /** Copies {@code count} consecutive rows from {@code first}. */
    public void fillRange(Dataset data, int first, int count) {
        if (count < 0 || count > maxBatch) {
            throw new IllegalArgumentException("batch of " + count + " rows, at most " + maxBatch);
        }
        for (int i = 0; i < count; i++) {
            writer.write(data, first + i, xb(), (long) i * ld);
            labels[i] = data.label(first + i);
        }
    }

    /** Scores of the {@code batch} rows filled last: {@code out[i * C + c]}. */
    public void scores(MemorySegment w, int batch, float[] out) {
        gemm.sgemm(false, false, batch, classes, dims + 1, 1f, xb(), 0, ld, w, 0, classes, 0f, sN, 0, classes);
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
        gemm.sgemm(false, false, batch, classes, dims + 1, 1f, xb(), 0, ld, w, 0, classes, 0f, sN, 0, classes);
        MemorySegment.copy(sN, ValueLayout.JAVA_FLOAT, 0, s, 0, n);
        Objective.BatchStats stats = objective.scoreGradient(s, labels, 0, batch, classes, ds, meanOver, kernels);
        MemorySegment.copy(ds, 0, dsN, ValueLayout.JAVA_FLOAT, 0, n);
        gemm.sgemm(true, false, dims + 1, classes, batch, 1f, xb(), 0, ld, dsN, 0, classes, 0f, grad, 0, classes);
        return stats;
    }

    @Override
    public void close() {
        arena.close();
    }
}
