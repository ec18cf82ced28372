package io.vecml.engine.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.vecml.blas.OpenBlas;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenBLAS (the fast path) against the Java GEMM (its reference here), all transposes, odd shapes. */
class GemmAgreementTest {

    private static OpenBlas blas;

    @BeforeAll
    static void needOpenBlas() {
        GemmSelection s = GemmSelection.current();
        if (s.blas().isEmpty()) {
            if (System.getProperty("vecml.require", "").contains("openblas")) {
                fail("-Dvecml.require=openblas but " + s.openblas().summary());
            }
            Assumptions.abort("OpenBLAS is not available here, nothing to compare: " + s.openblas().summary());
        }
        blas = s.blas().get();
    }

    @ParameterizedTest(name = "transA={0} transB={1} {2}x{3}x{4} threads={5}")
    @CsvSource({
        "false,false,1,1,1,1", "false,true,3,5,7,1", "true,false,17,33,65,2", "true,true,64,64,64,1",
        "false,false,129,67,300,2", "false,true,100,1,300,1", "true,false,1,100,3,2", "true,true,5,513,31,2",
        "false,true,250,260,784,2", "false,false,0,5,5,1", "false,false,5,5,0,1"})
    void openBlasAgreesWithJavaGemm(boolean ta, boolean tb, int m, int n, int k, int threads) {
        int lda = (ta ? m : k) + 5, ldb = (tb ? k : n) + 3, ldc = n + 1;
        long aLen = (long) (ta ? k : m) * lda + 7, bLen = (long) (tb ? n : k) * ldb, cLen = (long) m * ldc;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = random(arena, aLen, 1), b = random(arena, bLen, 2);
            MemorySegment c1 = random(arena, cLen, 3), c2 = arena.allocate(Math.max(1, cLen) * 4, 64);
            c2.copyFrom(c1);
            new OpenBlasGemm(blas, threads).sgemm(ta, tb, m, n, k, 0.75f, a, 7, lda, b, 0, ldb, 0.5f, c1, 0, ldc);
            new JavaGemm(threads).sgemm(ta, tb, m, n, k, 0.75f, a, 7, lda, b, 0, ldb, 0.5f, c2, 0, ldc);
            for (long i = 0; i < cLen; i++) {
                float x = c1.getAtIndex(ValueLayout.JAVA_FLOAT, i), y = c2.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                // Inputs in [-1, 1]: each dot product's terms sum to at most k in magnitude.
                assertThat(Math.abs(x - y)).as("C[%d]: openblas %s, java %s", i, x, y).isLessThanOrEqualTo(2e-6f * (k + 1) + 1e-6f);
            }
        }
    }

    private static MemorySegment random(Arena arena, long len, long seed) {
        MemorySegment s = arena.allocate(Math.max(1, len) * 4, 64);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long i = 0; i < len; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextDouble(-1, 1));
        }
        return s;
    }
}
