package io.vecml.engine.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bfloat16 GEMM choice for every combination of CPU flag, exported symbol and request (so the
 * selection logic is exercised on any machine), this machine's actual choice against its probes,
 * and the portable {@link JavaBf16Gemm} against float32 sgemm.
 */
class Bf16SelectionTest {

    private static final String LIB = "OpenBLAS 0.3.31 (bundled, /tmp/libopenblas.so.0)";

    @Test
    void autoTakesSbgemmOnlyWithTheSymbolTheCpuFlagAndOpenBlas() {
        Bf16Selection all = Bf16Selection.decide("auto", "openblas", LIB, true, true);
        assertThat(all.choice()).isEqualTo("openblas");
        assertThat(all.active()).isTrue();
        assertThat(all.reason()).contains("cblas_sbgemm", "avx512_bf16", LIB);

        Bf16Selection noSymbol = Bf16Selection.decide("auto", "openblas", LIB, false, true);
        assertThat(noSymbol.choice()).isEqualTo("off");
        assertThat(noSymbol.reason()).contains("does not export cblas_sbgemm", "BUILD_BFLOAT16");

        Bf16Selection noCpu = Bf16Selection.decide("auto", "openblas", LIB, true, false);
        assertThat(noCpu.choice()).isEqualTo("off");
        assertThat(noCpu.reason()).contains("lacks avx512_bf16");

        Bf16Selection javaGemm = Bf16Selection.decide("auto", "java", null, false, true);
        assertThat(javaGemm.choice()).isEqualTo("off");
        assertThat(javaGemm.reason()).contains("the GEMM is java");
    }

    @Test
    void explicitRequests() {
        assertThat(Bf16Selection.decide("openblas", "openblas", LIB, true, false).choice()).isEqualTo("openblas");
        assertThatThrownBy(() -> Bf16Selection.decide("openblas", "openblas", LIB, false, true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not export cblas_sbgemm");
        assertThatThrownBy(() -> Bf16Selection.decide("openblas", "java", null, false, true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not the GEMM in use");
        assertThat(Bf16Selection.decide("java", "openblas", LIB, false, false).choice()).isEqualTo("java");
        assertThat(Bf16Selection.decide(" OFF ", "openblas", LIB, true, true).active()).isFalse();
        assertThatThrownBy(() -> Bf16Selection.decide("fast", "openblas", LIB, true, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-Dvecml.bf16=fast");
    }

    /** This JVM's choice agrees with what it probed: the CPU flag in /proc/cpuinfo and the library's symbol. */
    @Test
    void thisMachinesChoiceMatchesItsProbes() throws Exception {
        Bf16Selection s = Bf16Selection.current();
        System.out.println("bfloat16 GEMM on this machine: " + s.choice() + " (" + s.reason() + ")");
        Path cpuinfo = Path.of("/proc/cpuinfo");
        boolean flag = Files.isReadable(cpuinfo) && Files.readAllLines(cpuinfo).stream()
                .filter(l -> l.startsWith("flags")).findFirst().map(l -> l.contains(" avx512_bf16")).orElse(false);
        assertThat(s.cpuBf16()).isEqualTo(flag);
        GemmSelection g = GemmSelection.current();
        boolean exported = g.choice().equals("openblas") && g.blas().orElseThrow().hasSbgemm();
        assertThat(s.sbgemm()).isEqualTo(exported);
        if (System.getProperty("vecml.bf16", "auto").equals("auto")) {
            assertThat(s.active()).isEqualTo(flag && exported);
        }
    }

    @Test
    void bf16HoldsEveryUint8ValueExactly() {
        for (int v = 0; v < 256; v++) {
            assertThat(Bf16Gemm.fromBf16(Bf16Gemm.toBf16(v))).isEqualTo((float) v);
        }
        // Rounding to nearest even where bfloat16 is not exact: 257 -> 256, 259 -> 260.
        assertThat(Bf16Gemm.fromBf16(Bf16Gemm.toBf16(257))).isEqualTo(256f);
        assertThat(Bf16Gemm.fromBf16(Bf16Gemm.toBf16(259))).isEqualTo(260f);
    }

    /** On integer data 0..255 (exact in both), the bfloat16 GEMM equals float32 sgemm bit for bit. */
    @Test
    void javaBf16GemmEqualsSgemmOnUint8Values() {
        Random rnd = new Random(3);
        for (int[] mnk : new int[][] {{1, 1, 1}, {7, 13, 31}, {33, 17, 200}, {5, 64, 784}}) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            int lda = k + 3;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a16 = arena.allocate((long) m * lda * 2, 64);
                MemorySegment b16 = arena.allocate((long) n * lda * 2, 64);
                MemorySegment a32 = arena.allocate((long) m * lda * 4, 64);
                MemorySegment b32 = arena.allocate((long) n * lda * 4, 64);
                fill(rnd, a16, a32, m * lda);
                fill(rnd, b16, b32, n * lda);
                MemorySegment c1 = arena.allocate((long) m * n * 4, 64);
                MemorySegment c2 = arena.allocate((long) m * n * 4, 64);
                Gemm g = new JavaGemm(1);
                new JavaBf16Gemm(g).sbgemm(false, true, m, n, k, 1f, a16, 0, lda, b16, 0, lda, 0f, c1, 0, n);
                g.sgemm(false, true, m, n, k, 1f, a32, 0, lda, b32, 0, lda, 0f, c2, 0, n);
                for (int i = 0; i < m * n; i++) {
                    assertThat(c1.getAtIndex(ValueLayout.JAVA_FLOAT, i)).as("%s element %d", java.util.Arrays.toString(mnk), i)
                            .isEqualTo(c2.getAtIndex(ValueLayout.JAVA_FLOAT, i));
                }
            }
        }
    }

    private static void fill(Random rnd, MemorySegment b16, MemorySegment f32, int n) {
        for (int i = 0; i < n; i++) {
            int v = rnd.nextInt(256);
            b16.setAtIndex(ValueLayout.JAVA_SHORT, i, Bf16Gemm.toBf16(v));
            f32.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
        }
    }
}
