package io.vecml.blas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The core-type decisions of {@link CoreTypes}, on flag sets of real CPU generations (issue 13 point 3). */
class CoreTypesTest {

    static final Set<String> SSE = Set.of("sse", "sse2", "ssse3", "sse4_1", "sse4_2");
    static final Set<String> AVX2 = union(SSE, "avx", "avx2", "fma");
    static final Set<String> AVX512 = union(AVX2, "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    static final Set<String> ZEN5 = union(AVX512, "avx512_bf16", "avx512_vnni", "avx512vbmi");
    static final Set<String> SPR = union(ZEN5, "amx_tile", "amx_bf16", "amx_int8");

    static Set<String> union(Set<String> a, String... more) {
        Set<String> s = new HashSet<>(a);
        s.addAll(List.of(more));
        return Set.copyOf(s);
    }

    @Test
    void theBestCoreFollowsTheInstructionSets() {
        assertThat(CoreTypes.cpuCore(Set.of())).isEqualTo("Prescott");
        assertThat(CoreTypes.cpuCore(union(SSE, "avx"))).isEqualTo("Sandybridge");
        assertThat(CoreTypes.cpuCore(AVX2)).isEqualTo("Haswell");
        // AVX-512 F without VL/BW/DQ (Knights Landing) is not enough for the SkylakeX kernels.
        assertThat(CoreTypes.cpuCore(union(AVX2, "avx512f", "avx512cd"))).isEqualTo("Haswell");
        assertThat(CoreTypes.cpuCore(AVX512)).isEqualTo("SkylakeX");
        assertThat(CoreTypes.cpuCore(ZEN5)).isEqualTo("Cooperlake");
        // AMX: level 5, but the name to set stays Cooperlake (0.3.31 does not take SapphireRapids).
        assertThat(CoreTypes.cpuLevel(SPR)).isEqualTo(5);
        assertThat(CoreTypes.cpuCore(SPR)).isEqualTo("Cooperlake");
    }

    @Test
    void levelsOrderTheCoresAndUnknownNamesAreMinusOne() {
        assertThat(CoreTypes.level("Haswell")).isEqualTo(CoreTypes.level("ZEN")).isEqualTo(2);
        assertThat(CoreTypes.level("cooperlake")).isGreaterThan(CoreTypes.level("SkylakeX"));
        assertThat(CoreTypes.level("SkylakeX")).isGreaterThan(CoreTypes.level("Haswell"));
        assertThat(CoreTypes.level("Prescott")).isZero();
        assertThat(CoreTypes.level("Pentium9")).isEqualTo(-1);
        assertThat(CoreTypes.level(null)).isEqualTo(-1);
    }

    @Test
    void autoSetsNothingAndKeepsTheInheritedValue() {
        List<String> set = new ArrayList<>();
        CoreTypes.Request r = CoreTypes.prepare(null, "Haswell", ZEN5, (k, v) -> set.add(k + "=" + v));
        assertThat(set).isEmpty();
        assertThat(r.applied()).isNull();
        assertThat(r.inherited()).isEqualTo("Haswell");
        assertThat(r.cpuCore()).isEqualTo("Cooperlake");
        assertThat(CoreTypes.prepare(" auto ", null, AVX2, (k, v) -> set.add(v)).property()).isEqualTo("auto");
        assertThat(set).isEmpty();
    }

    @Test
    void cpuSetsTheBestCoreAndANameSetsThatName() {
        List<String> set = new ArrayList<>();
        CoreTypes.Request r = CoreTypes.prepare("cpu", "Haswell", ZEN5, (k, v) -> set.add(k + "=" + v));
        assertThat(set).containsExactly("OPENBLAS_CORETYPE=Cooperlake");
        assertThat(r.applied()).isEqualTo("Cooperlake");
        set.clear();
        assertThat(CoreTypes.prepare("cpu", null, AVX2, (k, v) -> set.add(k + "=" + v)).applied()).isEqualTo("Haswell");
        assertThat(set).containsExactly("OPENBLAS_CORETYPE=Haswell");
        set.clear();
        assertThat(CoreTypes.prepare("SkylakeX", null, ZEN5, (k, v) -> set.add(v)).applied()).isEqualTo("SkylakeX");
        assertThat(set).containsExactly("SkylakeX");
    }

    @Test
    void aCoreTheCpuCannotRunOrAnUnknownNameIsRefusedBeforeAnythingIsSet() {
        List<String> set = new ArrayList<>();
        assertThatThrownBy(() -> CoreTypes.prepare("Cooperlake", null, AVX2, (k, v) -> set.add(v)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vecml.openblas.coretype=Cooperlake")
                .hasMessageContaining("AVX-512 with BF16").hasMessageContaining("up to Haswell");
        assertThatThrownBy(() -> CoreTypes.prepare("SkylakeX", null, AVX2, (k, v) -> set.add(v)))
                .hasMessageContaining("AVX-512");
        assertThatThrownBy(() -> CoreTypes.prepare("Pentium9", null, ZEN5, (k, v) -> set.add(v)))
                .hasMessageContaining("not auto, cpu or an x86-64 OpenBLAS core name");
        assertThatThrownBy(() -> CoreTypes.prepare("SapphireRapids", null, SPR, (k, v) -> set.add(v)))
                .hasMessageContaining("not auto, cpu");
        assertThat(set).isEmpty();
    }

    @Test
    void theOriginSaysWhoChoseTheCoreAndWhatTheCpuCouldRun() {
        String dyn = "OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64";
        CoreTypes.Request inherited = new CoreTypes.Request("auto", "Haswell", null, "Cooperlake");
        assertThat(CoreTypes.origin(inherited, "Haswell", dyn))
                .startsWith("OPENBLAS_CORETYPE=Haswell from the environment")
                .contains("this CPU can run Cooperlake", "unset OPENBLAS_CORETYPE", "-Dvecml.openblas.coretype=cpu");
        CoreTypes.Request own = new CoreTypes.Request("auto", null, null, "Cooperlake");
        assertThat(CoreTypes.origin(own, "Cooperlake", dyn)).isEqualTo("OpenBLAS's own CPU detection");
        // An OpenBLAS that under-selects by itself (an AMD family it does not know, an old release).
        assertThat(CoreTypes.origin(own, "Barcelona", dyn))
                .startsWith("OpenBLAS's own CPU detection; this CPU can run Cooperlake")
                .doesNotContain("unset");
        CoreTypes.Request byVecml = new CoreTypes.Request("cpu", "Haswell", "Cooperlake", "Cooperlake");
        assertThat(CoreTypes.origin(byVecml, "Cooperlake", dyn)).isEqualTo("OPENBLAS_CORETYPE=Cooperlake set by vecml"
                + " (-Dvecml.openblas.coretype=cpu), replacing OPENBLAS_CORETYPE=Haswell from the environment");
        assertThat(CoreTypes.origin(byVecml, "Haswell", dyn)).contains("OpenBLAS chose Haswell instead");
        // A library built for one target ignores OPENBLAS_CORETYPE: say so rather than blame the environment.
        assertThat(CoreTypes.origin(inherited, "Cooperlake", "OpenBLAS 0.3.21 NO_AFFINITY COOPERLAKE MAX_THREADS=8"))
                .startsWith("fixed when this library was built").doesNotContain("this CPU can run");
    }
}
