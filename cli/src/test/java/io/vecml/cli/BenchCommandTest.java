package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {

    @TempDir
    Path tmp;

    @Test
    void quickRunPrintsRatiosAndWritesItsFiles() throws Exception {
        Path dir = tmp.resolve("bench");
        CliTest.Run r = CliTest.run("bench", "--quick", "--out", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("kernels", "GEMM", "kNN", "ratio", "warm-up rounds", "bench.json");
        assertThat(r.out()).containsPattern("\\d+\\.\\dx"); // at least one ratio

        JsonNode n = new ObjectMapper().readTree(dir.resolve("bench.json").toFile());
        assertThat(n.get("quick").asBoolean()).isTrue();
        assertThat(n.get("allAgree").asBoolean()).isTrue();
        JsonNode rows = n.get("rows");
        assertThat(rows.size()).isPositive();
        boolean knn = false;
        for (JsonNode row : rows) {
            assertThat(row.get("speedUp").asDouble()).isPositive();
            assertThat(row.get("agreement").asText()).doesNotStartWith("DIFFERS");
            assertThat(row.get("baseline").get("warmupRounds").asInt()).isNotNegative();
            assertThat(row.get("variant").get("runs").asInt()).isPositive();
            knn |= row.get("group").asText().equals("knn");
        }
        assertThat(knn).isTrue();
        if (System.getProperty("vecml.require", "").contains("simd")) {
            assertThat(rows.findValuesAsText("group")).contains("kernels");
        }
        if (System.getProperty("vecml.require", "").contains("openblas")) {
            assertThat(rows.findValuesAsText("group")).contains("gemm");
        }
        BufferedImage png = ImageIO.read(dir.resolve("bench.png").toFile());
        assertThat(png).isNotNull();
        assertThat(png.getHeight()).isGreaterThan(100);
    }

    @Test
    void helpSaysItIsNotTheJmhSuite() {
        CliTest.Run r = CliTest.run("bench", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("NOT a replacement for the JMH suite", "bench/run.sh", "no forking", "Blackhole");
    }
}
