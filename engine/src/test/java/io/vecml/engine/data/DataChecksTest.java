package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CrossValidation;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.LinearGridSearch;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.template.TemplateClassifier;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DataChecksTest {

    @TempDir
    Path tmp;

    /** Every way a classifier is fitted: each must apply the same checks. */
    static Stream<Named<Consumer<Dataset>>> fits() {
        return Stream.of(
                Named.of("kNN", d -> new KnnClassifier(KnnOptions.of(Metric.L2)).fit(d).close()),
                Named.of("template", d -> TemplateClassifier.fit(d, TemplateClassifier.Center.MEAN)),
                Named.of("linear", d -> SgdTrainer.train(d, LinearConfig.defaults(), SgdConfig.defaults(), null)),
                Named.of("kNN grid", d -> KnnGridSearch.run(d, new int[] {1}, List.of(Metric.L2),
                        List.of(Weights.UNIFORM), CvSpec.sklearnDefault(), 1)),
                Named.of("linear grid", d -> LinearGridSearch.run(d, LinearGridSearch.Grid.l2(List.of(Loss.SVM),
                        new double[] {0.01}, new double[] {0}), LinearConfig.defaults(), SgdConfig.defaults(),
                        CvSpec.sklearnDefault())),
                Named.of("cross-validation", d -> CrossValidation.scores(d, CvSpec.sklearnDefault(),
                        (train, test) -> new int[test.rows()])));
    }

    private static Dataset data(int rows, int dims, int[] labels, List<String> names) {
        Dataset d = Dataset.allocate(Dataset.Type.FLOAT32, rows, dims, labels, names);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                d.setF32(r, c, r * 0.5f + c);
            }
        }
        return d;
    }

    @ParameterizedTest
    @MethodSource("fits")
    void zeroFeaturesAreRefusedByEveryFit(Consumer<Dataset> fit) {
        try (Dataset d = data(20, 0, halves(20), List.of("0", "1"))) {
            assertThatThrownBy(() -> fit.accept(d)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the training data: the rows have 0 features");
        }
    }

    private static int[] halves(int n) {
        int[] labels = new int[n];
        for (int r = n / 2; r < n; r++) {
            labels[r] = 1;
        }
        return labels;
    }

    /** Every fit that classifies: all but kNN, whose neighbours mean something on one class too. */
    static Stream<Named<Consumer<Dataset>>> classifyingFits() {
        return fits().filter(n -> !n.getName().equals("kNN"));
    }

    @ParameterizedTest
    @MethodSource("classifyingFits")
    void rowsOfOneClassAreRefusedByEveryClassifyingFit(Consumer<Dataset> fit) {
        int[] labels = new int[20];
        java.util.Arrays.fill(labels, 1);
        try (Dataset d = data(20, 3, labels, List.of("0", "1"))) {
            assertThatThrownBy(() -> fit.accept(d)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("only one class ('1', label 1, 20 rows)")
                    .hasMessageContaining("at least two classes");
        }
    }

    @Test
    void knnAcceptsRowsOfOneClassAndPredictsIt() {
        int[] labels = new int[20];
        java.util.Arrays.fill(labels, 1);
        try (Dataset d = data(20, 3, labels, List.of("0", "1"));
             KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L2)).fit(d)) {
            assertThat(knn.predict(d, 3)).containsOnly(1);
        }
    }

    @ParameterizedTest
    @MethodSource("fits")
    void twoClassesWithFeaturesAreAccepted(Consumer<Dataset> fit) {
        try (Dataset d = data(20, 3, halves(20), List.of("0", "1"))) {
            fit.accept(d);
        }
    }

    @Test
    void loadedDataWithoutFeaturesIsRefusedNamingTheSourceAndFreed() {
        Dataset train = data(5, 0, new int[5], List.of("0"));
        assertThatThrownBy(() -> new LoadedData(DataFormat.NPY, "/data/X.npy", train, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("/data/X.npy: the rows have 0 features (5 rows x 0 columns); a model needs at least one"
                        + " feature per row");
        // the reader's memory is freed: using it now fails
        assertThatThrownBy(() -> train.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0))
                .isInstanceOf(IllegalStateException.class);
    }

    /** What the server calls for an upload, and what the CLI calls for a .npy path. */
    @Test
    void anNpyFileOfShapeNx0IsRefusedByTheReader() throws Exception {
        Path x = tmp.resolve("X.npy");
        Npy.write(x, new float[0], 6, 0);
        Npy.writeLabels(tmp.resolve("y.npy"), new int[] {0, 1, 0, 1, 0, 1});
        assertThatThrownBy(() -> NpyDatasetReader.read(x, LoadOptions.DEFAULTS.withFormat(DataFormat.NPY)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(x.toString())
                .hasMessageContaining("0 features");
        assertThatThrownBy(() -> Datasets.load(x.toString())).hasMessageContaining(x.toString())
                .hasMessageContaining("0 features");
    }

    @Test
    void classesWithoutRowsAreReported() {
        int[] ones = new int[4];
        java.util.Arrays.fill(ones, 1);
        try (Dataset d = data(4, 2, ones, List.of("0", "1"))) {
            assertThat(DataChecks.labelWarnings("f.csv", d)).containsExactly("f.csv: 1 of 2 classes have no rows"
                    + " (labels are class indices 0..1, only 1 of them occur; empty: 0)");
        }
        // an IDX-style label of 200 among digits: 201 classes, 190 of them empty (ten listed)
        int[] labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 200};
        List<String> names = java.util.stream.IntStream.rangeClosed(0, 200).mapToObj(Integer::toString).toList();
        try (Dataset d = data(labels.length, 2, labels, names)) {
            List<String> w = DataChecks.labelWarnings("t10k", d);
            assertThat(w).hasSize(1);
            assertThat(w.getFirst()).startsWith("t10k: 190 of 201 classes have no rows")
                    .contains("only 11 of them occur", "empty: 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, ...");
        }
        // named classes are quoted with their index; a class present only in the test split counts
        try (Dataset train = data(2, 2, new int[] {0, 0}, List.of("cat", "dog", "frog"));
             Dataset test = data(1, 2, new int[] {2}, List.of("cat", "dog", "frog"))) {
            assertThat(DataChecks.labelWarnings("pets", train, test)).singleElement().asString()
                    .contains("1 of 3 classes", "empty: 1 'dog')");
        }
        try (Dataset d = data(3, 2, new int[] {0, 1, 1}, List.of("0", "1"))) {
            assertThat(DataChecks.labelWarnings("fine", d, null)).isEmpty();
        }
    }
}
