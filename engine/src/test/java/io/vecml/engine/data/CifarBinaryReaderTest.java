package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CifarBinaryReaderTest {

    private static final int REC10 = 3073;
    private static final int REC100 = 3074;

    @TempDir
    Path dir;

    /** Random pixels and labels, shaped like CIFAR-10. */
    static Dataset randomCifar10(int rows, long seed) {
        Random rnd = new Random(seed);
        byte[] px = new byte[3072];
        Dataset.Builder b = Dataset.builder(Dataset.Type.UINT8, rows, 3072);
        for (int r = 0; r < rows; r++) {
            rnd.nextBytes(px);
            MemorySegment.copy(MemorySegment.ofArray(px), 0, b.segment(), b.rowByteOffset(r), 3072);
            b.label(r, rnd.nextInt(10));
        }
        return b.build(CifarBinaryReader.CIFAR10_CLASSES, CifarBinaryReader.SHAPE);
    }

    /** Same rows, labels, class names and image shape, byte for byte. */
    static void assertSameData(Dataset actual, Dataset expected) {
        assertThat(actual.rows()).isEqualTo(expected.rows());
        assertThat(actual.dims()).isEqualTo(expected.dims());
        assertThat(actual.type()).isEqualTo(expected.type());
        assertThat(actual.labels()).isEqualTo(expected.labels());
        assertThat(actual.classNames()).isEqualTo(expected.classNames());
        assertThat(actual.imageShape()).isEqualTo(expected.imageShape());
        long bytes = (long) expected.dims() * expected.type().bytes;
        for (int r = 0; r < expected.rows(); r++) {
            MemorySegment a = actual.segment().asSlice(actual.rowOffset(r) * actual.type().bytes, bytes);
            MemorySegment e = expected.segment().asSlice(expected.rowOffset(r) * expected.type().bytes, bytes);
            assertThat(a.mismatch(e)).as("first differing byte of row %d", r).isEqualTo(-1L);
        }
    }

    static Stream<Arguments> sizes() {
        // 100: equal batches (rows go straight to their place); 103 and 7: uneven batches (gathered).
        // (0 training rows make empty batch files, which the reader refuses: emptyBatchFilesAreRefused)
        List<Arguments> a = new ArrayList<>();
        for (int n : new int[] {100, 103, 7}) {
            a.add(Arguments.of(n, "folder"));
            a.add(Arguments.of(n, "tar.gz"));
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} train rows, {1}")
    @MethodSource("sizes")
    void cifar10WriteThenReadIsExact(int nTrain, String form) throws IOException {
        try (LoadedData data = new LoadedData(DataFormat.CIFAR10_BINARY, "t", randomCifar10(nTrain, 1), randomCifar10(13, 2))) {
            Dataset train = data.train();
            Dataset test = data.test();
            Path target = form.equals("folder") ? dir.resolve("cifar-10-batches-bin") : dir.resolve("cifar-10-binary.tar.gz");
            CifarBinaryWriter.write(data, target);
            if (form.equals("folder")) {
                assertThat(Files.size(target.resolve("data_batch_1.bin"))).isEqualTo((long) nTrain / 5 * REC10);
                assertThat(Files.size(target.resolve("data_batch_5.bin")))
                        .isEqualTo((long) (nTrain - CifarBinaryWriter.batchStart(nTrain, 4)) * REC10);
                try (var s = Files.list(target)) {
                    assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).isEmpty();
                }
            }
            assertThat(CifarBinaryReader.detect(target)).contains(DataFormat.CIFAR10_BINARY);
            try (LoadedData back = CifarBinaryReader.read(target, LoadOptions.DEFAULTS)) {
                assertThat(back.format()).isEqualTo(DataFormat.CIFAR10_BINARY);
                assertSameData(back.train(), train);
                assertSameData(back.test(), test);
            }
        }
    }

    @Test
    void tarMembersMayComeInAnyOrder() throws IOException {
        try (LoadedData data = new LoadedData(DataFormat.CIFAR10_BINARY, "t", randomCifar10(50, 3), randomCifar10(10, 4))) {
            Dataset train = data.train();
            Dataset test = data.test();
            Path folder = dir.resolve("cifar-10-batches-bin");
            CifarBinaryWriter.writeFolder(data, folder);
            List<ArchivesTest.Entry> es = new ArrayList<>();
            for (String n : List.of("data_batch_4.bin", "batches.meta.txt", "data_batch_1.bin", "test_batch.bin",
                    "data_batch_5.bin", "data_batch_3.bin", "data_batch_2.bin")) {
                es.add(ArchivesTest.Entry.file("cifar-10-batches-bin/" + n, Files.readAllBytes(folder.resolve(n))));
            }
            es.add(1, ArchivesTest.Entry.file("cifar-10-batches-bin/readme.html", "<html/>".getBytes(StandardCharsets.UTF_8)));
            Path t = ArchivesTest.tar(dir.resolve("shuffled.tar.gz"), es);
            try (LoadedData back = CifarBinaryReader.read(t, LoadOptions.DEFAULTS.withFormat(DataFormat.CIFAR10_BINARY))) {
                assertSameData(back.train(), train);
                assertSameData(back.test(), test);
            }
        }
    }

    /** CIFAR-100 records: coarse = r % 20, fine = (7 r + seed) % 100, random pixels. */
    private static byte[] cifar100Records(int n, int seed) {
        Random rnd = new Random(seed);
        byte[] b = new byte[n * REC100];
        rnd.nextBytes(b);
        for (int r = 0; r < n; r++) {
            b[r * REC100] = (byte) (r % 20);
            b[r * REC100 + 1] = (byte) ((7 * r + seed) % 100);
        }
        return b;
    }

    private static String names(String prefix, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(prefix).append(i).append('\n');
        }
        return s.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forms")
    void cifar100CoarseAndFine(String form) throws IOException {
        byte[] train = cifar100Records(37, 1);
        byte[] test = cifar100Records(11, 2);
        Path src;
        if (form.equals("folder")) {
            src = Files.createDirectory(dir.resolve("cifar-100-binary"));
            Files.write(src.resolve("train.bin"), train);
            Files.write(src.resolve("test.bin"), test);
            Files.writeString(src.resolve("coarse_label_names.txt"), names("coarse", 20));
            Files.writeString(src.resolve("fine_label_names.txt"), "\n" + names("fine", 100) + "\n\n");
        } else {
            src = ArchivesTest.tar(dir.resolve("cifar-100-binary.tar.gz"), List.of(
                    ArchivesTest.Entry.file("cifar-100-binary/fine_label_names.txt", names("fine", 100).getBytes(StandardCharsets.UTF_8)),
                    ArchivesTest.Entry.file("cifar-100-binary/test.bin", test),
                    ArchivesTest.Entry.file("cifar-100-binary/train.bin", train),
                    ArchivesTest.Entry.file("cifar-100-binary/coarse_label_names.txt", names("coarse", 20).getBytes(StandardCharsets.UTF_8))));
        }
        assertThat(CifarBinaryReader.detect(src)).contains(DataFormat.CIFAR100_BINARY);
        for (LoadOptions.Cifar100Label which : LoadOptions.Cifar100Label.values()) {
            LoadOptions opt = new LoadOptions(null, which, null, null, null);
            try (LoadedData d = CifarBinaryReader.read(src, opt)) {
                assertThat(d.format()).isEqualTo(DataFormat.CIFAR100_BINARY);
                boolean coarse = which == LoadOptions.Cifar100Label.COARSE;
                assertThat(d.train().numClasses()).isEqualTo(coarse ? 20 : 100);
                assertThat(d.train().classNames().get(3)).isEqualTo(coarse ? "coarse3" : "fine3");
                checkCifar100(d.train(), train, coarse);
                checkCifar100(d.test(), test, coarse);
            }
        }
    }

    static Stream<String> forms() {
        return Stream.of("folder", "tar.gz");
    }

    private static void checkCifar100(Dataset d, byte[] records, boolean coarse) {
        int n = records.length / REC100;
        assertThat(d.rows()).isEqualTo(n);
        assertThat(d.imageShape()).contains(new ImageShape(32, 32, 3, ImageShape.Layout.CHW));
        for (int r = 0; r < n; r++) {
            assertThat(d.label(r)).isEqualTo(records[r * REC100 + (coarse ? 0 : 1)] & 0xff);
            byte[] row = d.segment().asSlice(d.rowOffset(r), 3072).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            assertThat(row).isEqualTo(Arrays.copyOfRange(records, r * REC100 + 2, (r + 1) * REC100));
        }
    }

    /**
     * The layout of the project's reference generator (../shared/refbench/gen_cifar_synth.py
     * --n-train 100 --n-test 30): all training records in data_batch_1.bin, data_batch_2..5.bin
     * empty, balanced labels, class names one per line. Written here byte for byte (checked once
     * by hand against the generator's own files) so the test needs neither python nor files
     * outside the repository.
     */
    @Test
    void readsTheProjectReferenceGeneratorLayout() throws Exception {
        Path out = dir.resolve("cifar-10-batches-bin");
        Files.createDirectories(out);
        Random rnd = new Random(5);
        byte[] b1 = new byte[100 * REC10];
        byte[] tb = new byte[30 * REC10];
        for (byte[] raw : List.of(b1, tb)) {
            rnd.nextBytes(raw);
            for (int r = 0; r < raw.length / REC10; r++) {
                raw[r * REC10] = (byte) (r % 10);
            }
        }
        Files.write(out.resolve("data_batch_1.bin"), b1);
        for (int b = 2; b <= 5; b++) {
            Files.write(out.resolve("data_batch_" + b + ".bin"), new byte[0]);
        }
        Files.write(out.resolve("test_batch.bin"), tb);
        Files.write(out.resolve("batches.meta.txt"), CifarBinaryReader.CIFAR10_CLASSES);
        try (LoadedData d = CifarBinaryReader.read(out, LoadOptions.DEFAULTS)) {
            assertThat(d.train().classNames()).isEqualTo(CifarBinaryReader.CIFAR10_CLASSES);
            assertThat(d.train().classCounts()).containsOnly(10);
            assertThat(d.test().classCounts()).containsOnly(3);
            for (var e : List.of(new Object[] {d.train(), b1}, new Object[] {d.test(), tb})) {
                Dataset ds = (Dataset) e[0];
                byte[] raw = (byte[]) e[1];
                assertThat(ds.rows()).isEqualTo(raw.length / REC10);
                for (int r = 0; r < ds.rows(); r++) {
                    assertThat(ds.label(r)).isEqualTo(raw[r * REC10] & 0xff);
                    // row-major R plane first: pixel (y=2, x=5) of the green plane is record byte 1 + 1024 + 2*32 + 5
                    assertThat(ds.u8(r, CifarBinaryReader.SHAPE.index(2, 5, 1))).isEqualTo(raw[r * REC10 + 1 + 1024 + 69] & 0xff);
                    byte[] row = ds.segment().asSlice(ds.rowOffset(r), 3072).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    assertThat(row).isEqualTo(Arrays.copyOfRange(raw, r * REC10 + 1, (r + 1) * REC10));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"data_batch_1.bin", "data_batch_3.bin", "data_batch_5.bin", "test_batch.bin"})
    void anEmptyBatchFileIsRefusedWithItsName(String member) throws IOException {
        Path f = validFolder();
        Files.write(f.resolve(member), new byte[0]);
        assertThatThrownBy(() -> CifarBinaryReader.read(f, LoadOptions.DEFAULTS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(f.resolve(member).toString())
                .hasMessageContaining("is empty (no records)");
    }

    @Test
    void anEmptyBatchMemberOfATarballIsRefusedWithItsName() throws IOException {
        Path f = validFolder();
        List<ArchivesTest.Entry> es = new ArrayList<>();
        for (String n : List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                "data_batch_5.bin", "test_batch.bin", "batches.meta.txt")) {
            es.add(ArchivesTest.Entry.file("cifar-10-batches-bin/" + n,
                    n.equals("data_batch_4.bin") ? new byte[0] : Files.readAllBytes(f.resolve(n))));
        }
        Path t = ArchivesTest.tar(dir.resolve("cifar-10-binary.tar.gz"), es);
        assertThatThrownBy(() -> CifarBinaryReader.read(t, LoadOptions.DEFAULTS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(t + " member cifar-10-batches-bin/data_batch_4.bin")
                .hasMessageContaining("is empty (no records)");
    }

    @Test
    void aTarGzThatIsNotGzipSaysSo() throws IOException {
        Path t = dir.resolve("cifar-10-binary.tar.gz");
        Files.writeString(t, "this is not an archive at all, just some text that is long enough" + "x".repeat(600));
        assertThatThrownBy(() -> Datasets.load(t.toString()))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(t.toString())
                .hasMessageContaining("not gzip-compressed");
        assertThatThrownBy(() -> CifarBinaryReader.read(t, LoadOptions.DEFAULTS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(t.toString())
                .hasMessageContaining("not gzip-compressed");
    }

    /** A valid CIFAR-10 folder with 5 x 2 train and 3 test records. */
    private Path validFolder() throws IOException {
        Path f = dir.resolve("cifar-10-batches-bin");
        try (LoadedData data = new LoadedData(DataFormat.CIFAR10_BINARY, "t", randomCifar10(10, 7), randomCifar10(3, 8))) {
            CifarBinaryWriter.writeFolder(data, f);
        }
        return f;
    }

    @Test
    void refusesATruncatedRecord() throws IOException {
        Path f = validFolder();
        Files.write(f.resolve("data_batch_2.bin"), new byte[3 * REC10 + 100]);
        assertThatThrownBy(() -> CifarBinaryReader.read(f, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data_batch_2.bin").hasMessageContaining("offset " + 3 * REC10)
                .hasMessageContaining("3 records of 3073 bytes + 100 leftover bytes");
    }

    @Test
    void refusesRecordsOfTheWrongSize() throws IOException {
        Path f = validFolder();
        // ten CIFAR-100-sized records in a CIFAR-10 batch: 30740 = 10 x 3073 + 10
        Files.write(f.resolve("test_batch.bin"), cifar100Records(10, 3));
        assertThatThrownBy(() -> CifarBinaryReader.read(f, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("test_batch.bin").hasMessageContaining("10 records of 3073 bytes + 10 leftover bytes");
    }

    @Test
    void refusesALabelOutsideTheClasses() throws IOException {
        Path f = validFolder();
        byte[] b = Files.readAllBytes(f.resolve("data_batch_3.bin"));
        b[REC10] = 10;
        Files.write(f.resolve("data_batch_3.bin"), b);
        assertThatThrownBy(() -> CifarBinaryReader.read(f, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data_batch_3.bin").hasMessageContaining("offset 3073")
                .hasMessageContaining("record 1: label 10 is outside 0..9");

        Path c = Files.createDirectory(dir.resolve("c100"));
        byte[] r = cifar100Records(4, 1);
        r[2 * REC100 + 1] = (byte) 100;
        Files.write(c.resolve("train.bin"), r);
        Files.write(c.resolve("test.bin"), cifar100Records(2, 2));
        Files.writeString(c.resolve("fine_label_names.txt"), names("f", 100));
        assertThatThrownBy(() -> CifarBinaryReader.read(c, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("train.bin").hasMessageContaining("offset " + (2 * REC100 + 1))
                .hasMessageContaining("record 2: fine label 100 is outside 0..99");
    }

    @Test
    void listsMissingMembers() throws IOException {
        Path f = validFolder();
        Files.delete(f.resolve("data_batch_3.bin"));
        Files.delete(f.resolve("test_batch.bin"));
        assertThatThrownBy(() -> CifarBinaryReader.read(f, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("missing members data_batch_3.bin, test_batch.bin");
        Path t = ArchivesTest.tar(dir.resolve("cifar-10-binary.tar.gz"), List.of(
                ArchivesTest.Entry.file("cifar-10-batches-bin/data_batch_1.bin", new byte[REC10])));
        assertThatThrownBy(() -> CifarBinaryReader.read(t, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("cifar-10-binary.tar.gz: missing members data_batch_2.bin, data_batch_3.bin, "
                        + "data_batch_4.bin, data_batch_5.bin, test_batch.bin, batches.meta.txt");
    }

    @Test
    void refusesMissingOrWrongClassNames() throws IOException {
        Path f = validFolder();
        Files.writeString(f.resolve("batches.meta.txt"), names("c", 9) + "\n");
        assertThatThrownBy(() -> CifarBinaryReader.read(f, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("batches.meta.txt").hasMessageContaining("9 class names; expected 10");
        Files.delete(f.resolve("batches.meta.txt"));
        assertThatThrownBy(() -> CifarBinaryReader.read(f, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("missing member batches.meta.txt");
    }

    @Test
    void refusesACutTarball() throws IOException {
        Path t = dir.resolve("cifar-10-binary.tar.gz");
        try (LoadedData data = new LoadedData(DataFormat.CIFAR10_BINARY, "t", randomCifar10(20, 7), randomCifar10(3, 8))) {
            CifarBinaryWriter.writeTarGz(data, t);
        }
        byte[] all = Files.readAllBytes(t);
        Path cut = Files.write(dir.resolve("cut-cifar-10-binary.tar.gz"), Arrays.copyOf(all, all.length * 2 / 3));
        assertThatThrownBy(() -> CifarBinaryReader.read(cut, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("cut-cifar-10-binary.tar.gz");
    }

    @Test
    void refusesMixedOrUnrelatedContent() throws IOException {
        Path f = validFolder();
        Files.write(f.resolve("train.bin"), cifar100Records(1, 1));
        assertThatThrownBy(() -> CifarBinaryReader.read(f, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("train.bin").hasMessageContaining("cannot be mixed");
        // an explicit format ignores the other variant's members
        try (LoadedData d = CifarBinaryReader.read(f, LoadOptions.DEFAULTS.withFormat(DataFormat.CIFAR10_BINARY))) {
            assertThat(d.train().rows()).isEqualTo(10);
        }
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Files.writeString(empty.resolve("notes.txt"), "x");
        assertThatThrownBy(() -> CifarBinaryReader.read(empty, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("no CIFAR binary members found");
    }

    @Test
    void detectsByNames() throws IOException {
        assertThat(CifarBinaryReader.looksLike(Path.of("x/cifar-10-binary.tar.gz"))).isTrue();
        assertThat(CifarBinaryReader.looksLikeCifar100(Path.of("cifar-100-binary.tar.gz"))).isTrue();
        assertThat(CifarBinaryReader.looksLike(Path.of("cifar-10-python.tar.gz"))).isFalse();
        assertThat(CifarBinaryReader.looksLike(Path.of("data.csv"))).isFalse();
        Path f = validFolder();
        assertThat(CifarBinaryReader.looksLikeCifar10(f)).isTrue();
        assertThat(CifarBinaryReader.looksLikeCifar10(dir)).isFalse();
    }

    @Test
    void writerRefusesDataItCannotWrite() {
        try (Dataset train = randomCifar10(4, 1); Dataset grey = Dataset.allocate(Dataset.Type.UINT8, 2, 784, new int[2],
                CifarBinaryReader.CIFAR10_CLASSES)) {
            LoadedData noTest = new LoadedData(DataFormat.CIFAR10_BINARY, "t", train, null);
            assertThatThrownBy(() -> CifarBinaryWriter.writeFolder(noTest, dir.resolve("a")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a test split");
            LoadedData wrong = new LoadedData(DataFormat.IDX, "g", train, grey);
            assertThatThrownBy(() -> CifarBinaryWriter.writeFolder(wrong, dir.resolve("b")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("g test").hasMessageContaining("3072");
        }
        assertThat(dir.resolve("a")).doesNotExist();
    }
}
