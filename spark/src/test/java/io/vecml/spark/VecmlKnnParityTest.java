package io.vecml.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.Scores;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.Neighbors;
import io.vecml.engine.knn.Weights;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The distributed kNN gives exactly the single-node engine's neighbours (indices and distances, in
 * order), predictions and vote shares, for 1, 2, 3 and 7 shards, L1 and L2, uint8 and float32 data full
 * of ties and near-ties, and whichever search path each shard takes.
 */
class VecmlKnnParityTest {

    static SparkSession spark;
    // uint8: 1200 training rows, so the single node takes the filter path while small shards search directly;
    // the shards see the rows as 8x8 images (spatial bounds), the single node as plain rows
    static Dataset u8Train;
    static Dataset u8Test;
    // float32: 448 features and 300 queries per block, so L2 takes the GEMM path (queries x dims >= 128000)
    static Dataset f32Train;
    static Dataset f32Test;

    @BeforeAll
    static void setUp() {
        spark = SparkTestSession.get();
        u8Train = SparkTestSession.data(true, 1200, 64, 5, 1);
        u8Test = SparkTestSession.data(true, 150, 64, 5, 2);
        f32Train = SparkTestSession.data(false, 400, 448, 4, 3);
        f32Test = SparkTestSession.data(false, 300, 448, 4, 4);
    }

    @AfterAll
    static void tearDown() {
        for (Dataset d : new Dataset[] {u8Train, u8Test, f32Train, f32Test}) {
            d.close();
        }
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (int shards : new int[] {1, 2, 3, 7}) {
            for (String metric : new String[] {"l1", "l2"}) {
                b.add(Arguments.of(true, shards, metric));
                b.add(Arguments.of(false, shards, metric));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "uint8={0} shards={1} {2}")
    @MethodSource("cases")
    void sameNeighboursPredictionsAndSharesAsTheEngine(boolean uint8, int shards, String metric) {
        Dataset train = uint8 ? u8Train : f32Train;
        Dataset test = uint8 ? u8Test : f32Test;
        int k = 7;
        VecmlFrames.Format fmt = uint8 ? VecmlFrames.Format.BINARY : VecmlFrames.Format.FLOAT_ARRAY;
        var trainDf = VecmlFrames.toFrame(spark, train, fmt, 2);
        var testDf = VecmlFrames.toFrame(spark, test, fmt, 3);
        VecmlKnnClassificationModel model = new VecmlKnnClassifier().setK(k).setMetric(metric).setWeights("distance")
                .setNumShards(shards).setQueryBlockSize(uint8 ? 64 : 300).setNeighborsCol("nb")
                .setDistancesCol("dist").setImageShape(uint8 ? "8x8" : "").fit(trainDf);
        try {
            assertThat(model.numTrainingShards()).isEqualTo(shards);
            List<Row> out = model.transform(testDf).select("nb", "dist", "prediction", "probability").collectAsList();
            try (KnnModel engine = new KnnModel(new KnnModel.Params(k, KnnParams.metric(metric), Weights.DISTANCE),
                    new RunOptions(2)).fit(train)) {
                Neighbors nb = engine.kneighbors(test, k);
                int[] pred = engine.predict(test);
                Scores shares = engine.predictProba(test);
                assertThat(out).hasSize(test.rows());
                int ties = 0;
                for (int q = 0; q < test.rows(); q++) {
                    Row r = out.get(q);
                    List<Long> idx = r.getList(0);
                    List<Double> dist = r.getList(1);
                    for (int j = 0; j < k; j++) {
                        assertThat(idx.get(j)).as("query %d neighbour %d", q, j).isEqualTo(nb.index(q, j));
                        assertThat(dist.get(j)).as("query %d distance %d", q, j).isEqualTo(nb.distance(q, j));
                        // a tie, or a near-tie (distances within a millionth)
                        ties += j > 0 && nb.distance(q, j) - nb.distance(q, j - 1) <= 1e-6 * nb.distance(q, j) ? 1 : 0;
                    }
                    assertThat(r.getDouble(2)).as("prediction of query %d", q).isEqualTo(pred[q]);
                    Vector v = r.getAs(3);
                    for (int c = 0; c < shares.classes(); c++) {
                        assertThat(v.apply(c)).isEqualTo(shares.get(q, c));
                    }
                }
                // the data is built so that ties and near-ties decide many neighbour lists; make sure they did
                assertThat(ties).isGreaterThan(test.rows() / 2);
            }
        } finally {
            model.release();
        }
    }

    @Test
    void vectorQueriesAgainstUint8TrainingAreExactAndUniformVotesMatch() {
        var trainDf = VecmlFrames.toFrame(spark, u8Train, VecmlFrames.Format.BINARY, 2);
        var testDf = VecmlFrames.toFrame(spark, u8Test, VecmlFrames.Format.VECTOR, 2);
        VecmlKnnClassificationModel model = new VecmlKnnClassifier().setK(4).setMetric("l1").setNumShards(3)
                .fit(trainDf);
        try {
            List<Row> out = model.transform(testDf).select("prediction").collectAsList();
            try (KnnModel engine = new KnnModel(new KnnModel.Params(4, Metric.L1, Weights.UNIFORM), new RunOptions(1))
                    .fit(u8Train)) {
                int[] pred = engine.predict(u8Test);
                for (int q = 0; q < pred.length; q++) {
                    assertThat(out.get(q).getDouble(0)).isEqualTo(pred[q]);
                }
            }
        } finally {
            model.release();
        }
    }
}
