package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing of every data format: a small valid file (or folder) is written, then many truncated and
 * bit-flipped copies of each of its files are loaded. Each load must either succeed or fail with a
 * bad-input error, the exception types the command line maps to exit code 2
 * ({@link IllegalArgumentException}, {@link IOException}, {@link UncheckedIOException} and their
 * subclasses such as {@link DataFormatException}); never another type ({@code NullPointerException},
 * {@code ArrayIndexOutOfBoundsException}, {@code NegativeArraySizeException}, {@code OutOfMemoryError},
 * ...), and never a hang.
 *
 * <p>The mutations are deterministic (seeded), so a failure names a mutant that can be replayed. All
 * failures of a format are collected and reported together.
 */
class DataFuzzTest {

    /**
     * A hang detector, not a speed test: each load of these files (at most a few tens of kilobytes)
     * takes milliseconds; a reader stuck in a loop on a bad header would never finish. The bound is
     * generous so that a loaded 2-core CI machine never trips it.
     */
    static final Duration HANG = Duration.ofSeconds(20);

    /** Bit-flipped copies per fixture (formats with two fixtures get twice as many). */
    private static final int FLIPS = 120;

    @TempDir
    Path dir;

    /** A mutation of one file of a fixture, for the failure report. */
    record Mutant(String file, String what, byte[] bytes) {
    }

    /** Every cut point for small files; for larger ones the first and last 96 and a spread in between. */
    static List<Integer> cuts(int length) {
        TreeSet<Integer> c = new TreeSet<>();
        if (length <= 400) {
            for (int i = 0; i < length; i++) {
                c.add(i);
            }
        } else {
            for (int i = 0; i < 64; i++) {
                c.add(i);
                c.add(length - 1 - i);
            }
            for (int k = 0; k < 64; k++) {
                c.add((int) ((long) length * k / 64));
            }
        }
        return new ArrayList<>(c);
    }

