package io.vecml.engine.data;

import io.vecml.engine.data.random.NumpyRandomState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * scikit-learn's splitters, index for index, on numpy's legacy stream ({@link NumpyRandomState}), so that
 * {@code random_state=S} in a notebook and seed S here give the same rows. Semantics are those of
 * scikit-learn 1.2 ({@code sklearn/model_selection/_split.py}); the fixtures that pin them were written by
 * scikit-learn 1.2.1 on numpy 1.24.2. {@code StratifiedKFold(shuffle=True)} has had these semantics
 * (a shuffle of each class's fold labels from one stream) since scikit-learn 0.22; earlier versions
 * differ.
 *
 * <p>Holdouts keep scikit-learn's row order (not sorted): {@code train_test_split} returns rows in
 * permutation order, and the order matters to anything that depends on row order afterwards (fold
 * assignment, kNN tie-breaking by training index). Folds are ascending, as scikit-learn's
 * {@code split} yields them.
 */
public final class SklearnSplits {

    private SklearnSplits() {
    }

    /**
     * {@code _validate_shuffle_split} for a float {@code test_size} and no {@code train_size}:
     * n_test = ceil(test_size * n), n_train = n - n_test; both must be positive.
     */
    public static int testCount(int n, double testFraction) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        }
        int nTest = (int) Math.ceil(testFraction * n);
        if (n - nTest <= 0 || nTest <= 0) {
            throw new IllegalArgumentException("a test fraction of " + testFraction + " of " + n
                    + " rows leaves an empty train or test set");
        }
        return nTest;
    }

    /**
     * {@code train_test_split(range(n), test_size=f, random_state=seed)} (ShuffleSplit): the first n_test
     * entries of {@code permutation(n)} are the test rows, the rest the training rows, in that order.
     */
    public static Splits.Holdout trainTestSplit(int n, double testFraction, long seed) {
        int nTest = testCount(n, testFraction);
        int[] p = new NumpyRandomState(seed).permutation(n);
        return new Splits.Holdout(Arrays.copyOfRange(p, nTest, n), Arrays.copyOfRange(p, 0, nTest));
    }

    /**
     * {@code train_test_split(..., test_size=f, random_state=seed, stratify=labels)}
     * (StratifiedShuffleSplit): per-class train and test counts by {@code _approximate_mode} (ties
     * broken by the stream), then one permutation per class (classes in ascending label order), then
     * a permutation of the gathered train rows and one of the test rows.
     */
    public static Splits.Holdout stratifiedTrainTestSplit(int[] labels, double testFraction, long seed) {
        int n = labels.length;
        int nTest = testCount(n, testFraction);
        int nTrain = n - nTest;
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            byClass.computeIfAbsent(labels[i], c -> new ArrayList<>()).add(i);
        }
        int classes = byClass.size();
        int[][] classIndices = new int[classes][];
        int[] counts = new int[classes];
        int c = 0;
        for (List<Integer> rows : byClass.values()) {
            classIndices[c] = rows.stream().mapToInt(Integer::intValue).toArray();
            counts[c] = classIndices[c].length;
            c++;
        }
        for (int k = 0; k < classes; k++) {
            if (counts[k] < 2) {
                throw new IllegalArgumentException("stratified split: the least populated class has only 1 member;"
                        + " each class needs at least 2");
            }
        }
        if (nTrain < classes || nTest < classes) {
            throw new IllegalArgumentException("stratified split: the train (" + nTrain + ") and test (" + nTest
                    + ") rows must each be at least the number of classes (" + classes + ")");
        }
        NumpyRandomState rng = new NumpyRandomState(seed);
        int[] nI = approximateMode(counts, nTrain, rng);
        int[] remaining = new int[classes];
        for (int k = 0; k < classes; k++) {
            remaining[k] = counts[k] - nI[k];
        }
        int[] tI = approximateMode(remaining, nTest, rng);
        int[] train = new int[nTrain];
        int[] test = new int[nTest];
        int a = 0;
        int b = 0;
        for (int k = 0; k < classes; k++) {
            int[] perm = rng.permutation(counts[k]);
            for (int j = 0; j < nI[k]; j++) {
                train[a++] = classIndices[k][perm[j]];
            }
            for (int j = nI[k]; j < nI[k] + tI[k]; j++) {
                test[b++] = classIndices[k][perm[j]];
            }
        }
        return new Splits.Holdout(rng.permutation(train), rng.permutation(test));
    }

    /**
     * scikit-learn's {@code _approximate_mode(class_counts, n_draws, rng)}: floor of each class's share,
     * then one more for the largest remainders, ties among equal remainders drawn by
     * {@code rng.choice(inds, add_now, replace=False)} (a permutation, as numpy's legacy choice does).
     */
    static int[] approximateMode(int[] counts, int draws, NumpyRandomState rng) {
        int k = counts.length;
        long total = 0;
        for (int x : counts) {
            total += x;
        }
        double[] continuous = new double[k];
        double[] floored = new double[k];
        double flooredSum = 0;
        for (int i = 0; i < k; i++) {
            continuous[i] = (double) counts[i] / (double) total * draws;
            floored[i] = Math.floor(continuous[i]);
            flooredSum += floored[i];
        }
        int needToAdd = (int) (draws - flooredSum);
        if (needToAdd > 0) {
            double[] remainder = new double[k];
            for (int i = 0; i < k; i++) {
                remainder[i] = continuous[i] - floored[i];
            }
            double[] values = Arrays.stream(remainder).distinct().sorted().toArray();
            for (int v = values.length - 1; v >= 0; v--) {
                int[] inds = new int[k];
                int m = 0;
                for (int i = 0; i < k; i++) {
                    if (remainder[i] == values[v]) {
                        inds[m++] = i;
                    }
                }
                int addNow = Math.min(m, needToAdd);
                int[] chosen = rng.choiceWithoutReplacement(m, addNow);
                for (int j : chosen) {
                    floored[inds[j]] += 1;
                }
                needToAdd -= addNow;
                if (needToAdd == 0) {
                    break;
                }
            }
        }
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = (int) floored[i];
        }
        return out;
    }

    /**
     * {@code KFold(k, shuffle=True, random_state=seed)}: {@code shuffle(arange(n))}, then contiguous
     * folds of that order, the first n % k one row larger; each fold's rows ascending.
     */
    public static Splits.Fold[] kFold(int n, int k, long seed) {
        checkFolds(n, k);
        int[] order = new NumpyRandomState(seed).permutation(n);
        int[] foldOf = new int[n];
        int pos = 0;
        for (int f = 0; f < k; f++) {
            int size = n / k + (f < n % k ? 1 : 0);
            for (int i = 0; i < size; i++) {
                foldOf[order[pos++]] = f;
            }
        }
        return Splits.foldsOf(foldOf, k);
    }

    /**
     * {@code StratifiedKFold(k, shuffle=True, random_state=seed)} (scikit-learn >= 0.22): classes coded by
     * first appearance; fold sizes per class dealt round-robin over the sorted codes; for each class in
     * code order, {@code rng.shuffle} of its block of fold numbers, assigned to its rows in row order.
     */
    public static Splits.Fold[] stratifiedKFold(int[] labels, int k, long seed) {
        return Splits.stratifiedKFoldShuffled(labels, k, new NumpyRandomState(seed)::shuffle);
    }

    private static void checkFolds(int n, int k) {
        if (k < 2) {
            throw new IllegalArgumentException("need at least 2 folds, got " + k);
        }
        if (k > n) {
            throw new IllegalArgumentException("cannot make " + k + " folds of " + n + " rows");
        }
    }
}
