package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.api.Classifier;
import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.LinearModel;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.Scores;
import io.vecml.engine.api.TemplateModel;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.Npy;
import io.vecml.engine.data.Splits;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.template.TemplateClassifier;
import io.vecml.engine.train.SgdConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saved models of every type round-trip through {@code vecml predict}, on data with and without labels. */
class PredictCommandTest {

    @TempDir
    Path tmp;

    private Path unlabelledNpy;
    private Path unlabelledCsv;
    private Path labelledFolder;

    /** The digits' default holdout (0.2, seed 42): the test rows as .npy and CSV without labels, and labelled. */
    @BeforeEach
    void writeTestRows() throws Exception {
        try (Dataset all = EmbeddedData.digits()) {
            Splits.Holdout h = Splits.holdout(all.rows(), 0.2, 42);
            try (Dataset train = all.select(h.train()); Dataset test = all.select(h.test())) {
                unlabelledNpy = tmp.resolve("new_rows.npy");
                Npy.write(unlabelledNpy, test);
                StringBuilder csv = new StringBuilder();
                for (int r = 0; r < test.rows(); r++) {
                    for (int c = 0; c < test.dims(); c++) {
                        csv.append(c == 0 ? "" : ",").append(test.u8(r, c));
                    }
                    csv.append('\n');
                }
                unlabelledCsv = Files.writeString(tmp.resolve("new_rows.csv"), csv);
                labelledFolder = Files.createDirectory(tmp.resolve("labelled"));
                Npy.write(labelledFolder.resolve("x_train.npy"), train);
                Npy.writeLabels(labelledFolder.resolve("y_train.npy"), train.labels());
                Npy.write(labelledFolder.resolve("x_test.npy"), test);
                Npy.writeLabels(labelledFolder.resolve("y_test.npy"), test.labels());
            }
        }
    }

    /** Runs {@code fn(train, test)} on the digits' default holdout. */
    private interface OnSplit<T> {
        T apply(Dataset train, Dataset test) throws Exception;
    }

    private static <T> T onDigitsSplit(OnSplit<T> fn) throws Exception {
        try (Dataset all = EmbeddedData.digits()) {
            Splits.Holdout h = Splits.holdout(all.rows(), 0.2, 42);
            try (Dataset train = all.select(h.train()); Dataset test = all.select(h.test())) {
                return fn.apply(train, test);
            }
        }
    }

    private static int[] readInts(Path npy) throws Exception {
        try (Npy.NpyArray a = Npy.read(npy)) {
            assertThat(a.rank()).isEqualTo(1);
            int[] v = new int[(int) a.count()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (int) a.getLong(i);
            }
            return v;
        }
    }

