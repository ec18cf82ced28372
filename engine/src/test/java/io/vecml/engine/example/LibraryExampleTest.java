package io.vecml.engine.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.api.Classifier;
import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.LinearModel;
import io.vecml.engine.api.Models;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.Scores;
import io.vecml.engine.api.TemplateModel;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.Neighbors;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's "Use as a library" example, compiled and run so that it stays true. */
class LibraryExampleTest {

    private static final String START = "        // --- README example starts ---\n";
    private static final String END = "        // --- README example ends ---\n";

    @Test
    void readmeExample() throws Exception {
        // --- README example starts ---
        try (LoadedData data = Datasets.load("embedded:digits")) {        // or a path: CIFAR, IDX, CSV, NPY
            Splits.Holdout h = Splits.holdout(data.train().rows(), 0.2, 42);
            RunOptions run = RunOptions.defaults();                        // threads never change the answers
            try (Dataset train = data.train().select(h.train());
                 Dataset test = data.train().select(h.test());
                 KnnModel knn = new KnnModel(KnnModel.Params.defaults().withK(3).withMetric(Metric.L1), run)
                         .fit(train)) {
                double knnAccuracy = knn.score(test, Scoring.ACCURACY);    // exact kNN, k = 3
                int[] predicted = knn.predict(test);
                Scores votes = knn.predictProba(test);                     // vote shares, rows x classes
                Neighbors nearest = knn.kneighbors(test, 5);               // indices and distances

                Classifier templates = new TemplateModel(TemplateModel.Params.defaults(), run).fit(train);
                double templateAccuracy = templates.score(test, Scoring.ACCURACY);   // class means, L2

                LinearModel softmax = new LinearModel(LinearModel.Params.defaults(), run)
                        .onEpoch(epoch -> System.out.println(epoch)).fit(train);    // standardise + softmax + SGD
                double linearAccuracy = softmax.score(test, Scoring.BALANCED_ACCURACY);
                Path file = Files.createTempFile("softmax", ".vecml");
                softmax.save(file);                                        // every model: save, Models.load
                try (Classifier again = Models.load(file, run)) {
                    int[] same = again.predict(test);
        // --- README example ends ---
                    assertThat(same).isEqualTo(softmax.predict(test));
                }
                Files.delete(file);
                assertThat(knnAccuracy).isGreaterThan(0.97);
                assertThat(predicted).hasSize(test.rows());
                assertThat(votes.rows()).isEqualTo(test.rows());
                assertThat(nearest.k()).isEqualTo(5);
                assertThat(templateAccuracy).isGreaterThan(0.85);
                assertThat(linearAccuracy).isGreaterThan(0.9);
            }
        }
    }

    /** The README shows this file's example, unchanged but for the indentation. */
    @Test
    void theReadmeShowsThisExample() throws Exception {
        String self = Files.readString(Path.of("src/test/java/io/vecml/engine/example/LibraryExampleTest.java"));
        String example = self.substring(self.indexOf(START) + START.length(), self.indexOf(END));
        String readme = Files.readString(Path.of("..", "README.md"));
        String shown = example.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                .reduce("", (a, b) -> a + b + "\n");
        assertThat(readme).contains(shown);
    }
}
