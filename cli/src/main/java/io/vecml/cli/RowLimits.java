package io.vecml.cli;

import picocli.CommandLine.Option;

/**
 * {@code --limit} and {@code --train-limit}, with one meaning on every command: {@code --limit} is always
 * the number of test rows used (the first N), {@code --train-limit} always the number of training rows.
 */
final class RowLimits {

    @Option(names = "--limit", paramLabel = "N",
            description = "Use only the first N test rows (after any holdout). Default: all.")
    Integer limit;

    @Option(names = "--train-limit", paramLabel = "N",
            description = "Use only the first N training rows (after any holdout). Default: all.")
    Integer trainLimit;

    /** Checks both are >= 1 when given (usage errors). */
    RowLimits validate() {
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
        }
        if (trainLimit != null && trainLimit < 1) {
            throw new IllegalArgumentException("--train-limit must be >= 1, got " + trainLimit);
        }
        return this;
    }
}
