package io.vecml.engine.api;

/**
 * How a model runs, as opposed to what it computes: results never depend on these settings.
 *
 * @param threads worker threads (1..1024)
 */
public record RunOptions(int threads) {

    public RunOptions {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads must be 1..1024, got " + threads);
        }
    }

    /** All processors. */
    public static RunOptions defaults() {
        return new RunOptions(Runtime.getRuntime().availableProcessors());
    }

    public RunOptions withThreads(int t) {
        return new RunOptions(t);
    }
}
