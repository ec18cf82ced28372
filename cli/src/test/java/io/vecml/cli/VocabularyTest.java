package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.data.Standardizer;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.template.TemplateClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The option vocabulary on knn, template and data convert: names, defaults, old spellings, progress. */
class VocabularyTest {

    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(CliTest.Run r) throws Exception {
        assertThat(r.code()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    @Test
    void knnDefaultsToOneModelL2WithFiveNeighbours() throws Exception {
        JsonNode n = json(CliTest.run("knn", "--data", "embedded:digits", "--json", "--progress", "never"));
        JsonNode res = n.get("results");
        assertThat(res).hasSize(1);
        assertThat(res.get(0).get("metric").asText()).isEqualTo("L2");
        assertThat(res.get(0).get("k").asInt()).isEqualTo(5);
        assertThat(n.get("data").get("standardize").asText()).isEqualTo("none");
        JsonNode t = json(CliTest.run("template", "--data", "embedded:digits", "--json"));
        assertThat(t.get("results")).hasSize(1);
        assertThat(t.get("results").get(0).get("metric").asText()).isEqualTo("L2");
    }

    @Test
    void theOldSeedStillWorksWithAWarningAndMeansSplitSeed() throws Exception {
        for (String command : new String[] {"knn", "template"}) {
            CliTest.Run old = CliTest.run(command, "--data", "embedded:digits", "--seed", "7", "--json");
            assertThat(old.err()).contains("vecml " + command
                    + ": warning: --seed is now --split-seed (the old name goes in the next release)");
            JsonNode a = json(old).get("results").get(0);
            CliTest.Run now = CliTest.run(command, "--data", "embedded:digits", "--split-seed", "7", "--json");
            assertThat(now.err()).doesNotContain("warning");
            JsonNode b = json(now).get("results").get(0);
            assertThat(a.get("accuracy").asDouble()).isEqualTo(b.get("accuracy").asDouble());
            CliTest.Run both = CliTest.run(command, "--data", "embedded:digits", "--seed", "7", "--split-seed", "7");
            assertThat(both.code()).isEqualTo(2);
            assertThat(both.err()).contains("--seed", "--split-seed");
        }
        // the seed matters: another holdout predicts other rows
        Path p7 = tmp.resolve("p7.npy");
        Path p42 = tmp.resolve("p42.npy");
        json(CliTest.run("knn", "--data", "embedded:digits", "--split-seed", "7", "--json", "--predictions", p7.toString()));
        json(CliTest.run("knn", "--data", "embedded:digits", "--json", "--predictions", p42.toString()));
        assertThat(Files.readAllBytes(p7)).isNotEqualTo(Files.readAllBytes(p42));
    }

    @Test
    void trainLimitAndLimitCountTrainingAndTestRowsAsTheEngine() throws Exception {
        JsonNode n = json(CliTest.run("knn", "--data", "embedded:digits", "--k", "3", "--metric", "l1", "--train-limit",
                "500", "--limit", "100", "--json"));
        assertThat(n.get("data").get("trainRows").asInt()).isEqualTo(500);
        assertThat(n.get("data").get("testRows").asInt()).isEqualTo(100);
        JsonNode t = json(CliTest.run("template", "--data", "embedded:digits", "--train-limit", "300", "--json"));
        assertThat(t.get("trainRows").asInt()).isEqualTo(300);
        try (Dataset all = EmbeddedData.digits()) {
            Splits.Holdout h = Splits.holdout(all.rows(), 0.2, 42);
            try (Dataset trainAll = all.select(h.train()); Dataset testAll = all.select(h.test());
                 Dataset train = Transforms.first(trainAll, 500); Dataset test = Transforms.first(testAll, 100);
                 KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L1).withThreads(1)).fit(train);
                 Dataset train300 = Transforms.first(trainAll, 300)) {
                assertThat(n.get("results").get(0).get("accuracy").asDouble()).isEqualTo(knn.score(test, 3));
                assertThat(t.get("results").get(0).get("accuracy").asDouble()).isEqualTo(
                        TemplateClassifier.fit(train300, TemplateClassifier.Center.MEAN).accuracy(testAll, Metric.L2, 1));
            }
        }
        CliTest.Run bad = CliTest.run("knn", "--data", "embedded:digits", "--train-limit", "0");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--train-limit");
    }

