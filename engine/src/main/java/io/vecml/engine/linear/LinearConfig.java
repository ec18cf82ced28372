package io.vecml.engine.linear;

import java.util.Objects;

/**
 * What a linear classifier optimises and how its inputs are prepared.
 *
 * @param loss          SVM hinge or softmax cross-entropy
 * @param delta         the SVM margin (> 0; unused by softmax)
 * @param regularizer   the weight penalty
 * @param preprocessing how features are transformed (statistics fitted on the training rows)
 */
public record LinearConfig(Loss loss, double delta, Regularizer regularizer, Preprocessing preprocessing) {

    public LinearConfig {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(regularizer, "regularizer");
        Objects.requireNonNull(preprocessing, "preprocessing");
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("the SVM margin delta must be finite and > 0, got " + delta);
        }
    }

    /** Softmax, L2 with lambda 1e-4, standardised features: good accuracy without tuning. */
    public static LinearConfig defaults() {
        return new LinearConfig(Loss.SOFTMAX, 1.0, Regularizer.l2(1e-4), Preprocessing.STANDARDIZE);
    }

    public LinearConfig withLoss(Loss l) {
        return new LinearConfig(l, delta, regularizer, preprocessing);
    }

    public LinearConfig withDelta(double d) {
        return new LinearConfig(loss, d, regularizer, preprocessing);
    }

    public LinearConfig withRegularizer(Regularizer r) {
        return new LinearConfig(loss, delta, r, preprocessing);
    }

    public LinearConfig withPreprocessing(Preprocessing p) {
        return new LinearConfig(loss, delta, regularizer, p);
    }
}
