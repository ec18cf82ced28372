package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.template.TemplateClassifier;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateCommandTest {

    @TempDir
    Path tmp;

    @Test
    void digitsAccuracyEqualsTheEngineAndTheTemplatesAreDrawn() throws Exception {
        Path png = tmp.resolve("templates.png");
        CliTest.Run r = CliTest.run("template", "--data", "embedded:digits", "--metric", "l2,l1", "--json",
                "--threads", "2", "--templates-png", png.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        JsonNode res = n.get("results");
        assertThat(res).hasSize(2);
        assertThat(res.get(0).get("metric").asText()).isEqualTo("L2");
        assertThat(res.get(1).get("metric").asText()).isEqualTo("L1");
        try (Dataset all = EmbeddedData.digits()) {
            Splits.Holdout h = Splits.holdout(all.rows(), 0.2, 42);
            try (Dataset train = all.select(h.train()); Dataset test = all.select(h.test())) {
                TemplateClassifier t = TemplateClassifier.fit(train, TemplateClassifier.Center.MEAN);
                assertThat(res.get(0).get("accuracy").asDouble()).isEqualTo(t.accuracy(test, Metric.L2, 1));
                assertThat(res.get(1).get("accuracy").asDouble()).isEqualTo(t.accuracy(test, Metric.L1, 1));
                assertThat(n.get("testRows").asInt()).isEqualTo(test.rows());
                assertThat(n.get("trainRows").asInt()).isEqualTo(train.rows());
            }
        }
        // the lecture's numbers for the nearest class mean on digits are around 0.9
        assertThat(res.get(0).get("accuracy").asDouble()).isBetween(0.85, 0.97);
        assertThat(res.get(0).get("balancedAccuracy").asDouble()).isBetween(0.85, 0.97);
        assertThat(res.get(0).get("imagesPerSecond").asDouble()).isPositive();
        BufferedImage img = ImageIO.read(png.toFile());
        // 10 cells of max(8 x 12, 90) px wide with 8 px gaps; one line of 96 px images + 20 px names
        assertThat(img.getWidth()).isEqualTo(8 + 10 * (96 + 8));
        assertThat(img.getHeight()).isEqualTo(8 + 96 + 20 + 8);
        // each template is scaled to its own range, so every one has a black and a white pixel
        int[] first = img.getRGB(8 + (96 - 96) / 2, 8, 96, 96, null, 0, 96);
        assertThat(first).contains(0xff000000, 0xffffffff);
    }

    @Test
    void medianTextOutput() {
        CliTest.Run r = CliTest.run("template", "--data", "embedded:digits", "--center", "median", "--metric", "l1",
                "--limit", "100");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("class median", "100 test rows", "held out 20%", "L1", "accuracy", "test img/s")
                .doesNotContain("L2 ");
    }

    @Test
    void badInputIsExitCode2() {
        CliTest.Run c = CliTest.run("template", "--data", "embedded:digits", "--center", "mode");
        assertThat(c.code()).isEqualTo(2);
        assertThat(c.err()).contains("--center", "mode");
        CliTest.Run m = CliTest.run("template", "--data", "embedded:digits", "--metric", "cosine");
        assertThat(m.code()).isEqualTo(2);
        assertThat(m.err()).contains("--metric", "cosine");
        CliTest.Run p = CliTest.run("template", "--data", "embedded:digits", "--templates-png",
                tmp.resolve("t.jpg").toString());
        assertThat(p.code()).isEqualTo(2);
        assertThat(p.err()).contains("--templates-png", ".png");
        CliTest.Run f = CliTest.run("template", "--data", "embedded:digits", "--test-fraction", "1");
        assertThat(f.code()).isEqualTo(2);
        assertThat(f.err()).contains("--test-fraction");
        assertThat(CliTest.run("template").err()).contains("either --data");
    }
}
