package io.vecml.blas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenBLAS reads OPENBLAS_CORETYPE once, when it is loaded, so each case runs in a fresh JVM with a
 * controlled environment: OpenBLAS's own choice, an inherited OPENBLAS_CORETYPE, and
 * -Dvecml.openblas.coretype replacing it (issue 13 point 3).
 */
class CoreTypeForkTest {

    private static OpenBlas parent;

    @BeforeAll
    static void load() {
        OpenBlasLoader.Result r = OpenBlasLoader.load();
        if (r.blas().isEmpty()) {
            if (System.getProperty("vecml.require", "").contains("openblas")) {
                fail("-Dvecml.require=openblas but " + r.summary());
            }
            Assumptions.abort("OpenBLAS could not be loaded here: " + r.summary());
        }
        parent = r.blas().get();
    }

    /** core, origin and config printed by {@link CoreTypeProbe} in a child JVM. */
    private static String[] probe(String inheritedCoretype, String property) throws IOException, InterruptedException {
        String cp = Stream.of(System.getProperty("jdk.module.path", ""), System.getProperty("java.class.path", ""))
                .flatMap(s -> Stream.of(s.split(File.pathSeparator))).filter(s -> !s.isBlank()).distinct()
                .collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dvecml.openblas=" + OpenBlasLoader.choice()));
        if (property != null) {
            cmd.add("-Dvecml.openblas.coretype=" + property);
        }
        cmd.addAll(List.of("-cp", cp, CoreTypeProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.remove("VECML_OPENBLAS_CORETYPE");
        if (inheritedCoretype == null) {
            env.remove("OPENBLAS_CORETYPE");
        } else {
            env.put("OPENBLAS_CORETYPE", inheritedCoretype);
        }
        Process p = pb.start();
        // A functional deadline for a JVM start plus one library load; generous for a loaded 2-core machine.
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the probe JVM did not finish: " + cmd);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("probe output").doesNotStartWith("NOT LOADED");
        return out.split("\t");
    }

    private static boolean dynamic() {
        return parent.config().contains("DYNAMIC_ARCH");
    }

    @Test
    void anInheritedCoretypeIsHonouredAndNamedAndTheBetterCoreIsSuggested() throws Exception {
        String cpu = CoreTypes.cpuCore(CoreTypes.cpuFlags());
        // Prescott runs on every x86-64 CPU, so the case holds on any machine.
        String[] r = probe("Prescott", null);
        if (!dynamic()) {
            assertThat(r[1]).startsWith("fixed when this library was built");
            return;
        }
        assertThat(r[0]).isEqualToIgnoringCase("Prescott");
        assertThat(r[1]).startsWith("OPENBLAS_CORETYPE=Prescott from the environment");
        if (CoreTypes.level(cpu) > 0) {
            assertThat(r[1]).contains("this CPU can run " + cpu, "unset OPENBLAS_CORETYPE", "-Dvecml.openblas.coretype=cpu");
        }
    }

    @Test
    void cpuReplacesTheInheritedValueWithTheBestCoreTheCpuRuns() throws Exception {
        String cpu = CoreTypes.cpuCore(CoreTypes.cpuFlags());
        String[] r = probe("Prescott", "cpu");
        if (!dynamic()) {
            assertThat(r[1]).startsWith("fixed when this library was built");
            return;
        }
        assertThat(r[0]).isEqualToIgnoringCase(cpu);
        assertThat(r[1]).isEqualTo("OPENBLAS_CORETYPE=" + cpu + " set by vecml (-Dvecml.openblas.coretype=cpu),"
                + " replacing OPENBLAS_CORETYPE=Prescott from the environment");
        // The best core's sgemm kernels are right: Gaussian entries, error per sqrt(k) as float32 rounding allows.
        assertThat(Double.parseDouble(r[3])).as("sgemm error with %s kernels", r[0]).isLessThan(1e-5);
    }

    @Test
    void withoutEitherOpenBlasDetectsTheCpuItself() throws Exception {
        String[] r = probe(null, null);
        if (!dynamic()) {
            assertThat(r[1]).startsWith("fixed when this library was built");
            return;
        }
        assertThat(r[1]).startsWith("OpenBLAS's own CPU detection");
        assertThat(CoreTypes.level(r[0])).as("a core OpenBLAS 0.3.x names").isGreaterThanOrEqualTo(0);
    }
}
