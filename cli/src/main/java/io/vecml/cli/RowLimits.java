package io.vecml.cli;

import picocli.CommandLine.Option;

/**
 * {@code --limit} and {@code --train-limit}, with one meaning on every command: {@code --limit} is always
 * the number of test rows used (the first N), {@code --train-limit} always the number of training rows
 * ({@link TrainRowLimit}, alone on the commands without test rows).
 */
final class RowLimits extends TrainRowLimit {

    @Option(names = "--limit", paramLabel = "N",
            description = "Use only the first N test rows (after any holdout). Default: all.")
    Integer limit;

    @Override
    Integer testLimit() {
        return limit;
    }

    /** Checks both are >= 1 when given (usage errors). */
    @Override
    RowLimits validate() {
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
        }
        super.validate();
        return this;
    }
}
