package io.vecml.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vecml.engine.data.CsvReader;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.data.Standardizer;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Weights;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KnnGridSearchTest {

    /**
     * Correct predictions over the 5 folds (mean score x 150) for k = 1..30 with euclidean, then
     * manhattan, from scikit-learn 1.2.1:
     * <pre>
     * X,y=load_iris(return_X_y=True); grid={"n_neighbors": list(range(1,31)), "metric":["euclidean","manhattan"]}
     * ALL:  GridSearchCV(KNeighborsClassifier(), grid, cv=5).fit(StandardScaler().fit_transform(X), y)
     * FOLD: GridSearchCV(Pipeline([("s", StandardScaler()), ("knn", KNeighborsClassifier())]),
     *                    {"knn__n_neighbors": ..., "knn__metric": ...}, cv=5).fit(X, y)
     * NONE: GridSearchCV(KNeighborsClassifier(), grid, cv=5).fit(X, y)
     * [round(v * 150) for v in gs.cv_results_["mean_test_score"]]
     * </pre>
     * Best: euclidean, k = 6 for ALL and FOLD (0.9667). NONE (raw iris, values with one decimal) is
     * full of distance ties, which scikit-learn breaks by argpartition order and float64 rounding; vecml
     * stores float32 and breaks ties by training index, which changes 14 of the 60 counts by 1 or 2. NONE's
     * expected counts are therefore the same rule in numpy (float32 values, float64 distances, stable sort):
     * <pre>
     * X32 = X.astype(np.float32).astype(np.float64); for each fold of StratifiedKFold(5).split(X, y):
     *   d = ((X32[te][:, None] - X32[tr][None]) ** 2).sum(-1)  (or abs(...).sum(-1) for manhattan)
     *   idx = np.argsort(d, axis=1, kind='stable')[:, :k]; vote = bincount(...).argmax()
     * </pre>
     */
    private static final int[] ALL = {142, 142, 143, 143, 144, 145, 143, 145, 144, 144, 142, 142, 142, 141, 142, 140, 139, 141, 143, 142, 142, 141, 140, 140, 141, 140, 141, 139, 139, 138, 140, 140, 143, 143, 142, 143, 144, 143, 142, 142, 143, 142, 142, 143, 142, 142, 142, 142, 141, 142, 141, 141, 141, 139, 139, 141, 140, 141, 141, 140};
    private static final int[] FOLD = {142, 142, 143, 143, 144, 145, 144, 145, 144, 144, 142, 142, 142, 141, 141, 141, 140, 142, 142, 142, 142, 141, 140, 139, 141, 139, 141, 139, 138, 139, 141, 140, 143, 143, 142, 143, 144, 143, 142, 143, 142, 141, 142, 143, 142, 143, 142, 142, 142, 142, 141, 141, 140, 139, 139, 141, 140, 142, 141, 140};
    private static final int[] NONE = {144, 142, 145, 146, 146, 146, 147, 145, 147, 148, 147, 147, 146, 145, 145, 145, 145, 146, 145, 144, 145, 144, 144, 142, 144, 142, 142, 141, 140, 141, 144, 138, 144, 144, 144, 145, 146, 145, 146, 146, 147, 147, 146, 146, 146, 146, 145, 145, 146, 146, 145, 144, 143, 143, 144, 142, 144, 145, 142, 140};

    private static LoadedData iris() throws Exception {
        Path p = Path.of(KnnGridSearchTest.class.getResource("/io/vecml/engine/data/iris.csv").toURI());
        return CsvReader.read(p, LoadOptions.DEFAULTS);
    }

    private static int[] range(int a, int b) {
        int[] r = new int[b - a + 1];
        for (int i = 0; i < r.length; i++) {
            r[i] = a + i;
        }
        return r;
    }

    @ParameterizedTest
    @EnumSource(CvSpec.Scaling.class)
    void irisGridEqualsScikitLearn(CvSpec.Scaling scaling) throws Exception {
        int[] expected = switch (scaling) {
            case ALL -> ALL;
            case FOLD -> FOLD;
            case NONE -> NONE;
        };
        try (LoadedData d = iris()) {
            KnnGridSearch.Result r = KnnGridSearch.run(d.train(), range(1, 30), List.of(Metric.L2, Metric.L1),
                    List.of(Weights.UNIFORM), CvSpec.sklearnDefault().withScaling(scaling), 2);
            assertThat(r.candidates()).hasSize(60);
            for (int i = 0; i < 60; i++) {
                KnnGridSearch.Candidate c = r.candidates().get(i);
                assertThat(c.metric()).isEqualTo(i < 30 ? Metric.L2 : Metric.L1);
                assertThat(c.k()).isEqualTo(i % 30 + 1);
                assertThat(c.mean() * 150).as("%s k=%d", c.metric(), c.k()).isCloseTo(expected[i], within(1e-9));
            }
            assertThat(r.best().metric()).isEqualTo(Metric.L2);
            assertThat(r.best().k()).isEqualTo(scaling == CvSpec.Scaling.NONE ? 10 : 6);
            assertThat(r.best().rank()).isEqualTo(1);
        }
    }

    @Test
    void everyCandidateEqualsRunningItAloneOnEachFold() {
        try (Dataset digits = EmbeddedData.digits(); Dataset data = digits.select(range(0, 599))) {
            CvSpec cv = new CvSpec(4, true, 7L, CvSpec.Scaling.FOLD, Scoring.BALANCED_ACCURACY);
            int[] ks = {1, 4, 9};
            KnnGridSearch.Result r = KnnGridSearch.run(data, ks, List.of(Metric.L1, Metric.L2),
                    List.of(Weights.UNIFORM, Weights.DISTANCE), cv, 2);
            assertThat(r.candidates()).hasSize(12);
            Splits.Fold[] folds = Splits.stratifiedKFold(data.labels(), 4, 7L);
            for (KnnGridSearch.Candidate c : r.candidates()) {
                double[] alone = new double[4];
                for (int f = 0; f < 4; f++) {
                    try (Dataset rawTrain = data.select(folds[f].train()); Dataset rawTest = data.select(folds[f].test())) {
                        Standardizer st = Standardizer.fit(rawTrain);
                        try (Dataset train = st.apply(rawTrain); Dataset test = st.apply(rawTest);
                             KnnClassifier knn = new KnnClassifier(KnnOptions.of(c.metric()).withWeights(c.weights())
                                     .withThreads(1)).fit(train)) {
                            alone[f] = Metrics.balancedAccuracy(knn.predict(test, c.k()), test.labels(), 10);
                        }
                    }
                }
                assertThat(c.foldScores()).as("%s k=%d %s", c.metric(), c.k(), c.weights()).containsExactly(alone);
                assertThat(c.mean()).isEqualTo(CrossValidation.mean(alone));
            }
            // ranks: 1 + number of strictly better means
            for (KnnGridSearch.Candidate c : r.candidates()) {
                long better = r.candidates().stream().filter(o -> o.mean() > c.mean()).count();
                assertThat(c.rank()).isEqualTo(1 + better);
            }
            assertThat(r.best()).isEqualTo(r.candidates().stream().filter(c -> c.rank() == 1).findFirst().orElseThrow());
        }
    }

    @Test
    void crossValidatedScoreIsTheMeanOfTheFolds() {
        try (Dataset digits = EmbeddedData.digits(); Dataset data = digits.select(range(0, 399))) {
            CvSpec cv = new CvSpec(5, false, 3L, CvSpec.Scaling.NONE, Scoring.ACCURACY);
            CrossValidation.Model nearest = (train, test) -> {
                try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L1).withThreads(1)).fit(train)) {
                    return knn.predict(test, 1);
                }
            };
            double[] s = CrossValidation.scores(data, cv, nearest);
            Splits.Fold[] folds = Splits.kFold(data.rows(), 5, 3L);
            double sum = 0;
            for (int f = 0; f < 5; f++) {
                try (Dataset train = data.select(folds[f].train()); Dataset test = data.select(folds[f].test())) {
                    double a = Metrics.accuracy(nearest.fitPredict(train, test), test.labels());
                    assertThat(s[f]).isEqualTo(a);
                    sum += a;
                }
            }
            assertThat(CrossValidation.score(data, cv, nearest)).isEqualTo(sum / 5);
            assertThat(CrossValidation.std(new double[] {1, 3})).isEqualTo(1.0);
        }
    }
}
