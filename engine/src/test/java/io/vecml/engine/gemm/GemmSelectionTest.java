package io.vecml.engine.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.blas.OpenBlasLoader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GemmSelectionTest {

    private static final OpenBlasLoader.Result NONE = new OpenBlasLoader.Result(Optional.empty(),
            List.of(new OpenBlasLoader.Attempt("system", "libopenblas.so.0", false, "not found")));

    @Test
    void autoFallsBackToJavaAndSaysWhy() {
        GemmSelection s = GemmSelection.decide("auto", NONE);
        assertThat(s.choice()).isEqualTo("java");
        assertThat(s.fallback()).isTrue();
        assertThat(s.reason()).contains("OpenBLAS unavailable", "libopenblas.so.0", "not found");
        assertThat(s.create(2)).isInstanceOf(JavaGemm.class);
    }

    @Test
    void explicitChoices() {
        assertThat(GemmSelection.decide("java", NONE).choice()).isEqualTo("java");
        assertThat(GemmSelection.decide("java", NONE).fallback()).isFalse();
        assertThatThrownBy(() -> GemmSelection.decide("openblas", NONE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not found");
        assertThatThrownBy(() -> GemmSelection.decide("mkl", NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auto, openblas, java");
    }

    @Test
    void autoPrefersALoadedOpenBlas() {
        OpenBlasLoader.Result real = OpenBlasLoader.load();
        GemmSelection s = GemmSelection.decide("auto", real);
        assertThat(s.choice()).isEqualTo(real.blas().isPresent() ? "openblas" : "java");
    }

    @Test
    void ciForbidsTheFallback() {
        // With -Dvecml.require=openblas (CI) the JVM-wide choice must be OpenBLAS; otherwise the
        // choice must at least be consistent with what loaded.
        GemmSelection s = GemmSelection.current();
        if (System.getProperty("vecml.require", "").contains("openblas")) {
            assertThat(s.choice()).as(s.reason()).isEqualTo("openblas");
            assertThat(s.fallback()).isFalse();
        } else {
            assertThat(s.fallback()).isEqualTo(s.blas().isEmpty());
        }
    }
}
