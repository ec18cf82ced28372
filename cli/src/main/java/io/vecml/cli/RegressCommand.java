package io.vecml.cli;

import io.vecml.engine.data.AtomicWrite;
import io.vecml.engine.data.CsvTable;
import io.vecml.engine.regression.LinearRegression;
import io.vecml.engine.regression.RegressionMetrics;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "regress", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Least-squares linear regression on CSV columns, with MAE, RMSE and R^2.",
            "",
            "Ordinary least squares by Householder QR in double, on CSV files whose first "
            + "line names the columns: intercept, coefficients, MAE, MSE, RMSE and R^2 on "
            + "the training rows and on the test rows: --test, or a holdout of --test-fraction (0.2) of the "
            + "--train rows by --split-seed (--test-fraction 0: fit on every row, no test rows)."},
        footer = {"", "Examples:",
            "  vecml regress --train student_scores.csv --target Scores --plot-png fit.png",
            "  vecml regress --train student_scores.csv --target Scores --test-fraction 0",
            "  vecml regress --train a.csv --test b.csv --target price --features area,rooms"})
final class RegressCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--train", required = true, paramLabel = "CSV",
            description = "Training rows: a CSV file (plain or .gz) whose first line names the columns.")
    Path train;

    @Option(names = "--test", paramLabel = "CSV", description = "Test rows with the same columns.")
    Path test;

    @Option(names = "--target", required = true, paramLabel = "NAME", description = "The column to predict.")
    String target;

    @Option(names = "--features", split = ",", paramLabel = "A,B",
            description = "Feature columns (default: every column but the target).")
    List<String> features;

    @Option(names = "--test-fraction", paramLabel = "F",
            description = "Without --test: the fraction of the --train rows held out as the test rows; 0 fits on"
                    + " every row (no test metrics). Default: " + DEFAULT_TEST_FRACTION + ".")
    Double testFraction;

    static final double DEFAULT_TEST_FRACTION = 0.2;

    @Option(names = "--split-seed", defaultValue = "42", paramLabel = "S",
            description = "Seed of that holdout. Default: ${DEFAULT-VALUE}.")
    long splitSeed;

    @Mixin
    SplitOptions split;

    @Mixin
    RowLimits rowLimits;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--plot-png", paramLabel = "FILE",
            description = "Draw the rows and the fitted line (one feature only).")
    Path plotPng;

    @Option(names = "--predictions", paramLabel = "OUT.csv",
            description = "Write the features, the target and the prediction of each test row (training rows"
                    + " without --test).")
    Path predictions;

    record Report(String train, String test, String target, List<String> features, int trainRows, Integer testRows,
            double intercept, Map<String, Double> coefficients, RegressionMetrics trainMetrics,
            RegressionMetrics testMetrics) {
    }

    @Override
    public Integer call() throws IOException {
        OutputPaths.png(plotPng, "--plot-png");
        OutputPaths.file(predictions, "--predictions");
        checkFile(train, "--train");
        if (test != null) {
            checkFile(test, "--test");
        }
        if (features != null && features.contains(target)) {
            throw new IllegalArgumentException("--features: '" + target + "' is the target, it cannot be a feature too");
        }
        if (plotPng != null && features != null && features.size() != 1) {
            throw new IllegalArgumentException("--plot-png draws one feature against the target; --features names "
                    + features.size() + " (" + String.join(", ", features) + "): choose one");
        }
        CsvTable trainTable = CsvTable.read(train, true);
        CsvTable testTable = test == null ? null : CsvTable.read(test, true);
        String heldOut = null;
        if (test != null && (testFraction != null || split.splitFile != null)) {
            throw new IllegalArgumentException("--test-fraction and --split-file hold rows out of --train; they do not go"
                    + " with --test");
        }
        if (testFraction != null && !(testFraction >= 0 && testFraction < 1)) {
            throw new IllegalArgumentException("--test-fraction must be in [0, 1) (0: no holdout), got " + testFraction);
        }
        if (testFraction != null && testFraction == 0 && split.splitFile != null) {
            throw new IllegalArgumentException("--test-fraction 0 (no holdout) does not go with --split-file");
        }
        if (trainTable.rows() == 0) {
            throw new IllegalArgumentException(train + ": no data rows after the header line (" + trainTable.columns()
                    + " columns named, 0 rows); a regression needs rows");
        }
        boolean holdout = test == null && (split.splitFile != null || testFraction == null || testFraction > 0);
        if (holdout) {
            double f = testFraction == null ? DEFAULT_TEST_FRACTION : testFraction;
            io.vecml.engine.data.Splits.Holdout h;
            try {
                h = split.holdout(trainTable.rows(), f, splitSeed);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(train + ": " + e.getMessage()
                        + (split.splitFile == null ? " (--test-fraction 0 fits on every row)" : ""), e);
            }
            testTable = trainTable.select(h.test());
            trainTable = trainTable.select(h.train());
            heldOut = split.describe(f, splitSeed);
        } else {
            split.rng(); // checks the option
        }
        rowLimits.validate();
        if (rowLimits.limit != null && testTable == null) {
            throw new IllegalArgumentException("--limit counts test rows and this run has none (give --test or"
                    + " --test-fraction); use --train-limit N for training rows");
        }
        trainTable = first(trainTable, rowLimits.trainLimit);
        testTable = testTable == null ? null : first(testTable, rowLimits.limit);
        LinearRegression m = LinearRegression.fit(trainTable, target, features == null ? List.of() : features);
        if (plotPng != null && m.features().size() != 1) {
            throw new IllegalArgumentException("--plot-png draws one feature against the target, but the model has "
                    + m.features().size() + " (" + String.join(", ", m.features()) + "); choose one with --features");
        }
        RegressionMetrics trainMetrics = m.evaluate(trainTable);
        RegressionMetrics testMetrics = testTable == null ? null : m.evaluate(testTable);
        if (predictions != null) {
            writePredictions(m, testTable == null ? trainTable : testTable, predictions);
        }
        if (plotPng != null) {
            Pictures.writePng(plot(m, trainTable, testTable), plotPng);
        }
        Map<String, Double> coef = new LinkedHashMap<>();
        double[] c = m.coefficients();
        for (int j = 0; j < c.length; j++) {
            coef.put(m.features().get(j), c[j]);
        }
        Report r = new Report(train.toString(), test != null ? test.toString() : heldOut == null ? null
                : "rows of " + train + " (" + heldOut + ")", target, m.features(),
                trainTable.rows(), testTable == null ? null : testTable.rows(), m.intercept(), coef, trainMetrics,
                testMetrics);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(r));
        } else {
            out.printf(Locale.ROOT, "least squares: %s ~ intercept + %s on %s (%d rows)%n%n", target,
                    String.join(" + ", m.features()), train + (heldOut == null ? "" : ", " + heldOut),
                    trainTable.rows());
            int w = Math.max(9, m.features().stream().mapToInt(String::length).max().orElse(0));
            out.printf(Locale.ROOT, "%-" + w + "s %14.6f%n", "intercept", m.intercept());
            for (int j = 0; j < c.length; j++) {
                out.printf(Locale.ROOT, "%-" + w + "s %14.6f%n", m.features().get(j), c[j]);
            }
            out.printf(Locale.ROOT, "%n%-6s %6s %12s %12s %12s %9s%n", "rows", "n", "MAE", "MSE", "RMSE", "R^2");
            printMetrics(out, "train", trainTable.rows(), trainMetrics);
            if (testMetrics != null) {
                printMetrics(out, "test", testTable.rows(), testMetrics);
            }
            if (predictions != null) {
                out.printf("%npredictions written to %s%n", predictions);
            }
            if (plotPng != null) {
                out.printf("%nplot drawn to %s%n", plotPng);
            }
        }
        out.flush();
        return 0;
    }

    /** The first {@code n} rows of {@code t} (all when n is null or not smaller). */
    private static CsvTable first(CsvTable t, Integer n) {
        if (n == null || n >= t.rows()) {
            return t;
        }
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        return t.select(rows);
    }

    private static void printMetrics(PrintWriter out, String name, int n, RegressionMetrics x) {
        out.printf(Locale.ROOT, "%-6s %6d %12.4f %12.4f %12.4f %9.4f%n", name, n, x.mae(), x.mse(), x.rmse(), x.r2());
    }

    private static void checkFile(Path p, String option) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(option + ": no such file: " + p);
        }
    }

    /** The rows as points (training, and test in another colour) and the fitted line over their x range. */
    static java.awt.image.BufferedImage plot(LinearRegression m, CsvTable train, CsvTable test) throws IOException {
        String feature = m.features().getFirst();
        List<Charts.Series> series = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int i = 0;
        for (CsvTable t : test == null ? List.of(train) : List.of(train, test)) {
            double[] x = t.column(feature);
            for (double v : x) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            series.add(new Charts.Series(t == train ? "training rows" : "test rows", x, t.column(m.target()),
                    Charts.PALETTE[i++], Charts.Style.POINTS));
        }
        double[] lx = {lo, hi};
        double[] ly = {m.predict(new double[] {lo}), m.predict(new double[] {hi})};
        series.add(new Charts.Series(String.format(Locale.ROOT, "fit: %s = %.4g %s %.4g x %s", m.target(),
                m.intercept(), m.coefficients()[0] < 0 ? "-" : "+", Math.abs(m.coefficients()[0]), feature), lx, ly,
                Charts.PALETTE[3], Charts.Style.LINE));
        return Charts.render(760, 480, List.of(new Charts.Panel(m.target() + " against " + feature
                + " (least squares)", feature, m.target(), series, false)));
    }

    /** CSV: the feature columns, the target, then predicted_TARGET; written atomically. */
    static void writePredictions(LinearRegression m, CsvTable t, Path file) throws IOException {
        List<double[]> cols = new ArrayList<>();
        for (String f : m.features()) {
            cols.add(t.column(f));
        }
        double[] y = t.column(m.target());
        AtomicWrite.write(file, os -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8));
            List<String> head = new ArrayList<>();
            for (String f : m.features()) {
                head.add(csv(f));
            }
            head.add(csv(m.target()));
            head.add(csv("predicted_" + m.target()));
            w.write(String.join(",", head));
            w.write('\n');
            double[] x = new double[cols.size()];
            for (int r = 0; r < y.length; r++) {
                StringBuilder b = new StringBuilder();
                for (int j = 0; j < x.length; j++) {
                    x[j] = cols.get(j)[r];
                    b.append(t.text(r, t.columnIndex(m.features().get(j)))).append(',');
                }
                b.append(t.text(r, t.columnIndex(m.target()))).append(',').append(m.predict(x)).append('\n');
                w.write(b.toString());
            }
            w.flush();
        });
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
