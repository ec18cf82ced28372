package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.Npy;
import io.vecml.engine.data.Splits;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnnCommandTest {

    @TempDir
    Path tmp;

    @Test
    void digitsJsonMatchesTheEngineAndWritesPredictions() throws Exception {
        Path pred = tmp.resolve("p.npy");
        CliTest.Run r = CliTest.run("knn", "--data", "embedded:digits", "--k", "5,1", "--metric", "l2,l1", "--json",
                "--predictions", pred.toString(), "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        JsonNode res = n.get("results");
        assertThat(res).hasSize(4);
        // ks are sorted, metrics keep the order given
        assertThat(res.get(0).get("metric").asText()).isEqualTo("L2");
        assertThat(res.get(0).get("k").asInt()).isEqualTo(1);
        assertThat(res.get(3).get("metric").asText()).isEqualTo("L1");
        assertThat(res.get(3).get("k").asInt()).isEqualTo(5);
        // the same split and model through the engine directly
        try (Dataset all = EmbeddedData.digits()) {
            Splits.Holdout h = Splits.holdout(all.rows(), 0.2, 42);
            try (Dataset train = all.select(h.train()); Dataset test = all.select(h.test());
                 KnnClassifier l2 = new KnnClassifier(KnnOptions.of(Metric.L2).withThreads(1)).fit(train);
                 KnnClassifier l1 = new KnnClassifier(KnnOptions.of(Metric.L1).withThreads(1)).fit(train)) {
                assertThat(res.get(0).get("accuracy").asDouble()).isEqualTo(l2.score(test, 1));
                assertThat(res.get(1).get("accuracy").asDouble()).isEqualTo(l2.score(test, 5));
                assertThat(res.get(2).get("accuracy").asDouble()).isEqualTo(l1.score(test, 1));
                assertThat(n.get("data").get("testRows").asInt()).isEqualTo(test.rows());
                try (Npy.NpyArray a = Npy.read(pred)) {
                    assertThat(a.shape()).containsExactly(4L, test.rows());
                    int[] p = l1.predict(test, 5);
                    for (int i = 0; i < test.rows(); i++) {
                        assertThat(a.getLong(3L * test.rows() + i)).isEqualTo(p[i]);
                    }
                }
            }
        }
    }

    @Test
    void trainAndTestFilesLimitAndReportEvery() throws Exception {
        try (Dataset all = EmbeddedData.digits(); Dataset train = all.select(range(0, 1500));
             Dataset test = all.select(range(1500, 1797))) {
            Npy.write(tmp.resolve("x_train.npy"), train);
            Npy.writeLabels(tmp.resolve("y_train.npy"), train.labels());
            Npy.write(tmp.resolve("x_test.npy"), test);
            Npy.writeLabels(tmp.resolve("y_test.npy"), test.labels());
        }
        CliTest.Run r = CliTest.run("knn", "--train", tmp.resolve("x_train.npy").toString(), "--test",
                tmp.resolve("x_test.npy").toString(), "--metric", "l1", "--k", "1", "--limit", "250",
                "--report-every", "100", "--progress", "never");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("L1 100/250:", "L1 200/250:", "L1 250/250:", "250 test images");
        assertThat(r.err()).doesNotContain("kNN L1 [");
    }

    @Test
    void badInputIsExitCode2() {
        assertThat(CliTest.run("knn").code()).isEqualTo(2);
        CliTest.Run both = CliTest.run("knn", "--data", "embedded:digits", "--train", "x");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("either --data");
        CliTest.Run bigK = CliTest.run("knn", "--data", "embedded:digits", "--k", "2000");
        assertThat(bigK.code()).isEqualTo(2);
        assertThat(bigK.err()).contains("--k", "1..1000", "2000");
        CliTest.Run metric = CliTest.run("knn", "--data", "embedded:digits", "--metric", "cosine");
        assertThat(metric.code()).isEqualTo(2);
        assertThat(metric.err()).contains("cosine");
        assertThat(CliTest.run("knn", "--data", "embedded:digits", "--predictions", tmp.resolve("p.txt").toString())
                .err()).contains(".npy");
        assertThat(CliTest.run("knn", "--data", tmp.resolve("missing").toString()).code()).isEqualTo(2);
    }

    @Test
    void kTakesListsAndRangesAsEveryCommandDoes() throws Exception {
        CliTest.Run r = CliTest.run("knn", "--data", "embedded:digits", "--k", "1..5:2,8", "--metric", "l1", "--json",
                "--limit", "50");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode res = new ObjectMapper().readTree(r.out()).get("results");
        assertThat(res.findValuesAsText("k")).containsExactly("1", "3", "5", "8");
    }

    private static int[] range(int a, int b) {
        int[] r = new int[b - a];
        for (int i = 0; i < r.length; i++) {
            r[i] = a + i;
        }
        return r;
    }

    @Test
    void repeatsReportEveryRunAndTheWarmMedian() throws Exception {
        CliTest.Run r = CliTest.run("knn", "--data", "embedded:digits", "--k", "1", "--metric", "l1", "--repeats", "3",
                "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        JsonNode runs = n.get("runSeconds").get("L1");
        assertThat(runs).hasSize(3);
        double a = runs.get(1).asDouble();
        double b = runs.get(2).asDouble();
        assertThat(n.get("searchSeconds").get("L1").asDouble()).isEqualTo((a + b) / 2);
        assertThat(CliTest.run("knn", "--data", "embedded:digits", "--repeats", "0").err()).contains("--repeats");
        CliTest.Run g = CliTest.run("grid", "knn", "--data", "embedded:digits", "--train-limit", "200", "--k", "1,2",
                "--metric", "l1", "--folds", "2", "--repeats", "2", "--json");
        assertThat(g.code()).as(g.err()).isZero();
        assertThat(new ObjectMapper().readTree(g.out()).get("runSeconds")).hasSize(2);
    }
}