    private static int[] readCsvPredictions(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.getFirst()).isEqualTo("row,prediction,class");
        int[] v = new int[lines.size() - 1];
        for (int i = 0; i < v.length; i++) {
            String[] f = lines.get(i + 1).split(",");
            assertThat(Integer.parseInt(f[0])).isEqualTo(i);
            v[i] = Integer.parseInt(f[1]);
        }
        return v;
    }

    @Test
    void knnSavedByTheCliPredictsAsTheLibraryOnUnlabelledNpyAndCsv() throws Exception {
        Path model = tmp.resolve("knn.vecml");
        CliTest.Run save = CliTest.run("knn", "--data", "embedded:digits", "--k", "3", "--metric", "l1", "--weights",
                "distance", "--save-model", model.toString(), "--json");
        assertThat(save.code()).as(save.err()).isZero();
        assertThat(new ObjectMapper().readTree(save.out()).get("modelFile").asText()).isEqualTo(model.toString());
        int[][] expected = new int[1][];
        double[][] proba = new double[1][];
        onDigitsSplit((train, test) -> {
            try (KnnModel m = new KnnModel(new KnnModel.Params(3, Metric.L1, Weights.DISTANCE), new RunOptions(1))
                    .fit(train)) {
                expected[0] = m.predict(test);
                proba[0] = m.predictProba(test).values();
            }
            return null;
        });
        Path pred = tmp.resolve("p.npy");
        Path probs = tmp.resolve("probs.npy");
        CliTest.Run r = CliTest.run("predict", "--model", model.toString(), "--data", unlabelledNpy.toString(), "--out",
                pred.toString(), "--probabilities", probs.toString(), "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("no labels", "predictions written to").doesNotContain("accuracy");
        assertThat(readInts(pred)).containsExactly(expected[0]);
        try (Npy.NpyArray a = Npy.read(probs)) {
            assertThat(a.shape()).containsExactly(expected[0].length, 10L);
            for (int i = 0; i < proba[0].length; i++) {
                assertThat(a.getDouble(i)).isEqualTo((double) (float) proba[0][i]);
            }
        }
        Path csvPred = tmp.resolve("p.csv");
        CliTest.Run c = CliTest.run("predict", "--model", model.toString(), "--data", unlabelledCsv.toString(), "--out",
                csvPred.toString());
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(readCsvPredictions(csvPred)).containsExactly(expected[0]);
    }

    @Test
    void templateSavedByTheCliPredictsAsTheLibrary() throws Exception {
        Path model = tmp.resolve("template.vecml");
        CliTest.Run save = CliTest.run("template", "--data", "embedded:digits", "--metric", "l1", "--center", "median",
                "--save-model", model.toString());
        assertThat(save.code()).as(save.err()).isZero();
        assertThat(save.out()).contains("model saved to " + model);
        int[] expected = onDigitsSplit((train, test) -> new TemplateModel(
                new TemplateModel.Params(TemplateClassifier.Center.MEDIAN, Metric.L1), new RunOptions(1))
                .fit(train).predict(test));
        CliTest.Run r = CliTest.run("predict", "--model", model.toString(), "--data", unlabelledCsv.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.get("kind").asText()).isEqualTo("template");
        assertThat(n.get("labelled").asBoolean()).isFalse();
        assertThat(n.get("accuracy").isNull()).isTrue();
        int[] got = new int[n.get("predictions").size()];
        for (int i = 0; i < got.length; i++) {
            got[i] = n.get("predictions").get(i).asInt();
        }
        assertThat(got).containsExactly(expected);
        // the template classifier has distances, not probabilities: refused before anything is written
        Path probs = tmp.resolve("t-probs.npy");
        CliTest.Run p = CliTest.run("predict", "--model", model.toString(), "--data", unlabelledNpy.toString(),
                "--probabilities", probs.toString(), "--out", tmp.resolve("t.npy").toString());
        assertThat(p.code()).isEqualTo(2);
        assertThat(p.err()).contains("vecml predict: error: --probabilities", model.toString(), "not");
        assertThat(probs).doesNotExist();
        assertThat(tmp.resolve("t.npy")).doesNotExist();
    }

    @Test
    void linearModelFromTheLibraryPredictsTheSameAndLabelledDataGetsTheAccuracy() throws Exception {
        Path model = tmp.resolve("linear.vecml");
        int[][] expected = new int[1][];
        double[] accuracy = new double[1];
        onDigitsSplit((train, test) -> {
            try (LinearModel m = new LinearModel(new LinearModel.Params(
                    io.vecml.engine.linear.LinearConfig.defaults(), SgdConfig.defaults().withEpochs(3)),
                    new RunOptions(1)).fit(train)) {
                m.save(model);
                expected[0] = m.predict(test);
                accuracy[0] = Metrics.accuracy(expected[0], test.labels());
            }
            return null;
        });
        Path pred = tmp.resolve("lin.npy");
        CliTest.Run r = CliTest.run("predict", "--model", model.toString(), "--data", unlabelledNpy.toString(), "--out",
                pred.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(readInts(pred)).containsExactly(expected[0]);
        CliTest.Run l = CliTest.run("predict", "--model", model.toString(), "--data", labelledFolder.toString(), "--json",
                "--out", tmp.resolve("lin2.npy").toString());
        assertThat(l.code()).as(l.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(l.out());
        assertThat(n.get("labelled").asBoolean()).isTrue();
        assertThat(n.get("split").asText()).isEqualTo("test");
        assertThat(n.get("accuracy").asDouble()).isEqualTo(accuracy[0]);
        assertThat(readInts(tmp.resolve("lin2.npy"))).containsExactly(expected[0]);
        CliTest.Run t = CliTest.run("predict", "--model", model.toString(), "--data", labelledFolder.toString(),
                "--limit", "5");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("labelled", "5 rows predicted", "accuracy")
                .contains("row,prediction,class", "4," + expected[0][4] + ",");
    }

    @Test
    void standardizedModelsScaleNewRowsAsTheRunDid() throws Exception {
        Path knn = tmp.resolve("zknn.vecml");
        Path evaluated = tmp.resolve("evaluated.npy");
        CliTest.Run save = CliTest.run("knn", "--data", "embedded:digits", "--k", "5", "--standardize", "train",
                "--save-model", knn.toString(), "--predictions", evaluated.toString());
        assertThat(save.code()).as(save.err()).isZero();
        Path template = tmp.resolve("ztemplate.vecml");
        CliTest.Run saveT = CliTest.run("template", "--data", "embedded:digits", "--standardize", "train",
                "--save-model", template.toString(), "--json");
        assertThat(saveT.code()).as(saveT.err()).isZero();
        int[][] expected = onDigitsSplit((train, test) -> {
            try (KnnModel k = new KnnModel(KnnModel.Params.defaults().withStandardize(true), new RunOptions(1))
                    .fit(train)) {
                return new int[][] {k.predict(test), new TemplateModel(new TemplateModel.Params(
                        TemplateClassifier.Center.MEAN, Metric.L2, true), new RunOptions(1)).fit(train).predict(test)};
            }
        });
        Path pk = tmp.resolve("zk.npy");
        CliTest.Run r = CliTest.run("predict", "--model", knn.toString(), "--data", unlabelledNpy.toString(), "--out",
                pk.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(readInts(pk)).containsExactly(expected[0]);
        // the saved model predicts what the evaluation run predicted on the same rows
        assertThat(readInts(evaluated)).containsExactly(expected[0]);
        Path pt = tmp.resolve("zt.npy");
        CliTest.Run rt = CliTest.run("predict", "--model", template.toString(), "--data", unlabelledCsv.toString(),
                "--out", pt.toString());
        assertThat(rt.code()).as(rt.err()).isZero();
        assertThat(readInts(pt)).containsExactly(expected[1]);
        JsonNode labelled = new ObjectMapper().readTree(CliTest.run("predict", "--model", template.toString(), "--data",
                labelledFolder.toString(), "--json", "--out", tmp.resolve("zt2.npy").toString()).out());
        assertThat(labelled.get("accuracy").asDouble())
                .isEqualTo(new ObjectMapper().readTree(saveT.out()).get("results").get(0).get("accuracy").asDouble());
    }

    @Test
    void damagedModelFilesAreRefusedWithExitCode2NamingTheFile() throws Exception {
        List<Path> models = new ArrayList<>();
        Path knn = tmp.resolve("k.vecml");
        assertThat(CliTest.run("knn", "--data", "embedded:digits", "--k", "1", "--save-model", knn.toString()).code())
                .isZero();
        models.add(knn);
        Path template = tmp.resolve("t.vecml");
        assertThat(CliTest.run("template", "--data", "embedded:digits", "--save-model", template.toString()).code())
                .isZero();
        models.add(template);
        Path linear = tmp.resolve("l.vecml");
        onDigitsSplit((train, test) -> {
            try (Classifier m = new LinearModel(new LinearModel.Params(io.vecml.engine.linear.LinearConfig.defaults(),
                    SgdConfig.defaults().withEpochs(1)), new RunOptions(1)).fit(train)) {
                m.save(linear);
            }
            return null;
        });
        models.add(linear);
        for (Path m : models) {
            byte[] good = Files.readAllBytes(m);
            for (int at : new int[] {good.length / 3, good.length / 2, good.length - 3}) {
                byte[] flipped = good.clone();
                flipped[at] ^= 0x10;
                Path bad = Files.write(tmp.resolve("flip-" + at + "-" + m.getFileName()), flipped);
                expectRefused(bad);
            }
            for (int len : new int[] {0, 7, good.length / 2, good.length - 1}) {
                Path cut = Files.write(tmp.resolve("cut-" + len + "-" + m.getFileName()),
                        java.util.Arrays.copyOf(good, len));
                expectRefused(cut);
            }
        }
        expectRefused(tmp.resolve("no-such.vecml"));
    }

    private void expectRefused(Path model) {
        Path out = tmp.resolve("never.npy");
        CliTest.Run r = CliTest.run("predict", "--model", model.toString(), "--data", unlabelledNpy.toString(), "--out",
                out.toString());
        assertThat(r.code()).as(model + ": " + r.err()).isEqualTo(2);
        assertThat(r.err()).as(model.toString()).contains("vecml predict: error: ", model.toString());
        assertThat(out).doesNotExist();
    }

    @Test
    void saveModelNeedsOneModelAndTheRightNumberOfFeatures() throws Exception {
        CliTest.Run two = CliTest.run("knn", "--data", "embedded:digits", "--metric", "l1,l2", "--save-model",
                tmp.resolve("x.vecml").toString());
        assertThat(two.code()).isEqualTo(2);
        assertThat(two.err()).contains("--save-model", "one --metric and one --k");
        CliTest.Run ks = CliTest.run("knn", "--data", "embedded:digits", "--k", "1..3", "--save-model",
                tmp.resolve("x.vecml").toString());
        assertThat(ks.code()).isEqualTo(2);
        CliTest.Run t = CliTest.run("template", "--data", "embedded:digits", "--metric", "l1,l2", "--save-model",
                tmp.resolve("x.vecml").toString());
        assertThat(t.code()).isEqualTo(2);
        assertThat(t.err()).contains("--save-model", "one --metric");
        assertThat(tmp.resolve("x.vecml")).doesNotExist();
        Path model = tmp.resolve("k.vecml");
        assertThat(CliTest.run("knn", "--data", "embedded:digits", "--save-model", model.toString()).code()).isZero();
        Path narrow = Files.writeString(tmp.resolve("narrow.csv"), "1,2,3\n4,5,6\n");
        CliTest.Run w = CliTest.run("predict", "--model", model.toString(), "--data", narrow.toString());
        assertThat(w.code()).isEqualTo(2);
        assertThat(w.err()).contains(narrow.toString(), "64").doesNotContain("Exception");
        assertThat(String.format(Locale.ROOT, "%s", w.err())).contains("vecml predict: error:");
    }
}
