package io.vecml.engine.train;

import io.vecml.engine.concurrent.Fork;
import io.vecml.engine.progress.ProgressListener;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Splits;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.linear.BatchGradient;
import io.vecml.engine.linear.FeatureScaling;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Objective;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Trains a {@link LinearClassifier} by minibatch SGD.
 *
 * <p>Per run: an optional stratified validation split ({@link Splits#stratifiedHoldout}, seeded);
 * preprocessing statistics fitted on the training rows only; initial weights 1e-4 x N(0, 1) from the
 * seed. Per epoch: the rows are shuffled (seeded), then each batch takes one step. A batch is cut
 * into shards of {@value #SHARD_ROWS} rows; for each shard its rows are copied (preprocessed, with
 * the bias 1; uint8 rows converted to float there, so the training set is never copied) into a
 * contiguous per-thread buffer, S = X_s W (GEMM), the score gradient dS
 * ({@link Objective#scoreGradient}, divided by the whole batch size) and G_s = X_s^T dS (GEMM).
 * Then one pass over W adds the shards' G_s in shard order and the penalty's derivative and moves
 * W (with momentum when set). The bias row is not penalised unless the regulariser says so.
 *
 * <p>Threads and determinism: shards run on Java threads, each with a one-thread GEMM (never
 * OpenBLAS threads and Java threads at once). The cut into shards depends only on the batch size,
 * and the shards' gradients are added in a fixed order, so the weights are bit-identical for any
 * thread count. This matters: OpenBLAS 0.3.21's multi-threaded sgemm gives results that differ in
 * the last bits from its one-thread sgemm at these shapes (256 x 10 x 785: 1673 of 2560 outputs),
 * while the Java GEMM is bit-identical across threads by construction (it never splits k).
 */
public final class SgdTrainer {

    /** The initial weights' standard deviation. */
    public static final double INIT_SCALE = 1e-4;

    /**
     * Rows per shard: the unit of parallel work (a batch of 256 gives two). Large enough that the
     * GEMMs stay efficient, small enough that a shard's rows (128 x 3073 floats = 1.5 MB) stay in
     * cache from the copy through both GEMMs.
     */
    public static final int SHARD_ROWS = 128;

    private SgdTrainer() {
    }

    /** Trains with the JVM's GEMM choice ({@link GemmSelection}). */
    public static TrainingResult train(Dataset data, LinearConfig config, SgdConfig sgd, Consumer<EpochStats> listener) {
        return train(data, config, sgd, GemmSelection.current()::create, listener, ProgressListener.NONE);
    }

    /** Trains with these GEMMs, without progress. */
    public static TrainingResult train(Dataset data, LinearConfig config, SgdConfig sgd, IntFunction<Gemm> gemms,
            Consumer<EpochStats> listener) {
        return train(data, config, sgd, gemms, listener, ProgressListener.NONE);
    }

    /**
     * Trains on {@code data}; {@code listener} (may be null) hears each epoch as it ends, {@code progress}
     * the batches done out of epochs x batches per epoch (stage {@code "training"}).
     *
     * @throws IllegalArgumentException for an empty dataset or a validation split that leaves no rows
     * @throws IllegalStateException when the loss becomes NaN or infinite (learning rate too high)
     */
    public static TrainingResult train(Dataset data, LinearConfig config, SgdConfig sgd, IntFunction<Gemm> gemms,
            Consumer<EpochStats> listener, ProgressListener progress) {
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(sgd, "sgd");
        Objects.requireNonNull(gemms, "gemms");
        io.vecml.engine.data.DataChecks.requireTrainable(data, "a linear classifier");
        Dataset trainPart = data;
        Dataset valPart = null;
        try {
            if (sgd.validationFraction() > 0) {
                Splits.Holdout h = Splits.stratifiedHoldout(data.labels(), sgd.validationFraction(), sgd.seed());
                trainPart = data.select(h.train());
                valPart = data.select(h.test());
            }
            return run(trainPart, valPart, config, sgd, gemms, listener, progress);
        } finally {
            if (valPart != null) {
                valPart.close();
                trainPart.close();
            }
        }
    }

    private static TrainingResult run(Dataset train, Dataset val, LinearConfig config, SgdConfig sgd,
            IntFunction<Gemm> gemms, Consumer<EpochStats> listener, ProgressListener progress) {
        FeatureScaling scaling = FeatureScaling.fit(config.preprocessing(), train);
        // uint8 rows are read as they are: each shard's rows are converted (and centred or
        // standardised) into the worker's float buffer by a SIMD kernel (Kernels#u8ToF32Fma), the
        // same fma(a, x, b) per element as FeatureScaling#transform, so no float copy of the
        // training set (4 bytes per value) is made. float32 data is read directly when raw, and
        // transformed once into a copy otherwise (its per-row transform is a scalar loop).
        boolean direct = train.type() == Dataset.Type.UINT8 || scaling.kind() == Preprocessing.RAW;
        try (Dataset prepared = direct ? null : scaling.transform(train)) {
            return run(train, prepared == null ? train : prepared, direct ? scaling : FeatureScaling.identity(train.dims()),
                    val, scaling, config, sgd, gemms, listener, progress);
        }
    }

    private static TrainingResult run(Dataset train, Dataset prepared, FeatureScaling batchScaling, Dataset val,
            FeatureScaling scaling,
            LinearConfig config, SgdConfig sgd, IntFunction<Gemm> gemms, Consumer<EpochStats> listener,
            ProgressListener progress) {
        int n = train.rows();
        int d = train.dims();
        int classes = train.numClasses();
        int size = (d + 1) * classes;
        Objective objective = Objective.of(config);
        Regularizer reg = config.regularizer();
        SplittableRandom rnd = new SplittableRandom(sgd.seed());
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        List<EpochStats> history = new ArrayList<>();
        int batch = Math.min(sgd.batchSize(), n);
        int maxShards = Math.ceilDiv(batch, SHARD_ROWS);
        long batchesPerEpoch = Math.ceilDiv(n, batch);
        long totalBatches = batchesPerEpoch * sgd.epochs();
        int workers = Math.min(sgd.threads(), maxShards);
        BatchGradient[] bgs = new BatchGradient[workers];
        try (Arena arena = Arena.ofShared(); Fork.Team team = new Fork.Team(workers, "vecml-sgd")) {
            for (int t = 0; t < workers; t++) {
                bgs[t] = new BatchGradient(objective, batchScaling, classes, Math.min(batch, SHARD_ROWS), gemms.apply(1),
                        KernelSelection.current().kernels());
            }
            MemorySegment w = arena.allocate((long) size * Float.BYTES, 64);
            MemorySegment[] g = new MemorySegment[maxShards];
            for (int s = 0; s < maxShards; s++) {
                g[s] = arena.allocate((long) size * Float.BYTES, 64);
            }
            MemorySegment v = sgd.momentum() > 0 ? arena.allocate((long) size * Float.BYTES, 64) : null;
            for (int i = 0; i < size; i++) {
                w.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (INIT_SCALE * rnd.nextGaussian()));
            }
            Update update = new Update(reg, d, classes, (float) sgd.momentum());
            Objective.BatchStats[] stats = new Objective.BatchStats[maxShards];
            float[] best = null;
            double bestAcc = Double.NEGATIVE_INFINITY;
            int bestEpoch = 0;
            boolean stopped = false;
            for (int e = 0; e < sgd.epochs(); e++) {
                double lr = sgd.schedule().rate(sgd.learningRate(), e);
                long t0 = System.nanoTime();
                shuffle(perm, rnd);
                double dataLoss = 0;
                long correct = 0;
                int batches = 0;
                for (int b0 = 0; b0 < n; b0 += batch) {
                    int m = Math.min(batch, n - b0);
                    int shards = Math.ceilDiv(m, SHARD_ROWS);
                    int first = b0;
                    team.run(t -> {
                        for (int s = t; s < shards; s += workers) {
                            int rows = Math.min(SHARD_ROWS, m - s * SHARD_ROWS);
                            bgs[t].fill(prepared, perm, first + s * SHARD_ROWS, rows);
                            stats[s] = bgs[t].dataGradient(w, rows, m, g[s]);
                        }
                    });
                    double lossSum = 0;
                    for (int s = 0; s < shards; s++) {
                        lossSum += stats[s].lossSum();
                        correct += stats[s].correct();
                    }
                    update.step(w, g, shards, v, (float) lr);
                    dataLoss += lossSum / m;
                    batches++;
                    progress.update("training", e * batchesPerEpoch + batches, totalBatches);
                }
                double seconds = (System.nanoTime() - t0) * 1e-9;
                double loss = dataLoss / batches + penalty(w, reg, d, classes);
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("training diverged in epoch " + (e + 1) + " (loss " + loss
                            + "); lower the learning rate (was " + lr + ")");
                }
                double valAcc = Double.NaN;
                if (val != null) {
                    valAcc = model(config, scaling, train, w, size).accuracy(val, sgd.threads(), gemms);
                }
                EpochStats st = new EpochStats(e + 1, loss, (double) correct / n, valAcc, lr, seconds);
                history.add(st);
                if (listener != null) {
                    listener.accept(st);
                }
                if (sgd.patience() > 0) {
                    if (valAcc > bestAcc) {
                        bestAcc = valAcc;
                        bestEpoch = e + 1;
                        best = w.toArray(ValueLayout.JAVA_FLOAT);
                    } else if (e + 1 - bestEpoch >= sgd.patience()) {
                        stopped = e + 1 < sgd.epochs();
                        break;
                    }
                } else {
                    bestEpoch = e + 1;
                }
            }
            if (best != null) {
                MemorySegment.copy(best, 0, w, ValueLayout.JAVA_FLOAT, 0, size);
            }
            return new TrainingResult(model(config, scaling, train, w, size), history, bestEpoch, stopped);
        } finally {
            for (BatchGradient b : bgs) {
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    private static LinearClassifier model(LinearConfig config, FeatureScaling scaling, Dataset train, MemorySegment w,
            int size) {
        float[] weights = new float[size];
        MemorySegment.copy(w, ValueLayout.JAVA_FLOAT, 0, weights, 0, size);
        return new LinearClassifier(config, scaling, train.classNames(), train.imageShape().orElse(null), weights);
    }

    private static void shuffle(int[] p, SplittableRandom rnd) {
        for (int i = p.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }

    /** R(W) in double. */
    static double penalty(MemorySegment w, Regularizer reg, int d, int classes) {
        if (reg.isZero()) {
            return 0;
        }
        double sum = 0;
        int rows = reg.includeBias() ? d + 1 : d;
        for (long i = 0; i < (long) rows * classes; i++) {
            sum += reg.penalty(w.getAtIndex(ValueLayout.JAVA_FLOAT, i));
        }
        return sum;
    }

    /**
     * One pass over W: g += R'(W), then W -= lr g, or with momentum v = mu v - lr g, W += v. The
     * penalty's derivative is lambda * (l1Ratio sign(w) + 2 (1 - l1Ratio) w), in float.
     */
    static final class Update {
        private final float l1;
        private final float l2;
        private final long penalised;
        private final long size;
        private final float mu;

        Update(Regularizer reg, int d, int classes, float mu) {
            this.l1 = (float) (reg.lambda() * reg.l1Ratio());
            this.l2 = (float) (2 * reg.lambda() * (1 - reg.l1Ratio()));
            this.penalised = (long) (reg.includeBias() ? d + 1 : d) * classes;
            this.size = (long) (d + 1) * classes;
            this.mu = mu;
        }

        /** Adds the shards' gradients g[1..shards) into g[0] in order, then moves W. */
        void step(MemorySegment w, MemorySegment[] g, int shards, MemorySegment v, float lr) {
            MemorySegment g0 = g[0];
            for (int s = 1; s < shards; s++) {
                MemorySegment gs = g[s];
                for (long i = 0; i < size; i++) {
                    g0.setAtIndex(ValueLayout.JAVA_FLOAT, i,
                            g0.getAtIndex(ValueLayout.JAVA_FLOAT, i) + gs.getAtIndex(ValueLayout.JAVA_FLOAT, i));
                }
            }
            // Penalised rows first, then the bias row: no branch in the loops, so they vectorise.
            if (l1 != 0 || l2 != 0) {
                for (long i = 0; i < penalised; i++) {
                    float wi = w.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    g0.setAtIndex(ValueLayout.JAVA_FLOAT, i,
                            g0.getAtIndex(ValueLayout.JAVA_FLOAT, i) + l2 * wi + l1 * Math.signum(wi));
                }
            }
            if (v == null) {
                for (long i = 0; i < size; i++) {
                    w.setAtIndex(ValueLayout.JAVA_FLOAT, i,
                            w.getAtIndex(ValueLayout.JAVA_FLOAT, i) - lr * g0.getAtIndex(ValueLayout.JAVA_FLOAT, i));
                }
            } else {
                for (long i = 0; i < size; i++) {
                    float vi = mu * v.getAtIndex(ValueLayout.JAVA_FLOAT, i) - lr * g0.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    v.setAtIndex(ValueLayout.JAVA_FLOAT, i, vi);
                    w.setAtIndex(ValueLayout.JAVA_FLOAT, i, w.getAtIndex(ValueLayout.JAVA_FLOAT, i) + vi);
                }
            }
        }
    }
}
