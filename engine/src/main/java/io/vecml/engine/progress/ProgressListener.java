package io.vecml.engine.progress;

/**
 * Told how far long work has got: a training run (epochs), a grid search or cross-validation (folds x
 * candidates), a search (query rows), a conversion (rows). Calls may come from worker threads, several
 * at once; an implementation that draws must synchronise. It only observes: results never depend on it.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Listens to nothing. */
    ProgressListener NONE = (stage, done, total) -> { };

    /**
     * {@code done} of {@code total} units of the stage named {@code stage} ("epoch", "fold 2/5", "kNN l2", ...)
     * are finished; {@code done == total} ends the stage.
     */
    void update(String stage, long done, long total);
}
