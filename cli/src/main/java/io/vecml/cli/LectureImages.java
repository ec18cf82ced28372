package io.vecml.cli;

import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.LinearModel;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.TemplateModel;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Neighbors;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.train.SgdConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The lecture's image sections of {@code vecml lecture --data}: kNN L1/L2 with every k from one search, the
 * template classifier, SVM and softmax, on a dataset with a test split, through the application API.
 */
final class LectureImages {

    /** One model's result on --data. */
    record DataResult(String model, String settings, double accuracy, double balancedAccuracy, double seconds) {
    }

    private LectureImages() {
    }

    /** Runs every section on the first {@code limit} test and {@code trainLimit} training rows (null: all). */
    static List<DataResult> run(String path, int[] kList, RunOptions run, Integer limit, Integer trainLimit)
            throws IOException {
        List<DataResult> out = new ArrayList<>();
        try (LoadedData d = Datasets.load(path)) {
            if (!d.hasTest()) {
                throw new IllegalArgumentException(path + ": the image sections need a dataset with a test split"
                        + " (CIFAR-10, Fashion-MNIST, a folder with x_test.npy)");
            }
            try (Dataset train = first(d.train(), trainLimit); Dataset test = first(d.test(), limit)) {
                int kMax = kList[kList.length - 1];
                for (Metric m : List.of(Metric.L1, Metric.L2)) {
                    run.progress().update("lecture kNN " + m, 0, 1);
                    long t0 = System.nanoTime();
                    try (KnnModel knn = new KnnModel(KnnModel.Params.defaults().withMetric(m).withK(kMax), run)
                            .fit(train)) {
                        // every k from one search, as the lecture's loop over k does
                        Neighbors nb = knn.kneighbors(test, kMax);
                        double search = (System.nanoTime() - t0) / 1e9;
                        try (KnnClassifier votes = new KnnClassifier(KnnOptions.of(m)).fit(train)) {
                            int[][] p = votes.predictAll(nb, kList, Weights.UNIFORM);
                            for (int i = 0; i < kList.length; i++) {
                                out.add(result("kNN", m + ", k=" + kList[i], p[i], test, search));
                            }
                        }
                    }
                    run.progress().update("lecture kNN " + m, 1, 1);
                }
                for (Metric m : List.of(Metric.L1, Metric.L2)) {
                    long t0 = System.nanoTime();
                    TemplateModel t = new TemplateModel(TemplateModel.Params.defaults().withMetric(m), run).fit(train);
                    int[] p = t.predict(test);
                    out.add(result("template", "class means, " + m, p, test, (System.nanoTime() - t0) / 1e9));
                }
                for (Loss loss : List.of(Loss.SVM, Loss.SOFTMAX)) {
                    long t0 = System.nanoTime();
                    LinearModel lm = new LinearModel(new LinearModel.Params(LinearConfig.defaults().withLoss(loss),
                            SgdConfig.defaults()), run).fit(train);
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
}
