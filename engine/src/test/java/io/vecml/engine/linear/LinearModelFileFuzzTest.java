package io.vecml.engine.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vecml.engine.data.DataFormatException;
import io.vecml.engine.data.ImageShape;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model files that pass the checksum but hold numbers no prediction can use, and a seeded fuzz of
 * truncated and bit-flipped files: every load either succeeds or is a {@link DataFormatException}.
 */
class LinearModelFileFuzzTest {

    @TempDir
    Path dir;

    static final int D = 4;
    static final int C = 3;

    static LinearClassifier model() {
        float[] w = new float[(D + 1) * C];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i - 7) * 0.125f;
        }
        FeatureScaling s = new FeatureScaling(Preprocessing.STANDARDIZE, new double[] {1, 2, 3, 4},
                new double[] {0.5, 1, 2, 4});
        LinearConfig cfg = new LinearConfig(Loss.SOFTMAX, 1, Regularizer.l2(0.01), Preprocessing.STANDARDIZE);
        return new LinearClassifier(cfg, s, List.of("a", "b", "c"), ImageShape.grey(2, 2), w);
    }

    /** Writes the checksum of everything before the last 4 bytes into them, as a writer would. */
    static byte[] withChecksum(byte[] b) {
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
        return b;
    }

    /** Offsets in the file of {@link #model()}: header 45 bytes, shape 13, names 3 x 5, then the numbers. */
    static final int STATS = 8 + 4 + 1 + 8 + 1 + 8 + 8 + 1 + 1 + 4 + 4 + 1 + 13 + 3 * 5;
    static final int SCALES = STATS + 8 * D;
    static final int WEIGHTS = SCALES + 8 * D;

    private Path file(String name, byte[] bytes) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    @Test
    void theOffsetsOfThisTestMatchTheFile() throws Exception {
        byte[] b = LinearModelFile.encode(model());
        assertThat(b.length).isEqualTo(WEIGHTS + (D + 1) * C * 4 + 4);
        ByteBuffer buf = ByteBuffer.wrap(b);
        assertThat(buf.getDouble(STATS + 8)).isEqualTo(2);
        assertThat(buf.getDouble(SCALES + 8 * 3)).isEqualTo(4);
        assertThat(buf.getFloat(WEIGHTS)).isEqualTo(-7 * 0.125f);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void aScaleThatIsNotFiniteAndPositiveIsRefusedNamingTheFileAndField(double scale) throws Exception {
        byte[] b = LinearModelFile.encode(model());
        ByteBuffer.wrap(b).putDouble(SCALES + 8 * 2, scale);
        Path f = file("scale.vecml", withChecksum(b));
        assertThatThrownBy(() -> LinearClassifier.load(f)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("scale of feature 2")
                .hasMessageContaining(Double.toString(scale)).hasMessageContaining(Integer.toString(SCALES + 16));
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY})
    void aMeanThatIsNotFiniteIsRefused(double mean) throws Exception {
        byte[] b = LinearModelFile.encode(model());
        ByteBuffer.wrap(b).putDouble(STATS + 8, mean);
        Path f = file("mean.vecml", withChecksum(b));
        assertThatThrownBy(() -> LinearClassifier.load(f)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("mean of feature 1");
    }

    @ParameterizedTest
    @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
    void aWeightThatIsNotFiniteIsRefusedNamingTheFileAndTheWeight(float v) throws Exception {
        byte[] b = LinearModelFile.encode(model());
        // W[1][2] (feature 1, class 2), then the bias of class 0 (the last row)
        ByteBuffer.wrap(b).putFloat(WEIGHTS + 4 * (C + 2), v);
        Path f = file("w.vecml", withChecksum(b.clone()));
        assertThatThrownBy(() -> LinearClassifier.load(f)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("weight W[1][2] is " + v);
        byte[] bias = LinearModelFile.encode(model());
        ByteBuffer.wrap(bias).putFloat(WEIGHTS + 4 * (D * C), v);
        Path g = file("bias.vecml", withChecksum(bias));
        assertThatThrownBy(() -> LinearClassifier.load(g)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("W[4][0] (the bias of class 0)");
    }

    @Test
    void theUnchangedFileStillLoads() throws Exception {
        Path f = file("ok.vecml", withChecksum(LinearModelFile.encode(model())));
        assertThat(LinearClassifier.load(f).weights()).containsExactly(model().weights());
    }

    /**
     * A few hundred seeded corruptions: truncations, bit flips with the stored checksum (caught by the
     * CRC or a size check) and with a recomputed one (so that the payload checks are reached), and
     * random numbers written over the statistics and weights. Each must load or be refused with a
     * {@link DataFormatException}; nothing else may escape, and nothing may hang (the deadline is a hang
     * detector, far above the milliseconds the loop takes, for a loaded CI machine).
     */
    @Test
    void truncatedAndBitFlippedFilesLoadOrAreRefusedCleanly() throws Exception {
        byte[] good = LinearModelFile.encode(model());
        Random rnd = new Random(15);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 400; i++) {
                byte[] b = FuzzCorruptions.corrupt(good, rnd, i, WEIGHTS - 8 * 2 * D);
                Path f = file("fuzz.vecml", b);
                try {
                    LinearClassifier m = LinearClassifier.load(f);
                    // what loads must be usable: finite numbers only
                    for (float w : m.weights()) {
                        assertThat(Float.isFinite(w)).as("case %d", i).isTrue();
                    }
                    outcomes[0]++;
                } catch (DataFormatException e) {
                    assertThat(e.getMessage()).as("case %d", i).contains(f.toString());
                    outcomes[1]++;
                }
            }
        });
        // both outcomes occur, so the loop tested the checks and not only the CRC
        assertThat(outcomes[0]).isPositive();
        assertThat(outcomes[1]).isPositive();
    }
}
