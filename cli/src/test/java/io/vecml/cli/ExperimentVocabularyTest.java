package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.Npy;
import io.vecml.engine.data.Splits;
import io.vecml.engine.linear.LinearClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The option vocabulary of grid, cv and linear (issue 11): every renamed option works, its old spelling
 * still works with exactly one warning, --limit/--train-limit mean test/training rows, --progress draws on
 * stderr only, and linear predict takes data without labels.
 */
class ExperimentVocabularyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The JSON without its timings (the only fields that differ between two identical runs). */
    private static JsonNode untimed(String out) throws Exception {
        JsonNode n = JSON.readTree(out);
        strip(n);
        return n;
    }

    private static void strip(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.remove(List.of("seconds", "runSeconds", "trainSeconds", "predictSeconds"));
        }
        n.forEach(ExperimentVocabularyTest::strip);
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static Stream<Arguments> renamed() {
        String[] gridKnn = {"grid", "knn", "--data", "embedded:digits", "--train-limit", "240", "--k", "1,3",
            "--metric", "l2", "--folds", "3", "--json"};
        String[] gridLinear = {"grid", "linear", "--data", "embedded:digits", "--train-limit", "240", "--lr", "0.05",
            "--lambda", "1e-3", "--loss", "svm", "--epochs", "1", "--folds", "2", "--json"};
        String[] cvKnn = {"cv", "knn", "--data", "embedded:digits", "--train-limit", "240", "--folds", "3", "--json"};
        String[] cvLinear = {"cv", "linear", "--data", "embedded:digits", "--train-limit", "240", "--epochs", "1",
            "--folds", "2", "--json"};
        String[] train = {"linear", "train", "--data", "embedded:digits", "--epochs", "2", "--json"};
        String[] grad = {"linear", "gradcheck", "--loss", "svm", "--reg", "l2", "--rows", "40", "--samples", "5",
            "--json"};
        return Stream.of(
                Arguments.of(gridKnn, "--cv-seed", "--seed", "7", "7"),
                Arguments.of(gridLinear, "--cv-seed", "--seed", "7", "7"),
                Arguments.of(cvKnn, "--cv-seed", "--seed", "7", "7"),
                Arguments.of(cvLinear, "--cv-seed", "--seed", "7", "7"),
                Arguments.of(train, "--train-seed", "--seed", "3", "3"),
                Arguments.of(grad, "--train-seed", "--seed", "3", "3"),
                Arguments.of(train, "--standardize", "--preprocess", "center", "center"),
                Arguments.of(train, "--standardize", "--preprocess", "none", "raw"),
                Arguments.of(grad, "--standardize", "--preprocess", "none", "raw"));
    }

    @ParameterizedTest
    @MethodSource("renamed")
    void renamedOptionsWorkAndTheOldNameWarnsOnce(String[] base, String name, String old, String value,
            String oldValue) throws Exception {
        CliTest.Run now = CliTest.run(concat(base, name, value));
        assertThat(now.code()).as(now.err()).isZero();
        assertThat(now.err()).doesNotContain("warning");
        CliTest.Run then = CliTest.run(concat(base, old, oldValue));
        assertThat(then.code()).as(then.err()).isZero();
        String warning = "warning: " + old + " is now " + name + " (the old name goes in the next release)";
        assertThat(count(then.err(), warning)).as(then.err()).isEqualTo(1);
        assertThat(then.err()).contains("vecml " + base[0] + " " + base[1] + ": " + warning);
        assertThat(untimed(then.out())).isEqualTo(untimed(now.out()));
        // both spellings at once is a usage error
        CliTest.Run both = CliTest.run(concat(base, name, value, old, oldValue));
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains(old + " is the old name of " + name);
    }

    @Test
    void seedsChangeWhatTheyNameAndNothingElse() throws Exception {
        String[] cv = {"cv", "knn", "--data", "embedded:digits", "--train-limit", "300", "--folds", "3", "--json"};
        JsonNode a = untimed(CliTest.run(concat(cv, "--cv-seed", "1")).out());
        JsonNode b = untimed(CliTest.run(concat(cv, "--cv-seed", "2")).out());
        assertThat(a.get("scores")).isNotEqualTo(b.get("scores"));
        assertThat(a.get("cvSeed").asLong()).isEqualTo(1);
        String[] train = {"linear", "train", "--data", "embedded:digits", "--epochs", "1", "--json"};
        JsonNode t1 = untimed(CliTest.run(concat(train, "--train-seed", "1")).out());
        JsonNode t2 = untimed(CliTest.run(concat(train, "--train-seed", "2")).out());
        assertThat(t1.get("epochs")).isNotEqualTo(t2.get("epochs"));
        assertThat(t1.get("testRows")).isEqualTo(t2.get("testRows")); // the holdout is --split-seed's
    }

    /**
     * grid and cv --json name the fold shuffle's seed {@code cvSeed}, as the option (--cv-seed) and the server's
     * field; the old field {@code seed} stays one release as a duplicate (README, JSON notes).
     */
    @Test
    void gridAndCvJsonNameTheFoldSeedCvSeedAndKeepSeedOneRelease() throws Exception {
        String[][] runs = {
            {"grid", "knn", "--data", "embedded:digits", "--train-limit", "200", "--k", "1,3", "--metric", "l2",
                "--folds", "2", "--json"},
            {"grid", "linear", "--data", "embedded:digits", "--train-limit", "200", "--lr", "0.05", "--lambda", "1e-3",
                "--loss", "svm", "--epochs", "1", "--folds", "2", "--json"},
            {"cv", "knn", "--data", "embedded:digits", "--train-limit", "200", "--folds", "2", "--json"},
            {"cv", "linear", "--data", "embedded:digits", "--train-limit", "200", "--epochs", "1", "--folds", "2",
                "--json"}};
        for (String[] run : runs) {
            String what = run[0] + " " + run[1];
            CliTest.Run shuffled = CliTest.run(concat(run, "--cv-seed", "9"));
            assertThat(shuffled.code()).as(shuffled.err()).isZero();
            JsonNode s = JSON.readTree(shuffled.out());
            assertThat(s.get("cvSeed").isIntegralNumber()).as(what).isTrue();
            assertThat(s.get("cvSeed").asLong()).as(what).isEqualTo(9);
            assertThat(s.get("seed").asLong()).as(what + ": the deprecated duplicate").isEqualTo(9);
            List<String> fields = new ArrayList<>();
            s.fieldNames().forEachRemaining(fields::add);
            assertThat(fields.indexOf("seed")).as(what + ": right after cvSeed").isEqualTo(fields.indexOf("cvSeed") + 1);
            JsonNode plain = JSON.readTree(CliTest.run(run).out());
            assertThat(plain.has("cvSeed")).as(what).isTrue();
            assertThat(plain.get("cvSeed").isNull()).as(what + ": unshuffled").isTrue();
            assertThat(plain.get("seed").isNull()).as(what + ": unshuffled").isTrue();
        }
    }

    @Test
    void standardizeIsOneVocabularyWithOneDefaultPerModel() throws Exception {
        // kNN: none by default; fold is an alias of train (no warning)
        JsonNode none = JSON.readTree(CliTest.run("cv", "knn", "--data", "embedded:digits", "--train-limit", "200",
                "--folds", "2", "--json").out());
        assertThat(none.get("standardize").asText()).isEqualTo("none");
        CliTest.Run fold = CliTest.run("cv", "knn", "--data", "embedded:digits", "--train-limit", "200", "--folds", "2",
                "--standardize", "fold", "--json");
        CliTest.Run train = CliTest.run("cv", "knn", "--data", "embedded:digits", "--train-limit", "200", "--folds",
                "2", "--standardize", "train", "--json");
        assertThat(fold.err()).doesNotContain("warning");
        assertThat(untimed(fold.out())).isEqualTo(untimed(train.out()));
        assertThat(JSON.readTree(train.out()).get("standardize").asText()).isEqualTo("train");
        // linear: train by default, wherever it is trained
        for (String[] c : List.of(new String[] {"cv", "linear"}, new String[] {"grid", "linear"})) {
            JsonNode n = JSON.readTree(CliTest.run(c[0], c[1], "--data", "embedded:digits", "--train-limit", "200",
                    "--folds", "2", "--epochs", "1", "--lr", "0.05", "--lambda", "1e-3", "--loss", "svm", "--json").out());
            assertThat(n.get("standardize").asText()).as(c[0]).isEqualTo("train");
        }
        JsonNode t = JSON.readTree(CliTest.run("linear", "train", "--data", "embedded:digits", "--epochs", "1",
                "--json").out());
        assertThat(t.get("settings").get("preprocessing").asText()).isEqualTo("standardize");
        CliTest.Run all = CliTest.run("linear", "train", "--data", "embedded:digits", "--standardize", "all");
        assertThat(all.code()).isEqualTo(2);
        assertThat(all.err()).contains("--standardize", "cross-validation");
        CliTest.Run center = CliTest.run("cv", "knn", "--data", "embedded:digits", "--standardize", "center");
        assertThat(center.code()).isEqualTo(2);
        assertThat(center.err()).contains("--standardize", "linear models");
    }

    @Test
    void limitCountsTestRowsAndTrainLimitTrainingRows() throws Exception {
        for (String[] c : List.of(new String[] {"grid", "knn"}, new String[] {"grid", "linear"},
                new String[] {"cv", "knn"}, new String[] {"cv", "linear"})) {
            CliTest.Run r = CliTest.run(c[0], c[1], "--data", "embedded:digits", "--limit", "100");
            assertThat(r.code()).as(String.join(" ", c)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", c)).contains("vecml " + c[0] + " " + c[1] + ": error: "
                    + CvSplitOptions.LIMIT_WITHOUT_TEST);
        }
        // with a holdout: --limit test rows of it, --train-limit training rows
        JsonNode g = JSON.readTree(CliTest.run("grid", "knn", "--data", "embedded:digits", "--test-fraction", "0.25",
                "--limit", "50", "--train-limit", "300", "--k", "1,3", "--metric", "l2", "--folds", "3", "--json").out());
        assertThat(g.get("rows").asInt()).isEqualTo(300);
        assertThat(g.get("test").get("rows").asInt()).isEqualTo(50);
        JsonNode h = JSON.readTree(CliTest.run("grid", "knn", "--data", "embedded:digits", "--test-fraction", "0.25",
                "--k", "1", "--metric", "l2", "--folds", "3", "--json").out());
        int n = EmbeddedData.digits().rows();
        Splits.Holdout split = Splits.holdout(n, 0.25, 42);
        assertThat(h.get("rows").asInt()).isEqualTo(split.train().length);
        assertThat(h.get("test").get("rows").asInt()).isEqualTo(split.test().length);
        // data with its own test split: grid's --limit counts those rows; cv uses none and refuses it
        assertThat(CliTest.run("data", "synth", "--like", "fashion", "--train", "120", "--test", "60", "--seed", "2",
                "--out", tmp.toString()).code()).isZero();
        String fashion = tmp.resolve("fashion-mnist").toString();
        JsonNode f = JSON.readTree(CliTest.run("grid", "knn", "--data", fashion, "--limit", "25", "--k", "1",
                "--metric", "l2", "--folds", "2", "--json").out());
        assertThat(f.get("rows").asInt()).isEqualTo(120);
        assertThat(f.get("test").get("rows").asInt()).isEqualTo(25);
        CliTest.Run cv = CliTest.run("cv", "knn", "--data", fashion, "--limit", "25", "--folds", "2");
        assertThat(cv.code()).isEqualTo(2);
        assertThat(cv.err()).contains(CvSplitOptions.LIMIT_WITHOUT_TEST);
        // linear train: --train-limit training rows, --limit test rows
        JsonNode t = JSON.readTree(CliTest.run("linear", "train", "--data", "embedded:digits", "--epochs", "1",
                "--train-limit", "500", "--limit", "120", "--json").out());
        assertThat(t.get("trainRows").asInt()).isEqualTo(500);
        assertThat(t.get("testRows").asInt()).isEqualTo(120);
    }

    @Test
    void defaultsAreTheVocabularysOnes() throws Exception {
        JsonNode cv = JSON.readTree(CliTest.run("cv", "knn", "--data", "embedded:digits", "--train-limit", "200",
                "--folds", "2", "--json").out());
        assertThat(cv.get("model").asText()).isEqualTo("kNN (k 5, L2, uniform weights)");
        assertThat(CliTest.run("cv", "knn", "--data", "embedded:digits", "--k", "1..3").err())
                .contains("--k", "one k");
        JsonNode grid = JSON.readTree(CliTest.run("grid", "knn", "--data", "embedded:digits", "--train-limit", "200",
                "--folds", "2", "--json").out());
        assertThat(grid.get("candidates").asInt()).isEqualTo(30 * 2);
        assertThat(grid.get("results").get(0).get("metric").asText()).isEqualTo("L1");
        assertThat(grid.get("results").get(30).get("metric").asText()).isEqualTo("L2");
        assertThat(grid.get("results").get(29).get("k").asInt()).isEqualTo(30);
    }

    static Stream<Arguments> progressRuns() {
        return Stream.of(
                Arguments.of((Object) new String[] {"grid", "knn", "--data", "embedded:digits", "--train-limit", "300",
                    "--k", "1..5", "--folds", "3", "--json"}, "grid search ["),
                Arguments.of((Object) new String[] {"grid", "linear", "--data", "embedded:digits", "--train-limit",
                    "300", "--epochs", "1", "--folds", "2", "--json"}, "grid search ["),
                Arguments.of((Object) new String[] {"cv", "linear", "--data", "embedded:digits", "--train-limit", "300",
                    "--epochs", "1", "--folds", "3", "--json"}, "cross-validation ["),
                Arguments.of((Object) new String[] {"linear", "train", "--data", "embedded:digits", "--epochs", "3",
                    "--json"}, "training ["));
    }

    @ParameterizedTest
    @MethodSource("progressRuns")
    void progressDrawsOnStderrOnlyAndLeavesStdoutAlone(String[] args, String bar) throws Exception {
        CliTest.Run never = CliTest.run(concat(args, "--progress", "never"));
        CliTest.Run always = CliTest.run(concat(args, "--progress", "always"));
        assertThat(never.code()).as(never.err()).isZero();
        assertThat(always.code()).as(always.err()).isZero();
        assertThat(never.err()).doesNotContain(bar);
        assertThat(always.err()).contains(bar, "100%");
        assertThat(always.out()).doesNotContain("\r", bar);
        assertThat(untimed(always.out())).isEqualTo(untimed(never.out()));
        // and the text output, timings masked, is the same line for line
        String[] text = Arrays.stream(args).filter(a -> !a.equals("--json")).toArray(String[]::new);
        String a = masked(CliTest.run(concat(text, "--progress", "always")).out());
        String b = masked(CliTest.run(concat(text, "--progress", "never")).out());
        assertThat(a).isEqualTo(b);
    }

    /** Text output with every number next to a time unit or in a timing column replaced. */
    private static String masked(String out) {
        String s = out.replaceAll("\\d+(\\.\\d+)? s\\b", "T s").replaceAll("\\d+ images/s", "N images/s");
        // linear train's epoch table: the last column is seconds
        StringBuilder b = new StringBuilder();
        Pattern epoch = Pattern.compile("^(\\s*\\d+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+)\\s+\\d+\\.\\d+$");
        for (String line : s.split("\n", -1)) {
            Matcher m = epoch.matcher(line);
            b.append(m.matches() ? m.group(1) + " T" : line).append('\n');
        }
        return b.toString();
    }

    @Test
    void linearPredictTakesDataWithoutLabels() throws Exception {
        Path model = tmp.resolve("m.vecml");
        assertThat(CliTest.run("linear", "train", "--data", "embedded:digits", "--epochs", "2", "--loss", "softmax",
                "--model", model.toString()).code()).isZero();
        LinearClassifier m = LinearClassifier.load(model);
        float[] x;
        int rows = 37;
        int[] want;
        int[] truth;
        try (Dataset d = EmbeddedData.digits(); Dataset first = io.vecml.engine.data.Transforms.first(d, rows)) {
            want = m.predict(first, 1);
            truth = first.labels();
            x = new float[rows * d.dims()];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < d.dims(); c++) {
                    x[r * d.dims() + c] = d.value(r, c);
                }
            }
        }
        int dims = x.length / rows;
        // an unlabelled .npy (no y.npy beside it)
        Path npy = Files.createDirectories(tmp.resolve("npy")).resolve("new_images.npy");
        Npy.write(npy, x, rows, dims);
        Path pred = tmp.resolve("pred.npy");
        Path probs = tmp.resolve("probs.npy");
        CliTest.Run r = CliTest.run("linear", "predict", "--model", model.toString(), "--data", npy.toString(), "--out",
                pred.toString(), "--probabilities", probs.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("37 predicted labels", "no labels").doesNotContain("accuracy");
        assertThat(labels(pred)).containsExactly(want);
        try (Npy.NpyArray p = Npy.read(probs)) {
            assertThat(p.shape()).containsExactly(rows, 10);
        }
        // a CSV with exactly the model's feature columns (a header line of names)
        Path csv = tmp.resolve("new.csv");
        List<String> lines = new ArrayList<>();
        StringBuilder head = new StringBuilder();
        for (int c = 0; c < dims; c++) {
            head.append(c == 0 ? "" : ",").append("px").append(c);
        }
        lines.add(head.toString());
        for (int i = 0; i < rows; i++) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < dims; c++) {
                line.append(c == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.0f", x[i * dims + c]));
            }
            lines.add(line.toString());
        }
        Files.write(csv, lines);
        Path pred2 = tmp.resolve("pred2.npy");
        CliTest.Run c = CliTest.run("linear", "predict", "--model", model.toString(), "--data", csv.toString(), "--out",
                pred2.toString());
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.out()).contains("no labels").doesNotContain("accuracy");
        assertThat(labels(pred2)).containsExactly(want);
        // with labels (a y.npy beside it): the accuracy as before
        Path lab = Files.createDirectories(tmp.resolve("lab"));
        Npy.write(lab.resolve("X.npy"), x, rows, dims);
        Npy.write(lab.resolve("y.npy"), truth, rows);
        CliTest.Run l = CliTest.run("linear", "predict", "--model", model.toString(), "--data",
                lab.resolve("X.npy").toString(), "--split", "all", "--out", tmp.resolve("p3.npy").toString());
        assertThat(l.code()).as(l.err()).isZero();
        assertThat(l.out()).contains("37 predicted labels (all rows", "accuracy against the data's labels");
        assertThat(labels(tmp.resolve("p3.npy"))).containsExactly(want);
        // wrong width: the error names both
        Path narrow = tmp.resolve("narrow.npy");
        Npy.write(narrow, new float[rows * 5], rows, 5);
        CliTest.Run w = CliTest.run("linear", "predict", "--model", model.toString(), "--data", narrow.toString(),
                "--out", tmp.resolve("p4.npy").toString());
        assertThat(w.code()).isEqualTo(2);
        assertThat(w.err()).contains("trained on " + dims + " features", "has 5");
    }

    private static int[] labels(Path p) throws Exception {
        try (Npy.NpyArray a = Npy.read(p)) {
            int[] v = new int[(int) a.count()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (int) a.getLong(i);
            }
            return v;
        }
    }
}
