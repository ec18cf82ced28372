package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.Npy;
import io.vecml.engine.data.Splits;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.linear.LinearClassifier;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LinearCommandTest {

    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"svm", "softmax"})
    void trainSaveEvalPredictOnDigits(String loss) throws Exception {
        Path model = tmp.resolve(loss + ".vecml");
        Path curve = tmp.resolve("curve.png");
        Path weights = tmp.resolve("weights.png");
        CliTest.Run r = CliTest.run("linear", "train", "--data", "embedded:digits", "--loss", loss, "--json",
                "--threads", "2", "--model", model.toString(), "--curve-png", curve.toString(), "--weights-png",
                weights.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = JSON.readTree(r.out());
        double acc = n.get("testAccuracy").asDouble();
        assertThat(acc).isGreaterThan(0.9);
        assertThat(n.get("testBalancedAccuracy").asDouble()).isGreaterThan(0.9);
        assertThat(n.get("testRows").asInt()).isEqualTo(359);
        assertThat(n.get("settings").get("loss").asText()).isEqualTo(loss);
        JsonNode epochs = n.get("epochs");
        assertThat(epochs).hasSize(10);
        assertThat(epochs.get(9).get("loss").asDouble()).isLessThan(epochs.get(0).get("loss").asDouble());
        assertThat(epochs.get(0).get("validationAccuracy").isNull()).isTrue();
        assertThat(Files.size(model)).isPositive();

        // the saved model on the same held-out rows
        CliTest.Run e = CliTest.run("linear", "eval", "--model", model.toString(), "--data", "embedded:digits",
                "--json");
        assertThat(e.code()).as(e.err()).isZero();
        JsonNode en = JSON.readTree(e.out());
        assertThat(en.get("accuracy").asDouble()).isEqualTo(acc);
        assertThat(en.get("rows").asInt()).isEqualTo(359);
        long total = 0;
        for (JsonNode row : en.get("confusion")) {
            for (JsonNode v : row) {
                total += v.asLong();
            }
        }
        assertThat(total).isEqualTo(359);
        CliTest.Run et = CliTest.run("linear", "eval", "--model", model.toString(), "--data", "embedded:digits");
        assertThat(et.out()).contains("confusion matrix", "accuracy " + String.format(java.util.Locale.ROOT, "%.4f", acc));

        Path pred = tmp.resolve("pred.npy");
        CliTest.Run p = CliTest.run("linear", "predict", "--model", model.toString(), "--data", "embedded:digits",
                "--out", pred.toString());
        assertThat(p.code()).as(p.err()).isZero();
        LinearClassifier m = LinearClassifier.load(model);
        try (Dataset all = EmbeddedData.digits()) {
            Splits.Holdout h = Splits.holdout(all.rows(), 0.2, 42);
            try (Dataset test = all.select(h.test()); Npy.NpyArray a = Npy.read(pred)) {
                int[] expected = m.predict(test, 1);
                assertThat(a.dtype()).isEqualTo(Npy.Dtype.I4);
                assertThat(a.shape()).containsExactly(test.rows());
                int[] got = new int[test.rows()];
                for (int i = 0; i < got.length; i++) {
                    got[i] = (int) a.getLong(i);
                }
                assertThat(got).containsExactly(expected);
                assertThat(Metrics.accuracy(got, test.labels())).isEqualTo(acc);
            }
        }

        BufferedImage c = ImageIO.read(curve.toFile());
        assertThat(c.getWidth()).isEqualTo(720);
        assertThat(c.getHeight()).isEqualTo(640);
        BufferedImage w = ImageIO.read(weights.toFile());
        assertThat(w.getWidth()).isEqualTo(8 + 10 * (96 + 8));
    }

    @Test
    void textOutputHasOneLinePerEpochAndSoftmaxGivesProbabilities() throws Exception {
        Path model = tmp.resolve("m.vecml");
        CliTest.Run r = CliTest.run("linear", "train", "--data", "embedded:digits", "--epochs", "4",
                "--validation", "0.1", "--model", model.toString());
        assertThat(r.code()).as(r.err()).isZero();
        var epochLine = Pattern.compile("(?m)^\\s+(\\d) +\\d+\\.\\d{4} +0\\.\\d{4} +0\\.\\d{4} ");
        assertThat(epochLine.matcher(r.out()).results().map(x -> x.group(1)).toList())
                .containsExactly("1", "2", "3", "4");
        assertThat(r.out()).contains("test: accuracy", "balanced accuracy", "model saved to");

        Path pred = tmp.resolve("p.npy");
        Path probs = tmp.resolve("probs.npy");
        CliTest.Run p = CliTest.run("linear", "predict", "--model", model.toString(), "--data", "embedded:digits",
                "--split", "all", "--out", pred.toString(), "--probabilities", probs.toString());
        assertThat(p.code()).as(p.err()).isZero();
        try (Npy.NpyArray a = Npy.read(probs); Npy.NpyArray l = Npy.read(pred)) {
            assertThat(a.shape()).containsExactly(1797L, 10L);
            assertThat(l.shape()).containsExactly(1797L);
            for (int i = 0; i < 1797; i += 97) {
                double sum = 0;
                int best = 0;
                for (int c = 0; c < 10; c++) {
                    sum += a.getDouble(i * 10L + c);
                    if (a.getDouble(i * 10L + c) > a.getDouble(i * 10L + best)) {
                        best = c;
                    }
                }
                assertThat(sum).isCloseTo(1.0, within(1e-5));
                assertThat(l.getLong(i)).isEqualTo(best);
            }
        }
    }

    @Test
    void scheduleMomentumAndEarlyStopping() throws Exception {
        CliTest.Run r = CliTest.run("linear", "train", "--data", "embedded:digits", "--json", "--epochs", "40",
                "--schedule", "step:0.5:2", "--momentum", "0.9", "--validation", "0.2", "--patience", "2",
                "--reg", "elastic", "--lambda", "1e-3", "--standardize", "center", "--lr", "0.001");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = JSON.readTree(r.out());
        JsonNode epochs = n.get("epochs");
        for (JsonNode e : epochs) {
            int k = e.get("epoch").asInt();
            assertThat(e.get("learningRate").asDouble()).isCloseTo(0.001 * Math.pow(0.5, (k - 1) / 2), within(1e-15));
            assertThat(e.get("validationAccuracy").asDouble()).isBetween(0.5, 1.0);
        }
        // patience 2 with a halving rate: training stops well before 40 epochs, keeping the best epoch
        assertThat(n.get("stoppedEarly").asBoolean()).isTrue();
        assertThat(epochs.size()).isLessThan(40);
        int best = n.get("bestEpoch").asInt();
        double bestVal = epochs.get(best - 1).get("validationAccuracy").asDouble();
        for (JsonNode e : epochs) {
            assertThat(e.get("validationAccuracy").asDouble()).isLessThanOrEqualTo(bestVal);
        }
        assertThat(n.get("settings").get("regularizer").asText()).isEqualTo("elasticnet");
        assertThat(n.get("settings").get("l1Ratio").asDouble()).isEqualTo(0.5);
    }

    @Test
    void helpShowsTheEngineDefaults() {
        CliTest.Run r = CliTest.run("linear", "train", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out().replaceAll("\\s+", " ")).contains("svm or softmax. Default: softmax", "Default: 0.05", "Default: 256",
                "Default: 10", "Default: l2", "Default: 1.0E-4", "Default: constant", "Default: train");
    }

    @Test
    void gradcheckPassesAndPrintsEveryCombination() throws Exception {
        CliTest.Run r = CliTest.run("linear", "gradcheck");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        for (String loss : new String[] {"svm", "softmax"}) {
            for (String reg : new String[] {"none", "l2\\(0.01\\)", "l1\\(0.01\\)", "elasticnet\\(0.01, l1Ratio=0.5\\)"}) {
                assertThat(r.out()).containsPattern("(?m)^" + loss + " +" + reg + " +30 .* ok$");
            }
        }
        CliTest.Run j = CliTest.run("linear", "gradcheck", "--loss", "svm", "--reg", "l1", "--json");
        JsonNode n = JSON.readTree(j.out());
        assertThat(n.get("cases")).hasSize(1);
        assertThat(n.get("cases").get(0).get("maxRelativeError").asDouble()).isLessThan(1e-6);
    }

    @Test
    void gradcheckFailsWithExitCode1WhenTheToleranceIsNotMet() {
        // Without the absolute floor, a bias gradient that cancels to ~1e-17 against a numerical 3e-10
        // has relative error 1: the check must report it.
        CliTest.Run r = CliTest.run("linear", "gradcheck", "--loss", "svm", "--reg", "none", "--train-seed", "1",
                "--abs-tolerance", "0");
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL", "worst: W[");
    }

    @Test
    void badInputIsExitCode2WithTheOptionNamed() throws Exception {
        CliTest.Run lr = CliTest.run("linear", "train", "--data", "embedded:digits", "--lr", "0");
        assertThat(lr.code()).isEqualTo(2);
        assertThat(lr.err()).contains("--lr", "> 0");
        assertThat(CliTest.run("linear", "train", "--data", "embedded:digits", "--lr", "-1").code()).isEqualTo(2);
        CliTest.Run div = CliTest.run("linear", "train", "--data", "embedded:digits", "--lr", "1e30", "--standardize",
                "none", "--epochs", "2");
        assertThat(div.code()).as(div.err()).isEqualTo(2);
        assertThat(div.err()).contains("diverged", "smaller --lr");
        CliTest.Run sch = CliTest.run("linear", "train", "--data", "embedded:digits", "--schedule", "step:2");
        assertThat(sch.code()).isEqualTo(2);
        assertThat(sch.err()).contains("--schedule", "step:FACTOR:EVERY");
        CliTest.Run fac = CliTest.run("linear", "train", "--data", "embedded:digits", "--schedule", "step:1.5:2");
        assertThat(fac.code()).isEqualTo(2);
        assertThat(fac.err()).contains("--schedule", "factor");
        CliTest.Run pat = CliTest.run("linear", "train", "--data", "embedded:digits", "--patience", "3");
        assertThat(pat.code()).isEqualTo(2);
        assertThat(pat.err()).contains("--patience", "--validation");
        CliTest.Run reg = CliTest.run("linear", "train", "--data", "embedded:digits", "--reg", "l3");
        assertThat(reg.code()).isEqualTo(2);
        assertThat(reg.err()).contains("--reg", "l3");
        CliTest.Run loss = CliTest.run("linear", "train", "--data", "embedded:digits", "--loss", "hinge2");
        assertThat(loss.code()).isEqualTo(2);
        assertThat(loss.err()).contains("--loss");

        // a model file that is cut short or damaged
        Path model = tmp.resolve("m.vecml");
        assertThat(CliTest.run("linear", "train", "--data", "embedded:digits", "--loss", "svm", "--epochs", "1",
                "--model", model.toString()).code()).isZero();
        byte[] bytes = Files.readAllBytes(model);
        Path cut = tmp.resolve("cut.vecml");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 7));
        CliTest.Run c = CliTest.run("linear", "eval", "--model", cut.toString(), "--data", "embedded:digits");
        assertThat(c.code()).isEqualTo(2);
        assertThat(c.err()).contains(cut.toString());
        Path flipped = tmp.resolve("flipped.vecml");
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(flipped, bytes);
        CliTest.Run f = CliTest.run("linear", "predict", "--model", flipped.toString(), "--data", "embedded:digits",
                "--out", tmp.resolve("p.npy").toString());
        assertThat(f.code()).isEqualTo(2);
        assertThat(f.err()).contains(flipped.toString());
        assertThat(tmp.resolve("p.npy")).doesNotExist();
        CliTest.Run missing = CliTest.run("linear", "eval", "--model", tmp.resolve("nope.vecml").toString(), "--data",
                "embedded:digits");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--model", "nope.vecml");
        CliTest.Run probs = CliTest.run("linear", "predict", "--model", model.toString(), "--data", "embedded:digits",
                "--out", tmp.resolve("p.npy").toString(), "--probabilities", tmp.resolve("q.npy").toString());
        assertThat(probs.code()).isEqualTo(2);
        assertThat(probs.err()).contains("--probabilities", "softmax");
        CliTest.Run split = CliTest.run("linear", "eval", "--model", model.toString(), "--data", "embedded:digits",
                "--split", "validation");
        assertThat(split.code()).isEqualTo(2);
        assertThat(split.err()).contains("--split");
    }
}
