package io.vecml.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code vecml} command. */
@Command(name = "vecml",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Classic image-classification baselines (kNN, templates, linear classifiers), as fast as the",
            "hardware allows: SIMD kernels through the Java Vector API, GEMM on OpenBLAS through FFM."},
        subcommands = {InfoCommand.class, DemoCommand.class, DataCommand.class, KnnCommand.class, TemplateCommand.class,
            LinearCommand.class, RegressCommand.class, GridCommand.class, CvCommand.class, LectureCommand.class, ServeCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 internal failure, 2 bad input or usage.",
            "Selection properties (set through VECML_JAVA_OPTS='-D...'): vecml.kernels=auto|scalar|simd,",
            "vecml.gemm=auto|openblas|java, vecml.openblas=PATH (or VECML_OPENBLAS), vecml.native.tmpdir=DIR."})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Exit code for bad input (files, values, usage). */
    public static final int BAD_INPUT = 2;
    /** Exit code for an internal failure. */
    public static final int INTERNAL = 1;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }

    /** Runs the command line and returns the exit code (used by tests, which must not exit). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            boolean badInput = ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof java.io.UncheckedIOException;
            cmd.getErr().println("vecml " + cmd.getCommandName() + ": error: " + message(ex));
            if (Boolean.getBoolean("vecml.debug") || !badInput) {
                ex.printStackTrace(cmd.getErr());
            }
            return badInput ? BAD_INPUT : INTERNAL;
        });
        return cl.execute(args);
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getName() : m;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"vecml " + (v == null ? "(development build)" : v) + " on Java " + Runtime.version()};
        }
    }
}
