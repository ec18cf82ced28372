package io.vecml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.CsvTable;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.SklearnSplits;
import io.vecml.engine.data.SplitRng;
import io.vecml.engine.data.Splits;
import io.vecml.engine.data.Standardizer;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CrossValidation;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridReports;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.regression.LinearRegression;
import io.vecml.engine.regression.RegressionMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;

/**
 * The checks of {@code vecml lecture}: each of the lecture's recipes computed by vecml beside the number
 * scikit-learn/numpy gave for it (lecture-reference.json, written by the generator script).
 */
final class LectureChecks {

    /** Relative tolerance of every float comparison. */
    static final double REL = 1e-9;
    /** Absolute floor of the tolerance (values near zero). */
    static final double ABS = 1e-12;

    /** One number (or list) of vecml beside the reference's. */
    record Check(String section, String quantity, Object vecml, Object reference, boolean equal, String rule) {
    }

    private LectureChecks() {
    }

    /** Runs every check into {@code checks}; returns who wrote the reference (its "writtenBy"). */
    static String all(List<Check> checks, int threads) throws IOException {
        JsonNode ref = reference();
        iris(ref.get("iris"), checks, threads);
        studentScores(ref.get("studentScores"), checks);
        worked(ref, checks);
        return ref.get("writtenBy").asText();
    }


    static JsonNode reference() throws IOException {
        try (InputStream in = LectureChecks.class.getResourceAsStream("lecture-reference.json")) {
            if (in == null) {
                throw new IllegalStateException("lecture-reference.json is missing from the vecml jar");
            }
            return new ObjectMapper().readTree(in);
        }
    }

    private static void iris(JsonNode ref, List<Check> checks, int threads) throws IOException {
        String s = "iris";
        try (LoadedData d = Datasets.load(Datasets.EMBEDDED_IRIS)) {
            Splits.Holdout h = SklearnSplits.trainTestSplit(d.train().rows(), ref.get("testSize").asDouble(),
                    ref.get("randomState").asLong());
            exact(checks, s, "train_test_split train indices", h.train(), ints(ref.get("trainIndices")));
            exact(checks, s, "train_test_split test indices", h.test(), ints(ref.get("testIndices")));
            try (Dataset rawTrain = d.train().select(h.train()); Dataset rawTest = d.train().select(h.test())) {
                Standardizer st = Standardizer.fit(rawTrain);
                try (Dataset train = st.apply(rawTrain); Dataset test = st.apply(rawTest)) {
                    CvSpec cv = new CvSpec(3, false, ref.get("randomState").asLong(), CvSpec.Scaling.NONE,
                            Scoring.ACCURACY).withRng(SplitRng.SKLEARN);
                    Splits.Fold[] folds = CrossValidation.folds(train, cv);
                    JsonNode rf = ref.get("folds");
                    for (int f = 0; f < folds.length; f++) {
                        exact(checks, s, "KFold fold " + f + " test indices", folds[f].test(), ints(rf.get(f).get("test")));
                    }
                    int[] ks = new int[30];
                    Arrays.setAll(ks, i -> i + 1);
                    KnnGridSearch.Result r = KnnGridSearch.run(train, ks, List.of(Metric.L2, Metric.L1),
                            List.of(Weights.UNIFORM), cv, threads);
                    JsonNode rc = ref.get("candidates");
                    int sameRank = 0;
                    int sameMean = 0;
                    for (JsonNode c : rc) {
                        KnnGridSearch.Candidate v = r.candidates().stream().filter(x -> metricName(x.metric())
                                .equals(c.get("metric").asText()) && x.k() == c.get("k").asInt()).findFirst().orElseThrow();
                        sameRank += v.rank() == c.get("rank").asInt() ? 1 : 0;
                        sameMean += close(v.mean(), c.get("mean").asDouble()) && close(v.std(), c.get("std").asDouble())
                                ? 1 : 0;
                    }
                    checks.add(new Check(s, "candidates with scikit-learn's rank", sameRank, rc.size(),
                            sameRank == rc.size(), "exact"));
                    checks.add(new Check(s, "candidates with scikit-learn's mean and std", sameMean, rc.size(),
                            sameMean == rc.size(), "1e-9 relative"));
                    String bestMetric = metricName(r.best().metric());
                    checks.add(new Check(s, "best metric", bestMetric, ref.get("bestMetric").asText(),
                            bestMetric.equals(ref.get("bestMetric").asText()), "exact"));
                    checks.add(new Check(s, "best k", r.best().k(), ref.get("bestK").asInt(),
                            r.best().k() == ref.get("bestK").asInt(), "exact"));
                    number(checks, s, "best CV accuracy", r.best().mean(), ref.get("bestCvScore").asDouble());
                    KnnGridReports.TestScore t = KnnGridReports.refitAndScore(train, test, r.best(), CvSpec.Scaling.NONE,
                            threads);
                    number(checks, s, "test accuracy (best refitted)", t.accuracy(), ref.get("testAccuracy").asDouble());
                }
            }
        }
    }

