package io.vecml.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.TemplateModel;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.SplitRng;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.template.TemplateClassifier;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The distributed kNN grid search and template classifier against the single-node engine. */
class VecmlGridAndTemplateTest {

    static SparkSession spark;

    @BeforeAll
    static void setUp() {
        spark = SparkTestSession.get();
    }

    static void assertSameResult(KnnGridSearch.Result got, KnnGridSearch.Result want) {
        assertThat(got.folds()).isEqualTo(want.folds());
        assertThat(got.candidates()).hasSize(want.candidates().size());
        for (int i = 0; i < want.candidates().size(); i++) {
            KnnGridSearch.Candidate g = got.candidates().get(i);
            KnnGridSearch.Candidate w = want.candidates().get(i);
            assertThat(g.metric()).isEqualTo(w.metric());
            assertThat(g.k()).isEqualTo(w.k());
            assertThat(g.weights()).isEqualTo(w.weights());
            assertThat(g.foldScores()).as("fold scores of candidate %d", i).containsExactly(w.foldScores());
            assertThat(g.mean()).isEqualTo(w.mean());
            assertThat(g.std()).isEqualTo(w.std());
            assertThat(g.rank()).as("rank of candidate %d", i).isEqualTo(w.rank());
        }
        assertThat(got.best().metric()).isEqualTo(want.best().metric());
        assertThat(got.best().k()).isEqualTo(want.best().k());
        assertThat(got.best().weights()).isEqualTo(want.best().weights());
    }

    @Test
    void gridSearchGivesTheEnginesScoresAndRanks() {
        try (Dataset d = SparkTestSession.data(true, 240, 16, 3, 21)) {
            int[] ks = {1, 2, 3, 5, 8, 13};
            List<Metric> metrics = List.of(Metric.L1, Metric.L2);
            List<Weights> weights = List.of(Weights.UNIFORM, Weights.DISTANCE);
            CvSpec cv = new CvSpec(5, true, 7L, CvSpec.Scaling.NONE, Scoring.ACCURACY);
            KnnGridSearch.Result want = KnnGridSearch.run(d, ks, metrics, weights, cv, 2);
            // through a DataFrame, as users call it
            KnnGridSearch.Result got = VecmlKnnGridSearch.run(spark,
                    VecmlFrames.toFrame(spark, d, VecmlFrames.Format.BINARY, 3), "features", "label", ks, metrics,
                    weights, cv);
            assertSameResult(got, want);
            // many candidates share a mean: the ranks must handle ties as the engine's ("min" ranking)
            assertThat(want.candidates().stream().mapToInt(KnnGridSearch.Candidate::rank).distinct().count())
                    .isLessThan(want.candidates().size());
        }
    }

    @Test
    void gridSearchWithPerFoldScalingSklearnFoldsAndBalancedAccuracy() {
        try (Dataset d = SparkTestSession.data(false, 150, 12, 3, 22)) {
            int[] ks = {1, 4, 9};
            CvSpec cv = new CvSpec(4, false, 3L, CvSpec.Scaling.FOLD, Scoring.BALANCED_ACCURACY)
                    .withRng(SplitRng.SKLEARN);
            KnnGridSearch.Result want = KnnGridSearch.run(d, ks, List.of(Metric.L2, Metric.L1), List.of(Weights.UNIFORM),
                    cv, 1);
            assertSameResult(VecmlKnnGridSearch.run(spark, d, ks, List.of(Metric.L2, Metric.L1),
                    List.of(Weights.UNIFORM), cv), want);
        }
    }

