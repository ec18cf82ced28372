package io.vecml.cli;

import io.vecml.engine.data.CsvTable;
import io.vecml.engine.data.Splits;
import io.vecml.engine.regression.LinearRegression;
import io.vecml.engine.regression.RegressionMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The least-squares section of {@code vecml demo}: Scores against Hours on the embedded student-scores table. */
final class DemoRegression {

    record RegressionSection(String table, String target, String feature, int trainRows, int testRows,
            double intercept, double slope, RegressionMetrics train, RegressionMetrics test, double seconds) {
    }

    private DemoRegression() {
    }

    static RegressionSection run(DemoRun run) throws IOException {
        long t0 = System.nanoTime();
        Path tmp = Files.createTempFile("vecml-student-scores", ".csv");
        CsvTable table;
        try {
            try (InputStream in = DemoRegression.class.getResourceAsStream("student_scores.csv")) {
                if (in == null) {
                    throw new IllegalStateException("student_scores.csv is missing from the vecml jar");
                }
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            table = CsvTable.read(tmp, true);
        } finally {
            Files.deleteIfExists(tmp);
        }
        double[] x = table.column("Hours");
        double[] y = table.column("Scores");
        Splits.Holdout h = run.splitRng.holdout(x.length, 0.2, run.splitSeed);
        double[][] xtr = rows(x, h.train());
        double[] ytr = pick(y, h.train());
        double[][] xte = rows(x, h.test());
        double[] yte = pick(y, h.test());
        LinearRegression m = LinearRegression.fit(xtr, ytr, List.of("Hours"), "Scores");
        RegressionMetrics mtr = m.evaluate(xtr, ytr);
        RegressionMetrics mte = m.evaluate(xte, yte);
        double secs = (System.nanoTime() - t0) / 1e9;
        run.picture("regression", "regression.png", () -> {
            double[] lx = {Arrays.stream(x).min().orElse(0), Arrays.stream(x).max().orElse(1)};
            double[] ly = {m.predict(new double[] {lx[0]}), m.predict(new double[] {lx[1]})};
            return Charts.render(760, 480, List.of(new Charts.Panel("Scores against Hours (least squares)", "Hours",
                    "Scores", List.of(
                            new Charts.Series("training rows", pick(x, h.train()), ytr, Charts.PALETTE[0],
                                    Charts.Style.POINTS),
                            new Charts.Series("test rows", pick(x, h.test()), yte, Charts.PALETTE[1],
                                    Charts.Style.POINTS),
                            new Charts.Series(String.format(Locale.ROOT, "fit: Scores = %.4g + %.4g x Hours",
                                    m.intercept(), m.coefficients()[0]), lx, ly, Charts.PALETTE[3], Charts.Style.LINE)),
                    false)));
        });
        return new RegressionSection("student_scores.csv (embedded, 25 rows)", "Scores", "Hours", ytr.length,
                yte.length, m.intercept(), m.coefficients()[0], mtr, mte, secs);
    }

    private static double[][] rows(double[] x, int[] idx) {
        double[][] r = new double[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            r[i] = new double[] {x[idx[i]]};
        }
        return r;
    }

    private static double[] pick(double[] v, int[] idx) {
        double[] r = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            r[i] = v[idx[i]];
        }
        return r;
    }
}
