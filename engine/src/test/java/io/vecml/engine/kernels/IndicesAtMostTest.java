package io.vecml.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#indicesAtMost} of every available implementation against a plain loop, at sizes around
 * the lane counts and their multiples of four, with values at, just above and below the threshold,
 * NaN, infinities and signed zeros, dense and sparse.
 */
class IndicesAtMostTest {

    private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE};

    @Test
    void listsEveryIndexAtMostTheThresholdInOrder() {
        Random rnd = new Random(17);
        for (Kernels k : KernelSelection.available()) {
            for (int n : new int[] {0, 1, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 257, 1000, 4099}) {
                for (int trial = 0; trial < 40; trial++) {
                    float[] a = new float[n + 7];
                    // Dense (about half qualify), sparse (a few) or none.
                    int mode = trial % 3;
                    for (int i = 0; i < a.length; i++) {
                        a[i] = mode == 0 ? 95 + rnd.nextInt(10) : 100 + rnd.nextInt(50);
                    }
                    float thr = trial % 5 == 4 ? SPECIAL[rnd.nextInt(SPECIAL.length)] : 100 + rnd.nextInt(10);
                    for (int h = rnd.nextInt(6); h > 0; h--) {
                        int at = rnd.nextInt(a.length);
                        int kind = rnd.nextInt(4);
                        a[at] = kind == 0 ? thr : kind == 1 ? Math.nextUp(thr) : kind == 2 ? Math.nextDown(thr)
                                : SPECIAL[rnd.nextInt(SPECIAL.length)];
                    }
                    int from = rnd.nextInt(Math.min(n, 7) + 1);
                    int to = from + n - Math.min(n, from);
                    int[] want = new int[n];
                    int m = 0;
                    for (int i = from; i < to; i++) {
                        if (a[i] <= thr) {
                            want[m++] = i;
                        }
                    }
                    int[] out = new int[to - from + rnd.nextInt(3)];
                    Arrays.fill(out, -1);
                    int got = k.indicesAtMost(a, from, to, thr, out);
                    assertThat(got).as("%s n=%d trial=%d thr=%s", k.name(), n, trial, thr).isEqualTo(m);
                    assertThat(Arrays.copyOf(out, got)).as("%s n=%d trial=%d", k.name(), n, trial)
                            .containsExactly(Arrays.copyOf(want, m));
                    for (int i = got; i < out.length; i++) {
                        assertThat(out[i]).as("untouched beyond the count").isEqualTo(-1);
                    }
                }
            }
            assertThatThrownBy(() -> k.indicesAtMost(new float[3], 1, 4, 0f, new int[3]))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> k.indicesAtMost(new float[100], 0, 100, 1f, new int[99]))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
