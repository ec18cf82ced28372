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
        CliTest.Run r = CliTest.run("bench", "--quick", "--out", dir.toString(), "--progress", "always");
        assertThat(r.code()).as(r.err()).isZero();
        // progress bars on stderr only, never mixed into the tables
        assertThat(r.err()).contains("bench kNN L1", "bench kNN L2");
        assertThat(r.out()).doesNotContain("\r").doesNotContain("bench kernels");
        assertThat(r.out()).contains("kernels", "GEMM", "kNN", "ratio", "warm-up rounds", "bench.json");
        assertThat(r.out()).containsPattern("\\d+\\.\\dx").contains("estimated float32 peak");

        JsonNode n = new ObjectMapper().readTree(dir.resolve("bench.json").toFile());
        assertThat(n.get("quick").asBoolean()).isTrue();
        assertThat(n.get("allAgree").asBoolean()).isTrue();
        JsonNode rows = n.get("rows");
        assertThat(rows.size()).isPositive();
        boolean knn = false;
        int simdRatios = 0;
        for (JsonNode row : rows) {
            JsonNode ratio = row.get("speedUp");
            // a ratio is printed only for settled (JIT-compiled) measurements, and then it is a real one
            assertThat(ratio.isNull() || ratio.asDouble() > 0).as(row.toString()).isTrue();
            assertThat(ratio.isNull()).isEqualTo(!row.get("baseline").get("settled").asBoolean()
                    || !row.get("variant").get("settled").asBoolean());
            boolean simdOverScalar = row.get("group").asText().equals("kernels")
                    || row.get("variant").get("variant").asText().startsWith("SIMD");
            if (simdOverScalar && !ratio.isNull()) {
                // every SIMD/scalar ratio it prints shows SIMD ahead (a 0.1x is code measured before C2)
                assertThat(ratio.asDouble()).as("SIMD/scalar ratio of %s", row.get("name")).isGreaterThan(1.0);
                simdRatios++;
            }
            assertThat(row.get("agreement").asText()).doesNotContain("ABOVE PEAK");
            assertThat(row.get("agreement").asText()).doesNotStartWith("DIFFERS");
            assertThat(row.get("baseline").get("warmupRounds").asInt()).isNotNegative();
            assertThat(row.get("variant").get("runs").asInt()).isPositive();
            knn |= row.get("group").asText().equals("knn");
        }
        assertThat(knn).isTrue();
        if (System.getProperty("vecml.require", "").contains("simd")) {
            assertThat(rows.findValuesAsText("group")).contains("kernels");
            assertThat(simdRatios).as("SIMD/scalar ratios measured").isPositive();
        }
        if (System.getProperty("vecml.require", "").contains("openblas")) {
            assertThat(rows.findValuesAsText("group")).contains("gemm");
        }
        // which BLAS: in the JSON and the text
        JsonNode blas = n.get("blas");
        assertThat(blas.get("gemm").asText()).isIn("openblas", "java");
        assertThat(r.out()).contains("BLAS: ");
        if (blas.get("loaded").asBoolean()) {
            assertThat(r.out()).contains("OpenBLAS " + blas.get("version").asText());
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
