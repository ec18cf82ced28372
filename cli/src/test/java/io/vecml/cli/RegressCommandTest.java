package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegressCommandTest {

    @TempDir
    Path tmp;

    Path scores;

    @BeforeEach
    void copyData() throws Exception {
        // the engine's test copy of the lecture's student_scores.csv (25 rows: Hours,Scores)
        Path src = Path.of("..", "engine", "src", "test", "resources", "io", "vecml", "engine", "regression",
                "student_scores.csv");
        scores = Files.copy(src, tmp.resolve("student_scores.csv"));
    }

    @Test
    void studentScoresMatchScikitLearnAndThePlotIsDrawn() throws Exception {
        Path png = tmp.resolve("fit.png");
        CliTest.Run r = CliTest.run("regress", "--train", scores.toString(), "--target", "Scores", "--json",
                "--plot-png", png.toString(), "--test-fraction", "0");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        // scikit-learn 1.2.1: LinearRegression().fit(X, y) on the same file (see the engine's LinearRegressionTest)
        assertThat(n.get("coefficients").get("Hours").asDouble()).isCloseTo(9.7758, within(5e-5));
        assertThat(n.get("intercept").asDouble()).isCloseTo(2.4837, within(5e-5));
        JsonNode m = n.get("trainMetrics");
        assertThat(m.get("mae").asDouble()).isCloseTo(4.9728, within(5e-5));
        assertThat(m.get("rmse").asDouble()).isCloseTo(5.3743, within(5e-5));
        assertThat(m.get("mse").asDouble()).isCloseTo(28.8827, within(5e-5));
        assertThat(m.get("r2").asDouble()).isCloseTo(0.9529, within(5e-5));
        assertThat(n.get("testMetrics").isNull()).isTrue();
        assertThat(n.get("trainRows").asInt()).isEqualTo(25);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(760);
        assertThat(img.getHeight()).isEqualTo(480);

        CliTest.Run t = CliTest.run("regress", "--train", scores.toString(), "--target", "Scores", "--test-fraction", "0");
        assertThat(t.code()).isZero();
        assertThat(t.out()).contains("intercept", "2.483673", "Hours", "9.775803", "4.9728", "28.8827", "5.3743",
                "0.9529");
    }

    @Test
    void withoutTestRowsTwentyPercentAreHeldOutBySplitSeedAndTheLimitsCountRows() throws Exception {
        JsonNode auto = new ObjectMapper().readTree(CliTest.run("regress", "--train", scores.toString(), "--target",
                "Scores", "--json").out());
        JsonNode given = new ObjectMapper().readTree(CliTest.run("regress", "--train", scores.toString(), "--target",
                "Scores", "--json", "--test-fraction", "0.2", "--split-seed", "42").out());
        assertThat(auto.get("trainRows").asInt()).isEqualTo(20);
        assertThat(auto.get("testRows").asInt()).isEqualTo(5);
        assertThat(auto.get("testMetrics").get("mae").asDouble()).isEqualTo(given.get("testMetrics").get("mae").asDouble());
        assertThat(auto.get("intercept").asDouble()).isEqualTo(given.get("intercept").asDouble());
        JsonNode other = new ObjectMapper().readTree(CliTest.run("regress", "--train", scores.toString(), "--target",
                "Scores", "--json", "--split-seed", "7").out());
        assertThat(other.get("intercept").asDouble()).isNotEqualTo(auto.get("intercept").asDouble());
        JsonNode limited = new ObjectMapper().readTree(CliTest.run("regress", "--train", scores.toString(), "--target",
                "Scores", "--json", "--limit", "3", "--train-limit", "10").out());
        assertThat(limited.get("trainRows").asInt()).isEqualTo(10);
        assertThat(limited.get("testRows").asInt()).isEqualTo(3);
        CliTest.Run noTest = CliTest.run("regress", "--train", scores.toString(), "--target", "Scores",
                "--test-fraction", "0", "--limit", "3");
        assertThat(noTest.code()).isEqualTo(2);
        assertThat(noTest.err()).contains("--limit counts test rows", "--train-limit");
    }

    @Test
    void trainAndTestFilesAndPredictions() throws Exception {
        List<String> lines = Files.readAllLines(scores);
        List<String> train = new ArrayList<>(lines.subList(0, 21));
        List<String> test = new ArrayList<>();
        test.add(lines.getFirst());
        test.addAll(lines.subList(21, lines.size()));
        Path a = Files.write(tmp.resolve("train.csv"), train);
        Path b = Files.write(tmp.resolve("test.csv"), test);
        Path out = tmp.resolve("pred.csv");
        CliTest.Run r = CliTest.run("regress", "--train", a.toString(), "--test", b.toString(), "--target", "Scores",
                "--features", "Hours", "--json", "--predictions", out.toString(), "--plot-png",
                tmp.resolve("p.png").toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.get("testRows").asInt()).isEqualTo(test.size() - 1);
        double intercept = n.get("intercept").asDouble();
        double slope = n.get("coefficients").get("Hours").asDouble();
        List<String> pred = Files.readAllLines(out);
        assertThat(pred.getFirst()).isEqualTo("Hours,Scores,predicted_Scores");
        assertThat(pred).hasSize(test.size());
        double sumAbs = 0;
        for (int i = 1; i < pred.size(); i++) {
            String[] f = pred.get(i).split(",");
            assertThat(f[0] + "," + f[1]).isEqualTo(test.get(i));
            double x = Double.parseDouble(f[0]);
            double p = Double.parseDouble(f[2]);
            assertThat(p).isCloseTo(intercept + slope * x, within(1e-9));
            sumAbs += Math.abs(Double.parseDouble(f[1]) - p);
        }
        assertThat(n.get("testMetrics").get("mae").asDouble()).isCloseTo(sumAbs / (pred.size() - 1), within(1e-9));
    }

    @Test
    void badInputIsExitCode2WithClearMessages() throws Exception {
        CliTest.Run t = CliTest.run("regress", "--train", scores.toString(), "--target", "Score");
        assertThat(t.code()).isEqualTo(2);
        assertThat(t.err()).contains("no column named 'Score'", "Hours, Scores");
        CliTest.Run f = CliTest.run("regress", "--train", scores.toString(), "--target", "Scores", "--features",
                "Minutes");
        assertThat(f.code()).isEqualTo(2);
        assertThat(f.err()).contains("Minutes", "Hours, Scores");
        Path three = Files.writeString(tmp.resolve("three.csv"), "a,b,y\n1,2,3\n2,1,4\n3,5,2\n4,4,8\n5,0,1\n");
        CliTest.Run p = CliTest.run("regress", "--train", three.toString(), "--target", "y", "--plot-png",
                tmp.resolve("x.png").toString());
        assertThat(p.code()).isEqualTo(2);
        assertThat(p.err()).contains("--plot-png", "a, b", "--features");
        assertThat(tmp.resolve("x.png")).doesNotExist();
        CliTest.Run ok = CliTest.run("regress", "--train", three.toString(), "--target", "y", "--json");
        assertThat(ok.code()).as(ok.err()).isZero();
        CliTest.Run missing = CliTest.run("regress", "--train", tmp.resolve("none.csv").toString(), "--target", "y");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--train", "none.csv");
        Path constant = Files.writeString(tmp.resolve("c.csv"), "x,y\n1,2\n1,3\n1,4\n");
        CliTest.Run singular = CliTest.run("regress", "--train", constant.toString(), "--target", "y");
        assertThat(singular.code()).isEqualTo(2);
        assertThat(singular.err()).contains("'x' is constant");
        Path text = Files.writeString(tmp.resolve("t.csv"), "x,y\n1,2\n2,abc\n3,4\n");
        CliTest.Run bad = CliTest.run("regress", "--train", text.toString(), "--target", "y");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("line 3", "abc");
    }
}
