package io.vecml.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.data.CsvReader;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CrossValidation;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridReports;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.LinearGridReports;
import io.vecml.engine.eval.LinearGridSearch;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.progress.ProgressListener;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExperimentsTest {

    /** Every update, in order; a stage's last update has done == total. */
    private static final class Recorder implements ProgressListener {
        final List<long[]> updates = Collections.synchronizedList(new ArrayList<>());
        final List<String> stages = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void update(String stage, long done, long total) {
            updates.add(new long[] {done, total});
            stages.add(stage);
        }

        void assertCounts(long total) {
            assertThat(updates).isNotEmpty();
            for (int i = 0; i < updates.size(); i++) {
                assertThat(updates.get(i)[0]).isEqualTo(i + 1);
                assertThat(updates.get(i)[1]).isEqualTo(total);
            }
            assertThat(updates.get(updates.size() - 1)[0]).isEqualTo(total);
        }
    }

    private static LoadedData iris() throws Exception {
        Path p = Path.of(ExperimentsTest.class.getResource("/io/vecml/engine/data/iris.csv").toURI());
        return CsvReader.read(p, LoadOptions.DEFAULTS);
    }

    /** The runner's kNN grid is the search's, refit and test score included; progress counts folds x metrics. */
    @Test
    void knnGridIsTheSearchWithTheRefitScoredOnTheTestSplit() throws Exception {
        try (LoadedData d = iris()) {
            Splits.Holdout h = Splits.holdout(d.train().rows(), 0.2, 42);
            CvSpec cv = new CvSpec(3, true, 42L, CvSpec.Scaling.FOLD, Scoring.ACCURACY);
            int[] ks = {1, 3, 5, 7};
            Recorder progress = new Recorder();
            try (Experiments.Split split = Experiments.Split.holdout(d.train(), h, "held out")) {
                KnnGridReports.Report r = Experiments.knnGrid("iris", split,
                        new Experiments.KnnGrid(ks, List.of(Metric.L2, Metric.L1), List.of(Weights.UNIFORM)), cv, 1,
                        new RunOptions(2, progress));
                KnnGridSearch.Result want = KnnGridSearch.run(split.train(), ks, List.of(Metric.L2, Metric.L1),
                        List.of(Weights.UNIFORM), cv, 1);
                assertThat(r.candidates()).isEqualTo(8);
                for (int i = 0; i < 8; i++) {
                    assertThat(r.results().get(i).foldScores()).containsExactly(want.candidates().get(i).foldScores());
                    assertThat(r.results().get(i).rank()).isEqualTo(want.candidates().get(i).rank());
                }
                assertThat(r.best().k()).isEqualTo(want.best().k());
                assertThat(r.standardize()).isEqualTo("train");
                assertThat(r.rows()).isEqualTo(h.train().length);
                assertThat(r.test().rows()).isEqualTo(h.test().length);
                assertThat(r.test()).isEqualTo(KnnGridReports.refitAndScore(split.train(), split.test(), want.best(),
                        CvSpec.Scaling.FOLD, 1));
                assertThat(r.runSeconds()).hasSize(1);
                progress.assertCounts(3 * 2);
            }
        }
    }

    @Test
    void repeatsCheckDeterminismAndReportTheWarmMedian() {
        Experiments.Repeated<Integer> r = Experiments.repeat(4, () -> 7, x -> 1.0, Integer::equals, "x");
        assertThat(r.runSeconds()).hasSize(4);
        AtomicInteger n = new AtomicInteger();
        double[] secs = {9, 1, 3, 2};
        Experiments.Repeated<Integer> t = Experiments.repeat(4, n::getAndIncrement, x -> secs[x], (a, b) -> true, "x");
        assertThat(t.seconds()).isEqualTo(2.0); // median of runs 2..4: 1, 3, 2
        assertThat(t.runSeconds()).containsExactly(9.0, 1.0, 3.0, 2.0);
        AtomicInteger m = new AtomicInteger();
        assertThatThrownBy(() -> Experiments.repeat(3, m::getAndIncrement, x -> 0, Integer::equals, "grid search"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("grid search run 2", "determinism");
        assertThatThrownBy(() -> Experiments.repeat(0, () -> 1, x -> 0, Integer::equals, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Experiments.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    }

    @Test
    void knnGridRepeatsGiveTheSameScores() {
        try (Dataset all = EmbeddedData.digits(); Dataset d = Transforms.first(all, 300);
             Experiments.Split split = Experiments.Split.given(d, null)) {
            KnnGridReports.Report r = Experiments.knnGrid("digits", split, new Experiments.KnnGrid(new int[] {1, 2},
                    List.of(Metric.L1), List.of(Weights.UNIFORM, Weights.DISTANCE)), CvSpec.sklearnDefault(), 3,
                    new RunOptions(1));
            assertThat(r.runSeconds()).hasSize(3);
            assertThat(r.test()).isNull();
            assertThat(r.seconds()).isEqualTo(Experiments.median(r.runSeconds().subList(1, 3)));
        }
    }

    @Test
    void crossValidationIsTheFoldsScores() {
        try (Dataset all = EmbeddedData.digits(); Dataset d = Transforms.first(all, 400)) {
            CvSpec cv = new CvSpec(4, false, 3L, CvSpec.Scaling.NONE, Scoring.BALANCED_ACCURACY);
            CrossValidation.Model knn = (train, test) -> {
                try (KnnClassifier k = new KnnClassifier(KnnOptions.of(Metric.L2).withThreads(1)).fit(train)) {
                    return k.predict(test, 3);
                }
            };
            Recorder progress = new Recorder();
            Experiments.CvReport r = Experiments.crossValidate("digits", d, cv, Standardize.NONE, "kNN", knn,
                    new RunOptions(1, progress));
            double[] want = CrossValidation.scores(d, cv, knn);
            assertThat(r.scores().stream().mapToDouble(Experiments.FoldScore::score).toArray()).containsExactly(want);
            assertThat(r.mean()).isEqualTo(CrossValidation.mean(want));
            assertThat(r.std()).isEqualTo(CrossValidation.std(want));
            assertThat(r.scores().stream().mapToInt(f -> f.testRows()).sum()).isEqualTo(400);
            assertThat(r.cvSeed()).isEqualTo(3L);
            assertThat(r.stratified()).isFalse();
            assertThat(r.scoring()).isEqualTo("balanced_accuracy");
            progress.assertCounts(4);
            assertThat(progress.stages).containsOnly("cross-validation");
        }
    }

    @Test
    void linearGridIsTheSearchWithItsRefitAndTheOldEntryPointAgrees() {
        try (Dataset all = EmbeddedData.digits(); Dataset d = Transforms.first(all, 360);
             Experiments.Split split = Experiments.Split.holdout(d, Splits.holdout(360, 0.25, 1), "held out")) {
            LinearGridSearch.Grid grid = LinearGridSearch.Grid.l2(List.of(Loss.SVM, Loss.SOFTMAX),
                    new double[] {0.05}, new double[] {1e-4, 1e-2});
            Standardize st = Standardize.TRAIN;
            LinearConfig base = LinearConfig.defaults().withPreprocessing(st.linearScaling().model());
            SgdConfig sgd = SgdConfig.defaults().withEpochs(2).withBatchSize(64).withSeed(4).withThreads(1);
            CvSpec cv = new CvSpec(3, true, null, st.linearScaling().cv(), Scoring.ACCURACY);
            Recorder progress = new Recorder();
            LinearGridReports.Report r = Experiments.linearGrid("digits", split.train(), split.test(), grid, base, sgd,
                    cv, st, new RunOptions(1, progress), "--lr");
            LinearGridSearch.Result want = LinearGridSearch.run(split.train(), grid, base, sgd, cv);
            for (int i = 0; i < 4; i++) {
                assertThat(r.results().get(i).mean()).isEqualTo(want.candidates().get(i).mean());
            }
            int[] p = LinearGridSearch.refit(split.train(), want.best().params(), base, sgd, cv).model()
                    .predict(split.test(), 1);
            assertThat(r.test().accuracy()).isEqualTo(Metrics.accuracy(p, split.test().labels()));
            assertThat(r.standardize()).isEqualTo("train");
            progress.assertCounts(3 * 4);
        }
    }

    @Test
    void trainingReportsItsBatches() {
        try (Dataset all = EmbeddedData.digits(); Dataset d = Transforms.first(all, 300)) {
            Recorder progress = new Recorder();
            SgdConfig sgd = SgdConfig.defaults().withEpochs(3).withBatchSize(64).withThreads(2);
            var withProgress = SgdTrainer.train(d, LinearConfig.defaults(), sgd,
                    io.vecml.engine.gemm.GemmSelection.current()::create, null, progress);
            progress.assertCounts(3 * 5); // ceil(300 / 64) = 5 batches per epoch
            assertThat(progress.stages).containsOnly("training");
            var without = SgdTrainer.train(d, LinearConfig.defaults(), sgd, null);
            assertThat(withProgress.model().weights()).containsExactly(without.model().weights());
        }
    }

    @Test
    void splitsLimitRowsAndOwnOnlyTheirCopies() {
        try (Dataset all = EmbeddedData.digits()) {
            Experiments.Split given = Experiments.Split.given(all, null);
            Experiments.Split limited = given.limit(100, null);
            assertThat(limited.train().rows()).isEqualTo(100);
            assertThat(limited.test()).isNull();
            assertThatThrownBy(() -> given.limit(null, 10)).hasMessageContaining("test split");
            limited.close();
            given.close();
            assertThat(all.rows()).isEqualTo(1797); // still open: the split did not own it
            try (Experiments.Split h = Experiments.Split.holdout(all, Splits.holdout(all.rows(), 0.5, 2), "half");
                 Experiments.Split l = h.limit(10, 20)) {
                assertThat(l.train().rows()).isEqualTo(10);
                assertThat(l.test().rows()).isEqualTo(20);
                assertThat(l.holdout()).isEqualTo("half");
            }
        }
    }

    @Test
    void standardizeSpellings() {
        assertThat(Standardize.parse("fold", "--standardize")).isEqualTo(Standardize.TRAIN);
        assertThat(Standardize.parse(" Train ", "--standardize")).isEqualTo(Standardize.TRAIN);
        assertThat(Standardize.parse("centre", "--standardize")).isEqualTo(Standardize.CENTER);
        assertThatThrownBy(() -> Standardize.parse("zscore", "field 'standardize'"))
                .hasMessageContaining("field 'standardize'", "none, train, all or center");
        assertThat(Standardize.TRAIN.knnScaling("x")).isEqualTo(CvSpec.Scaling.FOLD);
        assertThatThrownBy(() -> Standardize.CENTER.knnScaling("--standardize")).hasMessageContaining("linear");
        assertThatThrownBy(() -> Standardize.ALL.preprocessing("--standardize")).hasMessageContaining("cross-validation");
        for (Standardize s : Standardize.values()) {
            assertThat(Standardize.parse(s.id(), "x")).isEqualTo(s);
        }
    }
}