    @Test
    void gridSearchRefusesKLargerThanAFold() {
        try (Dataset d = SparkTestSession.data(true, 20, 4, 2, 23)) {
            CvSpec cv = new CvSpec(2, false, null, CvSpec.Scaling.NONE, Scoring.ACCURACY);
            assertThatThrownBy(() -> VecmlKnnGridSearch.run(spark, d, new int[] {11}, List.of(Metric.L1),
                    List.of(Weights.UNIFORM), cv)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("k = 11 is more than the 10 training rows of fold 1");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"l1", "l2"})
    void templateClassifierMatchesTheEngineOnUint8(String metric) {
        try (Dataset train = SparkTestSession.data(true, 900, 40, 4, 31);
                Dataset test = SparkTestSession.data(true, 200, 40, 4, 32)) {
            TemplateClassifier engine = TemplateClassifier.fit(train, TemplateClassifier.Center.MEAN);
            VecmlTemplateClassificationModel m = new VecmlTemplateClassifier().setMetric(metric)
                    .fit(VecmlFrames.toFrame(spark, train, VecmlFrames.Format.BINARY, 3));
            for (int c = 0; c < 4; c++) {
                assertThat(m.template(c)).containsExactly(engine.template(c));
                assertThat(m.count(c)).isEqualTo(engine.count(c));
            }
            int[] want = engine.predict(test, KnnParams.metric(metric), 1);
            List<Row> got = m.transform(VecmlFrames.toFrame(spark, test, VecmlFrames.Format.BINARY, 3))
                    .select("prediction").collectAsList();
            for (int i = 0; i < want.length; i++) {
                assertThat(got.get(i).getDouble(0)).as("row %d", i).isEqualTo(want[i]);
            }
        }
    }

    /**
     * One model's defaults on Spark are the library's ({@code Params.defaults()}), which the command line and
     * the server share (cli's ParityTest): metric l2 for templates and kNN, k 5.
     */
    @Test
    void defaultsAreTheLibrarysAsOnEveryFace() {
        TemplateModel.Params tpl = TemplateModel.Params.defaults();
        assertThat(tpl.metric()).isEqualTo(Metric.L2);
        VecmlTemplateClassifier est = new VecmlTemplateClassifier();
        assertThat(KnnParams.metric(est.getOrDefault(est.metric()))).isEqualTo(tpl.metric());
        try (Dataset train = SparkTestSession.data(true, 600, 40, 4, 51);
                Dataset test = SparkTestSession.data(true, 200, 40, 4, 52);
                TemplateModel lib = new TemplateModel(tpl, new RunOptions(1))) {
            lib.fit(train);
            VecmlTemplateClassificationModel m = est.fit(VecmlFrames.toFrame(spark, train, VecmlFrames.Format.BINARY, 2));
            assertThat(KnnParams.metric(m.getOrDefault(m.metric()))).isEqualTo(tpl.metric());
            int[] want = lib.predict(test);
            List<Row> got = m.transform(VecmlFrames.toFrame(spark, test, VecmlFrames.Format.BINARY, 2))
                    .select("prediction").collectAsList();
            for (int i = 0; i < want.length; i++) {
                assertThat(got.get(i).getDouble(0)).as("row %d", i).isEqualTo(want[i]);
            }
        }
        KnnModel.Params knn = KnnModel.Params.defaults();
        VecmlKnnClassifier k = new VecmlKnnClassifier();
        assertThat(k.getK()).isEqualTo(knn.k());
        assertThat(KnnParams.metric(k.getOrDefault(k.metric()))).isEqualTo(knn.metric());
    }

    @Test
    void templateModelRoundTripsAndRefusesOneClass(@TempDir Path dir) throws Exception {
        try (Dataset train = SparkTestSession.data(false, 100, 6, 3, 41)) {
            var df = VecmlFrames.toFrame(spark, train, VecmlFrames.Format.VECTOR, 2);
            VecmlTemplateClassificationModel m = new VecmlTemplateClassifier().setMetric("l2").fit(df);
            m.write().save(dir.resolve("t").toString());
            VecmlTemplateClassificationModel back = VecmlTemplateClassificationModel.load(dir.resolve("t").toString());
            assertThat(back.uid()).isEqualTo(m.uid());
            assertThat(back.getOrDefault(back.metric())).isEqualTo("l2");
            for (int c = 0; c < 3; c++) {
                assertThat(back.template(c)).containsExactly(m.template(c));
            }
            assertThat(back.transform(df).select("prediction").collectAsList())
                    .isEqualTo(m.transform(df).select("prediction").collectAsList());
            var oneClass = df.filter("label = 1");
            assertThatThrownBy(() -> new VecmlTemplateClassifier().fit(oneClass))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("the training DataFrame has rows of only one class (label 1,");
        }
    }
}
