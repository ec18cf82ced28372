package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarPythonReaderTest {

    static final List<String> NAMES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
            "ship", "truck");
    static final String DIR = "cifar-10-batches-py";

    /** Python-2-style members with random pixels and labels, and what the reader must return. */
    static final class Fixture {
        final Map<String, byte[]> members = new LinkedHashMap<>();
        final List<byte[]> trainRows = new ArrayList<>();
        final List<Integer> trainLabels = new ArrayList<>();
        final List<byte[]> testRows = new ArrayList<>();
        final List<Integer> testLabels = new ArrayList<>();

        Fixture(long seed, int testRows, int... trainRows) {
            Random rnd = new Random(seed);
            for (int k = 0; k < 5; k++) {
                members.put("data_batch_" + (k + 1), batch(rnd, trainRows[k], "training batch " + (k + 1) + " of 5",
                        this.trainRows, trainLabels));
            }
            members.put("test_batch", batch(rnd, testRows, "testing batch 1 of 1", this.testRows, testLabels));
            members.put("batches.meta", PickleWriter.python2Meta(NAMES, trainRows[0]));
        }

        private static byte[] batch(Random rnd, int n, String label, List<byte[]> rows, List<Integer> labels) {
            byte[] pixels = new byte[n * 3072];
            rnd.nextBytes(pixels);
            int[] l = new int[n];
            List<String> files = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                l[i] = rnd.nextInt(10);
                labels.add(l[i]);
                rows.add(Arrays.copyOfRange(pixels, i * 3072, (i + 1) * 3072));
                files.add("file_" + i + ".png");
            }
            return PickleWriter.python2Batch(label, l, pixels, 3072, files);
        }

        /** The members in another order (the reader must not care). */
        Map<String, byte[]> shuffled() {
            Map<String, byte[]> m = new LinkedHashMap<>();
            for (String k : List.of("batches.meta", "test_batch", "data_batch_4", "data_batch_2", "data_batch_5",
                    "data_batch_1", "data_batch_3")) {
                m.put(k, members.get(k));
            }
            m.put("readme.html", "<html></html>".getBytes(StandardCharsets.US_ASCII));
            return m;
        }

        void check(LoadedData d, Path source) {
            assertThat(d.format()).isEqualTo(DataFormat.CIFAR10_PYTHON);
            assertThat(d.source()).isEqualTo(source.toString());
            assertThat(d.hasTest()).isTrue();
            checkSplit(d.train(), trainRows, trainLabels);
            checkSplit(d.test(), testRows, testLabels);
        }
    }

    static void checkSplit(Dataset ds, List<byte[]> rows, List<Integer> labels) {
        assertThat(ds.type()).isEqualTo(Dataset.Type.UINT8);
        assertThat(ds.rows()).isEqualTo(rows.size());
        assertThat(ds.dims()).isEqualTo(3072);
        assertThat(ds.imageShape()).contains(new ImageShape(32, 32, 3, ImageShape.Layout.CHW));
        assertThat(ds.classNames()).isEqualTo(NAMES);
        for (int r = 0; r < rows.size(); r++) {
            byte[] got = ds.segment().asSlice(ds.rowOffset(r), 3072).toArray(ValueLayout.JAVA_BYTE);
            assertThat(got).as("row %d", r).isEqualTo(rows.get(r));
            assertThat(ds.label(r)).as("label %d", r).isEqualTo(labels.get(r));
        }
    }

    @Test
    void readsTheExtractedFolder(@TempDir Path tmp) throws IOException {
        Fixture f = new Fixture(1, 5, 7, 7, 7, 7, 7);
        Path dir = tmp.resolve(DIR);
        PickleWriter.writeFolder(dir, f.members);
        assertThat(CifarPythonReader.looksLike(dir)).isTrue();
        try (LoadedData d = CifarPythonReader.read(dir, LoadOptions.DEFAULTS)) {
            f.check(d, dir);
        }
        // The folder it was extracted into works as well.
        try (LoadedData d = CifarPythonReader.read(tmp, LoadOptions.DEFAULTS)) {
            f.check(d, tmp);
        }
    }

    @Test
    void readsTheTarGzInOnePassWhateverTheMemberOrder(@TempDir Path tmp) throws IOException {
        Fixture f = new Fixture(2, 5, 7, 7, 7, 7, 7);
        Path tgz = tmp.resolve("cifar-10-python.tar.gz");
        PickleWriter.writeTarGz(tgz, DIR, f.shuffled());
        assertThat(CifarPythonReader.looksLike(tgz)).isTrue();
        try (LoadedData d = CifarPythonReader.read(tgz, null)) {
            f.check(d, tgz);
        }
    }

    @Test
    void batchesOfUnequalSizesAreConcatenatedInBatchOrder(@TempDir Path tmp) throws IOException {
        Fixture f = new Fixture(3, 4, 7, 5, 7, 3, 8);
        Path tgz = tmp.resolve("cifar-10-python.tar.gz");
        PickleWriter.writeTarGz(tgz, DIR, f.shuffled());
        try (LoadedData d = CifarPythonReader.read(tgz, null)) {
            assertThat(d.train().rows()).isEqualTo(30);
            f.check(d, tgz);
        }
    }

    @Test
    void readsBatchesRewrittenByPython3AtProtocols0To5(@TempDir Path tmp) throws IOException {
        // fixture file -> (seed, rows) as make_fixtures.py writes them
        String[] files = {"batch_p2.pkl", "batch_p2_bytes.pkl", "batch_p4_bytes.pkl", "batch_p5.pkl", "batch_p0.pkl"};
        int[][] seedRows = {{1, 3}, {2, 2}, {3, 4}, {4, 4}, {5, 1}};
        Map<String, byte[]> m = new LinkedHashMap<>();
        List<byte[]> trainRows = new ArrayList<>();
        List<Integer> trainLabels = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            m.put("data_batch_" + (k + 1), SafeUnpicklerTest.fixture(files[k]));
            addRows(seedRows[k][0], seedRows[k][1], trainRows, trainLabels);
        }
        m.put("test_batch", SafeUnpicklerTest.fixture("batch_p5.pkl"));
        List<byte[]> testRows = new ArrayList<>();
        List<Integer> testLabels = new ArrayList<>();
        addRows(4, 4, testRows, testLabels);
        for (String meta : List.of("meta_p5_bytes.pkl", "meta_p2.pkl")) {
            m.put("batches.meta", SafeUnpicklerTest.fixture(meta));
            Path tgz = tmp.resolve(meta + "-cifar-10-python.tar.gz");
            PickleWriter.writeTarGz(tgz, DIR, m);
            try (LoadedData d = CifarPythonReader.read(tgz, null)) {
                checkSplit(d.train(), trainRows, trainLabels);
                checkSplit(d.test(), testRows, testLabels);
            }
        }
    }

    private static void addRows(int seed, int rows, List<byte[]> out, List<Integer> labels) {
        byte[] px = SafeUnpicklerTest.fixturePixels(seed, rows);
        for (int r = 0; r < rows; r++) {
            out.add(Arrays.copyOfRange(px, r * 3072, (r + 1) * 3072));
            labels.add(SafeUnpicklerTest.fixtureLabel(seed, r));
        }
    }

    @Test
    void listsEveryMissingMember(@TempDir Path tmp) throws IOException {
        Fixture f = new Fixture(4, 2, 2, 2, 2, 2, 2);
        f.members.remove("data_batch_3");
        f.members.remove("batches.meta");
        Path tgz = tmp.resolve("cifar-10-python.tar.gz");
        PickleWriter.writeTarGz(tgz, DIR, f.members);
        assertThatThrownBy(() -> CifarPythonReader.read(tgz, null)).isInstanceOf(DataFormatException.class)
                .hasMessage(tgz + ": missing CIFAR-10 python member(s) data_batch_3, batches.meta (expected under "
                        + DIR + "/)");
    }

    @Test
    void refusesMoreRowsThanLabels(@TempDir Path tmp) throws IOException {
        Fixture f = new Fixture(5, 2, 2, 2, 2, 2, 2);
        f.members.put("data_batch_2", PickleWriter.python2Batch("b", new int[] {1, 2}, new byte[3 * 3072], 3, 3072,
                List.of("a", "b")));
        Path dir = tmp.resolve(DIR);
        PickleWriter.writeFolder(dir, f.members);
        assertThatThrownBy(() -> CifarPythonReader.read(dir, null)).isInstanceOf(DataFormatException.class)
                .hasMessage(dir.resolve("data_batch_2") + ": 'data' has 3 rows but 'labels' has 2 entries");
    }

    @Test
    void refusesALabelOutsideTheClassNames(@TempDir Path tmp) throws IOException {
        Fixture f = new Fixture(6, 2, 2, 2, 2, 2, 2);
        f.members.put("test_batch", PickleWriter.python2Batch("b", new int[] {3, 10}, new byte[2 * 3072], 3072,
                List.of("a", "b")));
        Path tgz = tmp.resolve("cifar-10-python.tar.gz");
        PickleWriter.writeTarGz(tgz, DIR, f.shuffled());
        assertThatThrownBy(() -> CifarPythonReader.read(tgz, null)).isInstanceOf(DataFormatException.class)
                .hasMessage(tgz + " member " + DIR + "/test_batch: labels index 1: label 10 is outside 0..9"
                        + " (10 label_names in batches.meta)");
    }

    @Test
    void refusesPixelDataOfTheWrongSize(@TempDir Path tmp) throws IOException {
        Fixture f = new Fixture(7, 2, 2, 2, 2, 2, 2);
        f.members.put("data_batch_5", PickleWriter.python2Batch("b", new int[] {1, 2}, new byte[2 * 3072 + 1], 2, 3072,
                List.of("a", "b")));
        Path tgz = tmp.resolve("cifar-10-python.tar.gz");
        PickleWriter.writeTarGz(tgz, DIR, f.members);
        assertThatThrownBy(() -> CifarPythonReader.read(tgz, null)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(tgz + " member " + DIR + "/data_batch_5, offset ")
                .hasMessageContaining("array data has 6145 bytes but shape [2, 3072] of dtype |u1 needs 6144");
    }

    @Test
    void refusesOtherColumnCountsAndDtypes(@TempDir Path tmp) throws IOException {
        Fixture f = new Fixture(8, 2, 2, 2, 2, 2, 2);
        f.members.put("data_batch_1", PickleWriter.python2Batch("b", new int[] {1, 2}, new byte[2 * 3000], 3000,
                List.of("a", "b")));
        Path dir = tmp.resolve(DIR);
        PickleWriter.writeFolder(dir, f.members);
        assertThatThrownBy(() -> CifarPythonReader.read(dir, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data_batch_1, offset ").hasMessageContaining("'data' has shape [2, 3000], expected (N, 3072)");

        // the same bytes with dtype 'i1' instead of 'u1'
        byte[] ok = new Fixture(9, 2, 2, 2, 2, 2, 2).members.get("data_batch_1");
        String s = new String(ok, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("U\u0002u1");
        assertThat(at).isPositive();
        byte[] i1 = ok.clone();
        i1[at + 2] = 'i';
        Files.write(dir.resolve("data_batch_1"), i1);
        assertThatThrownBy(() -> CifarPythonReader.read(dir, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("'data' has dtype |i1, expected uint8 (|u1)");
    }

    @Test
    void refusesATruncatedBatchInsideTheArchive(@TempDir Path tmp) throws IOException {
        Fixture f = new Fixture(10, 2, 2, 2, 2, 2, 2);
        byte[] whole = f.members.get("data_batch_4");
        f.members.put("data_batch_4", Arrays.copyOf(whole, whole.length / 2));
        Path tgz = tmp.resolve("cifar-10-python.tar.gz");
        PickleWriter.writeTarGz(tgz, DIR, f.members);
        assertThatThrownBy(() -> CifarPythonReader.read(tgz, null)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(tgz + " member " + DIR + "/data_batch_4, offset ")
                .hasMessageContaining("BINSTRING announces 6144 bytes but only");
    }

    @Test
    void refusesABatchThatCallsOsSystemAndRunsNothing(@TempDir Path tmp) throws IOException {
        Path marker = tmp.resolve("pwned");
        Fixture f = new Fixture(11, 2, 2, 2, 2, 2, 2);
        PickleWriter evil = new PickleWriter().proto(2).global("os", "system").put()
                .shortBinstring("touch " + marker).op(0x85).op('R').put().stop();
        f.members.put("data_batch_1", evil.toByteArray());
        Path tgz = tmp.resolve("cifar-10-python.tar.gz");
        PickleWriter.writeTarGz(tgz, DIR, f.members);
        assertThatThrownBy(() -> CifarPythonReader.read(tgz, null)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(tgz + " member " + DIR + "/data_batch_1, offset 2: refused global os.system");
        assertThat(Files.exists(marker)).isFalse();
    }

    @Test
    void recognisesItsSources(@TempDir Path tmp) throws IOException {
        Path tgz = Files.write(tmp.resolve("cifar-10-python.tar.gz"), new byte[0]);
        Path c100 = Files.write(tmp.resolve("cifar-100-python.tar.gz"), new byte[0]);
        Path bin = Files.write(tmp.resolve("cifar-10-binary.tar.gz"), new byte[0]);
        Path notTar = Files.write(tmp.resolve("python.txt"), new byte[0]);
        assertThat(CifarPythonReader.looksLike(tgz)).isTrue();
        assertThat(CifarPythonReader.looksLike(c100)).isFalse();
        assertThat(CifarPythonReader.looksLike(bin)).isFalse();
        assertThat(CifarPythonReader.looksLike(notTar)).isFalse();
        assertThat(CifarPythonReader.looksLike(tmp)).isFalse();
        assertThat(CifarPythonReader.looksLike(tmp.resolve("absent"))).isFalse();
    }
}
