package io.vecml.engine.regression;

import io.vecml.engine.data.CsvTable;
import io.vecml.engine.data.DataFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Ordinary least squares with an intercept: y ~ intercept + sum_j coef_j x_j, fitted in double by
 * Householder QR of [1, X] (no normal equations, so no squared condition number).
 *
 * <p>Fitting refuses a singular problem with an {@link IllegalArgumentException} that names the
 * cause: a constant feature (indistinguishable from the intercept), a feature that is a linear
 * combination of others, or fewer rows than unknowns. Instances are immutable.
 */
public final class LinearRegression {

    private final List<String> features;
    private final String target;
    private final double intercept;
    private final double[] coefficients;

    private LinearRegression(List<String> features, String target, double intercept, double[] coefficients) {
        this.features = List.copyOf(features);
        this.target = target;
        this.intercept = intercept;
        this.coefficients = coefficients.clone();
    }

    /**
     * Fits on rows {@code x} (n x p, p >= 1) and targets {@code y}.
     *
     * @param features names for messages and reports (p of them)
     * @param target   the target's name
     */
    public static LinearRegression fit(double[][] x, double[] y, List<String> features, String target) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        int n = x.length;
        if (n != y.length) {
            throw new IllegalArgumentException(n + " rows but " + y.length + " target values");
        }
        if (n == 0) {
            throw new IllegalArgumentException("cannot fit a regression on 0 rows");
        }
        int p = x[0].length;
        if (p == 0) {
            throw new IllegalArgumentException("need at least one feature");
        }
        if (features.size() != p) {
            throw new IllegalArgumentException(p + " features but " + features.size() + " names");
        }
        for (int i = 0; i < n; i++) {
            if (x[i].length != p) {
                throw new IllegalArgumentException("row " + i + " has " + x[i].length + " features, expected " + p);
            }
            for (double v : x[i]) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("row " + i + " has a non-finite feature value " + v);
                }
            }
            if (!Double.isFinite(y[i])) {
                throw new IllegalArgumentException("row " + i + " has a non-finite target " + y[i]);
            }
        }
        if (n < p + 1) {
            throw new IllegalArgumentException("an intercept and " + p + " coefficients need at least " + (p + 1)
                    + " rows, got " + n);
        }
        double[][] a = new double[n][p + 1];
        for (int i = 0; i < n; i++) {
            a[i][0] = 1;
            System.arraycopy(x[i], 0, a[i], 1, p);
        }
        double[] beta;
        try {
            beta = HouseholderQr.solve(a, y);
        } catch (HouseholderQr.RankDeficient e) {
            throw new IllegalArgumentException(singularMessage(x, features, e.column - 1), e);
        }
        double[] coef = new double[p];
        System.arraycopy(beta, 1, coef, 0, p);
        return new LinearRegression(features, target, beta[0], coef);
    }

    private static String singularMessage(double[][] x, List<String> features, int j) {
        boolean constant = true;
        for (double[] row : x) {
            constant &= row[j] == x[0][j];
        }
        String name = "'" + features.get(j) + "'";
        if (constant) {
            return "feature " + name + " is constant (" + x[0][j] + " in every row), so it cannot be told apart from"
                    + " the intercept; drop it";
        }
        return "feature " + name + " is a linear combination of "
                + (j == 0 ? "the intercept" : "the intercept and " + String.join(", ", features.subList(0, j).stream()
                .map(f -> "'" + f + "'").toList()))
                + " (the features are collinear), so the least-squares solution is not unique; drop one of them";
    }

    /**
     * Fits on a CSV table with a header: the target column by name, the features by name (all
     * other columns when {@code features} is empty).
     *
     * @throws DataFormatException when a column is missing or a cell is not a number
     */
    public static LinearRegression fit(CsvTable table, String target, List<String> features)
            throws DataFormatException {
        Data d = columns(table, target, features);
        try {
            return fit(d.x, d.y, d.features, target);
        } catch (IllegalArgumentException e) {
            // Too few rows, collinear features: the table is the input, so the message names its file.
            throw new IllegalArgumentException(table.file() + ": " + e.getMessage(), e);
        }
    }

    /** The feature rows and target of a table. */
    private record Data(double[][] x, double[] y, List<String> features) {
    }

    private static Data columns(CsvTable table, String target, List<String> features) throws DataFormatException {
        if (!table.hasHeader()) {
            throw new DataFormatException(table.file() + ": a regression needs a header naming the columns");
        }
        int ti = table.columnIndex(target);
        if (table.rows() == 0) {
            throw new DataFormatException(table.file() + ": no data rows after the header line (" + table.columns()
                    + " columns named, 0 rows); a regression needs rows");
        }
        List<String> names = new ArrayList<>();
        List<Integer> idx = new ArrayList<>();
        if (features == null || features.isEmpty()) {
            for (int c = 0; c < table.columns(); c++) {
                if (c != ti) {
                    names.add(table.names().get(c));
                    idx.add(c);
                }
            }
        } else {
            for (String f : features) {
                names.add(f);
                idx.add(table.columnIndex(f));
            }
        }
        if (idx.isEmpty()) {
            throw new DataFormatException(table.file() + ": no feature columns besides the target '" + target + "'");
        }
        double[] y = table.column(ti);
        double[][] x = new double[table.rows()][idx.size()];
        for (int j = 0; j < idx.size(); j++) {
            double[] col = table.column(idx.get(j));
            for (int r = 0; r < x.length; r++) {
                x[r][j] = col[r];
            }
        }
        return new Data(x, y, names);
    }

    public double intercept() {
        return intercept;
    }

    /** Coefficients in feature order. */
    public double[] coefficients() {
        return coefficients.clone();
    }

    public List<String> features() {
        return features;
    }

    public String target() {
        return target;
    }

    /** The prediction for one row of features. */
    public double predict(double[] x) {
        if (x.length != coefficients.length) {
            throw new IllegalArgumentException("the model has " + coefficients.length + " features, the row has "
                    + x.length);
        }
        double s = intercept;
        for (int j = 0; j < x.length; j++) {
            s += coefficients[j] * x[j];
        }
        return s;
    }

    public double[] predict(double[][] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = predict(x[i]);
        }
        return out;
    }

    /** Metrics of the predictions for {@code x} against {@code y}. */
    public RegressionMetrics evaluate(double[][] x, double[] y) {
        return RegressionMetrics.of(y, predict(x));
    }

    /** Metrics on a table with the same feature and target columns (by name). */
    public RegressionMetrics evaluate(CsvTable table) throws DataFormatException {
        Data d = columns(table, target, features);
        return evaluate(d.x, d.y);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(target).append(" = ").append(intercept);
        for (int j = 0; j < coefficients.length; j++) {
            b.append(coefficients[j] < 0 ? " - " : " + ").append(Math.abs(coefficients[j])).append(" * ")
                    .append(features.get(j));
        }
        return b.toString();
    }
}
