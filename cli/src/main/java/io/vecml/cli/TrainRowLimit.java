package io.vecml.cli;

import picocli.CommandLine.Option;

/**
 * {@code --train-limit} alone: the commands that have training rows but no test rows to limit ({@code cv},
 * which scores folds of the training rows). {@link RowLimits} adds {@code --limit} for the others, so that a
 * command's --help offers only the limits it takes.
 */
class TrainRowLimit {

    @Option(names = "--train-limit", paramLabel = "N",
            description = "Use only the first N training rows (after any holdout). Default: all.")
    Integer trainLimit;

    /** The number of test rows asked for: none here. */
    Integer testLimit() {
        return null;
    }

    /** Checks the limits given are >= 1 (usage errors). */
    TrainRowLimit validate() {
        if (trainLimit != null && trainLimit < 1) {
            throw new IllegalArgumentException("--train-limit must be >= 1, got " + trainLimit);
        }
        return this;
    }
}
