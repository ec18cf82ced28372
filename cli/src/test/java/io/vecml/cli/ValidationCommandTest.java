package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vecml.engine.data.Npy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Nonsense data and model files through the commands: refused with exit 2 and a message naming the input. */
class ValidationCommandTest {

    @TempDir
    Path tmp;

    /** Every command that fits a classifier, by its full name and its arguments before {@code --data}. */
    static Stream<List<String>> classifierCommands() {
        return Stream.of(List.of("knn"), List.of("template"), List.of("linear", "train"), List.of("grid", "knn"),
                List.of("grid", "linear"), List.of("cv", "knn"), List.of("cv", "linear"));
    }

    private static CliTest.Run run(List<String> command, String... more) {
        List<String> args = new ArrayList<>(command);
        args.addAll(Arrays.asList(more));
        return CliTest.run(args.toArray(String[]::new));
    }

    @ParameterizedTest
    @MethodSource("classifierCommands")
    void zeroFeaturesAreRefusedNamingTheFile(List<String> command) throws Exception {
        Path x = tmp.resolve("X.npy");
        Npy.write(x, new float[0], 40, 0);
        int[] y = new int[40];
        Arrays.setAll(y, i -> i % 2);
        Npy.writeLabels(tmp.resolve("y.npy"), y);
        CliTest.Run r = run(command, "--data", x.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("vecml " + String.join(" ", command) + ": error: " + x
                + ": the rows have 0 features (40 rows x 0 columns)");
        CliTest.Run info = CliTest.run("data", "info", x.toString());
        assertThat(info.code()).isEqualTo(2);
        assertThat(info.err()).contains("vecml data info: error: " + x + ": the rows have 0 features");
    }

    private Path oneClassCsv() throws Exception {
        StringBuilder b = new StringBuilder("f1,f2,label\n");
        for (int i = 0; i < 40; i++) {
            b.append(i).append(',').append(i % 7).append(",1\n");
        }
        Path f = tmp.resolve("one-class.csv");
        Files.writeString(f, b);
        return f;
    }

    /** The commands that score a classifier: all but {@code knn}, which warns (knnWarnsAboutRowsOfOneClass). */
    static Stream<List<String>> classifyingCommands() {
        return classifierCommands().filter(c -> !c.equals(List.of("knn")));
    }

    @ParameterizedTest
    @MethodSource("classifyingCommands")
    void rowsOfOneClassAreRefused(List<String> command) throws Exception {
        Path f = oneClassCsv();
        CliTest.Run r = run(command, "--data", f.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("vecml " + String.join(" ", command) + ": error: ")
                .contains("only one class ('1', label 1,").contains("at least two classes");
        // the empty class 0 is reported once, when the file is read
        assertThat(r.err()).contains("vecml " + String.join(" ", command) + ": warning: " + f
                + ": 1 of 2 classes have no rows (labels are class indices 0..1, only 1 of them occur; empty: 0)");
    }

    @Test
    void knnWarnsAboutRowsOfOneClass() throws Exception {
        Path f = oneClassCsv();
        CliTest.Run r = CliTest.run("knn", "--data", f.toString(), "--k", "3");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("vecml knn: warning: the training rows are all of one class ('1'): every"
                + " prediction is that class");
        CliTest.Run digits = CliTest.run("knn", "--data", "embedded:digits", "--limit", "20");
        assertThat(digits.err()).doesNotContain("warning");
    }

    @Test
    void dataInfoSaysWhichClassesHaveRows() throws Exception {
        Path f = oneClassCsv();
        CliTest.Run r = CliTest.run("data", "info", f.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("0 0   1 40", "2 classes, 1 of them with rows in this split");
        assertThat(r.err()).contains("vecml data info: warning: " + f + ": 1 of 2 classes have no rows");
        CliTest.Run j = CliTest.run("data", "info", f.toString(), "--json");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(j.out()).at("/splits/train/classesWithRows")
                .asInt()).isEqualTo(1);
        // data where every class has rows: no warning, no remark
        CliTest.Run digits = CliTest.run("data", "info", "embedded:digits");
        assertThat(digits.out()).contains("10 classes").doesNotContain("with rows");
        assertThat(digits.err()).doesNotContain("warning");
    }

    @Test
    void aLabelFarBeyondTheOthersIsReported() throws Exception {
        Path x = tmp.resolve("X.npy");
        Npy.write(x, new float[24], 12, 2);
        int[] y = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 200, 0};
        Npy.writeLabels(tmp.resolve("y.npy"), y);
        CliTest.Run r = CliTest.run("data", "info", x.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("201 classes, 11 of them with rows");
        assertThat(r.err()).contains("vecml data info: warning: " + x + ": 190 of 201 classes have no rows");
    }

    @Test
    void anIdxLabelOf200IsReported() throws Exception {
        int[] y = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 200, 3};
        List<String> names = java.util.stream.IntStream.rangeClosed(0, 200).mapToObj(Integer::toString).toList();
        Path images = tmp.resolve("train-images-idx3-ubyte");
        try (io.vecml.engine.data.Dataset d = io.vecml.engine.data.Dataset.allocate(
                io.vecml.engine.data.Dataset.Type.UINT8, y.length, 4, y, names, io.vecml.engine.data.ImageShape.grey(2, 2))) {
            io.vecml.engine.data.IdxWriter.write(d, images, tmp.resolve("train-labels-idx1-ubyte"), false);
        }
        CliTest.Run r = CliTest.run("data", "info", images.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("201 classes, 11 of them with rows");
        assertThat(r.err()).contains("vecml data info: warning: " + images + ": 190 of 201 classes have no rows");
    }

    @Test
    void errorsNameTheFullCommand() {
        Path missing = tmp.resolve("missing.csv");
        CliTest.Run r = CliTest.run("data", "info", missing.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("vecml data info: error: ").contains(missing.toString());
        CliTest.Run e = CliTest.run("linear", "eval", "--model", tmp.resolve("m.vecml").toString(), "--data",
                "embedded:digits");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).contains("vecml linear eval: error: ");
        CliTest.Run k = CliTest.run("knn", "--data", missing.toString());
        assertThat(k.err()).contains("vecml knn: error: ");
    }

    @Test
    void regressOnAHeaderOnlyFileNamesTheFile() throws Exception {
        Path f = tmp.resolve("header-only.csv");
        Files.writeString(f, "x,y\n");
        Path ok = tmp.resolve("ok.csv");
        Files.writeString(ok, "x,y\n1,2\n2,4.1\n3,5.9\n4,8.2\n");
        CliTest.Run r = CliTest.run("regress", "--train", f.toString(), "--target", "y");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("vecml regress: error: " + f + ": no data rows after the header line");
        CliTest.Run t = CliTest.run("regress", "--train", ok.toString(), "--test", f.toString(), "--target", "y");
        assertThat(t.code()).isEqualTo(2);
        assertThat(t.err()).contains("vecml regress: error: " + f + ": no data rows");
        // too few rows for the coefficients: the file is named too
        Path two = tmp.resolve("two.csv");
        Files.writeString(two, "a,b,y\n1,2,3\n2,1,4\n");
        CliTest.Run s = CliTest.run("regress", "--train", two.toString(), "--target", "y", "--test-fraction", "0");
        assertThat(s.code()).isEqualTo(2);
        assertThat(s.err()).contains("vecml regress: error: " + two + ": ");
    }

    /**
     * A small model trained on the digits, then a few hundred seeded truncated and bit-flipped copies
     * (half with the checksum recomputed, so the checks behind it are reached) through {@code linear eval}
     * in-process: success or exit 2, never 1, never a stack trace. The deadline only detects a hang; it is
     * far above what the loop needs even on a loaded 2-core machine.
     */
    @Test
    void corruptModelFilesAreBadInputNeverAnInternalFailure() throws Exception {
        Path model = tmp.resolve("m.vecml");
        CliTest.Run t = CliTest.run("linear", "train", "--data", "embedded:digits", "--epochs", "1", "--model",
                model.toString(), "--preprocess", "standardize");
        assertThat(t.code()).as(t.err()).isZero();
        byte[] good = Files.readAllBytes(model);
        Random rnd = new Random(1515);
        int[] codes = new int[3];
        Path f = tmp.resolve("fuzz.vecml");
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            for (int i = 0; i < 240; i++) {
                byte[] b = corrupt(good, rnd, i);
                Files.write(f, b);
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "linear", "eval",
                        "--model", f.toString(), "--data", "embedded:digits");
                assertThat(code).as("case %d: %s", i, err).isIn(0, 2);
                if (code == 2) {
                    assertThat(err.toString()).as("case %d", i).contains("vecml linear eval: error: ")
                            .contains(f.toString()).doesNotContain("\tat ");
                }
                codes[code]++;
            }
        });
        assertThat(codes[2]).isPositive();
        assertThat(codes[0]).isPositive();
    }

    /** Truncation, flips with the stored checksum, flips with a recomputed one, a NaN/0/random number written over the statistics or weights. */
    static byte[] corrupt(byte[] good, Random rnd, int i) {
        byte[] b = good.clone();
        switch (i % 4) {
            case 0 -> {
                return Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            case 1 -> flip(b, rnd);
            case 2 -> {
                flip(b, rnd);
                recrc(b);
            }
            default -> {
                // the statistics and weights take all but the first ~200 bytes of this model
                int at = b.length / 2 + rnd.nextInt(b.length / 2 - 12);
                ByteBuffer buf = ByteBuffer.wrap(b);
                switch (rnd.nextInt(4)) {
                    case 0 -> buf.putFloat(at, Float.NaN);
                    case 1 -> buf.putDouble(at, rnd.nextBoolean() ? Double.NaN : 0.0);
                    case 2 -> buf.putFloat(at, Float.intBitsToFloat(rnd.nextInt()));
                    default -> buf.putDouble(at, Double.longBitsToDouble(rnd.nextLong()));
                }
                recrc(b);
            }
        }
        return b;
    }

    private static void flip(byte[] b, Random rnd) {
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            int bit = rnd.nextInt(b.length * 8);
            b[bit / 8] ^= (byte) (1 << (bit % 8));
        }
    }

    private static void recrc(byte[] b) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
    }
}
