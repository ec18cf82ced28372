package io.vecml.engine.linear;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.gemm.JavaGemm;
import io.vecml.engine.kernels.KernelSelection;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GradientCheckTest {

    static Stream<Arguments> combinations() {
        List<Regularizer> regs = List.of(Regularizer.none(), Regularizer.l2(0.05), Regularizer.l1(0.05),
                Regularizer.elasticNet(0.05, 0.3), Regularizer.l2(0.05).withBias(true),
                Regularizer.elasticNet(0.05, 0.6).withBias(true));
        List<Arguments> out = new ArrayList<>();
        for (Loss loss : Loss.values()) {
            for (Regularizer r : regs) {
                out.add(Arguments.of(loss, r));
            }
        }
        return out.stream();
    }

    private static Dataset random(int rows, int dims, int classes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] labels = IntStream.range(0, rows).map(i -> rnd.nextInt(classes)).toArray();
        Dataset d = Dataset.allocate(Dataset.Type.FLOAT32, rows, dims, labels,
                IntStream.range(0, classes).mapToObj(i -> "c" + i).toList());
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                d.setF32(r, c, (float) rnd.nextDouble(-2, 2));
            }
        }
        return d;
    }

    @ParameterizedTest
    @MethodSource("combinations")
    void analyticGradientMatchesCentredDifferences(Loss loss, Regularizer reg) {
        LinearConfig cfg = new LinearConfig(loss, 1.0, reg, Preprocessing.RAW);
        try (Dataset data = random(23, 9, 4, 7)) {
            // weights of scale 0.5: scores spread, so some SVM margins are active and some are not
            GradientCheck.Result r = GradientCheck.check(data, cfg, 23, 0.5, 40, 11, 1e-5,
                    GemmSelection.current().create(1), KernelSelection.current().kernels());
            assertThat(r.entries()).hasSize(40);
            long kinks = r.entries().stream().filter(GradientCheck.Entry::nearKink).count();
            assertThat(kinks).isLessThan(5);
            assertThat(r.maxRelativeError()).isLessThan(1e-6);
            // the float32 GEMM path agrees with the double gradient to float accuracy
            assertThat(r.maxFastPathRelativeError()).isLessThan(1e-4);
            for (GradientCheck.Entry e : r.entries()) {
                if (!e.nearKink()) {
                    assertThat(e.relativeError()).isLessThan(1e-6);
                }
            }
            if (loss == Loss.SVM) {
                // the hinge's gradient is piecewise constant in W: at least one entry is non-zero
                assertThat(r.entries()).anyMatch(e -> e.analytic() != 0);
            }
        }
    }

    @Test
    void aWrongGradientIsCaught() {
        // The check must be able to fail: a gradient off by 1% at one weight shows up.
        try (Dataset data = random(10, 4, 3, 1)) {
            LinearConfig cfg = new LinearConfig(Loss.SOFTMAX, 1.0, Regularizer.l2(0.1), Preprocessing.RAW);
            double[][] x = new double[10][4];
            for (int r = 0; r < 10; r++) {
                for (int f = 0; f < 4; f++) {
                    x[r][f] = data.f32(r, f);
                }
            }
            double[] w = new double[15];
            SplittableRandom rnd = new SplittableRandom(3);
            for (int i = 0; i < w.length; i++) {
                w[i] = rnd.nextGaussian();
            }
            Objective obj = Objective.of(cfg);
            double[] g = new double[15];
            obj.lossAndGradient(x, data.labels(), w, 3, g);
            double h = 1e-5;
            w[4] += h;
            double plus = obj.lossAndGradient(x, data.labels(), w, 3, null);
            w[4] -= 2 * h;
            double minus = obj.lossAndGradient(x, data.labels(), w, 3, null);
            double num = (plus - minus) / (2 * h);
            assertThat(GradientCheck.relativeError(g[4], num)).isLessThan(1e-6);
            assertThat(GradientCheck.relativeError(g[4] * 1.01, num)).isGreaterThan(1e-3);
        }
    }

    /*
     * The two paths of the training gradient: the fused kernels (a row longer than a few vectors,
     * with a stripe tail) and, past BatchGradient.FUSED_MAX_CLASSES classes, the GEMMs.
     */
    @Test
    void fusedAndGemmPathsGiveTheAnalyticGradient() {
        for (int classes : new int[] {4, BatchGradient.FUSED_MAX_CLASSES + 1}) {
            try (Dataset data = random(70, 53, classes, 9)) {
                for (Loss loss : Loss.values()) {
                    LinearConfig cfg = new LinearConfig(loss, 1.0, Regularizer.l2(0.05), Preprocessing.CENTER);
                    GradientCheck.Result r = GradientCheck.check(data, cfg, 70, 0.1, 40, 3, 1e-5,
                            GemmSelection.current().create(1), KernelSelection.current().kernels());
                    // The float32 path against the analytic gradient, the point here: relatively, or
                    // absolutely where the exact value is about 0 (a bias gradient whose terms cancel
                    // leaves a float rounding residue, relative error 1). The numerical check of the
                    // hinge is left to the tests above: with 70 rows some margins sit within the step
                    // of a kink that the kink test does not flag.
                    for (GradientCheck.Entry e : r.entries()) {
                        if (Math.abs(e.analytic()) > 1e-6) {
                            assertThat(e.fastPathRelativeError()).as("%s, %d classes: %s", loss, classes, e)
                                    .isLessThan(1e-4);
                        } else {
                            assertThat(Math.abs(e.fastPath())).as("%s, %d classes: %s", loss, classes, e)
                                    .isLessThan(1e-6);
                        }
                    }
                    if (loss == Loss.SOFTMAX) {
                        assertThat(r.maxRelativeError()).as("%d classes", classes).isLessThan(1e-6);
                    }
                }
            }
        }
    }

    @Test
    void standardisedDigitsWithTheJavaGemm() {
        try (Dataset digits = EmbeddedData.digits()) {
            for (Loss loss : Loss.values()) {
                LinearConfig cfg = LinearConfig.defaults().withLoss(loss).withRegularizer(Regularizer.elasticNet(1e-2, 0.5));
                GradientCheck.Result r = GradientCheck.check(digits, cfg, 200, 0.01, 30, 5, 1e-5, new JavaGemm(2),
                        KernelSelection.current().kernels());
                assertThat(r.maxRelativeError()).as(loss.id()).isLessThan(1e-6);
                assertThat(r.maxFastPathRelativeError()).as(loss.id()).isLessThan(1e-3);
            }
        }
    }
}
