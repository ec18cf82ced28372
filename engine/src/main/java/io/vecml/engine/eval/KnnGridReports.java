package io.vecml.engine.eval;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Standardizer;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import java.util.List;
import java.util.Locale;

/**
 * The kNN grid-search report shared by {@code vecml grid knn --json}, the demo and the server's
 * {@code /grid/knn}: the same records, so the same JSON fields, and the same refit on the test split
 * (plain records in the engine, so that the server needs no command-line class).
 */
public final class KnnGridReports {

    private KnnGridReports() {
    }

    /** One candidate. */
    public record Row(String metric, int k, String weights, double mean, double std, int rank, double[] foldScores) {
    }

    /** The best candidate refitted on all training rows, scored on the test split. */
    public record TestScore(int rows, double accuracy, double balancedAccuracy) {
    }

    /**
     * The whole report.
     *
     * @param cvSeed the fold shuffle's seed (null: unshuffled)
     * @param seed   {@code cvSeed} under its old JSON name, kept one release (deprecated: read {@code cvSeed})
     */
    public record Report(String source, int rows, int dims, int folds, boolean stratified, Long cvSeed,
            Long seed, String standardize, String scoring, int candidates, double seconds,
            List<Double> runSeconds, Row best, TestScore test, List<Row> results) {

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
        public Report(String source, int rows, int dims, int folds, boolean stratified, Long cvSeed, String standardize,
                String scoring, int candidates, double seconds, List<Double> runSeconds, Row best, TestScore test,
                List<Row> results) {
            this(source, rows, dims, folds, stratified, cvSeed, cvSeed, standardize, scoring, candidates, seconds,
                    runSeconds, best, test, results);
        }
    }

    public static Row row(KnnGridSearch.Candidate c) {
        return new Row(c.metric().name(), c.k(), c.weights().name().toLowerCase(Locale.ROOT), c.mean(), c.std(),
                c.rank(), c.foldScores());
    }

    /** Refits {@code best} on {@code train} (standardised as in the search) and scores it on {@code test}. */
    public static TestScore refitAndScore(Dataset train, Dataset test, KnnGridSearch.Candidate best,
            CvSpec.Scaling scaling, int threads) {
        Dataset tr = train;
        Dataset te = test;
        if (train.type() != test.type() && scaling == CvSpec.Scaling.NONE) {
            throw new IllegalArgumentException("training and test splits have different types");
        }
        if (scaling != CvSpec.Scaling.NONE) {
            Standardizer st = Standardizer.fit(train);
            tr = st.apply(train);
            te = st.apply(test);
        }
        try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(best.metric()).withWeights(best.weights())
                .withThreads(threads)).fit(tr)) {
            int[] p = knn.predict(te, best.k());
            return new TestScore(te.rows(), Metrics.accuracy(p, te.labels()),
                    Metrics.balancedAccuracy(p, te.labels(), train.numClasses()));
        } finally {
            if (tr != train) {
                tr.close();
                te.close();
            }
        }
    }
}
