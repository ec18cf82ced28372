package io.vecml.engine.eval;

/** How a fold's predictions are scored. */
public enum Scoring {
    /** Fraction correct. */
    ACCURACY,
    /** Mean per-class recall (scikit-learn's balanced_accuracy). */
    BALANCED_ACCURACY;

    public double score(int[] predicted, int[] truth, int classes) {
        return this == ACCURACY ? Metrics.accuracy(predicted, truth) : Metrics.balancedAccuracy(predicted, truth, classes);
    }
}
