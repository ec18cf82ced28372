package io.vecml.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#accumulateRowsF64} of every available implementation (the SIMD one included when
 * the JVM has it) against a plain loop: exactly on integer-valued inputs (every partial sum is an
 * integer below 2^53, so any order and fusing give the same double), within gamma_(n+1) times the
 * sum of magnitudes on random doubles; row lengths around the lane counts, odd row counts.
 */
class AccumulateRowsTest {

    private static final int[] MS = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 100};
    private static final int[] NS = {0, 1, 2, 3, 4, 5, 17, 100, 784};

    @Test
    void integerInputsGiveExactSums() {
        Random rnd = new Random(21);
        for (Kernels k : KernelSelection.available()) {
            for (int m : MS) {
                for (int n : NS) {
                    int d = n + 7;
                    double[] w = new double[d * m];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = rnd.nextInt(17) - 8;
                    }
                    int[] rows = new int[n + 3];
                    double[] x = new double[n + 3];
                    for (int a = 0; a < rows.length; a++) {
                        rows[a] = rnd.nextInt(d);
                        x[a] = rnd.nextInt(256);
                    }
                    double[] acc = new double[m + 2];
                    for (int i = 0; i < acc.length; i++) {
                        acc[i] = rnd.nextInt(1000) - 500;
                    }
                    double[] want = acc.clone();
                    for (int a = 0; a < n; a++) {
                        for (int j = 0; j < m; j++) {
                            want[j] += x[a] * w[rows[a] * m + j];
                        }
                    }
                    k.accumulateRowsF64(w, m, rows, x, n, acc);
                    assertThat(acc).as("%s m=%d n=%d", k.name(), m, n).containsExactly(want);
                }
            }
        }
    }

    @Test
    void randomInputsWithinTheRoundingBound() {
        Random rnd = new Random(22);
        for (Kernels k : KernelSelection.available()) {
            for (int m : MS) {
                for (int n : NS) {
                    int d = n + 5;
                    double[] w = new double[d * m];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = rnd.nextGaussian();
                    }
                    int[] rows = new int[n];
                    double[] x = new double[n];
                    for (int a = 0; a < n; a++) {
                        rows[a] = rnd.nextInt(d);
                        x[a] = rnd.nextInt(256);
                    }
                    double[] acc = new double[m];
                    double[] want = new double[m];
                    double[] mag = new double[m];
                    for (int j = 0; j < m; j++) {
                        acc[j] = rnd.nextGaussian();
                        java.math.BigDecimal s = new java.math.BigDecimal(acc[j]);
                        mag[j] = Math.abs(acc[j]);
                        for (int a = 0; a < n; a++) {
                            double p = x[a] * w[rows[a] * m + j];
                            s = s.add(new java.math.BigDecimal(x[a]).multiply(new java.math.BigDecimal(w[rows[a] * m + j])));
                            mag[j] += Math.abs(p);
                        }
                        want[j] = s.doubleValue();
                    }
                    k.accumulateRowsF64(w, m, rows, x, n, acc);
                    double gamma = (n + 1) * 0x1p-53 / (1 - (n + 1) * 0x1p-53);
                    for (int j = 0; j < m; j++) {
                        assertThat(Math.abs(acc[j] - want[j])).as("%s m=%d n=%d j=%d", k.name(), m, n, j)
                                .isLessThanOrEqualTo(gamma * mag[j] + Math.ulp(want[j]));
                    }
                }
            }
        }
    }

    @Test
    void rejectsRowsOutsideTheMatrix() {
        for (Kernels k : KernelSelection.available()) {
            for (int m : new int[] {1, 8, 48}) {
                double[] w = new double[3 * m];
                assertThatThrownBy(() -> k.accumulateRowsF64(w, m, new int[] {0, 3}, new double[] {1, 1}, 2,
                        new double[m])).as(k.name() + " m=" + m).isInstanceOf(IndexOutOfBoundsException.class);
                assertThatThrownBy(() -> k.accumulateRowsF64(w, m, new int[] {-1}, new double[] {1}, 1,
                        new double[m])).as(k.name() + " m=" + m).isInstanceOf(IndexOutOfBoundsException.class);
            }
        }
    }
}
