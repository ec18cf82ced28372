package io.vecml.engine.train;

import io.vecml.engine.concurrent.SpinTeam;
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
 * into shards of {@value #SHARD_ROWS} rows; for each shard {@link BatchGradient#shardGradient}
 * computes S = X_s W, the score gradient dS ({@link Objective#scoreGradient}, divided by the whole
 * batch size) and G_s = X_s^T dS, reading the shard's rows where they are in the dataset (uint8
 * or float32; the preprocessing is applied in registers), so the training set is never copied.
 * Up to {@value BatchGradient#FUSED_MAX_CLASSES} classes that is one pass of fused SIMD kernels
 * for each product; with more classes the rows are copied per shard into a float buffer and two
 * one-thread GEMMs run. W is kept class-major for the whole run. Then one pass over W adds the
 * shards' G_s in shard order and the penalty's derivative and moves W (with momentum when set).
 * The bias is not penalised unless the regulariser says so.
 *
 * <p>Threads and determinism: shards run on the threads of a {@link SpinTeam} (a batch's hand-off
 * costs well under a microsecond there, against ~90 us through a thread pool, as much as the
 * work of a Fashion-MNIST shard), shard s on thread s mod T, each with the fused kernels (whose sums
 * have one fixed order, see {@link BatchGradient}) or a one-thread GEMM (never OpenBLAS threads and
 * Java threads at once). The cut into shards depends only on the batch size, and the shards'
 * gradients are added in a fixed order, so the weights are bit-identical for any thread count. This matters: OpenBLAS 0.3.21's multi-threaded sgemm gives results that differ in
 * the last bits from its one-thread sgemm at these shapes (256 x 10 x 785: 1673 of 2560 outputs),
 * while the Java GEMM is bit-identical across threads by construction (it never splits k).
 */
public final class SgdTrainer {

    /** The initial weights' standard deviation. */
    public static final double INIT_SCALE = 1e-4;

    /**
     * Rows per shard: the unit of parallel work (a batch of 256 gives two). Small enough that a
     * shard's rows (128 x 3072 bytes of uint8 = 393 KB) stay in cache from the forward through the
     * backward kernel.
     */
    public static final int SHARD_ROWS = 128;

    /** Runs that read at least this many values warm the kernels up first ({@link BatchGradient#warmUp}). */
    static final long WARM_UP_VALUES = 50_000_000L;

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
            return run(trainPart, valPart, FeatureScaling.fit(config.preprocessing(), trainPart), config, sgd, gemms,
                    listener, progress);
        } finally {
            if (valPart != null) {
                valPart.close();
                trainPart.close();
            }
        }
    }

    private static TrainingResult run(Dataset train, Dataset val, FeatureScaling scaling, LinearConfig config, SgdConfig sgd, IntFunction<Gemm> gemms, Consumer<EpochStats> listener,
            ProgressListener progress) {
        int n = train.rows();
        int d = train.dims();
        int classes = train.numClasses();
        int cs = BatchGradient.classStride(d);
        // W and the gradients are class-major (class c's weights, then its bias, padded to cs floats)
        // for the whole run; the model gets the (D+1) x C layout at the end.
        int size = classes * cs;
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
        try (Arena arena = Arena.ofShared(); SpinTeam team = new SpinTeam(workers, "vecml-sgd")) {
            for (int t = 0; t < workers; t++) {
                bgs[t] = new BatchGradient(objective, scaling, classes, Math.min(batch, SHARD_ROWS), gemms.apply(1),
                        KernelSelection.current().kernels());
            }
            if (bgs[0].fusedApplies(train) && (long) n * d * sgd.epochs() >= WARM_UP_VALUES) {
                BatchGradient.warmUp(bgs[0].kernels(), train.type());
            }
            MemorySegment w = arena.allocate((long) size * Float.BYTES, 64);
            MemorySegment[] g = new MemorySegment[maxShards];
            for (int s = 0; s < maxShards; s++) {
                g[s] = arena.allocate((long) size * Float.BYTES, 64);
            }
            MemorySegment v = sgd.momentum() > 0 ? arena.allocate((long) size * Float.BYTES, 64) : null;
            // Drawn in (D+1) x C order, as the model stores them.
            for (int i = 0; i < (d + 1) * classes; i++) {
                w.setAtIndex(ValueLayout.JAVA_FLOAT, (long) (i % classes) * cs + i / classes,
                        (float) (INIT_SCALE * rnd.nextGaussian()));
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
                            stats[s] = bgs[t].shardGradient(train, perm, first + s * SHARD_ROWS, rows, w, m, g[s]);
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
                    valAcc = model(config, scaling, train, w, classes).accuracy(val, sgd.threads(), gemms);
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
            return new TrainingResult(model(config, scaling, train, w, classes), history, bestEpoch, stopped);
        } finally {
            for (BatchGradient b : bgs) {
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    /** The model of class-major weights {@code w}. */
    private static LinearClassifier model(LinearConfig config, FeatureScaling scaling, Dataset train, MemorySegment w,
            int classes) {
        int d = train.dims();
        int cs = BatchGradient.classStride(d);
        float[] weights = new float[(d + 1) * classes];
        for (int c = 0; c < classes; c++) {
            for (int f = 0; f <= d; f++) {
                weights[f * classes + c] = w.getAtIndex(ValueLayout.JAVA_FLOAT, (long) c * cs + f);
            }
        }
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

    /** R(W) in double, of class-major weights, in (D+1) x C order. */
    static double penalty(MemorySegment w, Regularizer reg, int d, int classes) {
        if (reg.isZero()) {
            return 0;
        }
        double sum = 0;
        int rows = reg.includeBias() ? d + 1 : d;
        long cs = BatchGradient.classStride(d);
        for (int f = 0; f < rows; f++) {
            for (int c = 0; c < classes; c++) {
                sum += reg.penalty(w.getAtIndex(ValueLayout.JAVA_FLOAT, c * cs + f));
            }
        }
        return sum;
    }

    /**
     * One pass over the class-major W: g += R'(W), then W -= lr g, or with momentum v = mu v - lr g,
     * W += v. The penalty's derivative is lambda * (l1Ratio sign(w) + 2 (1 - l1Ratio) w), in float.
     * The padding of each class stays 0 (its gradient is 0).
     */
    static final class Update {
        private final float l1;
        private final float l2;
        /** Penalised entries at the start of each class: the features, and the bias when it is penalised. */
        private final long penalised;
        private final long cs;
        private final int classes;
        private final long size;
        private final float mu;

        Update(Regularizer reg, int d, int classes, float mu) {
            this.l1 = (float) (reg.lambda() * reg.l1Ratio());
            this.l2 = (float) (2 * reg.lambda() * (1 - reg.l1Ratio()));
            this.penalised = reg.includeBias() ? d + 1 : d;
            this.cs = BatchGradient.classStride(d);
            this.classes = classes;
            this.size = classes * cs;
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
            // The penalised run of each class, no branch in the loop, so it vectorises.
            if (l1 != 0 || l2 != 0) {
                for (int c = 0; c < classes; c++) {
                    for (long i = c * cs; i < c * cs + penalised; i++) {
                        float wi = w.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                        g0.setAtIndex(ValueLayout.JAVA_FLOAT, i,
                                g0.getAtIndex(ValueLayout.JAVA_FLOAT, i) + l2 * wi + l1 * Math.signum(wi));
                    }
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
