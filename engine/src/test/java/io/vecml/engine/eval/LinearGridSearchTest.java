package io.vecml.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import io.vecml.engine.train.TrainingResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LinearGridSearchTest {

    private static final SgdConfig SGD = SgdConfig.defaults().withEpochs(3).withBatchSize(32).withSeed(7)
            .withThreads(2);

    private static Dataset digits(int rows) {
        try (Dataset all = EmbeddedData.digits()) {
            return Transforms.first(all, rows);
        }
    }

    /** Each candidate's fold scores are those of training it alone on the same folds; the mean is their mean. */
    @ParameterizedTest
    @CsvSource({"NONE, STANDARDIZE, ACCURACY", "FOLD, RAW, BALANCED_ACCURACY", "ALL, RAW, ACCURACY"})
    void everyCandidateEqualsTrainingItAlone(CvSpec.Scaling scaling, Preprocessing pre, Scoring scoring) {
        LinearConfig base = LinearConfig.defaults().withPreprocessing(pre);
        CvSpec cv = new CvSpec(3, true, 11L, scaling, scoring);
        LinearGridSearch.Grid grid = LinearGridSearch.Grid.l2(List.of(Loss.SVM, Loss.SOFTMAX),
                new double[] {0.01, 0.1}, new double[] {1e-4, 1e-1});
        try (Dataset d = digits(240)) {
            LinearGridSearch.Result r = LinearGridSearch.run(d, grid, base, SGD, cv);
            assertThat(r.candidates()).hasSize(8);
            double bestMean = r.candidates().stream().mapToDouble(LinearGridSearch.Candidate::mean).max().orElseThrow();
            for (LinearGridSearch.Candidate c : r.candidates()) {
                LinearConfig cfg = base.withLoss(c.params().loss()).withRegularizer(c.params().regularizer());
                SgdConfig sgd = SGD.withLearningRate(c.params().learningRate());
                double[] alone = CrossValidation.scores(d, cv,
                        (train, test) -> SgdTrainer.train(train, cfg, sgd, null).model().predict(test, 1));
                assertThat(c.foldScores()).as("candidate %d", c.index()).containsExactly(alone);
                assertThat(c.mean()).isEqualTo((alone[0] + alone[1] + alone[2]) / 3);
                assertThat(c.divergedFolds()).isZero();
                long above = r.candidates().stream().filter(o -> o.mean() > c.mean()).count();
                assertThat(c.rank()).isEqualTo(1 + (int) above);
            }
            assertThat(r.best().mean()).isEqualTo(bestMean);
            assertThat(r.best().index()).isEqualTo(r.candidates().stream().filter(c -> c.rank() == 1).findFirst()
                    .orElseThrow().index());
            // the scores are real: a linear model on standardised digits is far above chance (0.1)
            assertThat(bestMean).isGreaterThan(0.8);
        }
    }

    @Test
    void gridOrderIsLossThenPenaltyThenRateThenLambda() {
        LinearConfig base = LinearConfig.defaults().withRegularizer(Regularizer.elasticNet(1, 0.3).withBias(true));
        List<LinearGridSearch.Params> p = LinearGridSearch.points(new LinearGridSearch.Grid(List.of(Loss.SOFTMAX,
                Loss.SVM), List.of(Regularizer.Kind.NONE, Regularizer.Kind.ELASTIC_NET), new double[] {0.1, 0.01},
                new double[] {1e-3, 1e-2}), base);
        // per loss: NONE x 2 rates (lambda ignored), then ELASTIC_NET x 2 rates x 2 lambdas
        assertThat(p).hasSize(2 * (2 + 4));
        assertThat(p.get(0)).isEqualTo(new LinearGridSearch.Params(Loss.SOFTMAX, Regularizer.none().withBias(true), 0.1));
        assertThat(p.get(1).learningRate()).isEqualTo(0.01);
        assertThat(p.get(2)).isEqualTo(new LinearGridSearch.Params(Loss.SOFTMAX,
                Regularizer.elasticNet(1e-3, 0.3).withBias(true), 0.1));
        assertThat(p.get(3).regularizer().lambda()).isEqualTo(1e-2);
        assertThat(p.get(4).learningRate()).isEqualTo(0.01);
        assertThat(p.get(6).loss()).isEqualTo(Loss.SVM);
        assertThatThrownBy(() -> LinearGridSearch.Grid.l2(List.of(Loss.SVM), new double[] {0}, new double[] {1}))
                .hasMessageContaining("learning rates must be finite and > 0");
        assertThatThrownBy(() -> LinearGridSearch.Grid.l2(List.of(), new double[] {1}, new double[] {1}))
                .hasMessageContaining("at least one loss");
    }

    @Test
    void divergingCandidatesRankLastAndDoubleScalingIsRefused() {
        CvSpec cv = new CvSpec(2, true, 3L, CvSpec.Scaling.NONE, Scoring.ACCURACY);
        LinearConfig raw = LinearConfig.defaults().withPreprocessing(Preprocessing.RAW);
        try (Dataset d = digits(200)) {
            LinearGridSearch.Result r = LinearGridSearch.run(d, LinearGridSearch.Grid.l2(List.of(Loss.SOFTMAX),
                    new double[] {1e30, 1e-3}, new double[] {1e-4}), raw, SGD.withEpochs(2), cv);
            LinearGridSearch.Candidate bad = r.candidates().get(0);
            assertThat(bad.divergedFolds()).isEqualTo(2);
            assertThat(bad.mean()).isNaN();
            assertThat(bad.rank()).isEqualTo(2);
            assertThat(r.best().index()).isEqualTo(1);
            assertThat(r.best().rank()).isEqualTo(1);
            assertThatThrownBy(() -> LinearGridSearch.run(d, LinearGridSearch.Grid.l2(List.of(Loss.SVM),
                    new double[] {0.1}, new double[] {0}), LinearConfig.defaults(), SGD,
                    cv.withScaling(CvSpec.Scaling.FOLD))).hasMessageContaining("transform twice");
        }
    }

    @Test
    void refitTrainsTheBestOnAllRows() {
        try (Dataset d = digits(200)) {
            LinearGridSearch.Params p = new LinearGridSearch.Params(Loss.SVM, Regularizer.l2(1e-3), 0.05);
            CvSpec none = new CvSpec(2, true, null, CvSpec.Scaling.NONE, Scoring.ACCURACY);
            TrainingResult a = LinearGridSearch.refit(d, p, LinearConfig.defaults(), SGD, none);
            TrainingResult b = SgdTrainer.train(d, LinearConfig.defaults().withLoss(Loss.SVM)
                    .withRegularizer(Regularizer.l2(1e-3)), SGD.withLearningRate(0.05), null);
            assertThat(a.model().weights()).containsExactly(b.model().weights());
            TrainingResult c = LinearGridSearch.refit(d, p, LinearConfig.defaults().withPreprocessing(Preprocessing.RAW),
                    SGD, none.withScaling(CvSpec.Scaling.FOLD));
            assertThat(c.model().config().preprocessing()).isEqualTo(Preprocessing.STANDARDIZE);
            assertThat(c.model().weights()).containsExactly(b.model().weights());
        }
    }
}
