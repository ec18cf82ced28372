package io.vecml.engine.train;

/**
 * One epoch of training, for printing and plotting.
 *
 * @param epoch              1-based
 * @param loss               the objective: the mean data loss over the epoch's batches, each measured
 *                           with the weights before its step (so it costs no extra pass), plus the
 *                           penalty of the weights at the end of the epoch
 * @param trainAccuracy      share of the epoch's rows whose highest score was their label, measured the
 *                           same way
 * @param validationAccuracy accuracy on the held-out rows after the epoch, NaN without validation
 * @param learningRate       the rate used in this epoch
 * @param seconds            wall time of the epoch's steps (validation excluded)
 */
public record EpochStats(int epoch, double loss, double trainAccuracy, double validationAccuracy,
        double learningRate, double seconds) {
}
