package io.vecml.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.data.Dataset;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries, persistence and bad input of the distributed kNN. */
class VecmlKnnBehaviourTest {

    static SparkSession spark;
    static Dataset train;
    static Dataset test;

    @BeforeAll
    static void setUp() {
        spark = SparkTestSession.get();
        train = SparkTestSession.data(true, 500, 32, 3, 11);
        test = SparkTestSession.data(true, 60, 32, 3, 12);
    }

    @AfterAll
    static void tearDown() {
        train.close();
        test.close();
    }

    private static List<Row> answers(VecmlKnnClassificationModel m) {
        return m.transform(VecmlFrames.toFrame(spark, test, VecmlFrames.Format.BINARY, 2))
                .select("prediction", "nb", "dist").collectAsList();
    }

    private static VecmlKnnClassifier knn() {
        return new VecmlKnnClassifier().setK(5).setMetric("l1").setNumShards(3).setNeighborsCol("nb")
                .setDistancesCol("dist").setQueryBlockSize(25);
    }

    @Test
    void aShardSearchThatFailsOnceIsRetriedAndTheAnswerIsUnchanged() {
        VecmlKnnClassificationModel m = knn().fit(VecmlFrames.toFrame(spark, train, VecmlFrames.Format.BINARY, 2));
        try {
            List<Row> clean = answers(m);
            KnnShards.FAIL_FIRST_ATTEMPTS.set(2);
            List<Row> retried = answers(m);
            // both injected failures happened (the hook counts down only when it throws)
            assertThat(KnnShards.FAIL_FIRST_ATTEMPTS.get()).isZero();
            assertThat(retried).isEqualTo(clean);
        } finally {
            KnnShards.FAIL_FIRST_ATTEMPTS.set(0);
            m.release();
        }
    }

    @Test
    void modelAndEstimatorRoundTripThroughSaveAndLoad(@TempDir Path dir) throws Exception {
        VecmlKnnClassifier est = knn().setWeights("distance");
        VecmlKnnClassificationModel m = est.fit(VecmlFrames.toFrame(spark, train, VecmlFrames.Format.BINARY, 2));
        String path = dir.resolve("model").toString();
        m.write().save(path);
        VecmlKnnClassificationModel back = VecmlKnnClassificationModel.load(path);
        try {
            assertThat(back.uid()).isEqualTo(m.uid());
            assertThat(back.getK()).isEqualTo(5);
            assertThat(back.numTrainingRows()).isEqualTo(500);
            assertThat(back.numTrainingShards()).isEqualTo(3);
            assertThat(back.numClasses()).isEqualTo(m.numClasses());
            assertThat(back.getOrDefault(back.weights())).isEqualTo("distance");
            assertThat(answers(back)).isEqualTo(answers(m));
        } finally {
            back.release();
            m.release();
        }
        est.write().save(dir.resolve("estimator").toString());
        VecmlKnnClassifier est2 = VecmlKnnClassifier.load(dir.resolve("estimator").toString());
        assertThat(est2.uid()).isEqualTo(est.uid());
        assertThat(est2.getK()).isEqualTo(5);
        assertThat(est2.getOrDefault(est2.metric())).isEqualTo("l1");
        assertThat(est2.getOrDefault(est2.neighborsCol())).isEqualTo("nb");
    }

    @Test
    void float32ModelRoundTrips(@TempDir Path dir) throws Exception {
        try (Dataset f = SparkTestSession.data(false, 120, 10, 3, 5); Dataset q = SparkTestSession.data(false, 20, 10, 3, 6)) {
            VecmlKnnClassificationModel m = new VecmlKnnClassifier().setK(3).setNumShards(2).setNeighborsCol("nb")
                    .fit(VecmlFrames.toFrame(spark, f, VecmlFrames.Format.VECTOR, 2));
            String path = dir.resolve("m").toString();
            m.write().save(path);
            VecmlKnnClassificationModel back = VecmlKnnClassificationModel.load(path);
            var qdf = VecmlFrames.toFrame(spark, q, VecmlFrames.Format.FLOAT_ARRAY, 1);
            assertThat(back.transform(qdf).select("nb", "probability").collectAsList())
                    .isEqualTo(m.transform(qdf).select("nb", "probability").collectAsList());
            m.release();
            back.release();
        }
    }

    private static org.apache.spark.sql.Dataset<Row> vectors(List<Row> rows) {
        StructType schema = new StructType().add("features", org.apache.spark.ml.linalg.SQLDataTypes.VectorType(), true)
                .add("label", DataTypes.DoubleType, true);
        return spark.createDataFrame(rows, schema).coalesce(1);
    }

