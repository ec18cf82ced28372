package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.Weights;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GridCommandTest {

    @TempDir
    Path tmp;

    @Test
    void jsonEqualsTheEngineAndDrawsThePlot() throws Exception {
        Path png = tmp.resolve("k.png");
        CliTest.Run r = CliTest.run("grid", "knn", "--data", "embedded:digits", "--train-limit", "600", "--k", "1..4,7",
                "--metric", "l2,l1", "--weights", "uniform,distance", "--folds", "4", "--standardize", "train",
                "--scoring", "balanced", "--json", "--plot-png", png.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.get("candidates").asInt()).isEqualTo(2 * 5 * 2);
        try (Dataset all = EmbeddedData.digits(); Dataset d = Transforms.first(all, 600)) {
            KnnGridSearch.Result e = KnnGridSearch.run(d, new int[] {1, 2, 3, 4, 7}, List.of(Metric.L2, Metric.L1),
                    List.of(Weights.UNIFORM, Weights.DISTANCE),
                    new CvSpec(4, true, null, CvSpec.Scaling.FOLD, Scoring.BALANCED_ACCURACY), 1);
            for (int i = 0; i < e.candidates().size(); i++) {
                JsonNode c = n.get("results").get(i);
                assertThat(c.get("metric").asText()).isEqualTo(e.candidates().get(i).metric().name());
                assertThat(c.get("k").asInt()).isEqualTo(e.candidates().get(i).k());
                assertThat(c.get("mean").asDouble()).isEqualTo(e.candidates().get(i).mean());
                assertThat(c.get("rank").asInt()).isEqualTo(e.candidates().get(i).rank());
            }
            assertThat(n.get("best").get("k").asInt()).isEqualTo(e.best().k());
            assertThat(n.get("best").get("metric").asText()).isEqualTo(e.best().metric().name());
        }
        assertThat(n.get("test").isNull()).isTrue(); // digits has no test split
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(720);
    }

    @Test
    void textTableAndBadInput() {
        CliTest.Run r = CliTest.run("grid", "knn", "--data", "embedded:digits", "--train-limit", "300", "--k", "1,3",
                "--metric", "l1", "--folds", "3", "--cv-seed", "5");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("rank", "best: metric L1", "3-fold stratified (shuffled, vecml stream, seed 5)");
        CliTest.Run sk = CliTest.run("grid", "knn", "--data", "embedded:digits", "--train-limit", "300", "--k", "1,3",
                "--metric", "l1", "--folds", "3", "--cv-seed", "5", "--split-rng", "sklearn");
        assertThat(sk.out()).contains("3-fold stratified (shuffled, sklearn stream, seed 5)");
        assertThat(CliTest.run("grid", "knn", "--data", "embedded:digits", "--k", "5..1").err()).contains("empty range");
        assertThat(CliTest.run("grid", "knn", "--data", "embedded:digits", "--k", "a").code()).isEqualTo(2);
        assertThat(CliTest.run("grid", "knn", "--data", "embedded:digits", "--standardize", "maybe").err())
                .contains("--standardize", "none, train, all or center");
        assertThat(CliTest.run("grid", "knn", "--data", "embedded:digits", "--folds", "1").code()).isEqualTo(2);
        assertThat(CliTest.run("grid", "knn", "--data", "embedded:digits", "--k", "0..3").err()).contains("1..1000");
        assertThat(CliTest.run("grid", "knn", "--data", "embedded:digits", "--standardize", "center").err())
                .contains("--standardize", "linear models");
    }
}
