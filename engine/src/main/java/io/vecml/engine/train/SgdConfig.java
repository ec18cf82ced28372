package io.vecml.engine.train;

import java.util.Objects;

/**
 * Minibatch stochastic gradient descent settings.
 *
 * @param learningRate       base step size (> 0), shaped per epoch by {@code schedule}
 * @param batchSize          rows per step (>= 1); the last batch of an epoch may be smaller
 * @param epochs             passes over the training rows (>= 1)
 * @param seed               seeds the initial weights, the shuffles and the validation split
 * @param schedule           learning-rate schedule
 * @param momentum           classical momentum mu in [0, 1): v = mu v - lr g; W += v (0: plain SGD)
 * @param validationFraction share of the rows held out (stratified) to measure validation accuracy
 *                           after each epoch; 0 for none
 * @param patience           early stopping: stop after this many epochs without a better validation
 *                           accuracy and keep the best weights; 0 disables it (needs a validation part)
 * @param threads            threads for the GEMMs (results do not depend on it; see {@link SgdTrainer})
 */
public record SgdConfig(double learningRate, int batchSize, int epochs, long seed, Schedule schedule,
        double momentum, double validationFraction, int patience, int threads) {

    public SgdConfig {
        Objects.requireNonNull(schedule, "schedule");
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        }
        if (patience > 0 && validationFraction == 0) {
            throw new IllegalArgumentException("early stopping (patience " + patience
                    + ") needs a validation fraction > 0");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /**
     * Learning rate 0.05, batch 256, 10 epochs, seed 0, constant rate, no momentum, no validation,
     * all available processors.
     */
    public static SgdConfig defaults() {
        return new SgdConfig(0.05, 256, 10, 0, Schedule.constant(), 0, 0, 0,
                Runtime.getRuntime().availableProcessors());
    }

    public SgdConfig withLearningRate(double v) {
        return new SgdConfig(v, batchSize, epochs, seed, schedule, momentum, validationFraction, patience, threads);
    }

    public SgdConfig withBatchSize(int v) {
        return new SgdConfig(learningRate, v, epochs, seed, schedule, momentum, validationFraction, patience, threads);
    }

    public SgdConfig withEpochs(int v) {
        return new SgdConfig(learningRate, batchSize, v, seed, schedule, momentum, validationFraction, patience, threads);
    }

    public SgdConfig withSeed(long v) {
        return new SgdConfig(learningRate, batchSize, epochs, v, schedule, momentum, validationFraction, patience, threads);
    }

    public SgdConfig withSchedule(Schedule v) {
        return new SgdConfig(learningRate, batchSize, epochs, seed, v, momentum, validationFraction, patience, threads);
    }

    public SgdConfig withMomentum(double v) {
        return new SgdConfig(learningRate, batchSize, epochs, seed, schedule, v, validationFraction, patience, threads);
    }

    /** Holds out {@code fraction} for validation and stops after {@code patience} epochs without improvement. */
    public SgdConfig withValidation(double fraction, int patience) {
        return new SgdConfig(learningRate, batchSize, epochs, seed, schedule, momentum, fraction, patience, threads);
    }

    public SgdConfig withThreads(int v) {
        return new SgdConfig(learningRate, batchSize, epochs, seed, schedule, momentum, validationFraction, patience, v);
    }
}
