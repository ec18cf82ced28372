package io.vecml.engine.knn;

/**
 * The k nearest training rows of each query, nearest first, ordered by (distance, training index).
 * Row-major: the r-th neighbour of query q is {@code indices[q * k + r]} at distance
 * {@code distances[q * k + r]} (L1, or Euclidean for L2; exact integers, or their square roots,
 * for uint8 data).
 *
 * @param queries   number of queries
 * @param k         neighbours per query
 * @param indices   training row indices, {@code queries * k}
 * @param distances the matching distances
 */
public record Neighbors(int queries, int k, int[] indices, double[] distances) {

    public Neighbors {
        if (queries < 0 || k < 0 || indices.length != (long) queries * k || distances.length != indices.length) {
            throw new IllegalArgumentException("expected " + queries + " x " + k + " neighbours, got "
                    + indices.length + " indices and " + distances.length + " distances");
        }
    }

    /** Training index of the r-th neighbour of query q. */
    public int index(int q, int r) {
        return indices[q * k + r];
    }

    /** Distance of the r-th neighbour of query q. */
    public double distance(int q, int r) {
        return distances[q * k + r];
    }
}