    @Test
    void standardizeTrainFitsTheZScoresOnTheTrainingRowsOnly() throws Exception {
        JsonNode k = json(CliTest.run("knn", "--data", "embedded:digits", "--k", "1,5", "--metric", "l1,l2",
                "--standardize", "train", "--json"));
        assertThat(k.get("data").get("standardize").asText()).isEqualTo("train");
        JsonNode t = json(CliTest.run("template", "--data", "embedded:digits", "--metric", "l1,l2", "--standardize",
                "train", "--json"));
        assertThat(t.get("standardize").asText()).isEqualTo("train");
        JsonNode raw = json(CliTest.run("template", "--data", "embedded:digits", "--metric", "l1,l2", "--json"));
        try (Dataset all = EmbeddedData.digits()) {
            Splits.Holdout h = Splits.holdout(all.rows(), 0.2, 42);
            try (Dataset train = all.select(h.train()); Dataset test = all.select(h.test())) {
                Standardizer s = Standardizer.fit(train);
                try (Dataset zTrain = s.apply(train); Dataset zTest = s.apply(test);
                     KnnClassifier l1 = new KnnClassifier(KnnOptions.of(Metric.L1).withThreads(1)).fit(zTrain);
                     KnnClassifier l2 = new KnnClassifier(KnnOptions.of(Metric.L2).withThreads(1)).fit(zTrain)) {
                    JsonNode res = k.get("results");
                    assertThat(res.get(0).get("accuracy").asDouble()).isEqualTo(l1.score(zTest, 1));
                    assertThat(res.get(1).get("accuracy").asDouble()).isEqualTo(l1.score(zTest, 5));
                    assertThat(res.get(2).get("accuracy").asDouble()).isEqualTo(l2.score(zTest, 1));
                    assertThat(res.get(3).get("accuracy").asDouble()).isEqualTo(l2.score(zTest, 5));
                    TemplateClassifier tc = TemplateClassifier.fit(zTrain, TemplateClassifier.Center.MEAN);
                    assertThat(t.get("results").get(0).get("accuracy").asDouble())
                            .isEqualTo(tc.accuracy(zTest, Metric.L1, 1));
                    assertThat(t.get("results").get(1).get("accuracy").asDouble())
                            .isEqualTo(tc.accuracy(zTest, Metric.L2, 1));
                }
            }
        }
        // scaling changes the answer on the digits (pixels have different spreads), so the option is not a no-op
        assertThat(t.get("results").get(0).get("accuracy").asDouble())
                .isNotEqualTo(raw.get("results").get(0).get("accuracy").asDouble());
        for (String command : new String[] {"knn", "template"}) {
            CliTest.Run all = CliTest.run(command, "--data", "embedded:digits", "--standardize", "all");
            assertThat(all.code()).isEqualTo(2);
            assertThat(all.err()).contains("--standardize: all", "cross-validation only (grid and cv)", ": train");
            CliTest.Run bad = CliTest.run(command, "--data", "embedded:digits", "--standardize", "zscore");
            assertThat(bad.code()).isEqualTo(2);
            assertThat(bad.err()).contains("--standardize must be none or train", "zscore");
        }
    }

    @Test
    void progressGoesToStderrOnlyAndLeavesStdoutAsItWas() throws Exception {
        CliTest.Run quiet = CliTest.run("knn", "--data", "embedded:digits", "--metric", "l1,l2", "--json", "--progress",
                "never");
        CliTest.Run bars = CliTest.run("knn", "--data", "embedded:digits", "--metric", "l1,l2", "--json", "--progress",
                "always");
        assertThat(bars.err()).contains("kNN L1 [", "kNN L2 [");
        assertThat(quiet.err()).doesNotContain("[#", "[-");
        assertThat(bars.out()).doesNotContain("kNN L1 [", "\r");
        assertThat(json(bars).get("results").toString().replaceAll("\"(seconds|imagesPerSecond)\":[^,}]+", ""))
                .isEqualTo(json(quiet).get("results").toString().replaceAll("\"(seconds|imagesPerSecond)\":[^,}]+", ""));

        CliTest.Run tq = CliTest.run("template", "--data", "embedded:digits", "--json", "--progress", "never");
        CliTest.Run tb = CliTest.run("template", "--data", "embedded:digits", "--json", "--progress", "always");
        assertThat(tb.err()).contains("template fit [", "template predict [");
        assertThat(tq.err()).doesNotContain("template fit [", "template predict [");
        assertThat(tb.out()).doesNotContain("template fit [", "template predict [", "\r");
        assertThat(json(tb).get("results").get(0).get("accuracy").asDouble())
                .isEqualTo(json(tq).get("results").get(0).get("accuracy").asDouble());

        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        CliTest.Run cq = CliTest.run("data", "convert", "embedded:digits", "--out", a.toString(), "--progress", "never");
        CliTest.Run cb = CliTest.run("data", "convert", "embedded:digits", "--out", b.toString(), "--progress", "always");
        assertThat(cq.code()).as(cq.err()).isZero();
        assertThat(cb.code()).as(cb.err()).isZero();
        assertThat(cb.err()).contains("convert train [");
        assertThat(cq.err()).doesNotContain("convert train [");
        assertThat(cb.out().replace(b.toString(), "DIR")).isEqualTo(cq.out().replace(a.toString(), "DIR"));
        for (String f : new String[] {"x_train.npy", "y_train.npy", "class_names.txt"}) {
            assertThat(Files.readAllBytes(b.resolve(f))).isEqualTo(Files.readAllBytes(a.resolve(f)));
        }
        CliTest.Run bad = CliTest.run("knn", "--data", "embedded:digits", "--progress", "sometimes");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--progress", "sometimes");
    }
}
