package io.vecml.engine.eval;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.train.SgdConfig;
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

    public record Report(String source, int rows, int dims, int folds, boolean stratified, Long seed, String standardize,
            String scoring, int epochs, int batchSize, long trainSeed, int candidates, double seconds, Row best,
            TestScore test, List<Row> results) {
    }

    /**
     * Runs the search on {@code train}, refits the best candidate on all of it and scores it on
     * {@code test} (may be null): {@link io.vecml.engine.api.Experiments#linearGrid}, kept for callers of
     * this signature ({@code stratified} and {@code seed} are {@code cv}'s; {@code standardize} is
     * reported in its canonical spelling, {@code fold} as {@code train}).
     *
     * @throws IllegalArgumentException when every candidate diverged (the message suggests smaller
     *                                  learning rates, named by {@code lrName})
     */
    public static Report run(String source, Dataset train, Dataset test, LinearGridSearch.Grid grid, LinearConfig base,
            SgdConfig sgd, CvSpec cv, boolean stratified, Long seed, String standardize, String lrName) {
        return io.vecml.engine.api.Experiments.linearGrid(source, train, test, grid, base, sgd, cv,
                io.vecml.engine.api.Standardize.parse(standardize, "standardize"),
                new io.vecml.engine.api.RunOptions(sgd.threads()), lrName);
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
