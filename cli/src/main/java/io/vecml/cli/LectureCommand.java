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
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vecml lecture}: the lecture notebook's recipes on the data shipped inside vecml, each number beside
 * what scikit-learn/numpy give for the same recipe (lecture-reference.json, written by scikit-learn through
 * the generator script; see its "writtenBy").
 */
@Command(name = "lecture", mixinStandardHelpOptions = true,
        description = {"The lecture's recipes, each number beside scikit-learn's for the same recipe.",
            "",
            "The lecture's recipes as its notebook runs them, on the data shipped inside vecml, each "
            + "number printed beside scikit-learn's/numpy's for the same recipe; exit code 1 if any differs.",
            "",
            "iris: train_test_split(test_size=0.2, random_state=42), StandardScaler fitted on the training rows, "
            + "GridSearchCV(KNeighborsClassifier, k 1..30 x {euclidean, manhattan}, cv=KFold(3, shuffle=True, "
            + "random_state=42)): the split and fold indices, every candidate's mean, std and rank, the best "
            + "parameters, CV score and test accuracy. Student scores: LinearRegression with the same split "
            + "(intercept, coefficient, MAE, MSE, RMSE, prediction for 9.25 hours). The SVM loss of the three-class "
            + "example and the stable softmax of [123, 456, 789].",
            "",
            "Indices, parameters and ranks must be equal; numbers agree within 1e-9 relative (1e-12 absolute "
            + "near zero): vecml computes these in double, as numpy; the iris features are float32 in vecml."})
final class LectureCommand implements Callable<Integer> {

