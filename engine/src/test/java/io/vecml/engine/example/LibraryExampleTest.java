package io.vecml.engine.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.template.TemplateClassifier;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import org.junit.jupiter.api.Test;

/** The README's "Use as a library" example, compiled and run so that it stays true. */
class LibraryExampleTest {

    @Test
    void readmeExample() throws Exception {
        // --- README example starts ---
        try (LoadedData data = Datasets.load("embedded:digits")) {        // or a path: CIFAR, IDX, CSV, NPY
            Splits.Holdout h = Splits.holdout(data.train().rows(), 0.2, 42);
            try (Dataset train = data.train().select(h.train());
                 Dataset test = data.train().select(h.test());
                 KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L1)).fit(train)) {
                double knnAccuracy = knn.score(test, 3);                   // exact kNN, k = 3
                int[] predicted = knn.predict(test, 3);

                TemplateClassifier templates = TemplateClassifier.fit(train, TemplateClassifier.Center.MEAN);
                double templateAccuracy = templates.accuracy(test, Metric.L2, 2);

                LinearClassifier softmax = SgdTrainer.train(train, LinearConfig.defaults(), SgdConfig.defaults(),
                        epoch -> System.out.println(epoch)).model();       // standardise + softmax + SGD
                double linearAccuracy = softmax.accuracy(test, 2);
                // --- README example ends ---
                assertThat(knnAccuracy).isGreaterThan(0.97);
                assertThat(predicted).hasSize(test.rows());
                assertThat(templateAccuracy).isGreaterThan(0.85);
                assertThat(linearAccuracy).isGreaterThan(0.9);
            }
        }
    }
}
