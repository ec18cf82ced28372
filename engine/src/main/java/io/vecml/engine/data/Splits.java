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

    /** One cross-validation fold: training rows and held-out rows, each ascending. */
    public record Fold(int[] train, int[] test) {
    }

    /**
     * Stratified holdout: each class gives (about) the same fraction to the test part; the per-class
     * test counts are rounded by largest remainder so that they add up to round(n * testFraction).
     */
    public static Holdout stratifiedHoldout(int[] labels, double testFraction, long seed) {
        int n = labels.length;
        Holdout plain = holdout(n, testFraction, seed); // validates the fraction and sizes
        int nTest = plain.test().length;
        int classes = 0;
        for (int l : labels) {
            if (l < 0) {
                throw new IllegalArgumentException("negative label " + l);
            }
            classes = Math.max(classes, l + 1);
        }
        int[] count = new int[classes];
        for (int l : labels) {
            count[l]++;
        }
        int[] take = new int[classes];
        double[] rem = new double[classes];
        int sum = 0;
        for (int c = 0; c < classes; c++) {
            double exact = (double) count[c] * nTest / n;
            take[c] = (int) Math.floor(exact);
            rem[c] = exact - take[c];
            sum += take[c];
        }
        Integer[] order = new Integer[classes];
        for (int c = 0; c < classes; c++) {
            order[c] = c;
        }
        java.util.Arrays.sort(order, (x, y) -> rem[x] != rem[y] ? Double.compare(rem[y], rem[x]) : Integer.compare(x, y));
        for (int i = 0; sum < nTest; i++) {
            int c = order[i % classes];
            if (take[c] < count[c]) {
                take[c]++;
                sum++;
            }
        }
        int[] perm = permutation(n, seed);
        boolean[] isTest = new boolean[n];
        int[] taken = new int[classes];
        for (int i : perm) {
            int c = labels[i];
            if (taken[c] < take[c]) {
                taken[c]++;
                isTest[i] = true;
            }
        }
        return fromMask(isTest, nTest);
    }

    /**
     * K folds. {@code seed == null}: contiguous folds in row order, the first {@code n % k} one row
     * larger (scikit-learn's {@code KFold(k)}); otherwise the rows are shuffled by the seed first.
     * Sizes differ by at most one.
     */
    public static Fold[] kFold(int n, int k, Long seed) {
        checkFolds(n, k);
        int[] order = seed == null ? permutationIdentity(n) : permutation(n, seed);
        int[] foldOf = new int[n];
        int pos = 0;
        for (int f = 0; f < k; f++) {
            int size = n / k + (f < n % k ? 1 : 0);
            for (int i = 0; i < size; i++) {
                foldOf[order[pos++]] = f;
            }
        }
        return foldsOf(foldOf, k);
    }

    /**
     * Stratified K folds. {@code seed == null} reproduces scikit-learn's
     * {@code StratifiedKFold(k, shuffle=False)} exactly (its allocation of each class's rows to folds,
     * in row order), which is what {@code GridSearchCV(cv=k)} uses for classifiers. With a seed, the
     * rows of each class are shuffled before they are dealt to the folds (vecml's own shuffle; not
     * numpy's random stream). Every fold gets floor or ceil of its share of each class.
     */
    public static Fold[] stratifiedKFold(int[] labels, int k, Long seed) {
        if (seed == null) {
            return stratifiedKFoldWith(labels, k, null);
        }
        long s = seed;
        return stratifiedKFoldWith(labels, k, (c, foldsForClass) -> {
            int[] perm = permutation(foldsForClass.length, s * 31 + c);
            int[] shuffled = new int[foldsForClass.length];
            for (int j = 0; j < shuffled.length; j++) {
                shuffled[j] = foldsForClass[perm[j]];
            }
            System.arraycopy(shuffled, 0, foldsForClass, 0, shuffled.length);
        });
    }

    /** As above, with each class's block of fold numbers shuffled in place by {@code shuffle} (null: none). */
    static Fold[] stratifiedKFoldShuffled(int[] labels, int k, java.util.function.Consumer<int[]> shuffle) {
        return stratifiedKFoldWith(labels, k, (c, a) -> shuffle.accept(a));
    }

    private static Fold[] stratifiedKFoldWith(int[] labels, int k, java.util.function.BiConsumer<Integer, int[]> shuffle) {
        int n = labels.length;
        checkFolds(n, k);
        // Encode classes by order of first appearance, as scikit-learn does.
        java.util.Map<Integer, Integer> code = new java.util.LinkedHashMap<>();
        java.util.TreeMap<Integer, Integer> firstIndex = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            firstIndex.putIfAbsent(labels[i], i);
        }
        Integer[] byFirst = firstIndex.keySet().toArray(new Integer[0]);
        java.util.Arrays.sort(byFirst, (a, b) -> Integer.compare(firstIndex.get(a), firstIndex.get(b)));
        for (Integer l : byFirst) {
            code.put(l, code.size());
        }
        int classes = code.size();
        int[] enc = new int[n];
        int[] counts = new int[classes];
        for (int i = 0; i < n; i++) {
            enc[i] = code.get(labels[i]);
            counts[enc[i]]++;
        }
        // Classes with fewer than k rows leave some folds without them (scikit-learn warns; same folds).
        // allocation[f][c] = number of class c among sorted(enc)[f::k]
        int[] sorted = enc.clone();
        java.util.Arrays.sort(sorted);
        int[][] allocation = new int[k][classes];
        for (int i = 0; i < n; i++) {
            allocation[i % k][sorted[i]]++;
        }
        int[] foldOf = new int[n];
        for (int c = 0; c < classes; c++) {
            int[] foldsForClass = new int[counts[c]];
            int p = 0;
            for (int f = 0; f < k; f++) {
                for (int j = 0; j < allocation[f][c]; j++) {
                    foldsForClass[p++] = f;
                }
            }
            if (shuffle != null) {
                shuffle.accept(c, foldsForClass);
            }
            int q = 0;
            for (int i = 0; i < n; i++) {
                if (enc[i] == c) {
                    foldOf[i] = foldsForClass[q++];
                }
            }
        }
        return foldsOf(foldOf, k);
    }

    private static void checkFolds(int n, int k) {
        if (k < 2) {
            throw new IllegalArgumentException("need at least 2 folds, got " + k);
        }
        if (k > n) {
            throw new IllegalArgumentException("cannot make " + k + " folds of " + n + " rows");
        }
    }

    private static int[] permutationIdentity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    /** Folds from each row's fold number: fold f tests the rows numbered f, both parts ascending. */
    static Fold[] foldsOf(int[] foldOf, int k) {
        int n = foldOf.length;
        int[] size = new int[k];
        for (int f : foldOf) {
            size[f]++;
        }
        Fold[] out = new Fold[k];
        for (int f = 0; f < k; f++) {
            int[] test = new int[size[f]];
            int[] train = new int[n - size[f]];
            int a = 0;
            int b = 0;
            for (int i = 0; i < n; i++) {
                if (foldOf[i] == f) {
                    test[a++] = i;
                } else {
                    train[b++] = i;
                }
            }
            out[f] = new Fold(train, test);
        }
        return out;
    }

    /**
     * Checks explicit row indices: each in 0..n-1 and none twice. {@code what} names the list in errors
     * (e.g. "split.json: test"); the position of the offending entry is given as what[i].
     */
    public static void checkIndices(int[] idx, int n, String what) {
        int[] seen = new int[n];
        java.util.Arrays.fill(seen, -1);
        for (int i = 0; i < idx.length; i++) {
            int v = idx[i];
            if (v < 0 || v >= n) {
                throw new IllegalArgumentException(what + "[" + i + "] = " + v + " is outside 0.." + (n - 1)
                        + " (the data has " + n + " rows)");
            }
            if (seen[v] >= 0) {
                throw new IllegalArgumentException(what + "[" + i + "] = " + v + " is already at position " + seen[v]
                        + ": each row may appear once");
            }
            seen[v] = i;
        }
    }

    /**
     * Checks an explicit split of n rows: indices valid, train and test disjoint and not empty. A null
     * train means every row not in test, ascending. {@code what} names the source in errors.
     */
    public static Holdout explicit(int[] train, int[] test, int n, String what) {
        checkIndices(test, n, what + ": test");
        int[] tr = train == null ? complement(test, n) : train;
        if (train != null) {
            checkIndices(train, n, what + ": train");
            boolean[] inTest = new boolean[n];
            for (int v : test) {
                inTest[v] = true;
            }
            for (int i = 0; i < train.length; i++) {
                if (inTest[train[i]]) {
                    throw new IllegalArgumentException(what + ": train[" + i + "] = " + train[i]
                            + " is also a test row: train and test must not overlap");
                }
            }
        }
        if (test.length == 0 || tr.length == 0) {
            throw new IllegalArgumentException(what + ": the " + (test.length == 0 ? "test" : "train")
                    + " rows are empty");
        }
        return new Holdout(tr, test);
    }

    /** The rows of 0..n-1 not in {@code rows}, ascending (indices must be valid). */
    public static int[] complement(int[] rows, int n) {
        boolean[] in = new boolean[n];
        int count = 0;
        for (int v : rows) {
            if (!in[v]) {
                in[v] = true;
                count++;
            }
        }
        int[] out = new int[n - count];
        int a = 0;
        for (int i = 0; i < n; i++) {
            if (!in[i]) {
                out[a++] = i;
            }
        }
        return out;
    }

    private static Holdout fromMask(boolean[] isTest, int nTest) {
        int[] test = new int[nTest];
        int[] train = new int[isTest.length - nTest];
        int a = 0;
        int b = 0;
        for (int i = 0; i < isTest.length; i++) {
            if (isTest[i]) {
                test[a++] = i;
            } else {
                train[b++] = i;
            }
        }
        return new Holdout(train, test);
    }
}