    private static void studentScores(JsonNode ref, List<Check> checks) throws IOException {
        String s = "student scores";
        CsvTable table = studentTable();
        double[] x = table.column("Hours");
        double[] y = table.column("Scores");
        Splits.Holdout h = SklearnSplits.trainTestSplit(x.length, ref.get("testSize").asDouble(),
                ref.get("randomState").asLong());
        exact(checks, s, "train_test_split train indices", h.train(), ints(ref.get("trainIndices")));
        exact(checks, s, "train_test_split test indices", h.test(), ints(ref.get("testIndices")));
        double[][] xtr = new double[h.train().length][];
        double[] ytr = new double[h.train().length];
        for (int i = 0; i < xtr.length; i++) {
            xtr[i] = new double[] {x[h.train()[i]]};
            ytr[i] = y[h.train()[i]];
        }
        double[][] xte = new double[h.test().length][];
        double[] yte = new double[h.test().length];
        for (int i = 0; i < xte.length; i++) {
            xte[i] = new double[] {x[h.test()[i]]};
            yte[i] = y[h.test()[i]];
        }
        LinearRegression m = LinearRegression.fit(xtr, ytr, List.of("Hours"), "Scores");
        RegressionMetrics e = m.evaluate(xte, yte);
        number(checks, s, "intercept", m.intercept(), ref.get("intercept").asDouble());
        number(checks, s, "coefficient (Hours)", m.coefficients()[0], ref.get("coefficient").asDouble());
        number(checks, s, "test MAE", e.mae(), ref.get("mae").asDouble());
        number(checks, s, "test MSE", e.mse(), ref.get("mse").asDouble());
        number(checks, s, "test RMSE", e.rmse(), ref.get("rmse").asDouble());
        number(checks, s, "prediction for 9.25 hours", m.predict(new double[] {9.25}), ref.get("prediction925").asDouble());
    }

    private static void worked(JsonNode ref, List<Check> checks) {
        JsonNode svm = ref.get("svm");
        JsonNode scores = svm.get("scores");
        double sum = 0;
        for (int i = 0; i < scores.size(); i++) {
            double[] row = doubles(scores.get(i));
            double l = Loss.SVM.sampleLoss(row, svm.get("labels").get(i).asInt(), 1.0);
            sum += l;
            number(checks, "SVM loss", "example " + i + " " + Arrays.toString(row), l, svm.get("losses").get(i).asDouble());
        }
        number(checks, "SVM loss", "mean over the 3 examples", sum / scores.size(), svm.get("meanLoss").asDouble());
        JsonNode sm = ref.get("softmax");
        double[] p = Loss.softmax(doubles(sm.get("scores")));
        JsonNode rp = sm.get("probabilities");
        for (int j = 0; j < p.length; j++) {
            number(checks, "softmax [123, 456, 789]", "p[" + j + "]", p[j], rp.get(j).asDouble());
        }
    }

    static CsvTable studentTable() throws IOException {
        Path tmp = Files.createTempFile("vecml-student-scores", ".csv");
        try {
            try (InputStream in = LectureChecks.class.getResourceAsStream("student_scores.csv")) {
                if (in == null) {
                    throw new IllegalStateException("student_scores.csv is missing from the vecml jar");
                }
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return CsvTable.read(tmp, true);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String metricName(Metric m) {
        return m == Metric.L2 ? "euclidean" : "manhattan";
    }

    static boolean close(double a, double b) {
        return Math.abs(a - b) <= Math.max(ABS, REL * Math.max(Math.abs(a), Math.abs(b)));
    }

    private static void number(List<Check> checks, String section, String what, double v, double r) {
        checks.add(new Check(section, what, v, r, close(v, r), "1e-9 relative"));
    }

    private static void exact(List<Check> checks, String section, String what, int[] v, int[] r) {
        checks.add(new Check(section, what, v, r, Arrays.equals(v, r), "exact"));
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    private static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

}
