package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.gemm.BlasReport;
import org.junit.jupiter.api.Test;

/** Every command's --json says which BLAS ran (issue 13 point 6); bench and demo are checked in their own tests. */
class BlasInJsonTest {

    private static void assertBlas(JsonNode n) {
        JsonNode b = n.get("blas");
        assertThat(b).as(n.toString()).isNotNull();
        BlasReport now = BlasReport.current();
        assertThat(b.get("gemm").asText()).isEqualTo(now.gemm());
        assertThat(b.get("requested").asText()).isEqualTo(now.requested());
        assertThat(b.get("loaded").asBoolean()).isEqualTo(now.loaded());
        if (now.loaded()) {
            assertThat(b.get("version").asText()).isEqualTo(now.version()).isNotBlank();
            assertThat(b.get("path").asText()).isEqualTo(now.path());
            assertThat(b.get("source").asText()).isIn("bundled", "system", "explicit");
            assertThat(b.get("core").asText()).isEqualTo(now.core()).isNotBlank();
            assertThat(b.get("coreOrigin").asText()).isEqualTo(now.coreOrigin()).isNotBlank();
        } else {
            assertThat(b.get("reason").asText()).contains("OpenBLAS");
        }
    }

    @Test
    void knnJsonSaysWhichBlas() throws Exception {
        CliTest.Run r = CliTest.run("knn", "--data", "embedded:digits", "--limit", "30", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertBlas(new ObjectMapper().readTree(r.out()));
    }

    @Test
    void dataInfoAndLectureJsonSayWhichBlas() throws Exception {
        CliTest.Run info = CliTest.run("data", "info", "embedded:digits", "--json");
        assertThat(info.code()).as(info.err()).isZero();
        assertBlas(new ObjectMapper().readTree(info.out()));
        CliTest.Run lecture = CliTest.run("lecture", "--json");
        assertThat(lecture.code()).as(lecture.err()).isZero();
        assertBlas(new ObjectMapper().readTree(lecture.out()));
    }

    /** The environment's OpenBLAS variables travel with every report (an inherited OPENBLAS_CORETYPE changes the kernels). */
    @Test
    void theOpenBlasEnvironmentIsReported() throws Exception {
        CliTest.Run r = CliTest.run("data", "info", "embedded:digits", "--json");
        JsonNode env = new ObjectMapper().readTree(r.out()).get("blas").get("environment");
        assertThat(env).isNotNull();
        java.util.Map<String, String> want = new java.util.TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("OPENBLAS_") || k.startsWith("GOTO_") || k.equals("OMP_NUM_THREADS")) {
                want.put(k, v);
            }
        });
        java.util.Map<String, String> got = new java.util.TreeMap<>();
        env.properties().forEach(e -> got.put(e.getKey(), e.getValue().asText()));
        assertThat(got).isEqualTo(want);
    }

    /** vecml info says which core OpenBLAS runs and why, in the same words as the JSON. */
    @Test
    void infoNamesTheCoreAndWhy() {
        BlasReport now = BlasReport.current();
        CliTest.Run r = CliTest.run("info");
        assertThat(r.code()).as(r.err()).isZero();
        if (now.loaded()) {
            assertThat(r.out()).contains("  core       " + now.core() + ": " + now.coreOrigin());
        } else {
            assertThat(r.out()).contains("OpenBLAS     not loaded");
        }
    }

    @Test
    void aReportThatAlreadyHasTheFieldKeepsIt() throws Exception {
        record WithBlas(String blas) {
        }
        assertThat(new ObjectMapper().readTree(Json.write(new WithBlas("mine"))).get("blas").asText()).isEqualTo("mine");
    }
}
