package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.Npy;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vecml lecture} and the split options, against lecture-reference.json: numbers written by
 * scikit-learn 1.2.1 / numpy 1.24.2 through engine/src/test/resources/.../sklearn/generate.py.
 */
class LectureAndSplitOptionsTest {

    static JsonNode ref;
    static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void reference() throws Exception {
        try (InputStream in = LectureCommand.class.getResourceAsStream("lecture-reference.json")) {
            ref = M.readTree(in);
        }
        assertThat(ref.get("writtenBy").asText()).contains("scikit-learn 1.2.1");
    }

    private static JsonNode json(CliTest.Run r) throws Exception {
        assertThat(r.code()).as(r.err()).isZero();
        return M.readTree(r.out());
    }

    @Test
    void lectureImageSectionsRunOnADatasetWithATestSplit() throws Exception {
        Path out = dir.resolve("synth");
        assertThat(CliTest.run("data", "synth", "--like", "cifar10", "--train", "300", "--test", "60", "--seed", "3",
                "--out", out.toString()).code()).isZero();
        Path bin = out.resolve("cifar-10-batches-bin");
        JsonNode n = json(CliTest.run("lecture", "--json", "--data", bin.toString(), "--k", "1,3"));
        JsonNode res = n.get("dataResults");
        // kNN L1 and L2 with k 1 and 3, template L1 and L2, SVM and softmax
        assertThat(res).hasSize(8);
        assertThat(res.findValuesAsText("model")).containsExactly("kNN", "kNN", "kNN", "kNN", "template", "template",
                "linear", "linear");
        for (JsonNode r : res) {
            assertThat(r.get("accuracy").asDouble()).isBetween(0.0, 1.0);
        }
        // the kNN section is the engine's answer for the same data
        try (io.vecml.engine.data.LoadedData d = io.vecml.engine.data.Datasets.load(bin.toString());
             io.vecml.engine.knn.KnnClassifier knn = new io.vecml.engine.knn.KnnClassifier(
                     io.vecml.engine.knn.KnnOptions.of(io.vecml.engine.distance.Metric.L2)).fit(d.train())) {
            assertThat(res.get(2).get("settings").asText()).isEqualTo("L2, k=1");
            assertThat(res.get(2).get("accuracy").asDouble()).isEqualTo(knn.score(d.test(), 1));
        }
        CliTest.Run noTest = CliTest.run("lecture", "--data", "embedded:digits");
        assertThat(noTest.code()).isEqualTo(2);
        assertThat(noTest.err()).contains("test split");
        assertThat(CliTest.run("lecture", "--limit", "5").code()).isEqualTo(2);
    }

