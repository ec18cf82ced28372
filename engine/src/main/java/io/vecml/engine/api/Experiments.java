package io.vecml.engine.api;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Splits;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.ClassificationReport;
import io.vecml.engine.eval.CrossValidation;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridReports;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.LinearGridReports;
import io.vecml.engine.eval.LinearGridSearch;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.TrainingResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The experiment runner every face calls: a holdout or a given split, K-fold cross-validation of one
 * model, grid searches with the refit of the best candidate scored on the test split, repeats with the
 * determinism check, timing. Results are plain records (no printing, no JSON here): the command line
 * prints them, the server serialises them, library users read them. Progress goes to
 * {@link RunOptions#progress()}; results never depend on the {@link RunOptions}.
 */
public final class Experiments {

    private Experiments() {
    }

    // ---- splits --------------------------------------------------------------------------------

    /**
     * The training rows and the test rows (null: no test split) of an experiment. Closing frees what
     * the split made (held-out copies, limited copies), never the datasets it was given.
     */
    public static final class Split implements AutoCloseable {
        private final Dataset train;
        private final Dataset test;
        private final String holdout;
        private final List<Dataset> owned;

        private Split(Dataset train, Dataset test, String holdout, List<Dataset> owned) {
            this.train = Objects.requireNonNull(train, "train");
            this.test = test;
            this.holdout = holdout;
            this.owned = owned;
        }

        /** The data's own split ({@code test} may be null); nothing is copied or owned. */
        public static Split given(Dataset train, Dataset test) {
            if (test != null && test.dims() != train.dims()) {
                throw new IllegalArgumentException("training rows have " + train.dims() + " features, test rows "
                        + test.dims());
            }
            return new Split(train, test, null, new ArrayList<>());
        }

        /**
         * Rows {@code h.train()} of {@code all} for training, rows {@code h.test()} for testing (copies
         * owned by the split); {@code description} says how they were chosen ("held out 20%, seed 42").
         */
        public static Split holdout(Dataset all, Splits.Holdout h, String description) {
            List<Dataset> owned = new ArrayList<>();
            try {
                Dataset train = all.select(h.train());
                owned.add(train);
                Dataset test = all.select(h.test());
                owned.add(test);
                return new Split(train, test, description, owned);
            } catch (RuntimeException e) {
                owned.forEach(Dataset::close);
                throw e;
            }
        }

        /**
         * The first {@code trainLimit} training rows and the first {@code testLimit} test rows (either may be
         * null: all); this split's copies move to the returned one.
         *
         * @throws IllegalArgumentException for a test limit without a test split, or a limit below 1
         */
        public Split limit(Integer trainLimit, Integer testLimit) {
            if (trainLimit != null && trainLimit < 1 || testLimit != null && testLimit < 1) {
                throw new IllegalArgumentException("row limits must be >= 1, got " + trainLimit + " and " + testLimit);
            }
            if (testLimit != null && test == null) {
                throw new IllegalArgumentException("a test-row limit needs a test split");
            }
            List<Dataset> o = new ArrayList<>(owned);
            Dataset tr = train;
            Dataset te = test;
            if (trainLimit != null && trainLimit < train.rows()) {
                tr = Transforms.first(train, trainLimit);
                o.add(tr);
            }
            if (testLimit != null && testLimit < test.rows()) {
                te = Transforms.first(test, testLimit);
                o.add(te);
            }
            owned.clear();
            return new Split(tr, te, holdout, o);
        }

        public Dataset train() {
            return train;
        }

        /** The test rows, or null. */
        public Dataset test() {
            return test;
        }

        /** How the test rows were held out, or null when they are the data's own. */
        public String holdout() {
            return holdout;
        }

        @Override
        public void close() {
            for (int i = owned.size() - 1; i >= 0; i--) {
                owned.get(i).close();
            }
            owned.clear();
        }
    }

    // ---- repeats and timing --------------------------------------------------------------------

    /**
     * The last of {@code runs} identical runs, each run's seconds, and the time to report: the one run's,
     * or the median of runs 2..R (JIT-warm).
     */
    public record Repeated<T>(T result, List<Double> runSeconds, double seconds) {
    }

    /**
     * Runs {@code run} {@code repeats} times; every run must give what the one before gave
     * ({@code same}), or an {@link IllegalStateException} reports a determinism bug.
     */
    public static <T> Repeated<T> repeat(int repeats, Supplier<T> run, ToDoubleFunction<T> seconds,
            BiPredicate<T, T> same, String what) {
        if (repeats < 1 || repeats > 1000) {
            throw new IllegalArgumentException("repeats must be 1..1000, got " + repeats);
        }
        T last = null;
        List<Double> runs = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            T x = run.get();
            runs.add(seconds.applyAsDouble(x));
            if (last != null && !same.test(last, x)) {
                throw new IllegalStateException(what + " run " + (i + 1)
                        + " scored differently from the run before it: a determinism bug, please report it");
            }
            last = x;
        }
        double t = repeats == 1 ? runs.get(0) : median(runs.subList(1, runs.size()));
        return new Repeated<>(last, List.copyOf(runs), t);
    }

    /** The median (mean of the two middle values for an even count). */
    public static double median(List<Double> v) {
        if (v.isEmpty()) {
            throw new IllegalArgumentException("median of nothing");
        }
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    // ---- cross-validation of one model ---------------------------------------------------------

    /** One fold: its training and held-out row counts and its score. */
    public record FoldScore(int fold, int trainRows, int testRows, double score) {
    }

    /**
     * The cross-validated score of one model.
     *
     * @param model  a description of the model ("kNN (k 5, L2, uniform weights)")
     * @param cvSeed the fold shuffle's seed (null: unshuffled)
     * @param seed   {@code cvSeed} under its old JSON name, kept one release (deprecated: read {@code cvSeed})
     */
    public record CvReport(String source, int rows, int dims, String model, int folds, boolean stratified, Long cvSeed,
            Long seed, String standardize, String scoring, List<FoldScore> scores, double mean, double std,
            double seconds) {

        /**
         * {@code cvSeed} under its old name.
         *
         * @deprecated read {@link #cvSeed()}; the JSON field {@code seed} goes in the next release
         */
        @Deprecated
        @Override
        public Long seed() {
            return seed;
        }

        /** The report with {@code seed} = {@code cvSeed}. */
        public CvReport(String source, int rows, int dims, String model, int folds, boolean stratified, Long cvSeed,
                String standardize, String scoring, List<FoldScore> scores, double mean, double std, double seconds) {
            this(source, rows, dims, model, folds, stratified, cvSeed, cvSeed, standardize, scoring, scores, mean, std,
                    seconds);
        }
    }

    /**
     * Cross-validates {@code model} on {@code train}; {@code standardize} is how the caller scales (reported
     * as given, in its canonical spelling).
     */
    public static CvReport crossValidate(String source, Dataset train, CvSpec cv, Standardize standardize,
            String model, CrossValidation.Model fitPredict, RunOptions run) {
        long t0 = System.nanoTime();
        double[] s = CrossValidation.scores(train, cv, fitPredict, run.progress());
        double secs = (System.nanoTime() - t0) / 1e9;
        Splits.Fold[] parts = CrossValidation.folds(train, cv);
        List<FoldScore> folds = new ArrayList<>();
        for (int f = 0; f < s.length; f++) {
            folds.add(new FoldScore(f + 1, parts[f].train().length, parts[f].test().length, s[f]));
        }
        return new CvReport(source, train.rows(), train.dims(), model, cv.folds(), cv.stratified(), cv.seed(),
                standardize.id(), scoring(cv), folds, CrossValidation.mean(s), CrossValidation.std(s), secs);
    }

    // ---- grid searches -------------------------------------------------------------------------

    /** A kNN grid: k values, metrics and weightings (each at least one). */
    public record KnnGrid(int[] ks, List<Metric> metrics, List<Weights> weights) {
        public KnnGrid {
            ks = ks.clone();
            metrics = List.copyOf(metrics);
            weights = List.copyOf(weights);
        }
    }

    /**
     * The cross-validated kNN grid search on the split's training rows, {@code repeats} times with the
     * determinism check, then the best candidate refitted on all training rows and scored on the test
     * rows (when there are some).
     */
    public static KnnGridReports.Report knnGrid(String source, Split split, KnnGrid grid, CvSpec cv, int repeats,
            RunOptions run) {
        Dataset train = split.train();
        Repeated<KnnGridSearch.Result> r = repeat(repeats,
                () -> KnnGridSearch.run(train, grid.ks(), grid.metrics(), grid.weights(), cv, run.threads(),
                        run.progress()),
                KnnGridSearch.Result::seconds, Experiments::sameScores, "grid search");
        KnnGridSearch.Result res = r.result();
        List<KnnGridReports.Row> rows = new ArrayList<>();
        for (KnnGridSearch.Candidate c : res.candidates()) {
            rows.add(KnnGridReports.row(c));
        }
        KnnGridReports.TestScore test = split.test() == null ? null
                : KnnGridReports.refitAndScore(train, split.test(), res.best(), cv.scaling(), run.threads());
        return new KnnGridReports.Report(source, train.rows(), train.dims(), cv.folds(), cv.stratified(), cv.seed(),
                standardize(cv.scaling()).id(), scoring(cv), rows.size(), r.seconds(), r.runSeconds(),
                KnnGridReports.row(res.best()), test, rows);
    }

    private static boolean sameScores(KnnGridSearch.Result a, KnnGridSearch.Result b) {
        for (int c = 0; c < a.candidates().size(); c++) {
            if (!Arrays.equals(a.candidates().get(c).foldScores(), b.candidates().get(c).foldScores())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The cross-validated linear grid search on {@code train}, then the best candidate refitted on all of
     * it and scored on {@code test} (may be null). {@code base}'s preprocessing and {@code cv}'s scaling
     * must be {@code standardize}'s ({@link Standardize#linearScaling()}); {@code sgd}'s threads are
     * replaced by {@code run}'s.
     *
     * @throws IllegalArgumentException when every candidate diverged (the message suggests smaller
     *                                  learning rates, named by {@code lrName})
     */
    public static LinearGridReports.Report linearGrid(String source, Dataset train, Dataset test,
            LinearGridSearch.Grid grid, LinearConfig base, SgdConfig sgd, CvSpec cv, Standardize standardize,
            RunOptions run, String lrName) {
        SgdConfig s = sgd.withThreads(run.threads());
        LinearGridSearch.Result r = LinearGridSearch.run(train, grid, base, s, cv, run.progress());
        if (Double.isNaN(r.best().mean())) {
            throw new IllegalArgumentException("training diverged for every candidate: try smaller " + lrName
                    + " values");
        }
        List<LinearGridReports.Row> rows = new ArrayList<>();
        for (LinearGridSearch.Candidate c : r.candidates()) {
            rows.add(LinearGridReports.row(c));
        }
        LinearGridReports.TestScore ts = null;
        if (test != null) {
            TrainingResult refit = LinearGridSearch.refit(train, r.best().params(), base, s, cv);
            Dataset te = test.type() == train.type() ? test : test.toFloat32();
            try {
                int[] p = refit.model().predict(te, s.threads());
                ClassificationReport cr = ClassificationReport.of(p, te.labels(), train.classNames());
                ts = new LinearGridReports.TestScore(te.rows(), cr.accuracy(), cr.balancedAccuracy(), cr.macroF1());
            } finally {
                if (te != test) {
                    te.close();
                }
            }
        }
        return new LinearGridReports.Report(source, train.rows(), train.dims(), cv.folds(), cv.stratified(), cv.seed(),
                standardize.id(), scoring(cv), s.epochs(), s.batchSize(), s.seed(), rows.size(), r.seconds(),
                LinearGridReports.row(r.best()), ts, rows);
    }

    /** The {@link Standardize} that a kNN cross-validation's scaling is. */
    public static Standardize standardize(CvSpec.Scaling s) {
        return switch (s) {
            case NONE -> Standardize.NONE;
            case FOLD -> Standardize.TRAIN;
            case ALL -> Standardize.ALL;
        };
    }

    private static String scoring(CvSpec cv) {
        return cv.scoring().name().toLowerCase(Locale.ROOT);
    }
}
