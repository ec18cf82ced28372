package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every output option of every command is checked by {@link OutputPaths} before any work: each case
 * gives a data path that does not exist (or, for bench, a minute of work) together with a bad output
 * path, so an error about the output (not the data) proves the output was checked first.
 */
class OutputPathsTest {

    /** Where nobody, root included, can create a file (sysfs has no create operation: EACCES). */
    private static final String UNWRITABLE = "/sys";

    @TempDir
    static Path tmp;

    /** A command line with {OUT} for the output path under test and {DATA} for a missing dataset. */
    static Stream<Arguments> outputs() {
        List<Arguments> a = new ArrayList<>();
        String[][] cases = {
            {"--model", "linear", "train", "--data", "{DATA}", "--model", "{OUT}m.vecml"},
            {"--curve-png", "linear", "train", "--data", "{DATA}", "--curve-png", "{OUT}c.png"},
            {"--weights-png", "linear", "train", "--data", "{DATA}", "--weights-png", "{OUT}w.png"},
            {"--confusion-png", "linear", "train", "--data", "{DATA}", "--confusion-png", "{OUT}c.png"},
            {"--confusion-png", "linear", "eval", "--model", "{DATA}m.vecml", "--data", "{DATA}", "--confusion-png",
                "{OUT}c.png"},
            {"--out", "linear", "predict", "--model", "{DATA}m.vecml", "--data", "{DATA}", "--out", "{OUT}p.npy"},
            {"--probabilities", "linear", "predict", "--model", "{DATA}m.vecml", "--data", "{DATA}", "--out",
                tmp.resolve("ok.npy").toString(), "--probabilities", "{OUT}p.npy"},
            {"--predictions", "knn", "--data", "{DATA}", "--predictions", "{OUT}p.npy"},
            {"--confusion-png", "knn", "--data", "{DATA}", "--confusion-png", "{OUT}c.png"},
            {"--templates-png", "template", "--data", "{DATA}", "--templates-png", "{OUT}t.png"},
            {"--confusion-png", "template", "--data", "{DATA}", "--confusion-png", "{OUT}c.png"},
            {"--predictions", "regress", "--train", "{DATA}a.csv", "--target", "y", "--predictions", "{OUT}p.csv"},
            {"--plot-png", "regress", "--train", "{DATA}a.csv", "--target", "y", "--plot-png", "{OUT}p.png"},
            {"--plot-png", "grid", "knn", "--data", "{DATA}", "--plot-png", "{OUT}p.png"},
            {"--plot-png", "grid", "linear", "--data", "{DATA}", "--plot-png", "{OUT}p.png"},
            {"--out", "data", "show", "{DATA}", "--out", "{OUT}g.png"},
            {"--out", "data", "convert", "{DATA}", "--out", "{OUT}npy"},
            {"--out", "demo", "--data", "{DATA}", "--out", "{OUT}report"},
        };
        for (String[] c : cases) {
            String name = String.join(" ", c).replace(" {DATA}m.vecml", "").replace(" {DATA}a.csv", "")
                    .replace(" {DATA}", "").substring(c[0].length() + 1);
            a.add(Arguments.of(Named.of(name, c)));
        }
        return a.stream();
    }

    private static CliTest.Run run(String[] c, String out) {
        String data = tmp.resolve("no-such-data").toString() + "/";
        String[] args = new String[c.length - 1];
        for (int i = 1; i < c.length; i++) {
            args[i - 1] = c[i].replace("{OUT}", out).replace("{DATA}", data).replaceAll("/$", "");
        }
        return CliTest.run(args);
    }

    /** The output file or folder name the case writes, under {@code folder}. */
    private static String target(String[] c, String folder) {
        for (String s : c) {
            if (s.startsWith("{OUT}")) {
                return folder + "/" + s.substring("{OUT}".length());
            }
        }
        throw new AssertionError();
    }