    /**
     * {@code n} copies with 1 to 3 bits flipped each. Positions are drawn from the whole file a third of
     * the time and otherwise from its first 512 and last 512 bytes, where headers, pickle opcodes, tar
     * headers and gzip trailers live (flipping pixels only is rarely interesting).
     */
    static List<byte[]> flips(byte[] original, int n, long seed) {
        Random rnd = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            byte[] b = original.clone();
            int bits = 1 + rnd.nextInt(3);
            for (int j = 0; j < bits; j++) {
                int pos;
                int zone = rnd.nextInt(3);
                if (zone == 0 || b.length <= 1024) {
                    pos = rnd.nextInt(b.length);
                } else if (zone == 1) {
                    pos = rnd.nextInt(512);
                } else {
                    pos = b.length - 1 - rnd.nextInt(512);
                }
                b[pos] ^= (byte) (1 << rnd.nextInt(8));
            }
            out.add(b);
        }
        return out;
    }

    /** All mutants of the fixture's files: truncations and {@code flips} bit flips spread over the files. */
    static List<Mutant> mutants(Map<Path, byte[]> files, int flips, long seed) {
        List<Mutant> out = new ArrayList<>();
        int k = 0;
        for (Map.Entry<Path, byte[]> f : files.entrySet()) {
            String name = f.getKey().getFileName().toString();
            byte[] b = f.getValue();
            for (int cut : cuts(b.length)) {
                out.add(new Mutant(f.getKey().toString(), name + " cut to " + cut + " of " + b.length + " bytes",
                        java.util.Arrays.copyOf(b, cut)));
            }
            int share = flips / files.size() + (k < flips % files.size() ? 1 : 0);
            List<byte[]> fl = flips(b, share, seed + k);
            for (int i = 0; i < fl.size(); i++) {
                out.add(new Mutant(f.getKey().toString(), name + " bit-flip mutant " + i + " (seed " + (seed + k) + ")",
                        fl.get(i)));
            }
            k++;
        }
        return out;
    }

    /** Whether the CLI maps this to exit code 2 (bad input) rather than 1 (internal failure). */
    static boolean badInput(Throwable t) {
        return t instanceof IllegalArgumentException || t instanceof IOException || t instanceof UncheckedIOException;
    }

    /**
     * Loads every mutant of {@code files} (each file replaced in turn, then restored) through
     * {@code load}, and returns a description of each load that failed otherwise than with a bad-input
     * error; also counts successes and refusals so the test can check that the fuzzing did reach both.
     */
    static List<String> fuzz(String format, Map<Path, byte[]> files, long seed, ThrowingLoad load, int[] outcomes)
            throws IOException {
        List<String> problems = new ArrayList<>();
        for (Mutant m : mutants(files, FLIPS, seed)) {
            Path f = Path.of(m.file());
            Files.write(f, m.bytes());
            try {
                Throwable t = assertTimeoutPreemptively(HANG, () -> {
                    try {
                        load.run();
                        return null;
                    } catch (Throwable e) {
                        return e;
                    }
                }, () -> format + ": " + m.what() + ": the load did not finish (a hang?)");
                if (t == null) {
                    outcomes[0]++;
                } else if (badInput(t)) {
                    outcomes[1]++;
                    if (t.getMessage() == null || t.getMessage().isBlank()) {
                        problems.add(format + ": " + m.what() + ": " + t.getClass().getName() + " without a message");
                    }
                } else {
                    java.io.StringWriter sw = new java.io.StringWriter();
                    t.printStackTrace(new java.io.PrintWriter(sw));
                    problems.add(format + ": " + m.what() + ": " + sw.toString().lines().limit(8)
                            .reduce((a, b) -> a + "\n    " + b).orElse(""));
                }
            } finally {
                Files.write(f, files.get(f));
            }
        }
        return problems;
    }

    @FunctionalInterface
    interface ThrowingLoad {
        void run() throws Exception;
    }

    /** Loads with format detection, as the CLI does, and closes what was loaded. */
    static ThrowingLoad datasets(Path source, LoadOptions options) {
        return () -> {
            try (LoadedData d = Datasets.load(source.toString(), options)) {
                d.train().rows();
            }
        };
    }

    private static Map<Path, byte[]> read(Path... files) throws IOException {
        Map<Path, byte[]> m = new LinkedHashMap<>();
        for (Path f : files) {
            m.put(f, Files.readAllBytes(f));
        }
        return m;
    }

    private static Map<Path, byte[]> readFolder(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return read(s.sorted().toArray(Path[]::new));
        }
    }

    private void run(String format, Map<Path, byte[]> files, long seed, ThrowingLoad load) throws Exception {
        // the unmutated fixture must load: otherwise every mutant is refused and nothing is tested
        load.run();
        int[] outcomes = new int[2];
        List<String> problems = fuzz(format, files, seed, load, outcomes);
        assertThat(problems).as("%s: loads that failed otherwise than with a bad-input error", format).isEmpty();
        assertThat(outcomes[1]).as("%s: refused mutants", format).isPositive();
        System.out.printf("fuzz %s: %d mutants loaded, %d refused as bad input%n", format, outcomes[0], outcomes[1]);
    }

    /** Small grey images with labels 0..2. */
    private static Dataset grey(int n, int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        byte[] px = new byte[rows * cols];
        Dataset.Builder b = Dataset.builder(Dataset.Type.UINT8, n, rows * cols);
        for (int r = 0; r < n; r++) {
            rnd.nextBytes(px);
            MemorySegment.copy(MemorySegment.ofArray(px), 0, b.segment(), b.rowByteOffset(r), px.length);
            b.label(r, r % 3);
        }
        return b.build(List.of("0", "1", "2"), ImageShape.grey(rows, cols));
    }

    @Test
    void cifarPythonTarGz() throws Exception {
        CifarPythonReaderTest.Fixture fx = new CifarPythonReaderTest.Fixture(11, 1, 1, 1, 1, 1, 1);
        Path t = dir.resolve("cifar-10-python.tar.gz");
        PickleWriter.writeTarGz(t, CifarPythonReader.FOLDER, fx.members);
        run("cifar10-python tar.gz", read(t), 100, datasets(t, LoadOptions.DEFAULTS));
    }

    @Test
    void cifarPythonUncompressedTar() throws Exception {
        // the tar and pickle parsers without gzip's CRC in front of them
        CifarPythonReaderTest.Fixture fx = new CifarPythonReaderTest.Fixture(12, 1, 1, 1, 1, 1, 1);
        Path t = dir.resolve("cifar-10-python.tar");
        List<ArchivesTest.Entry> es = new ArrayList<>();
        fx.members.forEach((n, b) -> es.add(ArchivesTest.Entry.file(CifarPythonReader.FOLDER + "/" + n, b)));
        ArchivesTest.tar(t, es);
        run("cifar10-python tar", read(t), 200, datasets(t, LoadOptions.DEFAULTS));
    }

    @Test
    void cifarPythonFolderOfPickles() throws Exception {
        CifarPythonReaderTest.Fixture fx = new CifarPythonReaderTest.Fixture(13, 1, 1, 1, 1, 1, 1);
        Path f = dir.resolve(CifarPythonReader.FOLDER);
        PickleWriter.writeFolder(f, fx.members);
        // the pickles are what matters here: the meta file, one training batch and the test batch
        Map<Path, byte[]> files = read(f.resolve("batches.meta"), f.resolve("data_batch_2"), f.resolve("test_batch"));
        run("cifar10-python folder", files, 300, datasets(f, LoadOptions.DEFAULTS));
    }

    @Test
    void cifarBinaryFolderAndTarGz() throws Exception {
        try (LoadedData data = new LoadedData(DataFormat.CIFAR10_BINARY, "t", CifarBinaryReaderTest.randomCifar10(10, 1),
                CifarBinaryReaderTest.randomCifar10(2, 2))) {
            Path f = dir.resolve(CifarBinaryReader.CIFAR10_DIR);
            CifarBinaryWriter.writeFolder(data, f);
            Path t = dir.resolve("cifar-10-binary.tar.gz");
            CifarBinaryWriter.writeTarGz(data, t);
            Map<Path, byte[]> files = read(f.resolve("data_batch_1.bin"), f.resolve("test_batch.bin"),
                    f.resolve("batches.meta.txt"));
            run("cifar10-binary folder", files, 400, datasets(f, LoadOptions.DEFAULTS));
            run("cifar10-binary tar.gz", read(t), 500, datasets(t, LoadOptions.DEFAULTS));
        }
    }

    @Test
    void idxPlainAndGzip() throws Exception {
        for (boolean gz : new boolean[] {false, true}) {
            Path d = Files.createDirectories(dir.resolve(gz ? "gz" : "plain"));
            Path images = d.resolve("train-images-idx3-ubyte" + (gz ? ".gz" : ""));
            Path labels = d.resolve("train-labels-idx1-ubyte" + (gz ? ".gz" : ""));
            try (Dataset ds = grey(5, 4, 3, 7)) {
                IdxWriter.write(ds, images, labels, gz);
            }
            run("idx" + (gz ? " gz" : ""), read(images, labels), gz ? 700 : 600, datasets(images, LoadOptions.DEFAULTS));
        }
    }

    @Test
    void idxFolder() throws Exception {
        Path d = dir.resolve("mnist");
        try (LoadedData data = new LoadedData(DataFormat.IDX, "t", grey(4, 3, 3, 1), grey(2, 3, 3, 2))) {
            IdxWriter.write(data, d);
        }
        run("idx folder", readFolder(d), 800, datasets(d, LoadOptions.DEFAULTS));
    }

    @Test
    void npy() throws Exception {
        Path d = Files.createDirectories(dir.resolve("npy"));
        Path x = d.resolve("X.npy");
        Npy.write(x, new float[] {1.5f, -2, 3, 4, 0.25f, 6}, 3, 2);
        Npy.writeLabels(d.resolve("y.npy"), new int[] {0, 2, 1});
        run("npy", read(x, d.resolve("y.npy")), 900, datasets(x, LoadOptions.DEFAULTS));

        Path f = Files.createDirectories(dir.resolve("npy-folder"));
        Npy.write(f.resolve("x_train.npy"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2);
        Npy.write(f.resolve("y_train.npy"), new double[] {1, 0}, 2);
        Npy.write(f.resolve("x_test.npy"), new int[] {9, 8, 7, 6}, 1, 4);
        Npy.writeLabels(f.resolve("y_test.npy"), new int[] {1});
        run("npy folder", readFolder(f), 1000, datasets(f, LoadOptions.DEFAULTS));
    }

    @Test
    void csv() throws Exception {
        Path plain = Files.writeString(dir.resolve("iris.csv"),
                "sepal,petal,\"na,me\",label\n5.1,3.5,1,setosa\n4.9,3.0,2,versicolor\n# a comment\n6.2,2.9,3,setosa\n",
                StandardCharsets.UTF_8);
        run("csv", read(plain), 1100, datasets(plain, LoadOptions.DEFAULTS));
        Path sk = Files.writeString(dir.resolve("sk.csv"), "3,2,a,b\n1,2,0\n3,4,1\n5,6,0\n", StandardCharsets.UTF_8);
        run("csv sklearn", read(sk), 1200, datasets(sk, LoadOptions.DEFAULTS));
        Path gz = dir.resolve("g.csv.gz");
        try (var o = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write("a,b,label\n1,2,0\n3,4,1\n".getBytes(StandardCharsets.UTF_8));
        }
        run("csv gz", read(gz), 1300, datasets(gz, LoadOptions.DEFAULTS));
    }

    @Test
    void theFuzzerReportsWhatItMustReport() {
        // the classifier of outcomes itself: the bad-input types pass, the others do not
        List<Throwable> bad = List.of(new DataFormatException("x"), new IOException("x"), new IllegalArgumentException("x"),
                new UncheckedIOException(new IOException("x")), new java.nio.file.NoSuchFileException("x"));
        List<Throwable> internal = List.of(new NullPointerException(), new ArrayIndexOutOfBoundsException(),
                new NegativeArraySizeException(), new OutOfMemoryError(), new IllegalStateException(),
                new ArithmeticException());
        Consumer<Throwable> isBad = t -> assertThat(badInput(t)).as(t.toString()).isTrue();
        bad.forEach(isBad);
        internal.forEach(t -> assertThat(badInput(t)).as(t.toString()).isFalse());
        assertThat(cuts(10)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(cuts(5000)).contains(0, 63, 2500, 4936, 4999).doesNotContain(5000);
        assertThat(flips(new byte[2000], 5, 1)).allSatisfy(b -> assertThat(b).isNotEqualTo(new byte[2000]));
    }
}
