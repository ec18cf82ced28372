package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vecml.engine.data.CifarBinaryWriter;
import io.vecml.engine.data.DataFormat;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.IdxWriter;
import io.vecml.engine.data.ImageShape;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Npy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sample of truncated and bit-flipped data files through the command line in-process
 * ({@code vecml data info PATH}): the exit code is 0 (loaded) or 2 (bad input, with a message naming
 * the file), never 1 (an internal failure). The engine's DataFuzzTest runs many more mutants
 * through the readers directly; this checks the command line's mapping of what they throw.
 */
class DataFuzzCliTest {

    /** A hang detector, not a speed test: generous for a loaded 2-core CI machine. */
    private static final Duration HANG = Duration.ofSeconds(30);

    /** Mutants per file. */
    private static final int SAMPLE = 14;

    @TempDir
    Path dir;

    private static Dataset grey(int n, int rows, int cols, int classes, long seed) {
        Random rnd = new Random(seed);
        byte[] px = new byte[rows * cols];
        Dataset.Builder b = Dataset.builder(Dataset.Type.UINT8, n, rows * cols);
        for (int r = 0; r < n; r++) {
            rnd.nextBytes(px);
            MemorySegment.copy(MemorySegment.ofArray(px), 0, b.segment(), b.rowByteOffset(r), px.length);
            b.label(r, r % classes);
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add(Integer.toString(c));
        }
        return b.build(names, ImageShape.grey(rows, cols));
    }

    /** Half truncations at evenly spread cut points, half copies with 1-3 seeded bit flips. */
    private static List<byte[]> mutants(byte[] b, long seed) {
        List<byte[]> out = new ArrayList<>();
        for (int k = 0; k < SAMPLE / 2; k++) {
            out.add(Arrays.copyOf(b, (int) ((long) b.length * k / (SAMPLE / 2))));
        }
        Random rnd = new Random(seed);
        for (int k = 0; k < SAMPLE / 2; k++) {
            byte[] m = b.clone();
            for (int j = 0, bits = 1 + rnd.nextInt(3); j < bits; j++) {
                int pos = rnd.nextBoolean() ? rnd.nextInt(Math.min(b.length, 256)) : rnd.nextInt(b.length);
                m[pos] ^= (byte) (1 << rnd.nextInt(8));
            }
            out.add(m);
        }
        return out;
    }

    /** Runs {@code vecml data info source} for every mutant of {@code file}; returns the exit codes seen. */
    private List<String> fuzz(Path source, Path file, long seed) throws Exception {
        byte[] original = Files.readAllBytes(file);
        assertThat(run(source)[0]).as("the unmutated %s loads", source).isEqualTo("0");
        List<String> problems = new ArrayList<>();
        int refused = 0;
        List<byte[]> ms = mutants(original, seed);
        for (int i = 0; i < ms.size(); i++) {
            Files.write(file, ms.get(i));
            try {
                String[] r = run(source);
                String what = file.getFileName() + " mutant " + i + " (seed " + seed + "): exit " + r[0] + ": " + r[1];
                if (r[0].equals("2")) {
                    refused++;
                    // the error names the file (the mutated one, or the archive / folder / images file it belongs to)
                    if (!r[1].contains(": error: ") || !(r[1].contains(file.getFileName().toString())
                            || r[1].contains(source.getFileName().toString()))) {
                        problems.add(what + " (no error line naming the file)");
                    }
                } else if (!r[0].equals("0")) {
                    problems.add(what);
                }
            } finally {
                Files.write(file, original);
            }
        }
        assertThat(refused).as("refused mutants of %s", file).isPositive();
        return problems;
    }

    private static String[] run(Path source) {
        return assertTimeoutPreemptively(HANG, () -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "data", "info", source.toString());
            return new String[] {Integer.toString(code), err.toString().strip()};
        }, () -> "vecml data info " + source + " did not finish (a hang?)");
    }

    @Test
    void mutatedDataFilesExitWith0Or2NeverWith1() throws Exception {
        List<String> problems = new ArrayList<>();

        Path npy = Files.createDirectories(dir.resolve("npy"));
        Npy.write(npy.resolve("X.npy"), new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Npy.writeLabels(npy.resolve("y.npy"), new int[] {0, 1, 0});
        problems.addAll(fuzz(npy.resolve("X.npy"), npy.resolve("X.npy"), 1));
        problems.addAll(fuzz(npy.resolve("X.npy"), npy.resolve("y.npy"), 2));

        for (boolean gz : new boolean[] {false, true}) {
            Path d = Files.createDirectories(dir.resolve(gz ? "idx-gz" : "idx"));
            Path images = d.resolve("train-images-idx3-ubyte" + (gz ? ".gz" : ""));
            Path labels = d.resolve("train-labels-idx1-ubyte" + (gz ? ".gz" : ""));
            try (Dataset ds = grey(4, 3, 3, 2, 3)) {
                IdxWriter.write(ds, images, labels, gz);
            }
            problems.addAll(fuzz(images, images, gz ? 4 : 5));
            problems.addAll(fuzz(images, labels, gz ? 6 : 7));
        }

        Path tar = dir.resolve("cifar-10-binary.tar.gz");
        Path bin = dir.resolve("cifar-10-batches-bin");
        try (LoadedData data = new LoadedData(DataFormat.CIFAR10_BINARY, "t", grey32(5, 8), grey32(2, 9))) {
            CifarBinaryWriter.writeTarGz(data, tar);
            CifarBinaryWriter.writeFolder(data, bin);
        }
        problems.addAll(fuzz(tar, tar, 8));
        problems.addAll(fuzz(bin, bin.resolve("data_batch_1.bin"), 9));
        problems.addAll(fuzz(bin, bin.resolve("batches.meta.txt"), 10));

        Path csv = Files.writeString(dir.resolve("d.csv"), "a,b,label\n1,2.5,x\n3,4,y\n5,6,x\n", StandardCharsets.UTF_8);
        problems.addAll(fuzz(csv, csv, 11));

        assertThat(problems).as("mutants that exited otherwise than 0 or 2 (with an error line)").isEmpty();
    }

    /** CIFAR-10-shaped rows (3072 uint8, 10 classes, 32x32x3). */
    private static Dataset grey32(int n, long seed) {
        Random rnd = new Random(seed);
        byte[] px = new byte[3072];
        Dataset.Builder b = Dataset.builder(Dataset.Type.UINT8, n, 3072);
        for (int r = 0; r < n; r++) {
            rnd.nextBytes(px);
            MemorySegment.copy(MemorySegment.ofArray(px), 0, b.segment(), b.rowByteOffset(r), 3072);
            b.label(r, r % 10);
        }
        return b.build(List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
                new ImageShape(32, 32, 3, ImageShape.Layout.CHW));
    }
}
