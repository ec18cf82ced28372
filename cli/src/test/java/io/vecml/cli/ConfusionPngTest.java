package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfusionPngTest {

    @TempDir
    Path tmp;

    /** A 10-class matrix: square-ish, larger than 10 cells of 30 pixels, and not blank. */
    private static void assertPlausible(Path png) throws Exception {
        assertThat(png).exists();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isBetween(10 * 30, 1400);
        assertThat(img.getHeight()).isBetween(10 * 30, 1400);
        int dark = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                dark += (img.getRGB(x, y) & 0xff) < 160 ? 1 : 0;
            }
        }
        assertThat(dark).isGreaterThan(1000); // the dark diagonal of a good classifier
    }

    @Test
    void everyClassifierCommandDrawsItsConfusionMatrix() throws Exception {
        Path knn = tmp.resolve("knn.png");
        CliTest.Run r = CliTest.run("knn", "--data", "embedded:digits", "--k", "1,3", "--metric", "l2,l1",
                "--confusion-png", knn.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("confusion matrix of L2 k=1 drawn to");
        assertPlausible(knn);

        Path template = tmp.resolve("template.png");
        r = CliTest.run("template", "--data", "embedded:digits", "--confusion-png", template.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertPlausible(template);

        Path train = tmp.resolve("train.png");
        Path model = tmp.resolve("m.vecml");
        r = CliTest.run("linear", "train", "--data", "embedded:digits", "--epochs", "3", "--model", model.toString(),
                "--confusion-png", train.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertPlausible(train);

        Path eval = tmp.resolve("eval.png");
        r = CliTest.run("linear", "eval", "--model", model.toString(), "--data", "embedded:digits", "--confusion-png",
                eval.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("confusion matrix drawn to");
        assertPlausible(eval);
        // train and eval see the same held-out rows and the same model: the same picture but for the title
        BufferedImage a = ImageIO.read(train.toFile());
        BufferedImage b = ImageIO.read(eval.toFile());
        assertThat(b.getWidth()).isEqualTo(a.getWidth());
        assertThat(b.getHeight()).isEqualTo(a.getHeight());
        assertThat(b.getRGB(b.getWidth() / 2, b.getHeight() - 30)).isEqualTo(a.getRGB(a.getWidth() / 2, a.getHeight() - 30));

        assertThat(CliTest.run("knn", "--help").out()).contains("first result");
    }

    @Test
    void aNonPngNameIsExitCode2NamingTheOption() {
        for (String[] cmd : new String[][] {{"knn"}, {"template"}, {"linear", "train"}}) {
            List<String> args = new java.util.ArrayList<>(List.of(cmd));
            args.addAll(List.of("--data", "embedded:digits", "--confusion-png", "cm.jpg"));
            CliTest.Run r = CliTest.run(args.toArray(String[]::new));
            assertThat(r.code()).as(args.toString()).isEqualTo(2);
            assertThat(r.err()).contains("--confusion-png", "cm.jpg");
        }
        CliTest.Run r = CliTest.run("linear", "eval", "--model", "nothing.vecml", "--data", "embedded:digits",
                "--confusion-png", "cm.txt");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--confusion-png");
    }

    @Test
    void chartRefusesMismatchedSizes() {
        assertThatThrownBy(() -> ConfusionChart.render(List.of("a", "b"), new long[][] {{1}}, "t"))
                .hasMessageContaining("1 rows for 2 class names");
        assertThatThrownBy(() -> ConfusionChart.render(List.of("a", "b"), new long[][] {{1, 2}, {3}}, "t"))
                .hasMessageContaining("2 columns");
        BufferedImage img = ConfusionChart.render(List.of("cat", "dog", "a rather long class name indeed"),
                new long[][] {{5, 0, 1}, {0, 0, 0}, {2, 3, 100000}}, "t");
        assertThat(img.getWidth()).isGreaterThanOrEqualTo(360);
    }
}
