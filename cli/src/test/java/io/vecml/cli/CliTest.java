package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CliTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("demo", "info", "Exit codes");
    }

    @Test
    void unknownOptionIsAUsageErrorWithExitCode2() {
        Run r = run("demo", "--no-such-option");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option", "--no-such-option");
    }

    @Test
    void badValueIsExitCode2AndNamesTheOption() {
        Run r = run("demo", "--test-fraction", "1.5");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--test-fraction", "1.5");
        assertThat(run("demo", "--repeats", "abc").code()).isEqualTo(2);
    }

    @Test
    void infoReportsTheChoices() throws Exception {
        Run text = run("info");
        assertThat(text.code()).isZero();
        assertThat(text.out()).contains("JDK", "SIMD", "kernels", "GEMM", "OpenBLAS", "avx2");
        Run json = run("info", "--json");
        assertThat(json.code()).isZero();
        JsonNode n = new ObjectMapper().readTree(json.out());
        assertThat(n.get("javaVersion").asText()).startsWith(Integer.toString(Runtime.version().feature()));
        assertThat(n.get("kernels").asText()).isIn("scalar", "simd");
        assertThat(n.get("gemm").asText()).isIn("openblas", "java");
        assertThat(n.get("openblas").get("attempts").size()).isPositive();
        if (System.getProperty("vecml.require", "").contains("openblas")) {
            assertThat(n.get("openblas").get("loaded").asBoolean()).isTrue();
            assertThat(n.get("openblas").get("coreName").asText()).isNotBlank();
        }
        if (System.getProperty("vecml.require", "").contains("simd")) {
            assertThat(n.get("kernels").asText()).isEqualTo("simd");
            assertThat(n.get("vectorBits").asInt()).isGreaterThanOrEqualTo(128);
        }
    }

    @Test
    void demoRunsAndEveryPathAgrees() throws Exception {
        Run r = run("demo", "--repeats", "1", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.get("allAgree").asBoolean()).isTrue();
        JsonNode dm = n.get("distanceMatrices");
        assertThat(dm.get("allAgree").asBoolean()).isTrue();
        assertThat(dm.get("queries").asInt()).isEqualTo(359);
        assertThat(dm.get("trainRows").asInt()).isEqualTo(1438);
        // 1-NN on digits is about 98% accurate (scikit-learn reaches 0.97-0.99 on such splits).
        assertThat(dm.get("nn1AccuracyL1").asDouble()).isBetween(0.95, 1.0);
        assertThat(dm.get("nn1AccuracyL2").asDouble()).isBetween(0.95, 1.0);
        assertThat(dm.get("paths").toString()).contains("scalar uint8", "SIMD uint8", "GEMM float32 (java)");
        Run text = run("demo", "--repeats", "1");
        assertThat(text.out()).contains("1-NN accuracy", "L1 ms", "exact");
    }
}
