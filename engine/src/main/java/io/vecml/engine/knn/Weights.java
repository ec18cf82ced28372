package io.vecml.engine.knn;

/**
 * How the k neighbours vote. {@link #UNIFORM}: one vote each. {@link #DISTANCE}: weight 1/d; when
 * some of the k distances are 0, those neighbours share all the weight (one vote each) and the
 * others get none, as scikit-learn's {@code weights="distance"}.
 */
public enum Weights {
    UNIFORM, DISTANCE
}
