package io.vecml.cli;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridReports;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Weights;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The kNN section of {@code vecml demo}: k and metric chosen by K-fold cross-validation on the training rows
 * (the engine's grid search), each metric's best k refitted and scored on the test rows, and its speed-ups.
 */
final class DemoKnn {

    record GridRow(String metric, int k, double mean, double std, int rank) {
    }

    record KnnMetric(String metric, int k, double cvAccuracy, double cvStd, double testAccuracy,
            double testBalancedAccuracy, double seconds, double imagesPerSecond, List<DemoSpeed.Ratio> speedUps) {
    }

    record KnnSection(int folds, String cv, String standardize, List<Integer> ks, double gridSeconds,
            String bestMetric, int bestK, List<KnnMetric> metrics, List<GridRow> grid) {
    }

    private DemoKnn() {
    }

    static KnnSection run(DemoRun run, DemoSpeed speed, DemoData data, String source, int[] ks, int folds)
            throws IOException {
        Dataset train = data.knnTrain;
        Dataset test = data.knnTest;
        int kMax = ks[ks.length - 1];
        int smallestFold = train.rows() - Math.ceilDiv(train.rows(), folds);
        if (kMax > smallestFold) {
            throw new IllegalArgumentException("k = " + kMax + " is more than the " + smallestFold
                    + " training rows of a cross-validation fold");
        }
        boolean scaled = data.info.standardize().equals("train");
        // the grid sees the raw training rows: with --standardize train it fits the scaling on each training fold
        CvSpec cv = new CvSpec(folds, true, null, scaled ? CvSpec.Scaling.FOLD : CvSpec.Scaling.NONE,
                Scoring.ACCURACY);
        KnnGridSearch.Result g = KnnGridSearch.run(data.train, ks, List.of(Metric.L1, Metric.L2),
                List.of(Weights.UNIFORM), cv, run.threads);
        List<GridRow> grid = new ArrayList<>();
        for (KnnGridSearch.Candidate c : g.candidates()) {
            grid.add(new GridRow(c.metric().name(), c.k(), c.mean(), c.std(), c.rank()));
        }
        List<KnnMetric> metrics = new ArrayList<>();
        int[] bestPredictions = null;
        KnnGridSearch.Candidate overall = g.best();
        int[] truth = test.labels();
        try (Dataset sample = Transforms.first(test, DemoSpeed.queries(train, test))) {
            for (Metric m : List.of(Metric.L1, Metric.L2)) {
                KnnGridSearch.Candidate b = g.candidates().stream().filter(c -> c.metric() == m)
                        .min((x, y) -> Integer.compare(x.rank(), y.rank())).orElseThrow();
                long t0 = System.nanoTime();
                int[] p;
                try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(m).withThreads(run.threads)).fit(train)) {
                    p = knn.predict(test, b.k());
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                if (m == overall.metric()) {
                    bestPredictions = p;
                }
                List<DemoSpeed.Ratio> su = speed.knn(m, b.k(), train, sample, Arrays.copyOf(p, sample.rows()));
                metrics.add(new KnnMetric(m.name(), b.k(), b.mean(), b.std(), Metrics.accuracy(p, truth),
                        Metrics.balancedAccuracy(p, truth, train.numClasses()), secs, test.rows() / secs, su));
            }
        }
        int[] bp = bestPredictions;
        KnnMetric bm = metrics.stream().filter(x -> x.metric().equals(overall.metric().name())).findFirst()
                .orElseThrow();
        run.picture("knnConfusion", "confusion-knn.png", () -> ConfusionChart.render(train.classNames(),
                Metrics.confusion(bp, truth, train.numClasses()), String.format(Locale.ROOT,
                        "kNN %s k=%d (chosen by %d-fold CV): test accuracy %.4f", bm.metric(), bm.k(), folds,
                        bm.testAccuracy())));
        KnnGridReports.Report gr = gridReport(source, train, g, folds, data.info.standardize());
        run.picture("accuracyVsK", "accuracy-vs-k.png", () -> GridCharts.accuracyVsK(gr));
        return new KnnSection(folds, folds + "-fold stratified, no shuffle (scikit-learn's GridSearchCV(cv=" + folds
                + ")), accuracy" + (scaled ? ", standardised on each training fold" : ""), data.info.standardize(),
                Arrays.stream(ks).boxed().toList(), g.seconds(), overall.metric().name(), overall.k(), metrics, grid);
    }

    private static KnnGridReports.Report gridReport(String source, Dataset train, KnnGridSearch.Result g, int folds,
            String standardize) {
        List<KnnGridReports.Row> rows = new ArrayList<>();
        for (KnnGridSearch.Candidate c : g.candidates()) {
            rows.add(row(c));
        }
        return new KnnGridReports.Report(source, train.rows(), train.dims(), folds, true, null, standardize,
                "accuracy", rows.size(), g.seconds(), List.of(g.seconds()), row(g.best()), null, rows);
    }

    private static KnnGridReports.Row row(KnnGridSearch.Candidate c) {
        return new KnnGridReports.Row(c.metric().name(), c.k(), "uniform", c.mean(), c.std(), c.rank(), c.foldScores());
    }
}
