package io.vecml.engine.api;

import io.vecml.engine.progress.ProgressListener;
import java.util.Objects;

/**
 * How a model runs, as opposed to what it computes: results never depend on these settings.
 *
 * @param threads  worker threads (1..1024)
 * @param progress told how far long work has got ({@link ProgressListener#NONE} by default)
 */
public record RunOptions(int threads, ProgressListener progress) {

    public RunOptions {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads must be 1..1024, got " + threads);
        }
        Objects.requireNonNull(progress, "progress");
    }

    public RunOptions(int threads) {
        this(threads, ProgressListener.NONE);
    }

    /** All processors, no progress. */
    public static RunOptions defaults() {
        return new RunOptions(Runtime.getRuntime().availableProcessors());
    }

    public RunOptions withThreads(int t) {
        return new RunOptions(t, progress);
    }

    public RunOptions withProgress(ProgressListener p) {
        return new RunOptions(threads, p);
    }
}
