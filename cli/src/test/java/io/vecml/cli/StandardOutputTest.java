package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command whose standard output could not be written fails and says so, instead of exit 0. */
class StandardOutputTest {

    /** Stands for a full disk or a closed pipe: every write fails. */
    static final class FailingStream extends OutputStream {
        int writes;

        @Override
        public void write(int b) throws IOException {
            writes++;
            throw new IOException("No space left on device");
        }
    }

    private static CliTest.Run runInto(OutputStream stdout, String... args) {
        StandardOutput recorded = new StandardOutput(stdout);
        PrintWriter out = new PrintWriter(new OutputStreamWriter(recorded, StandardCharsets.UTF_8), true);
        StringWriter err = new StringWriter();
        int code = Main.run(out, new PrintWriter(err, true), recorded::failure, args);
        return new CliTest.Run(code, "", err.toString());
    }

    @Test
    void jsonToAFailingStdoutIsANonZeroExitNamingStandardOutputAndTheReason() {
        FailingStream failing = new FailingStream();
        CliTest.Run r = runInto(failing, "data", "info", "embedded:digits", "--json");
        assertThat(failing.writes).isPositive();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("vecml data info: error: could not write to standard output: No space left on device");
    }

    @Test
    void textToAFailingStdoutFailsToo() {
        CliTest.Run r = runInto(new FailingStream(), "data", "info", "embedded:digits");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("could not write to standard output");
    }

    @Test
    void aWorkingStdoutIsExitZeroWithNoComplaint() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        CliTest.Run r = runInto(bytes, "data", "info", "embedded:digits", "--json");
        assertThat(r.code()).isZero();
        assertThat(r.err()).doesNotContain("standard output");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("\"source\"");
    }

    @Test
    void aPlainPrintWriterInErrorIsCaughtWithoutAReason() {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FailingStream(), StandardCharsets.UTF_8), true);
        StringWriter err = new StringWriter();
        int code = Main.run(out, new PrintWriter(err, true), "data", "info", "embedded:digits", "--json");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("vecml data info: error: could not write to standard output;");
    }

    @Test
    void aCommandThatAlreadyFailedKeepsItsExitCode() {
        CliTest.Run r = runInto(new FailingStream(), "data", "info", "/no/such/data");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("/no/such/data");
    }

    /**
     * The real process, stdout redirected to /dev/full (every write: ENOSPC), like
     * {@code ./vecml data info embedded:digits --json > /dev/full}: the JVM runs Main.main on the
     * test class path (the launcher's jar is only built by the package phase).
     */
    @Test
    void theRealProcessWithStdoutOnDevFullExitsNonZero(@TempDir Path tmp) throws Exception {
        assertThat(Path.of("/dev/full")).exists();
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path errFile = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", testRuntimePath(),
                Main.class.getName(), "data", "info", "embedded:digits", "--json"))
                .redirectOutput(new File("/dev/full"))
                .redirectError(errFile.toFile())
                .start();
        // a functional deadline, not a timing check: a JVM start on a loaded 2-core machine takes seconds
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(errFile);
        assertThat(p.exitValue()).as(err).isEqualTo(2);
        assertThat(err).contains("vecml data info: error: could not write to standard output: No space left on device");
    }

    /**
     * Everything the test JVM runs on, as one class path for the child: surefire puts the module under test and
     * its dependencies on the module path ({@code jdk.module.path}) and the test libraries on the class path.
     */
    private static String testRuntimePath() {
        return java.util.stream.Stream.of(System.getProperty("jdk.module.path"), System.getProperty("java.class.path"))
                .filter(s -> s != null && !s.isEmpty())
                .collect(java.util.stream.Collectors.joining(File.pathSeparator));
    }
}
