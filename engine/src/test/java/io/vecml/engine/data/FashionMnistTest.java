package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The real Fashion-MNIST as Debian packages it ({@code dataset-fashion-mnist}). Without the package the
 * test aborts with the install command, or fails when {@code -Dvecml.require} names {@code fashion-mnist}.
 */
class FashionMnistTest {

    private static final Path FOLDER = Path.of(System.getenv().getOrDefault("VECML_FASHION_MNIST",
            "/usr/share/datasets/fashion-mnist"));

    @Test
    void readsTheRealFashionMnist() throws IOException {
        boolean present = Files.isRegularFile(FOLDER.resolve("train-images-idx3-ubyte.gz"));
        if (!present) {
            String msg = FOLDER + " is missing: apt-get install dataset-fashion-mnist";
            if (System.getProperty("vecml.require", "").contains("fashion-mnist")) {
                throw new AssertionError(msg + " (required by -Dvecml.require)");
            }
            Assumptions.abort(msg);
        }
        long t0 = System.nanoTime();
        try (LoadedData d = IdxReader.read(FOLDER, LoadOptions.DEFAULTS)) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("Fashion-MNIST read in " + ms + " ms: train " + d.train() + ", test " + d.test());
            assertThat(d.train().rows()).isEqualTo(60000);
            assertThat(d.test().rows()).isEqualTo(10000);
            assertThat(d.train().imageShape()).contains(ImageShape.grey(28, 28));
            assertThat(d.train().classNames()).containsExactly("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
            assertThat(d.train().classCounts()).containsOnly(6000);
            assertThat(d.test().classCounts()).containsOnly(1000);
            // Known first labels of the official files: train starts 9 (Ankle boot), 0, 0, 3; test 9, 2, 1, 1.
            assertThat(new int[] {d.train().label(0), d.train().label(1), d.train().label(2), d.train().label(3)})
                    .containsExactly(9, 0, 0, 3);
            assertThat(new int[] {d.test().label(0), d.test().label(1), d.test().label(2), d.test().label(3)})
                    .containsExactly(9, 2, 1, 1);
        }
    }
}
