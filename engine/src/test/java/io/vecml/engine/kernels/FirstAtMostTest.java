package io.vecml.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Kernels#firstAtMost} of every available implementation against a plain loop, at sizes around the lane counts. */
class FirstAtMostTest {

    @Test
    void findsTheFirstValueAtMostTheThreshold() {
        Random rnd = new Random(13);
        for (Kernels k : KernelSelection.available()) {
            for (int n : new int[] {0, 1, 2, 7, 15, 16, 17, 31, 63, 64, 65, 127, 129, 1000}) {
                for (int trial = 0; trial < 30; trial++) {
                    float[] a = new float[n + 5];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = 100 + rnd.nextInt(50);
                    }
                    // A few values at, just above and below the threshold, or NaN, at random places.
                    float thr = 100 + rnd.nextInt(10);
                    for (int h = rnd.nextInt(3); h > 0; h--) {
                        int at = rnd.nextInt(a.length);
                        int kind = rnd.nextInt(4);
                        a[at] = kind == 0 ? thr : kind == 1 ? Math.nextUp(thr) : kind == 2 ? Math.nextDown(thr) : Float.NaN;
                    }
                    int from = n == 0 ? 0 : rnd.nextInt(Math.min(n, 5) + 1);
                    int to = from + n - Math.min(n, from);
                    int want = to;
                    for (int i = from; i < to; i++) {
                        if (a[i] <= thr) {
                            want = i;
                            break;
                        }
                    }
                    assertThat(k.firstAtMost(a, from, to, thr)).as("%s n=%d trial=%d", k.name(), n, trial)
                            .isEqualTo(want);
                }
            }
            assertThatThrownBy(() -> k.firstAtMost(new float[3], 1, 4, 0f)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
