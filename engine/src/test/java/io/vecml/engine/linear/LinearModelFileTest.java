package io.vecml.engine.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.data.DataFormatException;
import io.vecml.engine.data.ImageShape;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinearModelFileTest {

    private static LinearClassifier model(Preprocessing p) {
        int d = 4;
        int c = 3;
        float[] w = new float[(d + 1) * c];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i - 7) * 0.125f;
        }
        FeatureScaling s = new FeatureScaling(p, new double[] {1, 2, 3, 4}, new double[] {0.5, 1, 2, 4});
        if (p != Preprocessing.STANDARDIZE) {
            s = new FeatureScaling(p, p == Preprocessing.RAW ? new double[4] : new double[] {1, 2, 3, 4},
                    new double[] {1, 1, 1, 1});
        }
        LinearConfig cfg = new LinearConfig(Loss.SVM, 2.5, Regularizer.elasticNet(0.01, 0.25), p);
        return new LinearClassifier(cfg, s, List.of("cat", "car", "frösch"), ImageShape.grey(2, 2), w);
    }

    @Test
    void roundTripsEveryField(@TempDir Path dir) throws Exception {
        for (Preprocessing p : Preprocessing.values()) {
            LinearClassifier m = model(p);
            Path f = dir.resolve("m-" + p.id() + ".vlin");
            m.save(f);
            LinearClassifier back = LinearClassifier.load(f);
            assertThat(back.config()).isEqualTo(m.config());
            assertThat(back.scaling()).isEqualTo(m.scaling());
            assertThat(back.weights()).containsExactly(m.weights());
            assertThat(back.classNames()).containsExactly("cat", "car", "frösch");
            assertThat(back.imageShape()).contains(ImageShape.grey(2, 2));
            // the layout documented in the class comment
            byte[] b = Files.readAllBytes(f);
            int stats = p == Preprocessing.RAW ? 0 : p == Preprocessing.CENTER ? 32 : 64;
            int names = 3 * 4 + "catcarfrösch".getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            assertThat(b.length).isEqualTo(8 + 4 + 1 + 8 + 1 + 8 + 8 + 1 + 1 + 4 + 4 + 1 + 13 + names + stats + 15 * 4 + 4);
            assertThat(new String(b, 0, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("VECMLLIN");
        }
    }

    @Test
    void overwritesAtomically(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.vlin");
        Files.writeString(f, "old");
        model(Preprocessing.RAW).save(f);
        assertThat(LinearClassifier.load(f).weights()).containsExactly(model(Preprocessing.RAW).weights());
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(f);
        }
    }

    private static Path write(Path dir, String name, byte[] b) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, b);
        return f;
    }

    @Test
    void damagedFilesAreClearErrors(@TempDir Path dir) throws Exception {
        byte[] good = LinearModelFile.encode(model(Preprocessing.STANDARDIZE));

        Path notModel = write(dir, "text.vlin", "hello, world".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> LinearClassifier.load(notModel)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(notModel.toString()).hasMessageContaining("not a vecml linear model");

        byte[] v2 = good.clone();
        ByteBuffer.wrap(v2).putInt(8, 2);
        Path version = write(dir, "v2.vlin", v2);
        assertThatThrownBy(() -> LinearClassifier.load(version))
                .hasMessageContaining("unsupported model file version 2").hasMessageContaining("offset 8");

        for (int cut : new int[] {10, 30, 50, 100, good.length - 1}) {
            Path truncated = write(dir, "cut" + cut + ".vlin", Arrays.copyOf(good, cut));
            assertThatThrownBy(() -> LinearClassifier.load(truncated)).as("cut at %d", cut)
                    .isInstanceOf(DataFormatException.class)
                    .hasMessageStartingWith(truncated.toString()).hasMessageContaining("truncated");
        }

        byte[] flipped = good.clone();
        flipped[good.length - 10] ^= 0x10; // inside the weights
        Path corrupt = write(dir, "flip.vlin", flipped);
        assertThatThrownBy(() -> LinearClassifier.load(corrupt)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("checksum mismatch").hasMessageContaining("corrupt");

        byte[] longer = Arrays.copyOf(good, good.length + 3);
        Path trailing = write(dir, "long.vlin", longer);
        assertThatThrownBy(() -> LinearClassifier.load(trailing)).hasMessageContaining("3 unexpected bytes");

        byte[] badLoss = good.clone();
        badLoss[12] = 9;
        Path loss = write(dir, "loss.vlin", badLoss);
        assertThatThrownBy(() -> LinearClassifier.load(loss)).hasMessageContaining("loss code 9 is not one of");

        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).putInt(40, 1_000_000); // D: far more values than the file holds
        Path size = write(dir, "size.vlin", huge);
        assertThatThrownBy(() -> LinearClassifier.load(size)).hasMessageContaining("truncated")
                .hasMessageContaining("1000000 features");

        byte[] badShape = good.clone();
        ByteBuffer.wrap(badShape).putInt(49, 3); // image height 3: 3 x 2 != 4 features
        Path shape = write(dir, "shape.vlin", badShape);
        assertThatThrownBy(() -> LinearClassifier.load(shape)).hasMessageContaining("image shape");

        assertThatThrownBy(() -> LinearClassifier.load(dir.resolve("missing.vlin")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
