package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    /** Random grey images with labels below {@code classes}. */
    private static Dataset randomGrey(int n, int rows, int cols, int classes, long seed) {
        Random rnd = new Random(seed);
        int dims = rows * cols;
        byte[] px = new byte[dims];
        Dataset.Builder b = Dataset.builder(Dataset.Type.UINT8, n, dims);
        for (int r = 0; r < n; r++) {
            rnd.nextBytes(px);
            MemorySegment.copy(MemorySegment.ofArray(px), 0, b.segment(), b.rowByteOffset(r), dims);
            b.label(r, rnd.nextInt(classes));
        }
        List<String> names = classes == 10 ? IdxReader.FASHION_CLASSES
                : java.util.stream.IntStream.range(0, classes).mapToObj(Integer::toString).toList();
        return b.build(names, ImageShape.grey(rows, cols));
    }

    /** An IDX file: big-endian ints, then the bytes, gzip'd or not. */
    private static byte[] idx(int[] header, byte[] body, boolean gzip) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(4 * header.length + body.length);
        for (int h : header) {
            bb.putInt(h);
        }
        bb.put(body);
        if (!gzip) {
            return bb.array();
        }
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(bb.array());
        }
        return bo.toByteArray();
    }

    @Test
    void gzipFolderRoundTripWithFashionNames() throws IOException {
        Path f = dir.resolve("my-fashion-data");
        try (LoadedData data = new LoadedData(DataFormat.IDX, "t", randomGrey(57, 28, 28, 10, 1), randomGrey(9, 28, 28, 10, 2))) {
            IdxWriter.write(data, f);
            assertThat(Archives.isGzip(f.resolve("train-images-idx3-ubyte.gz"))).isTrue();
            assertThat(IdxReader.looksLike(f)).isTrue();
            try (LoadedData back = IdxReader.read(f, LoadOptions.DEFAULTS)) {
                assertThat(back.format()).isEqualTo(DataFormat.IDX);
                assertThat(back.train().classNames()).isEqualTo(IdxReader.FASHION_CLASSES);
                assertThat(back.train().imageShape()).contains(ImageShape.grey(28, 28));
                CifarBinaryReaderTest.assertSameData(back.train(), data.train());
                CifarBinaryReaderTest.assertSameData(back.test(), data.test());
            }
        }
    }

    @Test
    void plainSingleFileRoundTripWithDigitNames() throws IOException {
        Path images = dir.resolve("x-images-idx3-ubyte");
        Path labels = dir.resolve("x-labels-idx1-ubyte");
        try (Dataset d = randomGrey(31, 5, 7, 13, 3)) {
            IdxWriter.write(d, images, labels, false);
            assertThat(Files.size(images)).isEqualTo(16 + 31 * 35);
            assertThat(Files.size(labels)).isEqualTo(8 + 31);
            assertThat(IdxReader.looksLike(images)).isTrue();
            try (LoadedData back = IdxReader.read(images, null)) {
                assertThat(back.hasTest()).isFalse();
                assertThat(back.train().imageShape()).contains(ImageShape.grey(5, 7));
                // 0..max label (12 here), as digits
                int max = Arrays.stream(d.labels()).max().orElseThrow();
                assertThat(back.train().numClasses()).isEqualTo(Math.max(10, max + 1));
                assertThat(back.train().classNames().get(0)).isEqualTo("0");
                assertThat(back.train().labels()).isEqualTo(d.labels());
                for (int r = 0; r < d.rows(); r++) {
                    for (int c = 0; c < d.dims(); c++) {
                        assertThat(back.train().u8(r, c)).isEqualTo(d.u8(r, c));
                    }
                }
            }
        }
    }

    @Test
    void readsUnzippedFilesInAPlainFolderAsDigits() throws IOException {
        Path f = Files.createDirectory(dir.resolve("mnist"));
        byte[] px = new byte[3 * 4];
        px[5] = (byte) 200;
        Files.write(f.resolve("train-images-idx3-ubyte"), idx(new int[] {0x803, 3, 2, 2}, px, false));
        Files.write(f.resolve("train-labels-idx1-ubyte"), idx(new int[] {0x801, 3}, new byte[] {9, 0, 4}, false));
        Files.write(f.resolve("t10k-images-idx3-ubyte.gz"), idx(new int[] {0x803, 1, 2, 2}, new byte[4], true));
        Files.write(f.resolve("t10k-labels-idx1-ubyte.gz"), idx(new int[] {0x801, 1}, new byte[] {1}, true));
        try (LoadedData d = IdxReader.read(f, LoadOptions.DEFAULTS)) {
            assertThat(d.train().classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
            assertThat(d.train().labels()).containsExactly(9, 0, 4);
            assertThat(d.train().u8(1, 1)).isEqualTo(200);
            assertThat(d.test().rows()).isEqualTo(1);
        }
    }

    @Test
    void refusesABadMagicAndSaysWhatItFound() throws IOException {
        Path images = dir.resolve("a-images-idx3-ubyte");
        Files.write(images, idx(new int[] {0x801, 1}, new byte[] {0}, false));
        Files.write(dir.resolve("a-labels-idx1-ubyte"), idx(new int[] {0x801, 1}, new byte[] {0}, false));
        assertThatThrownBy(() -> IdxReader.read(images, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("a-images-idx3-ubyte, offset 0")
                .hasMessageContaining("expected the IDX magic 0x00000803").hasMessageContaining("found 0x00000801")
                .hasMessageContaining("labels file");
        Files.write(dir.resolve("a-labels-idx1-ubyte"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        assertThatThrownBy(() -> IdxReader.read(images, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("a-labels-idx1-ubyte").hasMessageContaining("found 0x504B0304");
    }

    @Test
    void refusesACountMismatch() throws IOException {
        Path images = dir.resolve("b-images-idx3-ubyte.gz");
        Files.write(images, idx(new int[] {0x803, 4, 2, 2}, new byte[16], true));
        Files.write(dir.resolve("b-labels-idx1-ubyte.gz"), idx(new int[] {0x801, 3}, new byte[3], true));
        assertThatThrownBy(() -> IdxReader.read(images, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("holds 4 images but").hasMessageContaining("b-labels-idx1-ubyte.gz holds 3 labels");
    }

    @Test
    void refusesTrailingBytesPlainAndGzip() throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            String sfx = gz ? ".gz" : "";
            Path images = dir.resolve("c-images-idx3-ubyte" + sfx);
            Files.write(images, idx(new int[] {0x803, 2, 2, 2}, new byte[8 + 3], gz));
            Files.write(dir.resolve("c-labels-idx1-ubyte" + sfx), idx(new int[] {0x801, 2}, new byte[2], gz));
            assertThatThrownBy(() -> IdxReader.read(images, null)).as("gzip " + gz).isInstanceOf(DataFormatException.class)
                    .hasMessageContaining("c-images-idx3-ubyte" + sfx + ", offset 24").hasMessageContaining("3 trailing bytes");
        }
    }

    @Test
    void refusesAShortFile() throws IOException {
        Path images = dir.resolve("d-images-idx3-ubyte");
        Files.write(images, idx(new int[] {0x803, 3, 2, 2}, new byte[10], false));
        Files.write(dir.resolve("d-labels-idx1-ubyte"), idx(new int[] {0x801, 3}, new byte[3], false));
        assertThatThrownBy(() -> IdxReader.read(images, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("d-images-idx3-ubyte, offset 26").hasMessageContaining("promises 16 + 12 = 28");
        // gzip'd: the header cannot be checked against the file size, the stream runs out instead
        Path gz = dir.resolve("e-images-idx3-ubyte.gz");
        Files.write(gz, idx(new int[] {0x803, 3, 2, 2}, new byte[10], true));
        Files.write(dir.resolve("e-labels-idx1-ubyte.gz"), idx(new int[] {0x801, 3}, new byte[3], true));
        assertThatThrownBy(() -> IdxReader.read(gz, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("e-images-idx3-ubyte.gz, offset 26").hasMessageContaining("ends inside image 2");
    }

    @Test
    void refusesACutGzip() throws IOException {
        Path images = dir.resolve("f-images-idx3-ubyte.gz");
        byte[] px = new byte[200 * 28 * 28];
        new Random(4).nextBytes(px);
        byte[] full = idx(new int[] {0x803, 200, 28, 28}, px, true);
        Files.write(images, Arrays.copyOf(full, full.length - 1000));
        Files.write(dir.resolve("f-labels-idx1-ubyte.gz"), idx(new int[] {0x801, 200}, new byte[200], true));
        assertThatThrownBy(() -> IdxReader.read(images, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("f-images-idx3-ubyte.gz").hasMessageContaining("cut short");
    }

    @Test
    void refusesAHeaderTheFileCannotHold() throws IOException {
        Path images = dir.resolve("g-images-idx3-ubyte.gz");
        // a billion images promised by a 40-byte gzip file: refused before any memory is allocated
        Files.write(images, idx(new int[] {0x803, 1_000_000_000, 28, 28}, new byte[0], true));
        Path labels = dir.resolve("g-labels-idx1-ubyte.gz");
        Files.write(labels, idx(new int[] {0x801, 1_000_000_000}, new byte[0], true));
        assertThatThrownBy(() -> IdxReader.read(images, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("g-labels-idx1-ubyte.gz").hasMessageContaining("more than the");
    }

    @Test
    void refusesFashionLabelsAboveNineAndMissingFiles() throws IOException {
        Path f = Files.createDirectory(dir.resolve("fashion"));
        Files.write(f.resolve("train-images-idx3-ubyte"), idx(new int[] {0x803, 2, 1, 1}, new byte[2], false));
        Files.write(f.resolve("train-labels-idx1-ubyte"), idx(new int[] {0x801, 2}, new byte[] {3, 10}, false));
        assertThatThrownBy(() -> IdxReader.read(f, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("missing IDX files t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]");
        Files.write(f.resolve("t10k-images-idx3-ubyte"), idx(new int[] {0x803, 0, 1, 1}, new byte[0], false));
        Files.write(f.resolve("t10k-labels-idx1-ubyte"), idx(new int[] {0x801, 0}, new byte[0], false));
        assertThatThrownBy(() -> IdxReader.read(f, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("train-labels-idx1-ubyte, offset 9").hasMessageContaining("label 1 is 10");
        Path lone = dir.resolve("pixels.bin");
        Files.write(lone, new byte[16]);
        assertThatThrownBy(() -> IdxReader.read(lone, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("cannot tell the labels file");
        assertThat(IdxReader.looksLike(lone)).isFalse();
    }
}
