package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransformsTest {

    private static Dataset random(int rows, int dims, int classes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] labels = new int[rows];
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
        }
        for (int i = 0; i < rows; i++) {
            labels[i] = rnd.nextInt(classes);
        }
        Dataset d = Dataset.allocate(Dataset.Type.UINT8, rows, dims, labels, names);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                d.setU8(r, c, c == 2 ? 7 : rnd.nextInt(256)); // column 2 is constant
            }
        }
        return d;
    }

    @Test
    void standardiserUsesTrainingMeanAndPopulationDeviation() {
        try (Dataset train = random(50, 5, 3, 1); Dataset test = random(20, 5, 3, 2)) {
            Standardizer s = Standardizer.fit(train);
            for (int c = 0; c < 5; c++) {
                double sum = 0;
                for (int r = 0; r < 50; r++) {
                    sum += train.value(r, c);
                }
                double mean = sum / 50;
                double ss = 0;
                for (int r = 0; r < 50; r++) {
                    ss += (train.value(r, c) - mean) * (train.value(r, c) - mean);
                }
                double sd = Math.sqrt(ss / 50);
                assertThat(s.mean()[c]).isCloseTo(mean, within(1e-9));
                assertThat(s.scale()[c]).isCloseTo(sd == 0 ? 1 : sd, within(1e-9));
            }
            assertThat(s.scale()[2]).isEqualTo(1.0);
            try (Dataset zt = s.apply(train); Dataset z = s.apply(test)) {
                assertThat(zt.type()).isEqualTo(Dataset.Type.FLOAT32);
                for (int c = 0; c < 5; c++) {
                    double m = 0;
                    double v = 0;
                    for (int r = 0; r < 50; r++) {
                        m += zt.f32(r, c);
                    }
                    m /= 50;
                    for (int r = 0; r < 50; r++) {
                        v += (zt.f32(r, c) - m) * (zt.f32(r, c) - m);
                    }
                    assertThat(m).isCloseTo(0, within(1e-5));
                    assertThat(v / 50).isCloseTo(c == 2 ? 0 : 1, within(1e-4));
                }
                // test rows use the training statistics, not their own
                assertThat(z.f32(3, 1)).isCloseTo((float) ((test.value(3, 1) - s.mean()[1]) / s.scale()[1]), within(1e-5f));
                assertThat(z.labels()).containsExactly(test.labels());
            }
            try (Dataset wrong = random(3, 4, 3, 3)) {
                assertThatThrownBy(() -> s.apply(wrong)).hasMessageContaining("fitted on 5 features");
            }
        }
    }

    @Test
    void meanImageCentringSubtractsTrainingMean() {
        try (Dataset train = random(10, 4, 2, 5); Dataset c = Transforms.centre(train, Transforms.columnMeans(train))) {
            double[] m = Transforms.columnMeans(c);
            for (double x : m) {
                assertThat(x).isCloseTo(0, within(1e-5));
            }
            assertThat(c.f32(0, 0)).isCloseTo((float) (train.value(0, 0) - Transforms.columnMeans(train)[0]), within(1e-4f));
        }
    }

    @Test
    void subsets() {
        try (Dataset d = random(30, 3, 3, 9);
             Dataset f = Transforms.first(d, 5);
             Dataset r1 = Transforms.random(d, 7, 42);
             Dataset r2 = Transforms.random(d, 7, 42)) {
            assertThat(f.rows()).isEqualTo(5);
            assertThat(f.u8(4, 1)).isEqualTo(d.u8(4, 1));
            assertThat(r1.rows()).isEqualTo(7);
            assertThat(r1.labels()).containsExactly(r2.labels());
            assertThatThrownBy(() -> Transforms.random(d, 31, 1)).hasMessageContaining("31 of 30");
        }
    }

    @ParameterizedTest
    @CsvSource({"10,2", "17,3", "150,5", "1001,10", "5,5"})
    void kFoldsAreDisjointCoverEverythingAndBalanced(int n, int k) {
        for (Long seed : new Long[] {null, 7L}) {
            Splits.Fold[] folds = Splits.kFold(n, k, seed);
            checkPartition(folds, n);
        }
    }

    @Test
    void kFoldWithoutShuffleMatchesScikitLearn() {
        // python3 -c "from sklearn.model_selection import KFold; import numpy as np;
        //   [print(list(te)) for tr, te in KFold(4).split(np.zeros(17))]"
        Splits.Fold[] f = Splits.kFold(17, 4, null);
        assertThat(f[0].test()).containsExactly(0, 1, 2, 3, 4);
        assertThat(f[1].test()).containsExactly(5, 6, 7, 8);
        assertThat(f[3].test()).containsExactly(13, 14, 15, 16);
    }

    @Test
    void stratifiedKFoldWithoutShuffleMatchesScikitLearn() {
        // python3 -c "from sklearn.model_selection import StratifiedKFold; import numpy as np;
        //   y=np.array([2,0,0,1,2,1,1,0,2,2,2,1,0,0,1,2,0]);
        //   [print(list(te)) for tr, te in StratifiedKFold(3).split(np.zeros(len(y)), y)]"
        int[] y = {2, 0, 0, 1, 2, 1, 1, 0, 2, 2, 2, 1, 0, 0, 1, 2, 0};
        Splits.Fold[] f = Splits.stratifiedKFold(y, 3, null);
        assertThat(f[0].test()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(f[1].test()).containsExactly(6, 7, 8, 9, 11, 12);
        assertThat(f[2].test()).containsExactly(10, 13, 14, 15, 16);
    }

    @ParameterizedTest
    @CsvSource({"100,5,3", "97,4,7", "1000,10,10", "31,3,2"})
    void stratifiedFoldsKeepClassProportions(int n, int k, int classes) {
        SplittableRandom rnd = new SplittableRandom(n);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rnd.nextInt(classes);
        }
        int[] total = new int[classes];
        for (int l : y) {
            total[l]++;
        }
        for (Long seed : new Long[] {null, 3L}) {
            Splits.Fold[] folds = Splits.stratifiedKFold(y, k, seed);
            checkPartition(folds, n);
            for (Splits.Fold f : folds) {
                int[] cnt = new int[classes];
                for (int i : f.test()) {
                    cnt[y[i]]++;
                }
                for (int c = 0; c < classes; c++) {
                    assertThat(cnt[c]).isBetween(total[c] / k, (total[c] + k - 1) / k);
                }
            }
        }
    }

    @Test
    void stratifiedHoldoutKeepsProportions() {
        int[] y = new int[200];
        for (int i = 0; i < 200; i++) {
            y[i] = i < 120 ? 0 : i < 180 ? 1 : 2; // 120 / 60 / 20
        }
        Splits.Holdout h = Splits.stratifiedHoldout(y, 0.25, 11);
        assertThat(h.test()).hasSize(50);
        int[] cnt = new int[3];
        for (int i : h.test()) {
            cnt[y[i]]++;
        }
        assertThat(cnt).containsExactly(30, 15, 5);
        int[] all = concat(h.train(), h.test());
        Arrays.sort(all);
        for (int i = 0; i < 200; i++) {
            assertThat(all[i]).isEqualTo(i);
        }
        assertThat(Splits.stratifiedHoldout(y, 0.25, 11).test()).containsExactly(h.test());
        assertThat(Splits.stratifiedHoldout(y, 0.25, 12).test()).isNotEqualTo(h.test());
    }

    @Test
    void badFoldCounts() {
        assertThatThrownBy(() -> Splits.kFold(3, 4, null)).hasMessageContaining("4 folds of 3 rows");
        assertThatThrownBy(() -> Splits.kFold(3, 1, null)).hasMessageContaining("at least 2");
    }

    private static void checkPartition(Splits.Fold[] folds, int n) {
        int[] seen = new int[n];
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (Splits.Fold f : folds) {
            assertThat(f.train().length + f.test().length).isEqualTo(n);
            assertThat(f.test()).isSorted();
            assertThat(f.train()).isSorted();
            for (int i : f.test()) {
                seen[i]++;
            }
            int[] all = concat(f.train(), f.test());
            Arrays.sort(all);
            for (int i = 0; i < n; i++) {
                assertThat(all[i]).isEqualTo(i);
            }
            min = Math.min(min, f.test().length);
            max = Math.max(max, f.test().length);
        }
        for (int i = 0; i < n; i++) {
            assertThat(seen[i]).as("row %d in exactly one test fold", i).isEqualTo(1);
        }
        assertThat(max - min).isLessThanOrEqualTo(1);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
