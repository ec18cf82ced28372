package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CrossValidation;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import java.util.List;
import org.junit.jupiter.api.Test;

class CvCommandTest {

    private static double[] scores(JsonNode n) {
        double[] s = new double[n.get("scores").size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = n.get("scores").get(i).get("score").asDouble();
        }
        return s;
    }

    /** One kNN model's fold scores are the grid search's for that candidate (which matches GridSearchCV on iris). */
    @Test
    void knnFoldScoresEqualTheGridSearchCandidate() throws Exception {
        CliTest.Run r = CliTest.run("cv", "knn", "--data", "embedded:digits", "--train-limit", "500", "--k", "3", "--metric",
                "l1", "--weights", "distance", "--folds", "4", "--cv-seed", "9", "--standardize", "train", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        try (Dataset all = EmbeddedData.digits(); Dataset d = Transforms.first(all, 500)) {
            CvSpec cv = new CvSpec(4, true, 9L, CvSpec.Scaling.FOLD, Scoring.ACCURACY);
            KnnGridSearch.Candidate c = KnnGridSearch.run(d, new int[] {3}, List.of(Metric.L1),
                    List.of(Weights.DISTANCE), cv, 1).best();
            assertThat(scores(n)).containsExactly(c.foldScores());
            assertThat(n.get("mean").asDouble()).isEqualTo(c.mean());
            assertThat(n.get("std").asDouble()).isEqualTo(c.std());
        }
        assertThat(n.get("scores").get(0).get("trainRows").asInt() + n.get("scores").get(0).get("testRows").asInt())
                .isEqualTo(500);
        CliTest.Run text = CliTest.run("cv", "knn", "--data", "embedded:digits", "--train-limit", "300", "--folds", "3");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).contains("kNN (k 5, L2, uniform weights)", "fold", "held out",
                "cross-validated accuracy: mean", "3-fold stratified (no shuffle)");
    }

    @Test
    void linearFoldScoresEqualTrainingOnEachFold() throws Exception {
        CliTest.Run r = CliTest.run("cv", "linear", "--data", "embedded:digits", "--train-limit", "400", "--loss", "svm",
                "--lr", "0.02", "--lambda", "1e-3", "--reg", "l1", "--epochs", "3", "--batch", "50", "--train-seed", "5",
                "--folds", "3", "--standardize", "all", "--scoring", "balanced", "--no-stratified", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        try (Dataset all = EmbeddedData.digits(); Dataset d = Transforms.first(all, 400)) {
            // --standardize all: every row standardised before the split, the model trained on them raw
            CvSpec cv = new CvSpec(3, false, null, CvSpec.Scaling.ALL, Scoring.BALANCED_ACCURACY);
            LinearConfig cfg = LinearConfig.defaults().withLoss(Loss.SVM).withRegularizer(Regularizer.l1(1e-3))
                    .withPreprocessing(Preprocessing.RAW);
            SgdConfig sgd = SgdConfig.defaults().withLearningRate(0.02).withEpochs(3).withBatchSize(50).withSeed(5)
                    .withThreads(1);
            double[] want = CrossValidation.scores(d, cv,
                    (train, test) -> SgdTrainer.train(train, cfg, sgd, null).model().predict(test, 1));
            assertThat(scores(n)).containsExactly(want);
            assertThat(n.get("mean").asDouble()).isEqualTo(CrossValidation.mean(want));
            assertThat(n.get("stratified").asBoolean()).isFalse();
            assertThat(n.get("standardize").asText()).isEqualTo("all");
        }
    }

    @Test
    void badOptionsAreExitCode2AndNameTheOption() {
        String[][] cases = {
            {"knn", "--k", "0", "--k"},
            {"knn", "--metric", "l3", "--metric"},
            {"knn", "--weights", "heavy", "--weights"},
            {"knn", "--standardize", "maybe", "--standardize"},
            {"knn", "--folds", "1", "--folds"},
            {"knn", "--train-limit", "0", "--train-limit"},
            {"knn", "--limit", "5", "--limit counts test rows and this run has none"},
            {"linear", "--standardize", "fold2", "--standardize"},
            {"linear", "--lr", "-1", "--lr"},
            {"linear", "--loss", "logistic", "--loss"},
            {"linear", "--reg", "l3", "--reg"},
            {"linear", "--epochs", "0", "--epochs"},
            {"linear", "--scoring", "f1", "--scoring"},
        };
        for (String[] c : cases) {
            CliTest.Run r = CliTest.run("cv", c[0], "--data", "embedded:digits", c[1], c[2]);
            assertThat(r.code()).as(String.join(" ", c)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", c)).contains(c[3]);
        }
        CliTest.Run big = CliTest.run("cv", "knn", "--data", "embedded:digits", "--train-limit", "10", "--folds", "11");
        assertThat(big.code()).isEqualTo(2);
        assertThat(big.err()).contains("--folds 11 is more than the 10 rows");
        CliTest.Run diverged = CliTest.run("cv", "linear", "--data", "embedded:digits", "--train-limit", "100", "--lr", "1e30",
                "--standardize", "none", "--epochs", "2", "--batch", "10", "--folds", "2");
        assertThat(diverged.code()).isEqualTo(2);
        assertThat(diverged.err()).contains("diverged", "smaller --lr");
        assertThat(CliTest.run("cv", "--help").out()).contains("knn", "linear");
    }
}
