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

    @Test
    void aReportThatAlreadyHasTheFieldKeepsIt() throws Exception {
        record WithBlas(String blas) {
        }
        assertThat(new ObjectMapper().readTree(Json.write(new WithBlas("mine"))).get("blas").asText()).isEqualTo("mine");
    }
}
