package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

    @TempDir
    Path tmp;

    @Test
    void writesAReportWithEverySectionAndExistingPictures() throws Exception {
        Path dir = tmp.resolve("report");
        CliTest.Run r = CliTest.run("demo", "--repeats", "1", "--out", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("kNN L1", "kNN L2", "template L1", "template L2", "linear svm",
                "linear softmax", "least squares", "SIMD uint8", "report written to");

        String md = Files.readString(dir.resolve("report.md"));
        for (String s : DemoCommand.SECTIONS) {
            assertThat(md).contains("\n## " + s + "\n");
        }
        List<String> links = new ArrayList<>();
        Matcher m = Pattern.compile("!\\[[^\\]]*\\]\\(([^)]+)\\)").matcher(md);
        while (m.find()) {
            links.add(m.group(1));
        }
        assertThat(links).contains("samples.png", "templates.png", "weights-svm.png", "weights-softmax.png",
                "loss-curves.png", "confusion-knn.png", "confusion-template.png", "confusion-softmax.png",
                "accuracy-vs-k.png", "regression.png");
        for (String link : links) {
            assertThat(link).doesNotContain("/").endsWith(".png"); // relative, beside report.md
            Path png = dir.resolve(link);
            assertThat(png).exists();
            assertThat(ImageIO.read(png.toFile())).as(link).isNotNull();
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }

        JsonNode n = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        for (String s : DemoCommand.JSON_SECTIONS) {
            assertThat(n.has(s)).as(s).isTrue();
            assertThat(n.get(s).isNull()).as(s).isFalse();
        }
        assertThat(n.get("allAgree").asBoolean()).isTrue();
        assertThat(n.get("data").get("trainRows").asInt()).isEqualTo(1438);
        assertThat(n.get("data").get("testRows").asInt()).isEqualTo(359);
        JsonNode knn = n.get("knn");
        assertThat(knn.get("grid").size()).isEqualTo(2 * 15);
        assertThat(knn.get("metrics").size()).isEqualTo(2);
        for (JsonNode km : knn.get("metrics")) {
            assertThat(km.get("k").asInt()).isBetween(1, 15);
            assertThat(km.get("testAccuracy").asDouble()).isBetween(0.95, 1.0);
            assertThat(km.get("speedUps").size()).isGreaterThanOrEqualTo(1);
            for (JsonNode s : km.get("speedUps")) {
                assertThat(s.get("agreement").asText()).isEqualTo("same predictions");
                assertThat(s.get("speedUp").asDouble()).isPositive();
            }
        }
        // the best k of each metric is the best-ranked grid row of that metric
        for (JsonNode km : knn.get("metrics")) {
            int bestRank = Integer.MAX_VALUE;
            int bestK = -1;
            for (JsonNode g : knn.get("grid")) {
                if (g.get("metric").asText().equals(km.get("metric").asText()) && g.get("rank").asInt() < bestRank) {
                    bestRank = g.get("rank").asInt();
                    bestK = g.get("k").asInt();
                }
            }
            assertThat(km.get("k").asInt()).isEqualTo(bestK);
        }
        assertThat(n.get("template").get("metrics").get(0).get("accuracy").asDouble()).isBetween(0.85, 1.0);
        assertThat(n.get("linear").size()).isEqualTo(2);
        assertThat(n.get("linear").get(0).get("loss").asText()).isEqualTo("svm");
        assertThat(n.get("linear").get(1).get("loss").asText()).isEqualTo("softmax");
        for (JsonNode l : n.get("linear")) {
            assertThat(l.get("testAccuracy").asDouble()).isBetween(0.85, 1.0);
            assertThat(l.get("lossPerEpoch").size()).isEqualTo(l.get("epochs").asInt());
        }
        JsonNode reg = n.get("regression");
        assertThat(reg.get("trainRows").asInt() + reg.get("testRows").asInt()).isEqualTo(25);
        assertThat(reg.get("slope").asDouble()).isBetween(9.0, 10.5); // about 9.8 points per hour of study
        assertThat(n.get("files").get("samples").asText()).isEqualTo("samples.png");
    }

    @Test
    void jsonGoesToStdoutAndNoFilesWithoutOut() throws Exception {
        CliTest.Run r = CliTest.run("demo", "--repeats", "1", "--json", "--k", "1..3", "--folds", "3");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.get("files").size()).isZero();
        assertThat(n.get("knn").get("grid").size()).isEqualTo(2 * 3);
        assertThat(n.get("knn").get("folds").asInt()).isEqualTo(3);
        assertThat(n.get("distanceMatrices").get("paths").toString()).contains("scalar uint8", "SIMD uint8",
                "GEMM float32 (java)");
    }

    @Test
    void badOptionsAreExitCode2() {
        assertThat(CliTest.run("demo", "--out", tmp.resolve("f").toString(), "--k", "0..3").code()).isEqualTo(2);
        assertThat(CliTest.run("demo", "--limit", "0").code()).isEqualTo(2);
        assertThat(CliTest.run("demo", "--folds", "1").code()).isEqualTo(2);
        assertThat(CliTest.run("demo", "--data", tmp.resolve("missing").toString()).code()).isEqualTo(2);
    }

    @Test
    void outMustNotBeAFile() throws Exception {
        Path f = Files.writeString(tmp.resolve("file"), "x");
        CliTest.Run r = CliTest.run("demo", "--out", f.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--out", "is a file");
    }
}
