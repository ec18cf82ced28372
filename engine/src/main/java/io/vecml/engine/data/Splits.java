package io.vecml.engine.data;

import java.util.SplittableRandom;

/** Seeded index splits. */
public final class Splits {

    private Splits() {
    }

    /** Train and test row indices. */
    public record Holdout(int[] train, int[] test) {
    }

    /** A seeded permutation of 0..n-1 (Fisher-Yates). */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * Holds out round(n * testFraction) rows chosen by a seeded shuffle; each part keeps ascending
     * row order, so results do not depend on the shuffle beyond the choice of rows.
     */
    public static Holdout holdout(int n, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        }
        int nTest = (int) Math.round(n * testFraction);
        if (nTest == 0 || nTest == n) {
            throw new IllegalArgumentException("a test fraction of " + testFraction + " of " + n
                    + " rows leaves an empty train or test set");
        }
        int[] p = permutation(n, seed);
        int[] test = java.util.Arrays.copyOfRange(p, 0, nTest);
        int[] train = java.util.Arrays.copyOfRange(p, nTest, n);
        java.util.Arrays.sort(test);
        java.util.Arrays.sort(train);
        return new Holdout(train, test);
    }
}