    /** Relative tolerance of every float comparison. */
    static final double REL = 1e-9;
    /** Absolute floor of the tolerance (values near zero). */
    static final double ABS = 1e-12;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors; results do not depend on it).")
    Integer threads;

    @Option(names = "--data", paramLabel = "PATH", description = "Also run the lecture's image sections (kNN with L1"
            + " and L2, the template classifier, the SVM and softmax linear classifiers) on this dataset with a test"
            + " split, e.g. cifar-10-python.tar.gz; these have no reference numbers (your data).")
    String data;

    @Option(names = "--limit", paramLabel = "N", description = "With --data: use only the first N test images.")
    Integer limit;

    @Option(names = "--train-limit", paramLabel = "N", description = "With --data: use only the first N training images.")
    Integer trainLimit;

    @Option(names = "--k", paramLabel = "K", defaultValue = "1,5,10",
            description = "With --data: the kNN neighbour counts (1,3,5; 1..30; 1..30:2). Default: ${DEFAULT-VALUE}.")
    String ks;

    /** One model's result on --data. */
    record DataResult(String model, String settings, double accuracy, double balancedAccuracy, double seconds) {
    }

    /** One number (or list) of vecml beside the reference's. */
    record Check(String section, String quantity, Object vecml, Object reference, boolean equal, String rule) {
    }

    record Report(String reference, double relativeTolerance, List<Check> checks, int differing, boolean allEqual,
            String data, List<DataResult> dataResults) {
    }

    @Override
    public Integer call() throws IOException {
        int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (nThreads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + nThreads);
        }
        int[] kList = io.vecml.engine.api.Parse.ks(ks, "--k");
        if (limit != null && limit < 1 || trainLimit != null && trainLimit < 1) {
            throw new IllegalArgumentException("--limit and --train-limit must be >= 1");
        }
        if (data == null && (limit != null || trainLimit != null)) {
            throw new IllegalArgumentException("--limit and --train-limit go with --data");
        }
        JsonNode ref = reference();
        List<Check> checks = new ArrayList<>();
        iris(ref.get("iris"), checks, nThreads);
        studentScores(ref.get("studentScores"), checks);
        worked(ref, checks);
        int differing = (int) checks.stream().filter(c -> !c.equal()).count();
        List<DataResult> results = data == null ? List.of() : images(data, kList, nThreads);
        Report r = new Report(ref.get("writtenBy").asText(), REL, checks, differing, differing == 0, data, results);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(r));
        } else {
            print(out, r);
        }
        out.flush();
        if (differing > 0) {
            spec.commandLine().getErr().println("vecml lecture: " + differing + " of " + checks.size()
                    + " numbers differ from the reference");
            return Main.INTERNAL;
        }
        return 0;
    }

    /** The lecture's image sections on a dataset with a test split, through the application API. */
    private List<DataResult> images(String path, int[] kList, int nThreads) throws IOException {
        List<DataResult> out = new ArrayList<>();
        io.vecml.engine.api.RunOptions run = new io.vecml.engine.api.RunOptions(nThreads);
        try (LoadedData d = Datasets.load(path)) {
            if (!d.hasTest()) {
                throw new IllegalArgumentException(path + ": the image sections need a dataset with a test split"
                        + " (CIFAR-10, Fashion-MNIST, a folder with x_test.npy)");
            }
            try (Dataset train = first(d.train(), trainLimit); Dataset test = first(d.test(), limit)) {
                for (Metric m : List.of(Metric.L1, Metric.L2)) {
                    long t0 = System.nanoTime();
                    try (io.vecml.engine.api.KnnModel knn = new io.vecml.engine.api.KnnModel(
                            io.vecml.engine.api.KnnModel.Params.defaults().withMetric(m).withK(kList[kList.length - 1]),
                            run).fit(train)) {
                        // every k from one search, as the lecture's loop over k does
                        io.vecml.engine.knn.Neighbors nb = knn.kneighbors(test, kList[kList.length - 1]);
                        double search = (System.nanoTime() - t0) / 1e9;
                        try (io.vecml.engine.knn.KnnClassifier votes = new io.vecml.engine.knn.KnnClassifier(
                                io.vecml.engine.knn.KnnOptions.of(m)).fit(train)) {
                            int[][] p = votes.predictAll(nb, kList, Weights.UNIFORM);
                            for (int i = 0; i < kList.length; i++) {
                                out.add(result("kNN", m + ", k=" + kList[i], p[i], test, search));
                            }
                        }
                    }
                }
                for (Metric m : List.of(Metric.L1, Metric.L2)) {
                    long t0 = System.nanoTime();
                    io.vecml.engine.api.TemplateModel t = new io.vecml.engine.api.TemplateModel(
                            io.vecml.engine.api.TemplateModel.Params.defaults().withMetric(m), run).fit(train);
                    int[] p = t.predict(test);
                    out.add(result("template", "class means, " + m, p, test, (System.nanoTime() - t0) / 1e9));
                }
                for (Loss loss : List.of(Loss.SVM, Loss.SOFTMAX)) {
                    long t0 = System.nanoTime();
                    io.vecml.engine.api.LinearModel lm = new io.vecml.engine.api.LinearModel(
                            new io.vecml.engine.api.LinearModel.Params(
                                    io.vecml.engine.linear.LinearConfig.defaults().withLoss(loss),
                                    io.vecml.engine.train.SgdConfig.defaults()), run).fit(train);
                    int[] p = lm.predict(test);
                    out.add(result("linear", loss.id() + ", engine defaults (standardised, L2, SGD)", p, test,
                            (System.nanoTime() - t0) / 1e9));
                }
            }
        }
        return out;
    }

    private static Dataset first(Dataset d, Integer n) {
        int rows = n == null ? d.rows() : Math.min(n, d.rows());
        int[] idx = new int[rows];
        for (int i = 0; i < rows; i++) {
            idx[i] = i;
        }
        return d.select(idx);
    }

    private static DataResult result(String model, String settings, int[] p, Dataset test, double seconds) {
        int classes = test.numClasses();
        return new DataResult(model, settings, Scoring.ACCURACY.score(p, test.labels(), classes),
                Scoring.BALANCED_ACCURACY.score(p, test.labels(), classes), seconds);
    }

    static JsonNode reference() throws IOException {
        try (InputStream in = LectureCommand.class.getResourceAsStream("lecture-reference.json")) {
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
            try (InputStream in = LectureCommand.class.getResourceAsStream("student_scores.csv")) {
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

    private static String show(Object o) {
        if (o instanceof int[] a) {
            String t = Arrays.toString(a);
            return t.length() > 28 ? t.substring(0, 24) + " ...]" : t;
        }
        if (o instanceof Double d) {
            return String.format(Locale.ROOT, "%.17g", d);
        }
        return String.valueOf(o);
    }

    private static void print(PrintWriter out, Report r) {
        out.printf("the lecture's recipes in vecml, beside the reference (%s)%n", r.reference());
        String section = null;
        for (Check c : r.checks()) {
            if (!c.section().equals(section)) {
                section = c.section();
                out.printf(Locale.ROOT, "%n%s%n  %-44s %-30s %-30s %s%n", section, "", "vecml", "scikit-learn/numpy", "");
            }
            out.printf(Locale.ROOT, "  %-44s %-30s %-30s %s%n", c.quantity(), show(c.vecml()), show(c.reference()),
                    c.equal() ? "equal" : "DIFFERS (" + c.rule() + ")");
        }
        out.printf(Locale.ROOT, "%n%s: %d numbers, %d differ (indices, parameters and ranks exact; the rest within"
                + " %.0e relative)%n", r.allEqual() ? "all equal" : "DIFFERENT", r.checks().size(), r.differing(),
                r.relativeTolerance());
        if (!r.dataResults().isEmpty()) {
            out.printf(Locale.ROOT, "%nimage sections on %s (no reference: your data)%n  %-10s %-48s %9s %9s %9s%n",
                    r.data(), "model", "settings", "accuracy", "balanced", "seconds");
            for (DataResult d : r.dataResults()) {
                out.printf(Locale.ROOT, "  %-10s %-48s %9.4f %9.4f %9.2f%n", d.model(), d.settings(), d.accuracy(),
                        d.balancedAccuracy(), d.seconds());
            }
            out.println("  (kNN: every k from one neighbour search per metric; seconds are the search's)");
        }
    }
}
