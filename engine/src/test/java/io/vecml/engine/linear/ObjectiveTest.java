package io.vecml.engine.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ObjectiveTest {

    static Stream<Named<Kernels>> kernels() {
        return KernelSelection.available().stream().map(k -> Named.of(k.name(), k));
    }

    /** The lecture's three images; scores per class (cat, car, frog), columns are the images. */
    private static final double[][] LECTURE_SCORES = {{3.2, 5.1, -1.7}, {1.3, 4.9, 2.0}, {2.2, 2.5, -3.1}};
    private static final int[] LECTURE_LABELS = {0, 1, 2};

    @Test
    void lectureSvmExample() {
        double[] losses = new double[3];
        for (int i = 0; i < 3; i++) {
            losses[i] = Loss.SVM.sampleLoss(LECTURE_SCORES[i], LECTURE_LABELS[i], 1.0);
        }
        assertThat(losses[0]).isCloseTo(2.9, within(1e-12));
        assertThat(losses[1]).isEqualTo(0.0);
        assertThat(losses[2]).isCloseTo(12.9, within(1e-12));
        assertThat((losses[0] + losses[1] + losses[2]) / 3).isCloseTo(5.27, within(0.005));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void lectureSvmExampleOnTheFloatPath(Kernels k) {
        float[] s = new float[9];
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 3; c++) {
                s[i * 3 + c] = (float) LECTURE_SCORES[i][c];
            }
        }
        float[] ds = new float[9];
        Objective obj = new Objective(Loss.SVM, 1.0, Regularizer.none());
        Objective.BatchStats st = obj.scoreGradient(s, LECTURE_LABELS, 0, 3, 3, ds, 3, k);
        assertThat(st.lossSum() / 3).isCloseTo(5.27, within(0.005));
        assertThat(st.lossSum()).isCloseTo(15.8, within(1e-5));
        // car image: no active margin; cat image: car active (2.9), frog not; frog image: both active
        assertThat(ds).containsExactly(-1 / 3f, 1 / 3f, 0f, 0f, 0f, 0f, 1 / 3f, 1 / 3f, -2 / 3f);
        // highest scores: car, car, car -> only the car image is right
        assertThat(st.correct()).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void softmaxOfLargeScoresIsFinite(Kernels k) {
        double[] s = {123, 456, 789};
        // python3 -c "from scipy.special import logsumexp; import numpy as np; s=np.array([123.,456,789]);
        //   print(logsumexp(s)-s[0], logsumexp(s)-s[2])"  -> 666.0 0.0 (e^-333 vanishes)
        assertThat(Loss.SOFTMAX.sampleLoss(s, 0, 1)).isCloseTo(666.0, within(1e-9));
        assertThat(Loss.SOFTMAX.sampleLoss(s, 2, 1)).isCloseTo(0.0, within(1e-12));
        float[] p = {123, 456, 789};
        k.softmaxRows(MemorySegment.ofArray(p), 0, 1, 3);
        assertThat(p).containsExactly(0f, 0f, 1f);
        float[] fs = {123, 456, 789, 123, 456, 789};
        float[] ds = new float[6];
        Objective obj = new Objective(Loss.SOFTMAX, 1.0, Regularizer.none());
        Objective.BatchStats st = obj.scoreGradient(fs, new int[] {0, 2}, 0, 2, 3, ds, 2, k);
        // label 0's probability underflows to 0 in float: the loss comes from the log-sum-exp instead
        assertThat(st.lossSum()).isCloseTo(666.0, within(1e-9));
        assertThat(ds).containsExactly(-0.5f, 0f, 0.5f, 0f, 0f, 0f);
        assertThat(st.correct()).isEqualTo(1);
    }

    private static final double[][] X = {{1, 2}, {3, -1}, {0, 0.5}};
    private static final int[] Y = {0, 2, 1};
    private static final double[] W = {0.1, -0.2, 0.3, 0.05, 0.4, -0.1, 0.01, 0.02, -0.03};

    /*
     * /usr/bin/python3 -c "
     * import numpy as np; from scipy.special import logsumexp
     * X=np.array([[1,2],[3,-1],[0,0.5]]); y=np.array([0,2,1])
     * W=np.array([[0.1,-0.2,0.3],[0.05,0.4,-0.1],[0.01,0.02,-0.03]])
     * S=np.hstack([X,np.ones((3,1))])@W
     * m=np.maximum(0,S-S[np.arange(3),y][:,None]+1); m[np.arange(3),y]=0; svm=m.sum(1).mean()
     * sm=(logsumexp(S,axis=1)-S[np.arange(3),y]).mean()
     * l2=0.1*(W[:2]**2).sum(); l1=0.1*np.abs(W[:2]).sum(); en=0.1*(0.3*np.abs(W[:2]).sum()+0.7*(W[:2]**2).sum())
     * print(repr(svm+l2), repr(sm+l2), repr(svm+l1), repr(sm+en), repr(sm+0.1*(W**2).sum()))"
     */
    @Test
    void lossValuesAgreeWithNumpy() {
        assertThat(new Objective(Loss.SVM, 1, Regularizer.l2(0.1)).lossAndGradient(X, Y, W, 3, null))
                .isCloseTo(1.3895833333333334, within(1e-12));
        assertThat(new Objective(Loss.SOFTMAX, 1, Regularizer.l2(0.1)).lossAndGradient(X, Y, W, 3, null))
                .isCloseTo(0.9153761219623598, within(1e-12));
        assertThat(new Objective(Loss.SVM, 1, Regularizer.l1(0.1)).lossAndGradient(X, Y, W, 3, null))
                .isCloseTo(1.4733333333333334, within(1e-12));
        assertThat(new Objective(Loss.SOFTMAX, 1, Regularizer.elasticNet(0.1, 0.3)).lossAndGradient(X, Y, W, 3, null))
                .isCloseTo(0.9405011219623598, within(1e-12));
        assertThat(new Objective(Loss.SOFTMAX, 1, Regularizer.l2(0.1).withBias(true)).lossAndGradient(X, Y, W, 3, null))
                .isCloseTo(0.9155161219623599, within(1e-12));
    }

    @Test
    void regularizerFormulas() {
        assertThat(Regularizer.l2(0.5).penalty(-2)).isEqualTo(2.0);
        assertThat(Regularizer.l2(0.5).derivative(-2)).isEqualTo(-2.0);
        assertThat(Regularizer.l1(0.5).penalty(-2)).isEqualTo(1.0);
        assertThat(Regularizer.l1(0.5).derivative(-2)).isEqualTo(-0.5);
        assertThat(Regularizer.l1(0.5).derivative(0)).isEqualTo(0.0);
        assertThat(Regularizer.elasticNet(0.5, 0.25).penalty(-2)).isCloseTo(0.5 * (0.25 * 2 + 0.75 * 4), within(1e-15));
        assertThat(Regularizer.elasticNet(0.5, 0.25).derivative(-2)).isCloseTo(0.5 * (-0.25 - 2 * 0.75 * 2), within(1e-15));
        assertThat(Regularizer.none().penalty(3)).isZero();
        assertThat(Regularizer.Kind.fromId("Elastic-Net")).isEqualTo(Regularizer.Kind.ELASTIC_NET);
        assertThat(Loss.fromId("SVM")).isEqualTo(Loss.SVM);
        assertThat(Preprocessing.fromId("standardise")).isEqualTo(Preprocessing.STANDARDIZE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Loss.fromId("hinge"))
                .hasMessageContaining("expected svm or softmax");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Regularizer.l2(-1))
                .hasMessageContaining("lambda must be finite and >= 0");
    }
}