    /** Whether the case's output is a folder (a report or npy folder) rather than a file. */
    private static boolean isFolderOutput(String[] c) {
        return c[0].equals("--out") && !target(c, "").contains(".");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void anUnwritableFolderIsRefusedBeforeAnyWork(String[] c) {
        CliTest.Run r = run(c, UNWRITABLE + "/");
        String target = target(c, UNWRITABLE);
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        // creating a file in sysfs is EACCES for everyone; mkdir is EPERM for root, EACCES for others
        assertThat(r.err()).contains(c[0] + " " + target + ": " + (isFolderOutput(c)
                ? "cannot create the folder " + target : "cannot write into the folder " + UNWRITABLE) + ": ")
                .containsAnyOf("Permission denied", "Operation not permitted").doesNotContain("no-such-data");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void aFolderThatCannotBeCreatedIsRefusedBeforeAnyWork(String[] c) throws IOException {
        Path file = tmp.resolve("a-file");
        if (!Files.exists(file)) {
            Files.writeString(file, "x");
        }
        String out = file + "/sub/";
        CliTest.Run r = run(c, out);
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(c[0] + " " + target(c, file + "/sub") + ": cannot create the folder "
                + file.resolve("sub")).doesNotContain("no-such-data");
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void aMissingFolderIsCreatedBeforeTheDataIsRead(String[] c) {
        Path fresh = tmp.resolve("made-" + System.nanoTime()).resolve("deeper");
        CliTest.Run r = run(c, fresh + "/");
        // the data does not exist, so the command fails: but only after it made the output folder
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("no-such-data");
        assertThat(fresh).isDirectory();
        Path target = Path.of(target(c, fresh.toString()));
        if (isFolderOutput(c)) {
            assertThat(target).isDirectory().isEmptyDirectory(); // a report / npy folder: created, nothing in it
        } else {
            assertThat(fresh).isEmptyDirectory(); // the probe left nothing behind, and no output was written
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void anOutputFileThatIsAFolderIsRefusedBeforeAnyWork(String[] c) throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("taken-" + System.nanoTime()));
        Path target = Path.of(target(c, folder.toString()));
        if (isFolderOutput(c)) {
            // a folder output: a file there is the mistake
            Files.writeString(target, "x");
            CliTest.Run r = run(c, folder + "/");
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).contains("--out " + target + ": it is a file; give a folder").doesNotContain("no-such-data");
            return;
        }
        Files.createDirectory(target);
        CliTest.Run r = run(c, folder + "/");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(c[0] + " " + target + ": it is a folder; give a file name")
                .doesNotContain("no-such-data");
    }

    @org.junit.jupiter.api.Test
    void dataSynthAndBenchCheckTheirFoldersFirst() throws IOException {
        // synth has no input: a 50,000-image dataset would be generated before a late failure
        CliTest.Run synth = CliTest.run("data", "synth", "--like", "fashion", "--out", UNWRITABLE + "/synth");
        assertThat(synth.code()).as(synth.err()).isEqualTo(2);
        assertThat(synth.err()).contains("--out " + UNWRITABLE + "/synth: cannot create the folder");
        assertThat(synth.out()).isEmpty();
        Path taken = Files.createDirectories(tmp.resolve("synth-out/fashion-mnist").getParent());
        Files.writeString(taken.resolve("fashion-mnist"), "a file where the dataset folder goes");
        CliTest.Run synth2 = CliTest.run("data", "synth", "--like", "fashion", "--out", taken.toString());
        assertThat(synth2.code()).as(synth2.err()).isEqualTo(2);
        assertThat(synth2.err()).contains("--out " + taken.resolve("fashion-mnist") + ": it is a file; give a folder");

        // bench prints its tables only after a minute of measuring: an empty stdout shows nothing ran
        Path benchFile = Files.writeString(tmp.resolve("bench-is-a-file"), "x");
        CliTest.Run bench = CliTest.run("bench", "--out", benchFile.toString());
        assertThat(bench.code()).as(bench.err()).isEqualTo(2);
        assertThat(bench.err()).contains("--out " + benchFile + ": it is a file; give a folder");
        assertThat(bench.out()).isEmpty();
        Path benchDir = Files.createDirectories(tmp.resolve("bench-dir/bench.json"));
        CliTest.Run bench2 = CliTest.run("bench", "--out", benchDir.getParent().toString());
        assertThat(bench2.code()).as(bench2.err()).isEqualTo(2);
        assertThat(bench2.err()).contains(benchDir + " is a folder, so bench.json cannot be written");
        assertThat(bench2.out()).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void aCommandsWriteRemovesTheTempFileAKilledWriteLeftAndLeavesNoneOfItsOwn() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("convert-out"));
        // what a killed "data convert" leaves: its writer's pid (above Linux's PID_MAX_LIMIT 2^22: surely
        // gone), untouched for 11 minutes
        Path killed = Files.writeString(out.resolve(".x_train.npy.vecml-4194305-q1w2e3.tmp"), "partial");
        Files.setLastModifiedTime(killed, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofMinutes(11))));
        Path recent = Files.writeString(out.resolve(".y_train.npy.vecml-4194305-r4t5y6.tmp"), "maybe still going");

        CliTest.Run r = CliTest.run("data", "convert", "embedded:digits", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    ".y_train.npy.vecml-4194305-r4t5y6.tmp", "class_names.txt", "x_train.npy", "y_train.npy");
        }
        assertThat(killed).doesNotExist();
        assertThat(recent).exists();
    }

    @org.junit.jupiter.api.Test
    void aWrongExtensionIsStillRefused() {
        CliTest.Run r = CliTest.run("knn", "--data", "embedded:digits", "--predictions", tmp.resolve("p.csv").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--predictions must name a .npy file");
    }
}
