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
}
