package io.vecml.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.DistanceMatrices;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.gemm.JavaGemm;
import io.vecml.engine.kernels.ScalarKernels;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DistanceAgreementTest {

    private static Dataset random(Dataset.Type type, int rows, int dims, long seed, float scale) {
        Random rnd = new Random(seed);
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = i % 2;
        }
        Dataset d = Dataset.allocate(type, rows, dims, labels, List.of("a", "b"));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                if (type == Dataset.Type.UINT8) {
                    d.setU8(r, c, rnd.nextInt(256));
                } else {
                    d.setF32(r, c, (float) (rnd.nextGaussian() * scale + scale));
                }
            }
        }
        return d;
    }

    /** Exact squared L2 distances in double. */
    private static double[] exactL2(Dataset q, Dataset t) {
        double[] out = new double[q.rows() * t.rows()];
        for (int i = 0; i < q.rows(); i++) {
            for (int j = 0; j < t.rows(); j++) {
                double s = 0;
                for (int c = 0; c < q.dims(); c++) {
                    double v = (double) q.value(i, c) - t.value(j, c);
                    s += v * v;
                }
                out[i * t.rows() + j] = s;
            }
        }
        return out;
    }

    @Test
    void floatGemmDistancesAreWithinTheBoundAndAPerturbationIsNot() {
        for (int d : new int[] {1, 17, 300, 1031}) {
            try (Dataset q = random(Dataset.Type.FLOAT32, 13, d, d, 100f);
                 Dataset t = random(Dataset.Type.FLOAT32, 29, d, d + 1, 100f)) {
                double[] ref = exactL2(q, t);
                float[] got = DistanceMatrices.l2sqGemm(new JavaGemm(1), ScalarKernels.INSTANCE, q, t);
                DistanceAgreement.Check c = DistanceAgreement.gemmL2(ref, got, q, t);
                assertThat(c.same()).as("d=%d: %s", d, c.text()).isTrue();
                got[5] = (float) (ref[5] * 1.01 + 1);
                assertThat(DistanceAgreement.gemmL2(ref, got, q, t).same()).as("d=%d perturbed", d).isFalse();
                assertThat(DistanceAgreement.gemmL2(ref, got, q, t).text()).startsWith("DIFFERS");
            }
        }
    }

    @Test
    void smallUint8IsExactAndAnyDifferenceIsABug() {
        try (Dataset q = random(Dataset.Type.UINT8, 7, 64, 1, 0); Dataset t = random(Dataset.Type.UINT8, 11, 64, 2, 0);
             Dataset qF = q.toFloat32(); Dataset tF = t.toFloat32()) {
            double[] ref = exactL2(q, t);
            float[] got = DistanceMatrices.l2sqGemm(new JavaGemm(1), ScalarKernels.INSTANCE, qF, tF);
            DistanceAgreement.Check c = DistanceAgreement.gemmL2(ref, got, q, t);
            assertThat(c.text()).isEqualTo("exact");
            got[3] += 1;
            assertThat(DistanceAgreement.gemmL2(ref, got, q, t).same()).isFalse();
        }
    }

    @Test
    void directComparisonAndNearestNeighbourAccuracy() {
        try (Dataset q = random(Dataset.Type.UINT8, 9, 32, 3, 0); Dataset t = random(Dataset.Type.UINT8, 20, 32, 4, 0)) {
            long[] l1 = DistanceMatrices.exactU8(ScalarKernels.INSTANCE, Metric.L1, q, t);
            double[] a = new double[l1.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = l1[i];
            }
            assertThat(DistanceAgreement.direct(a, a.clone(), true, 32).text()).isEqualTo("exact");
            double[] b = a.clone();
            b[0] += 1;
            assertThat(DistanceAgreement.direct(a, b, true, 32).same()).isFalse();
            // the training rows themselves as queries: each is its own nearest neighbour
            long[] self = DistanceMatrices.exactU8(ScalarKernels.INSTANCE, Metric.L2, t, t);
            assertThat(DistanceAgreement.nn1Accuracy(self, t, t)).isEqualTo(1.0);
        }
    }
}
