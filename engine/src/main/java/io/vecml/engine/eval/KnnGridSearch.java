package io.vecml.engine.eval;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Neighbors;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.progress.ProgressListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cross-validated grid search for kNN over k x metric x weights. The neighbours are searched once
 * per fold and metric, up to the largest k; every k and weighting is scored from those same ordered
 * lists, which gives exactly what fitting each candidate alone gives (neighbour lists are exact and
 * ordered by (distance, index), so the first k of the largest-k list are the k-list).
 *
 * <p>Candidates are ordered as scikit-learn's ParameterGrid orders {@code {metric, n_neighbors,
 * weights}}: metric outermost, then k, then weights; ranks are scikit-learn's ("min" ranking of the
 * mean score) and the best candidate is the first with rank 1.
 */
public final class KnnGridSearch {

    private KnnGridSearch() {
    }

    /** One grid point and its cross-validated scores. */
    public record Candidate(Metric metric, int k, Weights weights, double[] foldScores, double mean, double std,
            int rank) {
    }

    /** All candidates in grid order, and the best. */
    public record Result(List<Candidate> candidates, Candidate best, int folds, double seconds) {
    }

    public static Result run(Dataset data, int[] ks, List<Metric> metrics, List<Weights> weights, CvSpec cv,
            int threads) {
        return run(data, ks, metrics, weights, cv, threads, ProgressListener.NONE);
    }

    /**
     * As above; {@code progress} hears the neighbour searches done out of folds x metrics (each scores
     * every k and weighting of its metric; stage {@code "grid search"}).
     */
    public static Result run(Dataset data, int[] ks, List<Metric> metrics, List<Weights> weights, CvSpec cv,
            int threads, ProgressListener progress) {
        java.util.Objects.requireNonNull(progress, "progress");
        io.vecml.engine.data.DataChecks.requireTrainable(data, "the kNN grid search");
        if (ks.length == 0 || metrics.isEmpty() || weights.isEmpty()) {
            throw new IllegalArgumentException("the grid needs at least one k, one metric and one weighting");
        }
        int kMax = Arrays.stream(ks).max().orElseThrow();
        for (int k : ks) {
            if (k < 1) {
                throw new IllegalArgumentException("k must be >= 1, got " + k);
            }
        }
        long t0 = System.nanoTime();
        int nm = metrics.size();
        int nw = weights.size();
        double[][][][] fold = new double[nm][ks.length][nw][cv.folds()];
        CrossValidation.forEachFold(data, cv, (f, train, test) -> {
            if (kMax > train.rows()) {
                throw new IllegalArgumentException("k = " + kMax + " is more than the " + train.rows()
                        + " training rows of fold " + (f + 1));
            }
            int[] truth = test.labels();
            for (int m = 0; m < nm; m++) {
                try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(metrics.get(m)).withThreads(threads)).fit(train)) {
                    Neighbors nb = knn.kneighbors(test, kMax);
                    for (int w = 0; w < nw; w++) {
                        int[][] p = knn.predictAll(nb, ks, weights.get(w));
                        for (int a = 0; a < ks.length; a++) {
                            fold[m][a][w][f] = cv.scoring().score(p[a], truth, data.numClasses());
                        }
                    }
                }
                progress.update("grid search", (long) f * nm + m + 1, (long) cv.folds() * nm);
            }
        });
        List<double[]> all = new ArrayList<>();
        for (int m = 0; m < nm; m++) {
            for (int a = 0; a < ks.length; a++) {
                for (int w = 0; w < nw; w++) {
                    all.add(fold[m][a][w]);
                }
            }
        }
        double[] means = new double[all.size()];
        for (int i = 0; i < means.length; i++) {
            means[i] = CrossValidation.mean(all.get(i));
        }
        List<Candidate> out = new ArrayList<>();
        Candidate best = null;
        int i = 0;
        for (int m = 0; m < nm; m++) {
            for (int a = 0; a < ks.length; a++) {
                for (int w = 0; w < nw; w++, i++) {
                    int rank = 1;
                    for (double other : means) {
                        rank += other > means[i] ? 1 : 0;
                    }
                    Candidate c = new Candidate(metrics.get(m), ks[a], weights.get(w), all.get(i).clone(), means[i],
                            CrossValidation.std(all.get(i)), rank);
                    out.add(c);
                    if (best == null && rank == 1) {
                        best = c;
                    }
                }
            }
        }
        return new Result(List.copyOf(out), best, cv.folds(), (System.nanoTime() - t0) / 1e9);
    }
}
