package io.vecml.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void handMadeCase() {
        // python3 -c "from sklearn.metrics import accuracy_score as a, balanced_accuracy_score as b;
        //   t=[0,0,0,0,1,1,2,2,2,2]; p=[0,0,0,1,1,0,2,2,1,0]; print(a(t,p), b(t,p))"  -> 0.6 0.5833333333333334
        int[] t = {0, 0, 0, 0, 1, 1, 2, 2, 2, 2};
        int[] p = {0, 0, 0, 1, 1, 0, 2, 2, 1, 0};
        assertThat(Metrics.accuracy(p, t)).isCloseTo(0.6, within(1e-12));
        assertThat(Metrics.balancedAccuracy(p, t, 3)).isCloseTo(0.5833333333333334, within(1e-12));
        long[][] cm = Metrics.confusion(p, t, 3);
        assertThat(cm[0]).containsExactly(3, 1, 0);
        assertThat(cm[1]).containsExactly(1, 1, 0);
        assertThat(cm[2]).containsExactly(1, 1, 2);
    }

    @Test
    void absentClassesDoNotCountAndBadInputIsRefused() {
        assertThat(Metrics.balancedAccuracy(new int[] {0, 2}, new int[] {0, 0}, 3)).isCloseTo(0.5, within(1e-12));
        assertThat(Metrics.accuracy(new int[0], new int[0])).isNaN();
        assertThatThrownBy(() -> Metrics.accuracy(new int[1], new int[2])).hasMessageContaining("1 predictions for 2");
        assertThatThrownBy(() -> Metrics.confusion(new int[] {3}, new int[] {0}, 3)).hasMessageContaining("outside 0..2");
    }

    /*
     * /usr/bin/python3 -c "from sklearn.metrics import precision_recall_fscore_support as f
     *   t=[0,0,0,0,1,1,2,2,2,2,3,3]; p=[0,0,1,4,1,0,2,2,1,0,0,1]
     *   for a in [None,'macro','weighted']: print(f(t,p,average=a,zero_division=0))
     *   print(f(t,p,labels=range(6),zero_division=0)[2])"
     * per class 0..4: precision 0.4 0.25 1.0 0.0 0.0; recall 0.5 0.5 0.5 0.0 0.0;
     *   f1 0.4444444444444445 0.3333333333333333 0.6666666666666666 0.0 0.0; support 4 2 4 2 0
     * macro    0.32999999999999996 0.3 0.28888888888888886 (class 5 occurs nowhere: not averaged)
     * weighted 0.5083333333333333 0.4166666666666667 0.4259259259259259
     * Class 3 is never predicted (precision 0/0 -> 0), class 4 never true (recall 0/0 -> 0).
     */
    private static final int[] T = {0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 3};
    private static final int[] P = {0, 0, 1, 4, 1, 0, 2, 2, 1, 0, 0, 1};

    @Test
    void precisionRecallF1AsScikitLearnWithZeroDivisionZero() {
        Metrics.PerClass pc = Metrics.perClass(P, T, 6);
        assertThat(pc.precision()).containsExactly(new double[] {0.4, 0.25, 1.0, 0, 0, 0}, within(1e-15));
        assertThat(pc.recall()).containsExactly(new double[] {0.5, 0.5, 0.5, 0, 0, 0}, within(1e-15));
        assertThat(pc.f1()).containsExactly(new double[] {0.4444444444444445, 0.3333333333333333, 0.6666666666666666,
            0, 0, 0}, within(1e-15));
        assertThat(pc.support()).containsExactly(4, 2, 4, 2, 0, 0);
        assertThat(pc.present()).containsExactly(true, true, true, true, true, false);
        assertThat(pc.macroPrecision()).isCloseTo(0.32999999999999996, within(1e-15));
        assertThat(pc.macroRecall()).isCloseTo(0.3, within(1e-15));
        assertThat(pc.macroF1()).isCloseTo(0.28888888888888886, within(1e-15));
        assertThat(pc.weightedPrecision()).isCloseTo(0.5083333333333333, within(1e-15));
        assertThat(pc.weightedRecall()).isCloseTo(0.4166666666666667, within(1e-15));
        assertThat(pc.weightedF1()).isCloseTo(0.4259259259259259, within(1e-15));
    }

    @Test
    void reportCollectsEverything() {
        // balanced accuracy: /usr/bin/python3 -c "from sklearn.metrics import balanced_accuracy_score as b;
        //   print(b([0,0,0,0,1,1,2,2,2,2,3,3],[0,0,1,4,1,0,2,2,1,0,0,1]))" -> 0.375 (mean recall of classes 0..3)
        ClassificationReport r = ClassificationReport.of(P, T, java.util.List.of("a", "b", "c", "d", "e", "f"));
        assertThat(r.rows()).isEqualTo(12);
        assertThat(r.accuracy()).isCloseTo(5.0 / 12, within(1e-15));
        assertThat(r.balancedAccuracy()).isCloseTo(0.375, within(1e-15));
        assertThat(r.macroF1()).isCloseTo(0.28888888888888886, within(1e-15));
        assertThat(r.classes()).hasSize(6);
        assertThat(r.classes().get(2)).isEqualTo(new ClassificationReport.ClassLine(2, "c", 1.0, 0.5,
                0.6666666666666666, 4));
        assertThat(r.confusion()[0]).containsExactly(2, 1, 0, 0, 1, 0);
        assertThat(r.classNames()).containsExactly("a", "b", "c", "d", "e", "f");
    }

    @Test
    void topKAccuracyAsScikitLearnIncludingTies() {
        // /usr/bin/python3 -c "import numpy as np; from sklearn.metrics import top_k_accuracy_score as tk
        //   s=np.array([[0.1,0.5,0.2,0.2],[0.3,0.3,0.3,0.1],[0.9,0.05,0.05,0.0],[0.2,0.2,0.1,0.5],
        //     [0.0,0.1,0.8,0.1]],dtype=np.float32); y=[2,0,0,1,3]
        //   print([tk(y,s,k=k,labels=range(4)) for k in (1,2,3,4)])"  -> [0.2, 0.6, 1.0, 1.0]
        float[] s = {0.1f, 0.5f, 0.2f, 0.2f, 0.3f, 0.3f, 0.3f, 0.1f, 0.9f, 0.05f, 0.05f, 0, 0.2f, 0.2f, 0.1f, 0.5f, 0,
            0.1f, 0.8f, 0.1f};
        int[] y = {2, 0, 0, 1, 3};
        assertThat(Metrics.topKAccuracy(s, y, 4, 1)).isEqualTo(0.2);
        assertThat(Metrics.topKAccuracy(s, y, 4, 2)).isEqualTo(0.6);
        assertThat(Metrics.topKAccuracy(s, y, 4, 3)).isEqualTo(1.0);
        assertThat(Metrics.topKAccuracy(s, y, 4, 9)).isEqualTo(1.0);
        // Ties rank the larger class first (row 3: class 1 loses its tie with class 2, so top-1 is 0 where
        // argmax with "smallest class wins" would be right):
        // s2=np.array([[1,3,2],[5,1,0],[0,4,4],[2,2,9]],dtype=np.float32); y2=[2,1,1,0]
        // print([tk(y2,s2,k=k,labels=range(3)) for k in (1,2,3)])  -> [0.0, 0.75, 1.0]
        float[] s2 = {1, 3, 2, 5, 1, 0, 0, 4, 4, 2, 2, 9};
        int[] y2 = {2, 1, 1, 0};
        assertThat(Metrics.topKAccuracy(s2, y2, 3, 1)).isEqualTo(0.0);
        assertThat(Metrics.topKAccuracy(s2, y2, 3, 2)).isEqualTo(0.75);
        assertThat(Metrics.topKAccuracy(s2, y2, 3, 3)).isEqualTo(1.0);
        assertThat(Metrics.topKAccuracy(new float[0], new int[0], 3, 1)).isNaN();
        assertThatThrownBy(() -> Metrics.topKAccuracy(s2, y2, 3, 0)).hasMessageContaining("k must be >= 1");
        assertThatThrownBy(() -> Metrics.topKAccuracy(s2, y2, 4, 1)).hasMessageContaining("12 scores for 4 rows x 4");
        assertThatThrownBy(() -> Metrics.topKAccuracy(new float[] {Float.NaN, 0}, new int[] {0}, 2, 1))
                .hasMessageContaining("NaN");
    }
}