    @Test
    void lectureNumbersEqualScikitLearns() throws Exception {
        JsonNode n = json(CliTest.run("lecture", "--json"));
        assertThat(n.get("allEqual").asBoolean()).isTrue();
        assertThat(n.get("differing").asInt()).isZero();
        assertThat(n.get("checks").size()).isEqualTo(26);
        JsonNode iris = ref.get("iris");
        JsonNode scores = ref.get("studentScores");
        for (JsonNode c : n.get("checks")) {
            assertThat(c.get("equal").asBoolean()).as(c.toString()).isTrue();
            String q = c.get("quantity").asText();
            String section = c.get("section").asText();
            // the reference column is the fixture's own value, not something the command made up
            if (section.equals("iris") && q.equals("best k")) {
                assertThat(c.get("vecml").asInt()).isEqualTo(iris.get("bestK").asInt());
            }
            if (section.equals("iris") && q.equals("best CV accuracy")) {
                assertThat(c.get("vecml").asDouble()).isCloseTo(iris.get("bestCvScore").asDouble(),
                        org.assertj.core.api.Assertions.within(1e-12));
            }
            if (section.equals("iris") && q.equals("train_test_split test indices")) {
                assertThat(c.get("vecml")).isEqualTo(iris.get("testIndices"));
            }
            if (section.equals("student scores") && q.equals("prediction for 9.25 hours")) {
                assertThat(LectureChecks.close(c.get("vecml").asDouble(), scores.get("prediction925").asDouble())).isTrue();
            }
        }
        CliTest.Run text = CliTest.run("lecture");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).contains("all equal: 26 numbers, 0 differ", "best k", "euclidean", "scikit-learn 1.2.1");
    }

    @Test
    void toleranceIsRelativeWithAFloor() {
        assertThat(LectureChecks.close(1.0, 1.0 + 1e-10)).isTrue();
        assertThat(LectureChecks.close(1.0, 1.0 + 1e-8)).isFalse();
        assertThat(LectureChecks.close(5.75e-290, 5.75e-290 * (1 + 1e-12))).isTrue();
        assertThat(LectureChecks.close(0.0, 1e-11)).isFalse();
    }

    /** The lecture's grid search through the ordinary options gives scikit-learn's best and scores. */
    @Test
    void gridWithSklearnStreamAndHoldoutIsGridSearchCv() throws Exception {
        JsonNode n = json(CliTest.run("grid", "knn", "--data", "embedded:iris", "--test-fraction", "0.2", "--split-rng",
                "sklearn", "--folds", "3", "--seed", "42", "--no-stratified", "--standardize", "all", "--metric", "l2,l1",
                "--k", "1..30", "--json"));
        JsonNode iris = ref.get("iris");
        assertThat(n.get("rows").asInt()).isEqualTo(iris.get("trainIndices").size());
        assertThat(n.get("best").get("k").asInt()).isEqualTo(iris.get("bestK").asInt());
        assertThat(n.get("best").get("metric").asText()).isEqualTo("L2");
        assertThat(LectureChecks.close(n.get("best").get("mean").asDouble(), iris.get("bestCvScore").asDouble())).isTrue();
        assertThat(n.get("test").get("accuracy").asDouble()).isEqualTo(iris.get("testAccuracy").asDouble());
        for (JsonNode c : iris.get("candidates")) {
            String metric = c.get("metric").asText().equals("euclidean") ? "L2" : "L1";
            JsonNode mine = null;
            for (JsonNode x : n.get("results")) {
                if (x.get("metric").asText().equals(metric) && x.get("k").asInt() == c.get("k").asInt()) {
                    mine = x;
                }
            }
            assertThat(mine).as(c.toString()).isNotNull();
            assertThat(mine.get("rank").asInt()).as(c.toString()).isEqualTo(c.get("rank").asInt());
            assertThat(LectureChecks.close(mine.get("mean").asDouble(), c.get("mean").asDouble())).as(c.toString()).isTrue();
        }
        // The same folds handed over as a file (scikit-learn's KFold indices, written by the generator) and the
        // same holdout as a split file give the same scores.
        Path folds = dir.resolve("folds.json");
        Files.writeString(folds, iris.get("folds").toString());
        Path split = dir.resolve("split.json");
        Files.writeString(split, "{\"train\":" + iris.get("trainIndices") + ",\"test\":" + iris.get("testIndices") + "}");
        JsonNode f = json(CliTest.run("grid", "knn", "--data", "embedded:iris", "--split-file", split.toString(),
                "--folds-file", folds.toString(), "--standardize", "all", "--metric", "l2,l1", "--k", "1..30", "--json"));
        assertThat(f.get("results")).isEqualTo(n.get("results"));
        assertThat(f.get("folds").asInt()).isEqualTo(3);
    }

    @Test
    void cvAndRegressHoldOutWithTheSklearnStream() throws Exception {
        JsonNode iris = ref.get("iris");
        Path folds = dir.resolve("tests.json");
        StringBuilder tests = new StringBuilder("[");
        for (int f = 0; f < 3; f++) {
            tests.append(f == 0 ? "" : ",").append(iris.get("folds").get(f).get("test"));
        }
        Files.writeString(folds, tests.append("]").toString());
        JsonNode a = json(CliTest.run("cv", "knn", "--data", "embedded:iris", "--test-fraction", "0.2", "--split-rng",
                "sklearn", "--folds", "3", "--seed", "42", "--no-stratified", "--k", "9", "--metric", "l2", "--json"));
        JsonNode b = json(CliTest.run("cv", "knn", "--data", "embedded:iris", "--test-fraction", "0.2", "--split-rng",
                "sklearn", "--folds-file", folds.toString(), "--k", "9", "--metric", "l2", "--json"));
        assertThat(a.get("rows").asInt()).isEqualTo(120);
        assertThat(b.get("scores")).isEqualTo(a.get("scores"));
        JsonNode vecml = json(CliTest.run("cv", "knn", "--data", "embedded:iris", "--folds", "3", "--seed", "42",
                "--no-stratified", "--k", "9", "--metric", "l2", "--json"));
        assertThat(vecml.get("rows").asInt()).isEqualTo(150);

        Path csv = dir.resolve("scores.csv");
        try (InputStream in = LectureCommand.class.getResourceAsStream("student_scores.csv")) {
            Files.copy(in, csv);
        }
        JsonNode r = json(CliTest.run("regress", "--train", csv.toString(), "--target", "Scores", "--test-fraction", "0.2",
                "--split-rng", "sklearn", "--json"));
        JsonNode s = ref.get("studentScores");
        assertThat(r.get("trainRows").asInt()).isEqualTo(20);
        assertThat(LectureChecks.close(r.get("intercept").asDouble(), s.get("intercept").asDouble())).isTrue();
        assertThat(LectureChecks.close(r.get("testMetrics").get("rmse").asDouble(), s.get("rmse").asDouble())).isTrue();
        CliTest.Run both = CliTest.run("regress", "--train", csv.toString(), "--test", csv.toString(), "--target", "Scores",
                "--test-fraction", "0.2");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("do not go with --test");
    }

    @Test
    void knnSplitFileJsonAndNpyAndSklearnStream() throws Exception {
        JsonNode iris = ref.get("iris");
        JsonNode s = json(CliTest.run("knn", "--data", "embedded:iris", "--split-rng", "sklearn", "--k", "9", "--json"));
        assertThat(s.get("data").get("testRows").asInt()).isEqualTo(30);
        Path npy = dir.resolve("test.npy");
        int[] test = new int[iris.get("testIndices").size()];
        for (int i = 0; i < test.length; i++) {
            test[i] = iris.get("testIndices").get(i).asInt();
        }
        Npy.write(npy, test, test.length);
        JsonNode f = json(CliTest.run("knn", "--data", "embedded:iris", "--split-file", npy.toString(), "--k", "9", "--json"));
        assertThat(f.get("data").get("testRows").asInt()).isEqualTo(30);
        assertThat(f.get("results").get(0).get("accuracy").asDouble())
                .isEqualTo(s.get("results").get(0).get("accuracy").asDouble());
        Path list = dir.resolve("list.json");
        Files.writeString(list, iris.get("testIndices").toString());
        JsonNode l = json(CliTest.run("template", "--data", "embedded:iris", "--split-file", list.toString(), "--json"));
        assertThat(l.toString()).contains("30");
        // digits: 1797 rows, scikit-learn rounds the test part up (360), vecml's own stream rounds (359)
        JsonNode d1 = json(CliTest.run("knn", "--data", "embedded:digits", "--split-rng", "sklearn", "--k", "1", "--json"));
        JsonNode d2 = json(CliTest.run("knn", "--data", "embedded:digits", "--k", "1", "--json"));
        assertThat(d1.get("data").get("testRows").asInt()).isEqualTo(360);
        assertThat(d2.get("data").get("testRows").asInt()).isEqualTo(359);
    }

    private CliTest.Run bad(String file, String content, String... args) throws Exception {
        Path p = dir.resolve(file);
        Files.writeString(p, content);
        String[] all = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            all[i] = args[i].replace("FILE", p.toString());
        }
        CliTest.Run r = CliTest.run(all);
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        return r;
    }

    @Test
    void badSplitFilesNameTheFileAndTheEntry() throws Exception {
        String[] knn = {"knn", "--data", "embedded:iris", "--split-file", "FILE", "--k", "1"};
        assertThat(bad("range.json", "{\"test\":[0,1,150]}", knn).err()).contains("range.json: test[2] = 150 is outside 0..149");
        assertThat(bad("neg.json", "[3,-1]", knn).err()).contains("neg.json: test[1] = -1 is outside 0..149");
        assertThat(bad("dup.json", "{\"test\":[4,5,4]}", knn).err()).contains("dup.json: test[2] = 4 is already at position 0");
        assertThat(bad("overlap.json", "{\"train\":[1,2,3],\"test\":[0,3]}", knn).err())
                .contains("overlap.json: train[2] = 3 is also a test row");
        assertThat(bad("frac.json", "{\"test\":[1,2.5]}", knn).err()).contains("frac.json: test[1]: expected a row index");
        assertThat(bad("field.json", "{\"test\":[1],\"tset\":[2]}", knn).err()).contains("field.json: unknown field \"tset\"");
        assertThat(bad("notjson.json", "{\"test\":[1,", knn).err()).contains("notjson.json: not valid JSON");
        assertThat(bad("empty.json", "[]", knn).err()).contains("empty.json: the test rows are empty");
        assertThat(bad("ok.json", "[1]", "knn", "--data", "embedded:iris", "--split-file", dir.resolve("missing.json").toString())
                .err()).contains("--split-file: no such file");
        assertThat(bad("ok2.json", "[1]", "knn", "--data", "embedded:iris", "--split-rng", "numpy2").err())
                .contains("--split-rng must be vecml or sklearn, got 'numpy2'");
        Path npy = dir.resolve("float.npy");
        Npy.write(npy, new float[] {1, 2}, 2);
        CliTest.Run r = CliTest.run("knn", "--data", "embedded:iris", "--split-file", npy.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("float.npy: expected a 1-D integer array");
        Path npy2 = dir.resolve("range.npy");
        Npy.write(npy2, new int[] {1, 200}, 2);
        r = CliTest.run("knn", "--data", "embedded:iris", "--split-file", npy2.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("range.npy: test[1] = 200 is outside 0..149");
    }

    @Test
    void badFoldsFilesNameTheFileAndTheFold() throws Exception {
        String[] cv = {"cv", "knn", "--data", "embedded:iris", "--folds-file", "FILE"};
        assertThat(bad("one.json", "[[1,2]]", cv).err()).contains("one.json: cross-validation needs at least 2 folds");
        assertThat(bad("obj.json", "{\"test\":[1]}", cv).err()).contains("obj.json: expected a JSON list of folds");
        assertThat(bad("r.json", "[[1,2],[3,150]]", cv).err()).contains("r.json: fold 1: test[1] = 150 is outside 0..149");
        assertThat(bad("o.json", "[{\"train\":[5,6],\"test\":[6]},[1]]", cv).err())
                .contains("o.json: fold 0: train[1] = 6 is also a test row");
        assertThat(bad("d.json", "[[1,1],[2]]", cv).err()).contains("d.json: fold 0: test[1] = 1 is already at position 0");
        assertThat(bad("m.json", "[{\"train\":[1]},[2]]", cv).err()).contains("m.json: fold 0: missing field \"test\"");
        assertThat(bad("n.json", "[3,[2]]", cv).err()).contains("n.json: fold 0: expected");
        assertThat(bad("h.json", "[1]", "cv", "knn", "--data", "embedded:iris", "--test-fraction", "1.5").err())
                .contains("--test-fraction must be in (0, 1)");
    }
}
