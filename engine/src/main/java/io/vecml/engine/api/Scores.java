package io.vecml.engine.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-class scores of every row, row-major ({@code rows x classes}).
 *
 * @param kind    what the numbers mean
 * @param rows    rows scored
 * @param classes classes (columns)
 * @param values  {@code rows * classes} values, row-major
 */
public record Scores(Kind kind, int rows, int classes, double[] values) {

    /** What a score means, and which end is best. */
    public enum Kind {
        /** Softmax probabilities (each row sums to 1; highest is best). */
        PROBABILITIES,
        /** kNN: the (weighted) share of the k neighbours' votes per class (sums to 1; highest is best). */
        VOTE_SHARES,
        /** Template classifier: the distance to each class template (lowest is best; NaN for a class without rows). */
        DISTANCES,
        /** Multiclass SVM: the class scores W x + b (highest is best). */
        MARGINS
    }

    public Scores {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(values, "values");
        if (rows < 0 || classes < 0 || values.length != (long) rows * classes) {
            throw new IllegalArgumentException("scores: " + values.length + " values for " + rows + " x " + classes);
        }
    }

    public double get(int row, int c) {
        return values[Objects.checkIndex(row, rows) * classes + Objects.checkIndex(c, classes)];
    }

    /** A copy of one row's scores. */
    public double[] row(int row) {
        int r = Objects.checkIndex(row, rows);
        return Arrays.copyOfRange(values, r * classes, (r + 1) * classes);
    }

    /** Rows as arrays (for JSON and notebooks). */
    public double[][] toArrays() {
        double[][] out = new double[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = row(r);
        }
        return out;
    }
}
