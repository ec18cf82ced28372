package io.vecml.engine.eval;

/**
 * Classification metrics on predicted and true labels (0..classes-1), as scikit-learn defines them.
 */
public final class Metrics {

    private Metrics() {
    }

    /** Fraction of predictions equal to the truth (NaN for no rows). */
    public static double accuracy(int[] predicted, int[] truth) {
        check(predicted, truth);
        if (truth.length == 0) {
            return Double.NaN;
        }
        int ok = 0;
        for (int i = 0; i < truth.length; i++) {
            ok += predicted[i] == truth[i] ? 1 : 0;
        }
        return (double) ok / truth.length;
    }

    /**
     * Mean per-class recall over the classes that occur in {@code truth} (scikit-learn's
     * {@code balanced_accuracy_score}); NaN for no rows.
     */
    public static double balancedAccuracy(int[] predicted, int[] truth, int classes) {
        long[][] cm = confusion(predicted, truth, classes);
        double sum = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            long row = 0;
            for (long v : cm[c]) {
                row += v;
            }
            if (row > 0) {
                sum += (double) cm[c][c] / row;
                present++;
            }
        }
        return present == 0 ? Double.NaN : sum / present;
    }

    /** Confusion matrix: {@code [true][predicted]} counts. */
    public static long[][] confusion(int[] predicted, int[] truth, int classes) {
        check(predicted, truth);
        long[][] cm = new long[classes][classes];
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] < 0 || truth[i] >= classes || predicted[i] < 0 || predicted[i] >= classes) {
                throw new IllegalArgumentException("row " + i + ": label " + truth[i] + " / prediction " + predicted[i]
                        + " outside 0.." + (classes - 1));
            }
            cm[truth[i]][predicted[i]]++;
        }
        return cm;
    }

    /**
     * Per-class precision, recall, F1 and support (true rows per class), as scikit-learn's
     * {@code precision_recall_fscore_support(truth, predicted, labels=range(classes), zero_division=0)}:
     * a ratio with a zero denominator is 0 (precision of a class never predicted, recall of a class
     * absent from the truth), and F1 = 2PR / (P + R) from those, 0 when P + R = 0.
     *
     * @param precision tp / (tp + fp) per class
     * @param recall    tp / (tp + fn) per class
     * @param f1        harmonic mean of the two per class
     * @param support   rows of each class in the truth
     * @param present   whether the class occurs in the truth or the predictions (the classes
     *                  scikit-learn's averages run over when no labels are given)
     */
    public record PerClass(double[] precision, double[] recall, double[] f1, long[] support, boolean[] present) {

        public int classes() {
            return precision.length;
        }

        /** Unweighted mean over the present classes ({@code average="macro"}); NaN when none is. */
        public double macroPrecision() {
            return macro(precision);
        }

        public double macroRecall() {
            return macro(recall);
        }

        public double macroF1() {
            return macro(f1);
        }

        /** Mean over the present classes weighted by support ({@code average="weighted"}); NaN for no rows. */
        public double weightedPrecision() {
            return weighted(precision);
        }

        public double weightedRecall() {
            return weighted(recall);
        }

        public double weightedF1() {
            return weighted(f1);
        }

        private double macro(double[] v) {
            double s = 0;
            int n = 0;
            for (int c = 0; c < v.length; c++) {
                if (present[c]) {
                    s += v[c];
                    n++;
                }
            }
            return n == 0 ? Double.NaN : s / n;
        }

        private double weighted(double[] v) {
            double s = 0;
            long n = 0;
            for (int c = 0; c < v.length; c++) {
                s += v[c] * support[c];
                n += support[c];
            }
            return n == 0 ? Double.NaN : s / n;
        }
    }

    /** Precision, recall and F1 per class; see {@link PerClass}. */
    public static PerClass perClass(int[] predicted, int[] truth, int classes) {
        return perClass(confusion(predicted, truth, classes));
    }

    /** {@link #perClass(int[], int[], int)} from a confusion matrix ({@code [true][predicted]}). */
    public static PerClass perClass(long[][] cm) {
        int k = cm.length;
        double[] p = new double[k];
        double[] r = new double[k];
        double[] f = new double[k];
        long[] support = new long[k];
        boolean[] present = new boolean[k];
        for (int c = 0; c < k; c++) {
            if (cm[c].length != k) {
                throw new IllegalArgumentException("confusion matrix row " + c + " has " + cm[c].length
                        + " columns, expected " + k);
            }
            long predictedAs = 0;
            for (int t = 0; t < k; t++) {
                predictedAs += cm[t][c];
                support[c] += cm[c][t];
            }
            long tp = cm[c][c];
            p[c] = predictedAs == 0 ? 0 : (double) tp / predictedAs;
            r[c] = support[c] == 0 ? 0 : (double) tp / support[c];
            // scikit-learn's order of operations: (1 + beta^2) P R / (beta^2 P + R)
            double denom = p[c] + r[c];
            f[c] = denom == 0 ? 0 : 2 * p[c] * r[c] / denom;
            present[c] = predictedAs > 0 || support[c] > 0;
        }
        return new PerClass(p, r, f, support, present);
    }

    /**
     * Fraction of rows whose true class is among the {@code k} highest of its {@code classes} scores
     * (row-major n x classes, e.g. {@code LinearClassifier.scores}), as scikit-learn's
     * {@code top_k_accuracy_score(truth, scores, k=k, labels=range(classes))} for multiclass scores.
     *
     * <p>Ties follow scikit-learn (a stable ascending sort, reversed): among equal scores the
     * <em>larger</em> class index ranks higher. So the true class t is within the top k when
     * #{j: s_j > s_t} + #{j > t: s_j == s_t} < k. Note that this differs from {@code predict}, where
     * a tie goes to the smallest class: with tied scores, top-1 accuracy may differ from accuracy.
     * k >= classes gives 1. NaN for no rows; NaN scores are refused.
     */
    public static double topKAccuracy(float[] scores, int[] truth, int classes, int k) {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (scores.length != (long) truth.length * classes) {
            throw new IllegalArgumentException(scores.length + " scores for " + truth.length + " rows x " + classes
                    + " classes");
        }
        if (truth.length == 0) {
            return Double.NaN;
        }
        int hits = 0;
        for (int i = 0; i < truth.length; i++) {
            int t = truth[i];
            if (t < 0 || t >= classes) {
                throw new IllegalArgumentException("row " + i + ": label " + t + " outside 0.." + (classes - 1));
            }
            int off = i * classes;
            float st = scores[off + t];
            int above = 0;
            for (int j = 0; j < classes; j++) {
                float s = scores[off + j];
                if (Float.isNaN(s)) {
                    throw new IllegalArgumentException("row " + i + ": score of class " + j + " is NaN");
                }
                if (s > st || s == st && j > t) {
                    above++;
                }
            }
            hits += above < k ? 1 : 0;
        }
        return (double) hits / truth.length;
    }

    private static void check(int[] predicted, int[] truth) {
        if (predicted.length != truth.length) {
            throw new IllegalArgumentException(predicted.length + " predictions for " + truth.length + " labels");
        }
    }
}
