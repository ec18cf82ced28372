package io.vecml.engine.distance;

/** Distance metrics. L2 ranks by the squared distance and reports the Euclidean one. */
public enum Metric {
    L1, L2
}
