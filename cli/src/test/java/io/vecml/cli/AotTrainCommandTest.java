package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The hidden training workload of the launcher's AOT cache runs every step and cleans up after itself. */
class AotTrainCommandTest {

    private static Set<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("vecml-aot-train-")).collect(Collectors.toSet());
        }
    }

    @Test
    void theWorkloadRunsEveryStepAndExitsZeroLeavingNoTemporaryFolder() throws IOException {
        Set<Path> before = leftovers();
        CliTest.Run r = CliTest.run("aot-train");
        assertThat(r.code()).as(r.err()).isZero();
        int steps = AotTrainCommand.workload(1).size();
        assertThat(r.out()).startsWith("aot-train: " + steps + " commands in ");
        // Each step's own output is discarded: the launcher logs only the summary.
        assertThat(r.out().lines().count()).isEqualTo(1);
        assertThat(leftovers()).isSubsetOf(before);
    }

    @Test
    void theWorkloadCoversTheHotPaths() {
        List<String> lines = AotTrainCommand.workload(1).stream().map(a -> String.join(" ", a)).toList();
        assertThat(lines).anyMatch(l -> l.startsWith("knn ") && l.contains("fashion-mnist") && l.contains("l2,l1"));
        assertThat(lines).anyMatch(l -> l.startsWith("knn ") && l.contains("cifar-10-batches-bin"));
        assertThat(lines).anyMatch(l -> l.startsWith("grid knn ") && l.contains("--standardize fold"));
        assertThat(lines).anyMatch(l -> l.startsWith("template "));
        assertThat(lines).anyMatch(l -> l.startsWith("linear train ") && l.contains("svm"));
        assertThat(lines).anyMatch(l -> l.startsWith("linear train ") && l.contains("softmax"));
    }

    @Test
    void aScaleOutOfRangeIsBadInput() {
        CliTest.Run r = CliTest.run("aot-train", "--scale", "0");
        assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(r.err()).contains("--scale", "0");
    }

    @Test
    void itIsHiddenFromTheHelp() {
        assertThat(CliTest.run("--help").out()).doesNotContain("aot-train");
    }
}
