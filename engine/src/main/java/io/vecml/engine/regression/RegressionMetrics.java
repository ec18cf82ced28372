package io.vecml.engine.regression;

/**
 * Regression errors of predictions against true values (as scikit-learn's mean_absolute_error,
 * mean_squared_error, its square root, and r2_score).
 *
 * @param mae  mean |y - p|
 * @param mse  mean (y - p)^2
 * @param rmse sqrt(mse)
 * @param r2   1 - SS_res / SS_tot; for a constant target (SS_tot = 0) 1 when the fit is perfect, else 0
 *             (scikit-learn's convention)
 */
public record RegressionMetrics(double mae, double mse, double rmse, double r2) {

    /** The metrics of {@code predicted} against {@code actual} (same length, at least 1). */
    public static RegressionMetrics of(double[] actual, double[] predicted) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException(actual.length + " true values but " + predicted.length + " predictions");
        }
        int n = actual.length;
        if (n == 0) {
            throw new IllegalArgumentException("no values to compare");
        }
        double mean = 0;
        for (double y : actual) {
            mean += y;
        }
        mean /= n;
        double abs = 0;
        double sq = 0;
        double tot = 0;
        for (int i = 0; i < n; i++) {
            double e = actual[i] - predicted[i];
            abs += Math.abs(e);
            sq += e * e;
            tot += (actual[i] - mean) * (actual[i] - mean);
        }
        double r2;
        if (tot == 0) {
            r2 = sq == 0 ? 1 : 0; // scikit-learn's convention for a constant target
        } else {
            r2 = 1 - sq / tot;
        }
        return new RegressionMetrics(abs / n, sq / n, Math.sqrt(sq / n), r2);
    }
}
