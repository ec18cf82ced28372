package io.vecml.engine.distance;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.gemm.JavaGemm;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.kernels.ScalarKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The GEMM L2 path against direct distances; SIMD distance matrices against the scalar ones. */
class DistanceMatricesTest {

    private static Dataset random(Dataset.Type type, int rows, int dims, long seed) {
        Dataset d = Dataset.allocate(type, rows, dims, new int[rows], List.of("x"));
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                if (type == Dataset.Type.UINT8) {
                    d.setU8(r, c, rnd.nextInt(256));
                } else {
                    d.setF32(r, c, (float) rnd.nextGaussian());
                }
            }
        }
        return d;
    }

    @Test
    void everyKernelGivesTheSameExactUint8Matrices() {
        try (Dataset q = random(Dataset.Type.UINT8, 23, 301, 1); Dataset t = random(Dataset.Type.UINT8, 41, 301, 2)) {
            for (Metric m : Metric.values()) {
                long[] ref = DistanceMatrices.exactU8(ScalarKernels.INSTANCE, m, q, t);
                for (Kernels k : KernelSelection.available()) {
                    assertThat(DistanceMatrices.exactU8(k, m, q, t)).as("%s %s", k.name(), m).isEqualTo(ref);
                }
                // Spot-check the reference itself.
                long want = 0;
                for (int c = 0; c < 301; c++) {
                    int diff = q.u8(3, c) - t.u8(5, c);
                    want += m == Metric.L1 ? Math.abs(diff) : (long) diff * diff;
                }
                assertThat(ref[3 * 41 + 5]).isEqualTo(want);
            }
        }
    }

    @Test
    void gemmL2MatchesDirectDistances() {
        List<Gemm> gemms = new ArrayList<>();
        gemms.add(new JavaGemm(2));
        GemmSelection.current().blas().ifPresent(b -> gemms.add(GemmSelection.current().create(1)));
        try (Dataset q = random(Dataset.Type.FLOAT32, 37, 785, 3); Dataset t = random(Dataset.Type.FLOAT32, 53, 785, 4)) {
            float[] direct = DistanceMatrices.directF32(ScalarKernels.INSTANCE, Metric.L2, q, t);
            for (Gemm g : gemms) {
                float[] viaGemm = DistanceMatrices.l2sqGemm(g, KernelSelection.current().kernels(), q, t);
                for (int i = 0; i < direct.length; i++) {
                    // Error bound of ||q||^2 + ||t||^2 - 2 q.t in float: a few ulps of the norms.
                    assertThat(viaGemm[i]).as("%s [%d]", g.name(), i).isCloseTo(direct[i],
                            org.assertj.core.data.Offset.offset(1e-4f * 2 * 785));
                }
                assertThat(DistanceMatrices.nearest(viaGemm, 37, 53)).isEqualTo(DistanceMatrices.nearest(direct, 37, 53));
            }
        }
    }

    @Test
    void gemmIsExactOnSmallIntegers() {
        // The demo relies on this: values below 256 over 64 dims keep every partial sum below 2^24, exact in float.
        try (Dataset q8 = random(Dataset.Type.UINT8, 9, 64, 5); Dataset t8 = random(Dataset.Type.UINT8, 11, 64, 6);
             Dataset q = q8.toFloat32(); Dataset t = t8.toFloat32()) {
            long[] exact = DistanceMatrices.exactU8(ScalarKernels.INSTANCE, Metric.L2, q8, t8);
            float[] g = DistanceMatrices.l2sqGemm(new JavaGemm(1), ScalarKernels.INSTANCE, q, t);
            for (int i = 0; i < exact.length; i++) {
                assertThat((long) g[i]).isEqualTo(exact[i]);
            }
        }
    }

    @Test
    void nearestBreaksTiesBySmallestIndex() {
        assertThat(DistanceMatrices.nearest(new long[] {5, 3, 3, 9}, 1, 4)).containsExactly(1);
        assertThat(DistanceMatrices.nearest(new float[] {2f, 2f, 1f, 1f}, 2, 2)).containsExactly(0, 0);
    }
}
