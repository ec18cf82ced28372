package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * README.md and the commands' --help agree on option names: every {@code --option} the README mentions is
 * shown by some command's --help, and every option some --help shows is mentioned in the README. Both sides
 * are read live (the README file, picocli's command tree from {@link Main}), so options that other commands
 * add or rename are checked too; hidden options (old spellings kept for a release) are not in --help and
 * must not be documented.
 */
class ReadmeOptionsTest {

    /** Flags of other programs that the README quotes: the JVM's (library section) and curl's (server section). */
    private static final Set<String> OTHER_PROGRAMS = Set.of("--add-modules", "--enable-native-access", "--data-binary");

    /** {@code --name} or {@code --[no-]name}, not inside a word (so "x--y" and "---" do not count). */
    private static final Pattern OPTION = Pattern.compile("(?<![A-Za-z0-9_-])--(\\[no-])?([a-z][a-z0-9]*(?:-[a-z0-9]+)*)");

    private static Path readme() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path r = p.resolve("README.md");
            if (Files.isRegularFile(r) && Files.isDirectory(p.resolve("cli"))) {
                return r;
            }
        }
        throw new IllegalStateException("README.md of the project not found above " + Path.of("").toAbsolutePath());
    }

    /** Every option name the README mentions, with the first line it is on (outside the Spark section: its options are spark-submit's and the vecml-spark application's). */
    static Map<String, Integer> readmeOptions(List<String> lines) {
        Map<String, Integer> out = new TreeMap<>();
        boolean spark = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("## ")) {
                spark = lines.get(i).startsWith("## Spark");
            }
            if (spark) {
                continue; // spark-submit's options and the vecml-spark application's, another program
            }
            Matcher m = OPTION.matcher(lines.get(i));
            while (m.find()) {
                String name = "--" + m.group(2);
                if (OTHER_PROGRAMS.contains(name)) {
                    continue;
                }
                out.putIfAbsent(name, i + 1);
                if (m.group(1) != null) {
                    out.putIfAbsent("--no-" + m.group(2), i + 1);
                }
            }
        }
        return out;
    }

    /** Visible long option names of every visible command ("vecml knn" -> [--data, ...]), from the live tree. */
    static Map<String, Set<String>> helpOptions() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        collect(Main.commandLine(), out);
        return out;
    }

    private static void collect(CommandLine cl, Map<String, Set<String>> out) {
        CommandSpec spec = cl.getCommandSpec();
        if (spec.usageMessage().hidden()) {
            return;
        }
        Set<String> names = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            for (String n : o.names()) {
                if (n.startsWith("--")) {
                    names.add(n);
                    if (o.negatable()) {
                        names.add("--no-" + n.substring(2));
                    }
                }
            }
        }
        out.put(spec.qualifiedName(" "), names);
        for (CommandLine sub : new java.util.LinkedHashSet<>(cl.getSubcommands().values())) {
            collect(sub, out);
        }
    }

    @Test
    void everyOptionInTheReadmeIsInSomeCommandsHelp() throws IOException {
        List<String> lines = Files.readAllLines(readme(), StandardCharsets.UTF_8);
        Set<String> shown = new TreeSet<>();
        helpOptions().values().forEach(shown::addAll);
        List<String> problems = new ArrayList<>();
        readmeOptions(lines).forEach((name, line) -> {
            if (!shown.contains(name)) {
                problems.add("README.md line " + line + " mentions " + name + ", which no command's --help shows"
                        + " (renamed, hidden or removed?)");
            }
        });
        assertThat(problems).as("README options missing from --help:\n" + String.join("\n", problems)).isEmpty();
    }

    @Test
    void everyOptionOfEveryCommandIsInTheReadme() throws IOException {
        List<String> lines = Files.readAllLines(readme(), StandardCharsets.UTF_8);
        Set<String> documented = readmeOptions(lines).keySet();
        List<String> problems = new ArrayList<>();
        helpOptions().forEach((command, names) -> {
            for (String n : names) {
                // a negatable option is documented by either form (--stratified or --[no-]stratified)
                boolean negated = n.startsWith("--no-") && names.contains("--" + n.substring(5));
                if (!negated && !documented.contains(n)) {
                    problems.add(command + ": " + n + " is in --help but nowhere in README.md");
                }
            }
        });
        assertThat(problems).as("options missing from README.md:\n" + String.join("\n", problems)).isEmpty();
    }

    @Test
    void theScannerFindsOptionsAndOnlyOptions() {
        Map<String, Integer> found = readmeOptions(List.of(
                "`vecml grid knn --k 1..30 [--[no-]stratified]` and --split-seed,",
                "not a--b, not ---, not -Dvecml.x, but (--json) and `--data-binary` is curl's",
                "--train-limit N"));
        assertThat(found.keySet()).containsExactlyInAnyOrder("--k", "--stratified", "--no-stratified", "--split-seed",
                "--json", "--train-limit");
        assertThat(found.get("--json")).isEqualTo(2);
        Map<String, Set<String>> help = helpOptions();
        assertThat(help).containsKeys("vecml", "vecml knn", "vecml data convert", "vecml predict");
        assertThat(help.get("vecml knn")).contains("--split-seed", "--train-limit", "--progress", "--save-model")
                .doesNotContain("--seed");
    }
}
