package io.vecml.engine.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * The report of a linear-classifier grid search, shared by {@code vecml grid linear} and the
 * server's {@code /grid/linear}: plain records (JSON field names are the component names), the
 * search, and the refit of the best candidate scored on a test split.
 */
public final class LinearGridReports {

    private LinearGridReports() {
    }

    /** One candidate; mean, std and fold scores null when training diverged (JSON has no NaN). */
    public record Row(int candidate, String loss, String penalty, double learningRate, double lambda, Double mean,
            Double std, int rank, int divergedFolds, List<Double> foldScores) {
    }

    public record TestScore(int rows, double accuracy, double balancedAccuracy, double macroF1) {
    }

    /**
     * The whole report.
     *
     * @param cvSeed the fold shuffle's seed (null: unshuffled)
     * @param seed   {@code cvSeed} under its old JSON name, kept one release (deprecated: read {@code cvSeed})
     */
    public record Report(String source, int rows, int dims, int folds, boolean stratified, Long cvSeed,
            Long seed, String standardize, String scoring, int epochs, int batchSize, long trainSeed,
            int candidates, double seconds, Row best, TestScore test, List<Row> results) {

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
                String scoring, int epochs, int batchSize, long trainSeed, int candidates, double seconds, Row best,
                TestScore test, List<Row> results) {
            this(source, rows, dims, folds, stratified, cvSeed, cvSeed, standardize, scoring, epochs, batchSize,
                    trainSeed, candidates, seconds, best, test, results);
        }
    }

    public static Row row(LinearGridSearch.Candidate c) {
        List<Double> f = new ArrayList<>();
        for (double v : c.foldScores()) {
            f.add(finite(v));
        }
        return new Row(c.index() + 1, c.params().loss().id(), c.params().regularizer().kind().id(),
                c.params().learningRate(), c.params().regularizer().lambda(), finite(c.mean()), finite(c.std()),
                c.rank(), c.divergedFolds(), f);
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
