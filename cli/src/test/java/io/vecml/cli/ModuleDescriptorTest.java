package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.Peak;
import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

/** The CLI's module-info as the test JVM (module path, tests patched into io.vecml.cli) enforces it. */
class ModuleDescriptorTest {

    @Test
    void theCliIsAnApplicationModuleThatExportsNothing() {
        Module cli = Main.class.getModule();
        assertThat(cli.isNamed()).as("tests must run on the module path").isTrue();
        ModuleDescriptor d = cli.getDescriptor();
        assertThat(d.name()).isEqualTo("io.vecml.cli");
        assertThat(d.exports()).isEmpty();
        assertThat(d.opens()).extracting(ModuleDescriptor.Opens::source)
                .containsExactlyInAnyOrder("io.vecml.cli", "io.vecml.cli.serve");
        assertThat(d.opens()).allMatch(ModuleDescriptor.Opens::isQualified);
    }

    @Test
    void theEnginesInternalPackagesAreNotVisibleToTheCli() {
        Module engine = Peak.class.getModule();
        Module cli = Main.class.getModule();
        assertThat(cli.canRead(engine)).isTrue();
        assertThat(engine.isExported("io.vecml.engine.api", cli)).isTrue();
        assertThat(engine.isExported("io.vecml.engine.concurrent", cli)).isFalse();
        assertThat(engine.isExported("io.vecml.engine.data.random", cli)).isFalse();
    }
}
