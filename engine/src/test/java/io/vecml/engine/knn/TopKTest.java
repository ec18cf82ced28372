package io.vecml.engine.knn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopKTest {

    @ParameterizedTest(name = "heap={0}")
    @ValueSource(booleans = {false, true})
    void keepsTheKSmallestInOrder(boolean heap) {
        Random rnd = new Random(3);
        for (int k : new int[] {1, 2, 5, 63, 64, 65, 100, 1000}) {
            for (int n : new int[] {0, 1, k - 1, k, k + 1, 3 * k + 7, 5000}) {
                if (n < 0) {
                    continue;
                }
                long[] keys = new long[n];
                for (int i = 0; i < n; i++) {
                    // Few distinct distances: many equal distances, told apart by the index.
                    keys[i] = (long) rnd.nextInt(20) << 31 | i;
                }
                TopK top = new TopK(k, heap);
                for (long key : keys) {
                    if (key < top.worst()) {
                        top.offer(key);
                    }
                }
                long[] want = keys.clone();
                Arrays.sort(want);
                long[] got = new long[k];
                int c = top.sortedInto(got, 0);
                assertThat(c).isEqualTo(Math.min(k, n));
                assertThat(Arrays.copyOf(got, c)).as("k=%d n=%d", k, n).isEqualTo(Arrays.copyOf(want, c));
            }
        }
    }

    @ParameterizedTest(name = "heap={0}")
    @ValueSource(booleans = {false, true})
    void clearStartsOver(boolean heap) {
        TopK top = new TopK(2, heap);
        top.offer(5);
        top.offer(3);
        top.offer(9);
        assertThat(top.worst()).isEqualTo(5);
        top.clear();
        assertThat(top.size()).isZero();
        assertThat(top.worst()).isEqualTo(Long.MAX_VALUE);
        top.offer(7);
        long[] out = new long[2];
        assertThat(top.sortedInto(out, 0)).isEqualTo(1);
        assertThat(out[0]).isEqualTo(7);
        assertThatThrownBy(() -> new TopK(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
