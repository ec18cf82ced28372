package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The help of every command and subcommand reads well: no picocli warning, nothing undescribed. */
class HelpTest {

    /** Every command path below {@code vecml}, e.g. [], [knn], [data, info]. */
    static Stream<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), all);
        return all.stream();
    }

    private static void collect(CommandLine cl, List<String> path, List<List<String>> all) {
        all.add(List.copyOf(path));
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            path.add(e.getKey());
            collect(e.getValue(), path, all);
            path.removeLast();
        }
    }

    private static CommandSpec spec(List<String> path) {
        CommandLine cl = Main.commandLine();
        for (String p : path) {
            cl = cl.getSubcommands().get(p);
        }
        return cl.getCommandSpec();
    }

    record Run(int code, String out, String err, String systemErr) {
    }

    /** Runs vecml in-process, also capturing System.err (where picocli's own warnings go). */
    static Run run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream sys = new ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        System.setErr(new PrintStream(sys, true, StandardCharsets.UTF_8));
        try {
            code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        } finally {
            System.setErr(saved);
        }
        return new Run(code, out.toString(), err.toString(), sys.toString(StandardCharsets.UTF_8));
    }

    /**
     * A run builds only the subcommand it calls (start-up time, issue 13); its help, which
     * {@link Main#run} prints from that lean tree, must be word for word the help of the whole tree.
     */
    @ParameterizedTest(name = "vecml {0} --help from the lean tree")
    @MethodSource("commands")
    void theLeanTreeGivesTheSameHelpAsTheWholeTree(List<String> path) {
        List<String> args = new ArrayList<>(path);
        args.add("--help");
        StringWriter whole = new StringWriter();
        spec(path).commandLine().usage(new PrintWriter(whole, true), CommandLine.Help.Ansi.OFF);
        Run lean = run(args.toArray(String[]::new));
        assertThat(lean.code()).as(lean.err()).isZero();
        assertThat(lean.out()).isEqualTo(whole.toString());
        if (!path.isEmpty() && !path.getFirst().equals("completion")) { // completion prints the whole tree
            assertThat(Main.commandLine(args.toArray(String[]::new)).getSubcommands()).containsOnlyKeys(path.getFirst());
        }
    }

    /** {@code vecml help X} builds the help command and X only, and prints what the whole tree prints. */
    @ParameterizedTest(name = "vecml help {0} from the lean tree")
    @MethodSource("commands")
    void helpOfACommandFromTheLeanTreeIsTheWholeTrees(List<String> path) {
        if (path.isEmpty()) {
            return; // "vecml help" alone lists every command: the whole tree (checked below)
        }
        List<String> args = new ArrayList<>(List.of("help"));
        args.addAll(path);
        String[] a = args.toArray(String[]::new);
        StringWriter whole = new StringWriter();
        StringWriter wholeErr = new StringWriter();
        CommandLine all = Main.commandLine();
        all.setOut(new PrintWriter(whole, true));
        all.setErr(new PrintWriter(wholeErr, true));
        int wholeCode = all.execute(a);
        Run lean = run(a);
        assertThat(lean.code()).as(lean.err()).isEqualTo(wholeCode);
        assertThat(lean.out()).isEqualTo(whole.toString());
        // picocli's help takes the first name only ("help data info" shows data's usage)
        assertThat(whole.toString()).as(wholeErr.toString()).startsWith("Usage: vecml " + path.getFirst() + " ");
        if (!path.getFirst().equals("help") && !path.getFirst().equals("completion")) {
            assertThat(Main.commandLine(a).getSubcommands()).containsOnlyKeys("help", path.getFirst());
        }
    }

    /**
     * {@code vecml --help}, {@code -h} and {@code vecml} alone print the root's usage from stand-ins that
     * have no options: word for word what the whole tree prints, on the same stream, with the same exit code.
     */
    @Test
    void theRootsUsageFromStandInsIsTheWholeTrees() {
        for (String[] args : List.of(new String[0], new String[] {"--help"}, new String[] {"-h"})) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine all = Main.commandLine();
            all.setOut(new PrintWriter(out, true));
            all.setErr(new PrintWriter(err, true));
            all.setUsageHelpAutoWidth(true);
            int code = all.execute(args);
            Run lean = run(args);
            assertThat(lean.code()).as(Arrays.toString(args)).isEqualTo(code);
            assertThat(lean.out()).as(Arrays.toString(args)).isEqualTo(out.toString());
            assertThat(lean.err()).as(Arrays.toString(args)).isEqualTo(err.toString());
            assertThat(lean.out() + lean.err()).contains("Commands:").contains("knn").doesNotContain("aot-train");
            CommandLine tree = Main.commandLine(args);
            assertThat(tree.getSubcommands()).hasSameSizeAs(all.getSubcommands());
            assertThat(tree.getSubcommands().get("knn").getCommandSpec().options()).isEmpty();
        }
    }

    @Test
    void runsThatNeedEveryCommandGetTheWholeTree() {
        int all = Main.commandLine().getSubcommands().size();
        assertThat(Main.commandLine().getSubcommands()).containsKeys("knn", "help", "completion", "linear");
        for (String[] args : List.of(new String[] {"help"}, new String[] {"help", "knnn"},
                new String[] {"completion", "bash"}, new String[] {"knnn"})) {
            assertThat(Main.commandLine(args).getSubcommands()).as(Arrays.toString(args)).hasSize(all);
        }
        assertThat(Main.commandLine("--version").getSubcommands()).isEmpty();
        Run version = run("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("vecml ").contains("on Java");
        Run help = run("help", "knn");
        assertThat(help.code()).isZero();
        assertThat(help.out()).startsWith("Usage: vecml knn");
        Run misspelt = run("knnn", "--data", "x");
        assertThat(misspelt.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(misspelt.err()).contains("knn");
    }

    @ParameterizedTest(name = "vecml {0} --help")
    @MethodSource("commands")
    void helpHasNoWarningAndSaysSomething(List<String> path) {
        List<String> args = new ArrayList<>(path);
        args.add("--help");
        Run r = run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.systemErr() + r.err() + r.out()).doesNotContain("picocli WARN", "WARN:", "MissingFormatArgument",
                "UnknownFormatConversion");
        assertThat(r.out()).startsWith("Usage: vecml");
        String summary = String.join(" ", spec(path).usageMessage().description());
        assertThat(summary).as("description of vecml %s", path).isNotBlank();
    }

    @Test
    void everyOptionIsLabelledAndDescribed() {
        List<String> problems = new ArrayList<>();
        commands().forEach(path -> {
            CommandSpec spec = spec(path);
            List<ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (ArgSpec a : args) {
                if (a.hidden()) {
                    continue;
                }
                String name = "vecml " + String.join(" ", path) + " " + (a instanceof OptionSpec o ? o.longestName()
                        : a.paramLabel());
                if (String.join(" ", a.description()).isBlank()) {
                    problems.add(name + ": no description");
                }
                if (a.arity().max() > 0 && a.paramLabel().startsWith("<")) {
                    problems.add(name + ": placeholder label " + a.paramLabel());
                }
            }
        });
        assertThat(problems).isEmpty();
    }

    /** cv scores folds of the training rows (no test rows), so its --help offers --train-limit and not --limit. */
    @ParameterizedTest
    @ValueSource(strings = {"knn", "linear"})
    void cvOffersOnlyTheRowLimitItTakesAndGridBoth(String model) {
        Run cv = run("cv", model, "--help");
        assertThat(cv.code()).isZero();
        assertThat(cv.out()).contains("--train-limit").doesNotContain("--limit");
        // the old spelling (grid/cv's --limit counted training rows) is still refused with the hint, not unknown
        Run refused = run("cv", model, "--data", "embedded:digits", "--limit", "5");
        assertThat(refused.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(refused.err()).contains(CvSplitOptions.LIMIT_WITHOUT_TEST);
        Run grid = run("grid", model, "--help");
        assertThat(grid.code()).isZero();
        assertThat(grid.out()).contains("--train-limit", "--limit");
    }

    @Test
    void theFirstLineOfEveryDescriptionIsAShortWholeSentence() {
        // vecml --help lists each command with the first element of its description.
        List<String> problems = new ArrayList<>();
        commands().filter(p -> !p.isEmpty()).forEach(p -> {
            String first = spec(p).usageMessage().description()[0];
            if (!first.endsWith(".") || first.length() > 100) {
                problems.add("vecml " + String.join(" ", p) + ": " + first);
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void anUnknownOptionPrintsTheErrorAndAOneLineHint() {
        Run r = run("knn", "--foldz", "3");
        assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(r.err()).startsWith("vecml knn: error: Unknown option").contains("'--foldz'")
                .contains("Try 'vecml knn --help' for more information.").doesNotContain("Usage:");
        assertThat(r.err().lines().count()).isLessThanOrEqualTo(4);
        assertThat(r.out()).isEmpty();
        Run sub = run("data", "info", "--nope");
        assertThat(sub.err()).startsWith("vecml data info: error:").contains("Try 'vecml data info --help'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "data", "linear", "grid", "cv"})
    void aCommandGroupWithoutASubcommandPrintsItsUsageAndExits2(String group) {
        String[] args = group.isEmpty() ? new String[0] : new String[] {group};
        Run r = run(args);
        assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
        String name = group.isEmpty() ? "vecml" : "vecml " + group;
        assertThat(r.err()).startsWith(name + ": error: a subcommand is required").contains("Usage: " + name);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void completionScriptsKnowEveryCommand() {
        Run bash = run("completion", "bash");
        assertThat(bash.code()).isZero();
        assertThat(bash.out()).contains("complete -F", "knn", "template", "grid", "--metric", "--test-fraction");
        Run zsh = run("completion", "zsh");
        assertThat(zsh.code()).isZero();
        assertThat(zsh.out()).startsWith("autoload -U +X compinit && compinit").contains("bashcompinit", "complete -F");
        Run fish = run("completion", "fish");
        assertThat(fish.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(fish.err()).contains("bash or zsh", "fish");
    }

    @Test
    void versionNamesTheBuildsCommit() {
        Run r = run("--version");
        assertThat(r.code()).isZero();
        // Built from this git checkout by Maven, so the commit is known; a build outside git says so.
        assertThat(r.out()).startsWith("vecml ").containsPattern("commit [0-9a-f]{7,}").contains("Java");
        assertThat(Arrays.asList(r.out().split("\n"))).hasSize(1);
    }
}
