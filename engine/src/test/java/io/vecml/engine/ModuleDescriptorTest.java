package io.vecml.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.blas.OpenBlas;
import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

/**
 * The engine's module-info as seen at run time: the tests run on the module path (patched into
 * io.vecml.engine), so the descriptor is the one the JVM enforces for every module that requires the engine.
 */
class ModuleDescriptorTest {

    @Test
    void theEngineRunsAsANamedModuleThatHidesItsInternals() {
        Module engine = Peak.class.getModule();
        assertThat(engine.isNamed()).as("tests must run on the module path").isTrue();
        ModuleDescriptor d = engine.getDescriptor();
        assertThat(d.name()).isEqualTo("io.vecml.engine");
        assertThat(d.exports()).allMatch(e -> !e.isQualified());
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactlyInAnyOrder(
                "io.vecml.engine", "io.vecml.engine.api", "io.vecml.engine.data", "io.vecml.engine.distance",
                "io.vecml.engine.eval", "io.vecml.engine.gemm", "io.vecml.engine.kernels", "io.vecml.engine.knn",
                "io.vecml.engine.linear", "io.vecml.engine.progress", "io.vecml.engine.regression", "io.vecml.engine.template",
                "io.vecml.engine.train");
        assertThat(engine.getPackages()).contains("io.vecml.engine.concurrent", "io.vecml.engine.data.random");
        assertThat(engine.isExported("io.vecml.engine.concurrent")).isFalse();
        assertThat(engine.isExported("io.vecml.engine.data.random")).isFalse();
        assertThat(d.opens()).isEmpty();
    }

    @Test
    void theBlasModuleExportsItsOnePackageAndTheEngineReadsItTransitively() {
        Module blas = OpenBlas.class.getModule();
        assertThat(blas.getName()).isEqualTo("io.vecml.blas");
        assertThat(blas.getDescriptor().exports()).extracting(ModuleDescriptor.Exports::source)
                .containsExactly("io.vecml.blas");
        assertThat(Peak.class.getModule().getDescriptor().requires())
                .anyMatch(r -> r.name().equals("io.vecml.blas")
                        && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE));
    }
}
