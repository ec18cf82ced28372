package io.vecml.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code vecml} command. */
@Command(name = "vecml",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Classic image-classification baselines (kNN, templates, linear classifiers), as fast as the "
            + "hardware allows: SIMD kernels through the Java Vector API, GEMM on OpenBLAS through FFM."},
        footer = {"", "Exit codes: 0 success, 1 internal failure, 2 bad input or usage.",
            "",
            "Selection properties (set through VECML_JAVA_OPTS='-D...'):",
            "  vecml.kernels=auto|scalar|simd",
            "  vecml.gemm=auto|openblas|java",
            "  vecml.openblas=bundled|system|PATH (or VECML_OPENBLAS; default: bundled)",
            "  vecml.native.tmpdir=DIR",
            "",
            "Shell completion: vecml completion bash|zsh."})
public final class Main implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Exit code for bad input (files, values, usage). */
    public static final int BAD_INPUT = 2;
    /** Exit code for an internal failure. */
    public static final int INTERNAL = 1;

    public static void main(String[] args) {
        StandardOutput stdout = StandardOutput.stdout();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, Charset.defaultCharset()), true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, stdout::failure, args));
    }

    /** Runs the command line and returns the exit code (used by tests, which must not exit). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, () -> null, args);
    }

    /**
     * Runs the command line and returns the exit code. Whatever the command returned, a failure to
     * write {@code out} (a closed pipe, a full disk: {@link PrintWriter#checkError}) is reported on
     * {@code err} as a failure to write the standard output, with the reason from {@code outFailure}
     * when it knows one, and the exit code is then {@link #BAD_INPUT} (not 0).
     */
    static int run(PrintWriter out, PrintWriter err, Supplier<String> outFailure, String... args) {
        CommandLine cl = commandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        cl.setUsageHelpAutoWidth(true);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            boolean badInput = ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof java.io.UncheckedIOException;
            cmd.getErr().println(prefix(cmd) + ": error: " + message(ex));
            if (Boolean.getBoolean("vecml.debug") || !badInput) {
                ex.printStackTrace(cmd.getErr());
            }
            return badInput ? BAD_INPUT : INTERNAL;
        });
        int code = cl.execute(args);
        if (out.checkError()) {
            String reason = outFailure.get();
            err.println(commandName(cl) + ": error: could not write to standard output"
                    + (reason == null ? "" : ": " + reason) + "; the output is incomplete");
            err.flush();
            return code == 0 ? BAD_INPUT : code;
        }
        return code;
    }

    /**
     * The subcommands, in the order {@code vecml --help} lists them. They are not in {@code @Command}'s
     * {@code subcommands} because picocli then builds every one of them (hundreds of classes, their
     * option mixins and the static state these load) before parsing anything: 0.5-0.6 s of every
     * {@code vecml} run, on top of a 0.1 s JVM start (issue 13, point 2: a cold run should cost close to
     * a warm one).
     */
    private static final List<Class<?>> SUBCOMMANDS = List.of(InfoCommand.class, DemoCommand.class,
            DataCommand.class, KnnCommand.class, TemplateCommand.class, LinearCommand.class, PredictCommand.class,
            RegressCommand.class, GridCommand.class, CvCommand.class, LectureCommand.class, ServeCommand.class,
            BenchCommand.class, CompletionCommand.class, AotTrainCommand.class, CommandLine.HelpCommand.class);

    /** The whole command tree (completion scripts, {@code vecml help}, tests of every command's help). */
    static CommandLine commandLine() {
        return root(SUBCOMMANDS.toArray(Class<?>[]::new));
    }

    /** The root command with these subcommands. */
    private static CommandLine root(Class<?>... subcommands) {
        CommandLine cl = new CommandLine(new Main());
        for (Class<?> c : subcommands) {
            cl.addSubcommand(c);
        }
        return cl;
    }

    /**
     * The command tree that parsing {@code args} needs: the root alone for {@code --version}; when the
     * first argument names a subcommand that does not look at its siblings (every one but {@code help}
     * and {@code completion}), the root with that subcommand only; for {@code help X}, the root with
     * {@code help} and X; for {@code vecml} and {@code vecml --help}, the root with stand-ins that
     * have only the subcommands' names and descriptions; otherwise the whole tree ({@code vecml help},
     * a misspelt command and its suggestions). Parsing, help, errors and exit codes are the same either
     * way: a subcommand sees no sibling, and the root's own options come before the subcommand's name.
     */
    static CommandLine commandLine(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            return root(); // the version only: no subcommand is looked at
        }
        if (args.length == 0 || args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            return rootForUsage(); // the root's usage: the subcommands' names and descriptions only
        }
        if (args.length > 0) {
            Class<?> c = subcommandNamed(args[0]);
            if (c != null) {
                return root(c);
            }
            // "vecml help X": the help command and X, which is all that help looks at.
            Class<?> x = args.length >= 2 && args[0].equals("help") ? subcommandNamed(args[1]) : null;
            if (x != null) {
                return root(CommandLine.HelpCommand.class, x);
            }
        }
        return commandLine();
    }

    /**
     * The root with a stand-in for each subcommand that has only what the root's usage shows of it
     * (name, aliases, header, description, hidden): no options, mixins or command objects are built.
     */
    static CommandLine rootForUsage() {
        CommandLine cl = root();
        for (Class<?> c : SUBCOMMANDS) {
            Command a = c.getAnnotation(Command.class);
            CommandLine.Model.CommandSpec stub = CommandLine.Model.CommandSpec.create().name(a.name())
                    .aliases(a.aliases());
            stub.usageMessage().header(a.header()).description(a.description()).hidden(a.hidden());
            cl.addSubcommand(a.name(), new CommandLine(stub));
        }
        return cl;
    }

    /** The subcommand called {@code name} (or so aliased), other than help and completion; null if none. */
    private static Class<?> subcommandNamed(String name) {
        for (Class<?> c : SUBCOMMANDS) {
            Command a = c.getAnnotation(Command.class);
            if (c != CommandLine.HelpCommand.class && c != CompletionCommand.class
                    && (a.name().equals(name) || List.of(a.aliases()).contains(name))) {
                return c;
            }
        }
        return null;
    }

    /** The full name of the command that ran ("vecml linear train"), for messages. */
    private static String commandName(CommandLine cl) {
        CommandLine.ParseResult r = cl.getParseResult();
        if (r == null) {
            return "vecml";
        }
        while (r.subcommand() != null) {
            r = r.subcommand();
        }
        return r.commandSpec().qualifiedName();
    }

    /**
     * A usage error (unknown option, bad value, missing parameter): the error, picocli's suggestions
     * if any, and a one-line hint instead of the whole usage, which would push the error off screen.
     */
    private static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": error: " + message(ex));
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + name + " --help' for more information.");
        err.flush();
        return BAD_INPUT;
    }

    /** What a command group does when it is called without a subcommand: usage on stderr, exit 2. */
    static int missingSubcommand(CommandLine.Model.CommandSpec spec) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.qualifiedName() + ": error: a subcommand is required");
        spec.commandLine().usage(err);
        err.flush();
        return BAD_INPUT;
    }

    /** "vecml data info": the full name of the command that ran, for the start of its messages. */
    static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName(" ");
    }

    /** The same for a command's spec (a command printing its own warnings). */
    static String prefix(CommandLine.Model.CommandSpec spec) {
        return spec.qualifiedName(" ");
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getName() : m;
    }

    @Override
    public Integer call() {
        return missingSubcommand(spec);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"vecml " + (v == null ? "(development build)" : v) + ", " + commit()
                    + ", on Java " + Runtime.version()};
        }

        /** The commit the build was made from, written by the build (git-commit-id-maven-plugin). */
        static String commit() {
            java.util.Properties p = new java.util.Properties();
            try (java.io.InputStream in = Main.class.getResourceAsStream("git.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (java.io.IOException e) {
                return "commit unknown (" + e.getMessage() + ")";
            }
            String id = p.getProperty("git.commit.id.abbrev");
            if (id == null || id.isBlank()) {
                return "commit unknown (built outside a git checkout)";
            }
            return "commit " + id + ("true".equals(p.getProperty("git.dirty")) ? " with uncommitted changes" : "")
                    + " of " + p.getProperty("git.commit.time", "?");
        }
    }
}
