package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {

    @TempDir
    Path tmp;

    @Test
    void infoOnTheEmbeddedDigits() throws Exception {
        CliTest.Run text = CliTest.run("data", "info", "embedded:digits");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).contains("1797 rows x 64 features", "uint8", "8x8x1", "10 classes");
        CliTest.Run json = CliTest.run("data", "info", "embedded:digits", "--json");
        JsonNode n = new ObjectMapper().readTree(json.out());
        assertThat(n.get("splits").get("train").get("rows").asInt()).isEqualTo(1797);
        int total = 0;
        for (JsonNode c : n.get("splits").get("train").get("classes")) {
            total += c.get("count").asInt();
        }
        assertThat(total).isEqualTo(1797);
    }

    @Test
    void synthThenInfoShowAndConvert() throws Exception {
        Path dir = tmp.resolve("synth");
        CliTest.Run s = CliTest.run("data", "synth", "--like", "cifar10", "--train", "50", "--test", "20", "--seed", "7",
                "--out", dir.toString());
        assertThat(s.code()).as(s.err()).isZero();
        Path bin = dir.resolve("cifar-10-batches-bin");
        assertThat(bin.resolve("data_batch_1.bin")).exists();
        CliTest.Run info = CliTest.run("data", "info", bin.toString(), "--json");
        assertThat(info.code()).as(info.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(info.out());
        assertThat(n.get("format").asText()).isEqualTo("cifar10-binary");
        assertThat(n.get("splits").get("train").get("rows").asInt()).isEqualTo(50);
        assertThat(n.get("splits").get("test").get("rows").asInt()).isEqualTo(20);
        assertThat(n.get("splits").get("train").get("imageShape").asText()).isEqualTo("32x32x3 CHW");

        Path png = tmp.resolve("grid.png");
        CliTest.Run show = CliTest.run("data", "show", bin.toString(), "--out", png.toString(), "--per-class", "3");
        assertThat(show.code()).as(show.err()).isZero();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getHeight()).isGreaterThan(10 * 64);
        assertThat(img.getWidth()).isGreaterThan(3 * 64);

        Path npy = tmp.resolve("npy");
        CliTest.Run conv = CliTest.run("data", "convert", bin.toString(), "--to", "npy", "--out", npy.toString());
        assertThat(conv.code()).as(conv.err()).isZero();
        try (LoadedData orig = Datasets.load(bin.toString()); LoadedData back = Datasets.load(npy.toString())) {
            assertThat(back.train().rows()).isEqualTo(50);
            assertThat(back.test().rows()).isEqualTo(20);
            assertThat(back.train().labels()).containsExactly(orig.train().labels());
            for (int r = 0; r < 50; r += 7) {
                for (int c = 0; c < 3072; c += 101) {
                    assertThat(back.train().u8(r, c)).isEqualTo(orig.train().u8(r, c));
                }
            }
        }
        assertThat(Files.readAllLines(npy.resolve("class_names.txt"))).hasSize(10).contains("airplane");
        assertThat(Npy.read(npy.resolve("y_test.npy")).shape()).containsExactly(20L);
    }

    @Test
    void badInputIsExitCode2AndNamesTheFile() throws Exception {
        CliTest.Run missing = CliTest.run("data", "info", tmp.resolve("nope.csv").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.csv");
        Path bad = tmp.resolve("bad.csv");
        Files.writeString(bad, "1,2,0\n3,x,1\n");
        CliTest.Run r = CliTest.run("data", "info", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bad.csv", "line 2");
        Path cut = tmp.resolve("cifar-10-python.tar.gz");
        Files.write(cut, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2});
        CliTest.Run c = CliTest.run("data", "info", cut.toString());
        assertThat(c.code()).isEqualTo(2);
        assertThat(c.err()).contains("cifar-10-python.tar.gz");
        assertThat(CliTest.run("data", "synth", "--like", "imagenet", "--out", tmp.toString()).code()).isEqualTo(2);
        assertThat(CliTest.run("data", "info", "embedded:digits", "--format", "parquet").err()).contains("unknown data format");
    }
}
