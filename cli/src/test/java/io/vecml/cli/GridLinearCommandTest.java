package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.DataFormat;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.LinearGridSearch;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.TrainingResult;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GridLinearCommandTest {

    @TempDir
    Path tmp;

    private static final SgdConfig SGD = SgdConfig.defaults().withEpochs(2).withBatchSize(32).withSeed(3).withThreads(1);

    @Test
    void jsonEqualsTheEngineAndDrawsThePlot() throws Exception {
        Path png = tmp.resolve("grid.png");
        CliTest.Run r = CliTest.run("grid", "linear", "--data", "embedded:digits", "--train-limit", "300", "--lr", "0.05,0.5",
                "--lambda", "1e-4,1e-1", "--loss", "softmax,svm", "--epochs", "2", "--batch", "32", "--train-seed", "3",
                "--folds", "3", "--cv-seed", "4", "--scoring", "balanced", "--json", "--plot-png", png.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.get("candidates").asInt()).isEqualTo(8);
        try (Dataset all = EmbeddedData.digits(); Dataset d = Transforms.first(all, 300)) {
            // --standardize fold (the default) = the model's own standardisation on each training fold
            LinearGridSearch.Result e = LinearGridSearch.run(d, LinearGridSearch.Grid.l2(List.of(Loss.SOFTMAX, Loss.SVM),
                    new double[] {0.05, 0.5}, new double[] {1e-4, 1e-1}), LinearConfig.defaults(), SGD,
                    new CvSpec(3, true, 4L, CvSpec.Scaling.NONE, Scoring.BALANCED_ACCURACY));
            for (int i = 0; i < 8; i++) {
                JsonNode c = n.get("results").get(i);
                LinearGridSearch.Candidate x = e.candidates().get(i);
                assertThat(c.get("candidate").asInt()).isEqualTo(i + 1);
                assertThat(c.get("loss").asText()).isEqualTo(x.params().loss().id());
                assertThat(c.get("learningRate").asDouble()).isEqualTo(x.params().learningRate());
                assertThat(c.get("lambda").asDouble()).isEqualTo(x.params().regularizer().lambda());
                assertThat(c.get("mean").asDouble()).isEqualTo(x.mean());
                assertThat(c.get("std").asDouble()).isEqualTo(x.std());
                assertThat(c.get("rank").asInt()).isEqualTo(x.rank());
            }
            assertThat(n.get("best").get("candidate").asInt()).isEqualTo(e.best().index() + 1);
        }
        assertThat(n.get("test").isNull()).isTrue(); // digits has no test split
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(720);
        assertThat(img.getHeight()).isEqualTo(420);
    }

    @Test
    void refitIsScoredOnTheTestSplitAndTheTableIsPrinted() throws Exception {
        CliTest.Run s = CliTest.run("data", "synth", "--like", "fashion", "--train", "240", "--test", "80", "--seed", "2",
                "--out", tmp.toString());
        Path dir = tmp.resolve("fashion-mnist");
        assertThat(s.code()).as(s.err()).isZero();
        CliTest.Run r = CliTest.run("grid", "linear", "--data", dir.toString(), "--lr", "0.01,0.1", "--lambda", "1e-3",
                "--loss", "svm", "--reg", "l2,none", "--epochs", "2", "--batch", "32", "--train-seed", "3", "--folds", "3",
                "--standardize", "all", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.get("candidates").asInt()).isEqualTo(4); // l2 x 2 rates, none x 2 rates
        assertThat(n.get("results").get(2).get("penalty").asText()).isEqualTo("none");
        try (LoadedData d = Datasets.load(dir.toString(), LoadOptions.DEFAULTS)) {
            assertThat(d.format()).isEqualTo(DataFormat.IDX);
            CvSpec cv = new CvSpec(3, true, null, CvSpec.Scaling.ALL, Scoring.ACCURACY);
            LinearConfig raw = LinearConfig.defaults().withPreprocessing(Preprocessing.RAW);
            LinearGridSearch.Result e = LinearGridSearch.run(d.train(), new LinearGridSearch.Grid(List.of(Loss.SVM),
                    List.of(io.vecml.engine.linear.Regularizer.Kind.L2, io.vecml.engine.linear.Regularizer.Kind.NONE),
                    new double[] {0.01, 0.1}, new double[] {1e-3}), raw, SGD, cv);
            assertThat(n.get("best").get("candidate").asInt()).isEqualTo(e.best().index() + 1);
            TrainingResult refit = LinearGridSearch.refit(d.train(), e.best().params(), raw, SGD, cv);
            int[] p = refit.model().predict(d.test(), 1);
            assertThat(n.get("test").get("rows").asInt()).isEqualTo(80);
            assertThat(n.get("test").get("accuracy").asDouble()).isEqualTo(Metrics.accuracy(p, d.test().labels()));
            assertThat(n.get("test").get("macroF1").asDouble())
                    .isEqualTo(Metrics.perClass(p, d.test().labels(), 10).macroF1());
        }
        CliTest.Run text = CliTest.run("grid", "linear", "--data", dir.toString(), "--lr", "0.01", "--lambda", "1e-3",
                "--loss", "softmax", "--epochs", "1", "--folds", "2");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).contains("rank", "lambda", "best: #1, loss softmax", "refit on all 240 training rows",
                "test split (80 rows)");
    }

    @Test
    void badOptionsAreExitCode2AndNameTheOption() {
        String[][] cases = {
            {"--lr", "0", "--lr"},
            {"--lr", "abc", "--lr"},
            {"--lambda", "-1", "--lambda"},
            {"--loss", "hinge2", "--loss"},
            {"--reg", "l3", "--reg"},
            {"--standardize", "maybe", "--standardize"},
            {"--scoring", "f1", "--scoring"},
            {"--folds", "1", "--folds"},
            {"--epochs", "0", "--epochs"},
            {"--plot-png", "plot.txt", "--plot-png"},
        };
        for (String[] c : cases) {
            CliTest.Run r = CliTest.run("grid", "linear", "--data", "embedded:digits", c[0], c[1]);
            assertThat(r.code()).as(String.join(" ", c)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", c)).contains(c[2]);
        }
    }

    @Test
    void everyCandidateDivergingIsBadInput() {
        CliTest.Run r = CliTest.run("grid", "linear", "--data", "embedded:digits", "--train-limit", "100", "--lr", "1e30",
                "--loss", "softmax", "--lambda", "1e-4", "--standardize", "none", "--epochs", "2", "--batch", "10", "--folds", "2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("diverged for every candidate", "--lr");
    }
}
