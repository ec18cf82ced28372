package io.vecml.engine.linear;

import java.util.Locale;

/**
 * The data loss of a linear classifier, for one sample with scores s and true class y.
 *
 * <ul>
 *   <li>{@link #SVM}: the multiclass hinge loss L = sum over j != y of max(0, s_j - s_y + delta).</li>
 *   <li>{@link #SOFTMAX}: the cross-entropy L = -log(e^{s_y} / sum_j e^{s_j}), computed as
 *       log(sum_j e^{s_j - max}) - (s_y - max) so that large scores do not overflow.</li>
 * </ul>
 */
public enum Loss {
    SVM("svm"),
    SOFTMAX("softmax");

    private final String id;

    Loss(String id) {
        this.id = id;
    }

    /** The name used on the command line and in model files: {@code "svm"} or {@code "softmax"}. */
    public String id() {
        return id;
    }

    /** The loss with this {@link #id()} (case-insensitive). */
    public static Loss fromId(String id) {
        String s = id == null ? "" : id.strip().toLowerCase(Locale.ROOT);
        for (Loss l : values()) {
            if (l.id.equals(s)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + id + "': expected svm or softmax");
    }

    /**
     * The loss of one sample, in double.
     *
     * @param delta the SVM margin (ignored by softmax)
     */
    public double sampleLoss(double[] scores, int label, double delta) {
        java.util.Objects.checkIndex(label, scores.length);
        double sy = scores[label];
        if (this == SVM) {
            double l = 0;
            for (int j = 0; j < scores.length; j++) {
                if (j != label) {
                    l += Math.max(0, scores[j] - sy + delta);
                }
            }
            return l;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double sum = 0;
        for (double s : scores) {
            sum += Math.exp(s - max);
        }
        return Math.log(sum) - (sy - max);
    }

    /**
     * Class probabilities e^{s_j} / sum_k e^{s_k} in double, computed stably (the row maximum subtracted
     * first), as the lecture's numpy recipe: {@code f -= max(f); exp(f) / sum(exp(f))}.
     */
    public static double[] softmax(double[] scores) {
        if (scores.length == 0) {
            throw new IllegalArgumentException("softmax of no scores");
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double[] e = new double[scores.length];
        double sum = 0;
        for (int j = 0; j < e.length; j++) {
            e[j] = Math.exp(scores[j] - max);
            sum += e[j];
        }
        for (int j = 0; j < e.length; j++) {
            e[j] /= sum;
        }
        return e;
    }
}
