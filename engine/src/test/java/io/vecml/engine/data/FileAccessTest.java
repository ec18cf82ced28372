package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Confinement of every file a reader opens, the companions it finds by itself included: a symbolic
 * link named like a labels file, {@code y.npy}, a CIFAR names or batch file, that leads outside the
 * root is refused before it is read. Each case first loads the same layout unrestricted, which
 * succeeds through the link: so the link really is the file the reader picks up, and the refusal is
 * the confinement's doing.
 */
class FileAccessTest {

    /** A marker that the outside files contain; no error message may ever show it. */
    private static final String SECRET = "TOPSECRET";

    @TempDir
    Path tmp;

    private Path root;
    private Path outside;
    private FileAccess confined;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        confined = FileAccess.confinedTo(root);
    }

    private LoadOptions confinedOptions() {
        return LoadOptions.DEFAULTS.withAccess(confined);
    }

    /** Loads unrestricted (must work), then confined (must be refused, naming {@code companion}). */
    private void refusedOnlyWhenConfined(Path source, LoadOptions options, Path companion) throws IOException {
        try (LoadedData d = Datasets.load(source.toString(), options.withAccess(FileAccess.UNRESTRICTED))) {
            assertThat(d.train().rows()).isPositive();
        }
        assertThatThrownBy(() -> Datasets.load(source.toString(), options.withAccess(confined)))
                .isInstanceOf(FileAccess.OutsideRootException.class)
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining(companion.getFileName().toString())
                .hasMessageContaining("leads outside the data folder")
                .hasMessageNotContaining(SECRET)
                .hasMessageNotContaining(outside.toString());
    }

    private static byte[] idxLabels(int n) {
        byte[] b = new byte[8 + n];
        b[3] = 0x01;
        b[2] = 0x08;
        b[7] = (byte) n;
        for (int i = 0; i < n; i++) {
            b[8 + i] = (byte) (i % 3);
        }
        return b;
    }

    private static byte[] idxImages(int n, int rows, int cols) {
        byte[] b = new byte[16 + n * rows * cols];
        b[2] = 0x08;
        b[3] = 0x03;
        b[7] = (byte) n;
        b[11] = (byte) rows;
        b[15] = (byte) cols;
        byte[] px = new byte[n * rows * cols];
        new Random(1).nextBytes(px);
        System.arraycopy(px, 0, b, 16, px.length);
        return b;
    }

    @Test
    void anIdxLabelsFileLinkedOutsideIsRefused() throws IOException {
        Path d = Files.createDirectories(root.resolve("mnist"));
        Path images = Files.write(d.resolve("train-images-idx3-ubyte"), idxImages(4, 2, 2));
        Path secret = Files.write(outside.resolve("labels-" + SECRET), idxLabels(4));
        Path labels = Files.createSymbolicLink(d.resolve("train-labels-idx1-ubyte"), secret);
        refusedOnlyWhenConfined(images, LoadOptions.DEFAULTS, labels);
    }

    @Test
    void anIdxFolderMemberLinkedOutsideIsRefused() throws IOException {
        Path d = Files.createDirectories(root.resolve("mnist"));
        Files.write(d.resolve("train-images-idx3-ubyte"), idxImages(4, 2, 2));
        Files.write(d.resolve("train-labels-idx1-ubyte"), idxLabels(4));
        Files.write(d.resolve("t10k-images-idx3-ubyte"), idxImages(3, 2, 2));
        Path secret = Files.write(outside.resolve("t10k-" + SECRET), idxLabels(3));
        Path labels = Files.createSymbolicLink(d.resolve("t10k-labels-idx1-ubyte"), secret);
        refusedOnlyWhenConfined(d, LoadOptions.DEFAULTS, labels);
    }

    @Test
    void aYNpyLinkedOutsideIsRefused() throws IOException {
        Path d = Files.createDirectories(root.resolve("arrays"));
        Path x = d.resolve("X.npy");
        Npy.write(x, new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Path secret = outside.resolve("y-" + SECRET + ".npy");
        Npy.writeLabels(secret, new int[] {0, 1, 0});
        Path y = Files.createSymbolicLink(d.resolve("y.npy"), secret);
        refusedOnlyWhenConfined(x, LoadOptions.DEFAULTS, y);
    }

    @Test
    void anNpyFolderLabelsLinkedOutsideAreRefused() throws IOException {
        Path d = Files.createDirectories(root.resolve("arrays"));
        Npy.write(d.resolve("x_train.npy"), new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Path secret = outside.resolve("y-" + SECRET + ".npy");
        Npy.writeLabels(secret, new int[] {0, 1, 0});
        Path y = Files.createSymbolicLink(d.resolve("y_train.npy"), secret);
        refusedOnlyWhenConfined(d, LoadOptions.DEFAULTS, y);
    }

    @Test
    void anExplicitLabelsFileOutsideIsRefused() throws IOException {
        Path d = Files.createDirectories(root.resolve("arrays"));
        Path x = d.resolve("feats.npy");
        Npy.write(x, new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Path secret = outside.resolve("y-" + SECRET + ".npy");
        Npy.writeLabels(secret, new int[] {0, 1, 0});
        Path link = Files.createSymbolicLink(d.resolve("lab.npy"), secret);
        refusedOnlyWhenConfined(x, new LoadOptions(DataFormat.NPY, null, null, null, link), link);
    }

    /** A CIFAR-10 binary folder with 5 x 2 training and 3 test records, written by the writer. */
    private Path cifarBinaryFolder() throws IOException {
        Path f = root.resolve("cifar-10-batches-bin");
        try (LoadedData data = new LoadedData(DataFormat.CIFAR10_BINARY, "t", CifarBinaryReaderTest.randomCifar10(10, 7),
                CifarBinaryReaderTest.randomCifar10(3, 8))) {
            CifarBinaryWriter.writeFolder(data, f);
        }
        return f;
    }

    /** Moves {@code member} of {@code folder} outside (its name marked) and leaves a link to it in its place. */
    private Path moveOutAndLink(Path folder, String member) throws IOException {
        Path secret = outside.resolve(SECRET + "-" + member);
        Files.move(folder.resolve(member), secret);
        return Files.createSymbolicLink(folder.resolve(member), secret);
    }

    @Test
    void aCifarBinaryNamesFileLinkedOutsideIsRefused() throws IOException {
        Path f = cifarBinaryFolder();
        Path link = moveOutAndLink(f, "batches.meta.txt");
        // the names would come back in class names (and errors): make them the secret
        Files.write(link.toRealPath(), CifarBinaryReader.CIFAR10_CLASSES.stream().map(n -> SECRET + n).toList(),
                StandardCharsets.UTF_8);
        refusedOnlyWhenConfined(f, LoadOptions.DEFAULTS, link);
    }

    @Test
    void aCifarBinaryBatchLinkedOutsideIsRefused() throws IOException {
        Path f = cifarBinaryFolder();
        Path link = moveOutAndLink(f, "data_batch_3.bin");
        refusedOnlyWhenConfined(f, LoadOptions.DEFAULTS, link);
    }

    @Test
    void aCifarPythonMetaFileLinkedOutsideIsRefused() throws IOException {
        CifarPythonReaderTest.Fixture fx = new CifarPythonReaderTest.Fixture(3, 2, 2, 2, 2, 2, 2);
        Path f = root.resolve("cifar-10-batches-py");
        PickleWriter.writeFolder(f, fx.members);
        Path link = moveOutAndLink(f, "batches.meta");
        refusedOnlyWhenConfined(f, LoadOptions.DEFAULTS, link);
        // also when given the folder it was extracted into (the reader descends into cifar-10-batches-py/)
        assertThatThrownBy(() -> Datasets.load(root.toString(),
                confinedOptions().withFormat(DataFormat.CIFAR10_PYTHON)))
                .isInstanceOf(FileAccess.OutsideRootException.class)
                .hasMessageContaining("batches.meta");
    }

    @Test
    void aCifarPythonFolderLinkedOutsideIsRefused() throws IOException {
        CifarPythonReaderTest.Fixture fx = new CifarPythonReaderTest.Fixture(3, 2, 2, 2, 2, 2, 2);
        Path real = outside.resolve("cifar-10-batches-py");
        PickleWriter.writeFolder(real, fx.members);
        Path link = Files.createSymbolicLink(root.resolve("cifar"), real);
        refusedOnlyWhenConfined(link, LoadOptions.DEFAULTS, link);
    }

    @Test
    void aCsvOrArchiveLinkedOutsideIsRefused() throws IOException {
        Path secret = Files.writeString(outside.resolve(SECRET + ".csv"), "a,b,label\n1,2,0\n3,4,1\n");
        Path link = Files.createSymbolicLink(root.resolve("data.csv"), secret);
        refusedOnlyWhenConfined(link, LoadOptions.DEFAULTS, link);

        Path tar = outside.resolve("cifar-10-binary.tar.gz");
        try (LoadedData data = new LoadedData(DataFormat.CIFAR10_BINARY, "t", CifarBinaryReaderTest.randomCifar10(5, 1),
                CifarBinaryReaderTest.randomCifar10(2, 2))) {
            CifarBinaryWriter.writeTarGz(data, tar);
        }
        Path tarLink = Files.createSymbolicLink(root.resolve("cifar-10-binary.tar.gz"), tar);
        refusedOnlyWhenConfined(tarLink, LoadOptions.DEFAULTS, tarLink);
    }

    @Test
    void linksThatStayInsideTheRootAreFollowed() throws IOException {
        Path d = Files.createDirectories(root.resolve("arrays"));
        Path store = Files.createDirectories(root.resolve("store"));
        Path x = d.resolve("X.npy");
        Npy.write(x, new float[] {1, 2, 3, 4}, 2, 2);
        Npy.writeLabels(store.resolve("labels.npy"), new int[] {1, 0});
        Files.createSymbolicLink(d.resolve("y.npy"), Path.of("..", "store", "labels.npy"));
        try (LoadedData data = Datasets.load(x.toString(), confinedOptions())) {
            assertThat(data.train().labels()).containsExactly(1, 0);
        }
    }

    @Test
    void aLinkedRootIsResolvedOnce() throws IOException {
        Path rootLink = Files.createSymbolicLink(tmp.resolve("root-link"), root);
        FileAccess a = FileAccess.confinedTo(rootLink);
        assertThat(a.root()).contains(root.toRealPath());
        Path csv = Files.writeString(root.resolve("d.csv"), "a,label\n1,0\n2,1\n");
        try (LoadedData d = Datasets.load(rootLink.resolve("d.csv").toString(), LoadOptions.DEFAULTS.withAccess(a))) {
            assertThat(d.train().rows()).isEqualTo(2);
        }
        assertThat(a.check(csv)).isEqualTo(csv.toRealPath());
    }

    @Test
    void anUnreadableFileIsNamedWithTheReason() throws IOException {
        Path csv = Files.writeString(tmp.resolve("locked.csv"), "a,label\n1,0\n2,1\n");
        Files.setPosixFilePermissions(csv, PosixFilePermissions.fromString("---------"));
        if (Files.isReadable(csv)) {
            // running as root: permissions do not stop reading, so the load must simply work
            try (LoadedData d = Datasets.load(csv.toString())) {
                assertThat(d.train().rows()).isEqualTo(2);
            }
        } else {
            assertThatThrownBy(() -> Datasets.load(csv.toString()))
                    .isInstanceOf(AccessDeniedException.class)
                    .hasMessage(csv + ": permission denied (cannot read it)");
        }
        // the translation itself, whoever runs the test: the JDK's bare exception gets a reason
        IOException e = FileAccess.described(csv, new AccessDeniedException(csv.toString()));
        assertThat(e).isInstanceOf(AccessDeniedException.class).hasMessage(csv + ": permission denied (cannot read it)");
    }

    @Test
    void aFolderGivenAsAFileIsNamed() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("X.npy"));
        assertThatThrownBy(() -> Npy.read(d)).isInstanceOf(IOException.class)
                .hasMessage(d + ": is a folder, expected a file");
    }

    @Test
    void listAndOpenAreCheckedToo() throws IOException {
        Path secret = Files.writeString(outside.resolve("s.txt"), SECRET);
        Path link = Files.createSymbolicLink(root.resolve("s.txt"), secret);
        Path dirLink = Files.createSymbolicLink(root.resolve("out"), outside);
        List<Throwable> errors = new ArrayList<>();
        for (ThrowingCall c : List.<ThrowingCall>of(() -> confined.open(link), () -> confined.size(link),
                () -> confined.list(dirLink), () -> confined.check(dirLink.resolve("s.txt")),
                () -> Archives.open(link, confined), () -> Archives.isGzip(link, confined))) {
            try {
                c.run();
            } catch (IOException e) {
                errors.add(e);
            }
        }
        assertThat(errors).hasSize(6).allSatisfy(e -> assertThat(e).isInstanceOf(FileAccess.OutsideRootException.class)
                .hasMessageNotContaining(SECRET));
        assertThat(FileAccess.UNRESTRICTED.size(link)).isEqualTo(SECRET.length());
        assertThat(Map.of("confined", confined.isConfined(), "unrestricted", FileAccess.UNRESTRICTED.isConfined()))
                .containsEntry("confined", true).containsEntry("unrestricted", false);
    }

    @FunctionalInterface
    private interface ThrowingCall {
        Object run() throws IOException;
    }
}
