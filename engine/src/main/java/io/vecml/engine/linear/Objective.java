package io.vecml.engine.linear;

import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The training objective of a linear classifier: mean data loss over a batch plus the penalty,
 * J(W) = (1/B) sum_i L_i(x_i W) + R(W), with W of shape (D+1) x C (the last row is the bias).
 *
 * <p>Two implementations of the same mathematics: {@link #lossAndGradient}, a plain double
 * reference used by the gradient check and the tests, and {@link #scoreGradient}, the float
 * step between the two GEMMs of a training batch ({@link BatchGradient}).
 */
public record Objective(Loss loss, double delta, Regularizer regularizer) {

    public Objective {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(regularizer, "regularizer");
    }

    public static Objective of(LinearConfig c) {
        return new Objective(c.loss(), c.delta(), c.regularizer());
    }

    /**
     * J(W) in double, and optionally its gradient.
     *
     * @param x    n rows of D (already preprocessed) features; the bias feature 1 is implicit
     * @param y    n labels in 0..C-1
     * @param w    (D+1) x C weights, row-major
     * @param grad null, or (D+1) x C receiving dJ/dW
     */
    public double lossAndGradient(double[][] x, int[] y, double[] w, int classes, double[] grad) {
        int n = x.length;
        if (n == 0 || y.length != n) {
            throw new IllegalArgumentException(n + " rows and " + y.length + " labels: need at least one of each, as many");
        }
        int d = x[0].length;
        if (w.length != (d + 1) * classes) {
            throw new IllegalArgumentException("weights have " + w.length + " values, expected (" + d + " + 1) x "
                    + classes);
        }
        if (grad != null) {
            java.util.Arrays.fill(grad, 0);
        }
        double[] s = new double[classes];
        double[] ds = new double[classes];
        double data = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                double v = w[d * classes + c];
                for (int f = 0; f < d; f++) {
                    v += x[i][f] * w[f * classes + c];
                }
                s[c] = v;
            }
            int yi = y[i];
            data += loss.sampleLoss(s, yi, delta);
            if (grad == null) {
                continue;
            }
            if (loss == Loss.SVM) {
                int active = 0;
                for (int c = 0; c < classes; c++) {
                    ds[c] = c != yi && s[c] - s[yi] + delta > 0 ? 1 : 0;
                    active += (int) ds[c];
                }
                ds[yi] = -active;
            } else {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : s) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    ds[c] = Math.exp(s[c] - max);
                    sum += ds[c];
                }
                for (int c = 0; c < classes; c++) {
                    ds[c] = ds[c] / sum - (c == yi ? 1 : 0);
                }
            }
            for (int f = 0; f <= d; f++) {
                double xf = f < d ? x[i][f] : 1;
                for (int c = 0; c < classes; c++) {
                    grad[f * classes + c] += xf * ds[c] / n;
                }
            }
        }
        double reg = 0;
        for (int f = 0; f <= d; f++) {
            if (!regularizer.penalises(f, d)) {
                continue;
            }
            for (int c = 0; c < classes; c++) {
                double v = w[f * classes + c];
                reg += regularizer.penalty(v);
                if (grad != null) {
                    grad[f * classes + c] += regularizer.derivative(v);
                }
            }
        }
        return data / n + reg;
    }

    /** What {@link #scoreGradient} found in a batch. */
    public record BatchStats(double lossSum, int correct) {
    }

    /**
     * From the scores of a batch (B x C row-major, float), the data-loss gradient with respect to
     * the scores, already divided by {@code gradScale} (the batch size of the mean), and the summed
     * loss and the number of rows whose highest score is their label (ties: smallest class).
     *
     * <p>The O(B C) loop of a training step. Softmax uses the SIMD {@link Kernels#softmaxRows}
     * (stable: the row maximum is subtracted) and one log per row, falling back to a double
     * log-sum-exp when the label's probability underflows to 0.
     *
     * @param s      the scores; left unchanged
     * @param labels labels of the batch rows, from {@code labelsOff}
     * @param ds     receives dL/dS / gradScale
     */
    public BatchStats scoreGradient(float[] s, int[] labels, int labelsOff, int batch, int classes, float[] ds,
            float gradScale, Kernels kernels) {
        int correct = 0;
        for (int i = 0; i < batch; i++) {
            int o = i * classes;
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (s[o + c] > s[o + best]) {
                    best = c;
                }
            }
            if (best == labels[labelsOff + i]) {
                correct++;
            }
        }
        float inv = 1f / gradScale;
        double lossSum = 0;
        if (loss == Loss.SVM) {
            float dl = (float) delta;
            for (int i = 0; i < batch; i++) {
                int o = i * classes;
                int yi = labels[labelsOff + i];
                float sy = s[o + yi];
                int active = 0;
                float li = 0;
                for (int c = 0; c < classes; c++) {
                    float m = s[o + c] - sy + dl;
                    boolean on = c != yi && m > 0;
                    ds[o + c] = on ? inv : 0f;
                    if (on) {
                        active++;
                        li += m;
                    }
                }
                ds[o + yi] = -active * inv;
                lossSum += li;
            }
            return new BatchStats(lossSum, correct);
        }
        System.arraycopy(s, 0, ds, 0, batch * classes);
        kernels.softmaxRows(MemorySegment.ofArray(ds), 0, batch, classes);
        for (int i = 0; i < batch; i++) {
            int o = i * classes;
            int yi = labels[labelsOff + i];
            float py = ds[o + yi];
            lossSum += py > 0 && py <= 1 ? -Math.log(py) : logSumExpLoss(s, o, classes, yi);
            for (int c = 0; c < classes; c++) {
                ds[o + c] = (ds[o + c] - (c == yi ? 1f : 0f)) * inv;
            }
        }
        return new BatchStats(lossSum, correct);
    }

    private static double logSumExpLoss(float[] s, int o, int classes, int yi) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, s[o + c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(s[o + c] - max);
        }
        return Math.log(sum) - (s[o + yi] - max);
    }
}