    @Test
    void mixedDimensionsNameTheFirstBadRow() {
        var df = vectors(List.of(RowFactory.create(Vectors.dense(1, 2, 3), 0.0),
                RowFactory.create(Vectors.dense(1, 2, 3), 1.0), RowFactory.create(Vectors.dense(1, 2), 1.0)));
        assertThatThrownBy(() -> new VecmlKnnClassifier().setK(1).fit(df))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the training DataFrame: row 2 has 2 features but row 0 has 3");
        // and across shards
        assertThatThrownBy(() -> new VecmlKnnClassifier().setK(1).setNumShards(3).fit(df))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the training DataFrame: row 2 has 2 features but row 0 has 3");
    }

    @Test
    void nullRowsAndNullLabelsAreRefused() {
        var df = vectors(List.of(RowFactory.create(Vectors.dense(1, 2), 0.0), RowFactory.create(null, 1.0)));
        assertThatThrownBy(() -> new VecmlKnnClassifier().setK(1).fit(df))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the training DataFrame: row 1 has a null in column 'features'");
        var noLabel = vectors(List.of(RowFactory.create(Vectors.dense(1, 2), null)));
        assertThatThrownBy(() -> new VecmlKnnClassifier().setK(1).fit(noLabel))
                .hasMessage("the training DataFrame: row 0 has a null label (column 'label')");
        var badLabel = vectors(List.of(RowFactory.create(Vectors.dense(1, 2), 1.5)));
        assertThatThrownBy(() -> new VecmlKnnClassifier().setK(1).fit(badLabel))
                .hasMessage("the training DataFrame: row 0 has label 1.5 in column 'label'; expected a class index"
                        + " 0, 1, 2, ...");
    }

    @Test
    void kLargerThanTheTrainingSetIsRefusedAtFitAndAtTransform() {
        var df = vectors(List.of(RowFactory.create(Vectors.dense(1, 2), 0.0), RowFactory.create(Vectors.dense(3, 4), 1.0)));
        assertThatThrownBy(() -> new VecmlKnnClassifier().setK(3).fit(df))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("k = 3 is more than the 2 training rows");
        VecmlKnnClassificationModel m = new VecmlKnnClassifier().setK(2).fit(df);
        assertThatThrownBy(() -> m.setK(3).transform(df))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("k = 3 is more than the 2 training rows");
        m.release();
    }

    @Test
    void badQueriesAndColumnsGetClearErrors() {
        var df = vectors(List.of(RowFactory.create(Vectors.dense(1, 2), 0.0), RowFactory.create(Vectors.dense(3, 4), 1.0)));
        VecmlKnnClassificationModel m = new VecmlKnnClassifier().setK(1).fit(df);
        try {
            var wrong = vectors(List.of(RowFactory.create(Vectors.dense(1, 2), 0.0),
                    RowFactory.create(Vectors.dense(1, 2, 3), 0.0)));
            assertThatThrownBy(() -> m.transform(wrong))
                    .hasMessage("query row 1 has 3 features but the model was fitted on 2");
            var nulls = vectors(List.of(RowFactory.create(null, 0.0)));
            assertThatThrownBy(() -> m.transform(nulls)).hasMessage("query row 0 has a null in column 'features'");
            var nan = vectors(List.of(RowFactory.create(Vectors.dense(1, Double.NaN), 0.0)));
            assertThatThrownBy(() -> m.transform(nan))
                    .hasMessage("query row 0 (column 'features') has NaN at feature 1 (vecml needs finite values)");
            StructType s = new StructType().add("features", DataTypes.StringType).add("label", DataTypes.DoubleType);
            var strings = spark.createDataFrame(List.of(RowFactory.create("x", 0.0)), s);
            assertThatThrownBy(() -> new VecmlKnnClassifier().fit(strings))
                    .hasMessage("column 'features' is string; expected an ML Vector, array<float>, array<double> or binary"
                            + " (uint8 features)");
            assertThatThrownBy(() -> m.setImageShape("3x3").transform(df))
                    .hasMessage("imageShape 3x3 has 9 values but rows have 2 features");
            assertThatThrownBy(() -> m.setImageShape("2x1x2").transform(df))
                    .hasMessage("imageShape '2x1x2': expected HxW or HxWxC with C 1 or 3, e.g. 28x28 or 32x32x3");
            m.setImageShape("");
            assertThatThrownBy(() -> new VecmlKnnClassifier().setMetric("cosine"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cosine");
        } finally {
            m.release();
        }
    }
}
