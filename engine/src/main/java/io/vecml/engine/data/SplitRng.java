package io.vecml.engine.data;

import java.util.Locale;

/**
 * Which random stream makes seeded holdouts and shuffled folds: {@link #VECML} (vecml's own, the default,
 * so results made before this choice existed do not change) or {@link #SKLEARN} (numpy's legacy stream
 * with scikit-learn's splitter semantics: the same rows as {@code random_state=seed} in a notebook).
 */
public enum SplitRng {
    VECML, SKLEARN;

    /** {@code vecml} or {@code sklearn} (case-insensitive); {@code what} names the input in the error. */
    public static SplitRng parse(String s, String what) {
        return switch (s == null ? "" : s.strip().toLowerCase(Locale.ROOT)) {
            case "vecml" -> VECML;
            case "sklearn", "scikit-learn", "numpy" -> SKLEARN;
            default -> throw new IllegalArgumentException(what + " must be vecml or sklearn, got '" + s + "'");
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * A seeded holdout. VECML: {@link Splits#holdout} (round(n f) test rows, each part ascending). SKLEARN:
     * {@link SklearnSplits#trainTestSplit} (ceil(n f) test rows, in scikit-learn's order).
     */
    public Splits.Holdout holdout(int n, double testFraction, long seed) {
        return this == VECML ? Splits.holdout(n, testFraction, seed) : SklearnSplits.trainTestSplit(n, testFraction, seed);
    }

    /** Plain K folds; {@code seed == null} is the unshuffled KFold(k), the same for both streams. */
    public Splits.Fold[] kFold(int n, int k, Long seed) {
        return this == VECML || seed == null ? Splits.kFold(n, k, seed) : SklearnSplits.kFold(n, k, seed);
    }

    /** Stratified K folds; {@code seed == null} is the unshuffled StratifiedKFold(k), the same for both. */
    public Splits.Fold[] stratifiedKFold(int[] labels, int k, Long seed) {
        return this == VECML || seed == null ? Splits.stratifiedKFold(labels, k, seed)
                : SklearnSplits.stratifiedKFold(labels, k, seed);
    }
}
