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

    private static void check(int[] predicted, int[] truth) {
        if (predicted.length != truth.length) {
            throw new IllegalArgumentException(predicted.length + " predictions for " + truth.length + " labels");
        }
    }
}
