package io.vecml.engine.gemm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class JavaGemmTest {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Marks C's padding (columns n..ldc-1 and the floats before cOff): sgemm must not write there. */
    private static final float SENTINEL = -12345.5f;

    enum Memory { HEAP, NATIVE }

    /** One call's operands as plain arrays, sized exactly to what the shapes need. */
    record Problem(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {

        static Problem random(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                              int pad, int off, long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int aRows = transA ? k : m, aCols = transA ? m : k;
            int bRows = transB ? n : k, bCols = transB ? k : n;
            int lda = Math.max(1, aCols) + pad, ldb = Math.max(1, bCols) + pad, ldc = Math.max(1, n) + pad;
            int aOff = off, bOff = 2 * off, cOff = 3 * off;
            float[] a = fill(rnd, size(aOff, aRows, aCols, lda));
            float[] b = fill(rnd, size(bOff, bRows, bCols, ldb));
            float[] c = new float[size(cOff, m, n, ldc)];
            Arrays.fill(c, SENTINEL);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    c[cOff + i * ldc + j] = beta == 0f ? Float.NaN : (float) (rnd.nextDouble() * 2 - 1);
                }
            }
            return new Problem(transA, transB, m, n, k, alpha, beta, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }

        private static int size(int off, int rows, int cols, int ld) {
            return rows == 0 || cols == 0 ? off : off + (rows - 1) * ld + cols;
        }

        private static float[] fill(SplittableRandom rnd, int len) {
            float[] x = new float[len];
            for (int i = 0; i < len; i++) {
                x[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            return x;
        }

        float opA(int i, int p) {
            return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        }

        float opB(int p, int j) {
            return transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
        }

        /** Runs the call on copies of the operands in the given memory and returns the new C. */
        float[] run(Gemm gemm, Memory memory) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sa = segment(arena, memory, a);
                MemorySegment sb = segment(arena, memory, b);
                MemorySegment sc = segment(arena, memory, c);
                gemm.sgemm(transA, transB, m, n, k, alpha, sa, aOff, lda, sb, bOff, ldb, beta, sc, cOff, ldc);
                return sc.toArray(F);
            }
        }

        /** Heap, or shared native memory so that worker threads may read it. */
        float[] runShared(Gemm gemm, Memory memory) {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment sa = segment(arena, memory, a);
                MemorySegment sb = segment(arena, memory, b);
                MemorySegment sc = segment(arena, memory, c);
                gemm.sgemm(transA, transB, m, n, k, alpha, sa, aOff, lda, sb, bOff, ldb, beta, sc, cOff, ldc);
                return sc.toArray(F);
            }
        }

        private static MemorySegment segment(Arena arena, Memory memory, float[] x) {
            if (memory == Memory.HEAP) {
                return MemorySegment.ofArray(x.clone());
            }
            MemorySegment s = arena.allocate(Math.max(1, (long) x.length * Float.BYTES), Float.BYTES);
            MemorySegment.copy(x, 0, s, F, 0, x.length);
            return s.asSlice(0, (long) x.length * Float.BYTES);
        }

        void assertMatchesReference(float[] got) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0, abs = 0;
                    for (int p = 0; p < k; p++) {
                        double t = (double) opA(i, p) * opB(p, j);
                        sum += t;
                        abs += Math.abs(t);
                    }
                    int idx = cOff + i * ldc + j;
                    double old = beta == 0f ? 0 : (double) beta * c[idx];
                    double want = alpha * sum + old;
                    // Float accumulation error grows at most ~k ulps of sum |a||b| (plus the update).
                    double tol = 1.2e-7 * (k + 4) * (Math.abs(alpha) * abs + Math.abs(old)) + 1e-30;
                    double diff = Math.abs(got[idx] - want);
                    if (!(diff <= tol)) {
                        fail("C[%d][%d] = %s, expected %s (tolerance %s) for %s", i, j, got[idx], want, tol, this);
                    }
                }
                for (int j = n; n > 0 && j < ldc && i < m - 1; j++) {
                    assertThat(got[cOff + i * ldc + j]).as("C padding at row %d col %d", i, j).isEqualTo(SENTINEL);
                }
            }
            for (int x = 0; x < cOff && x < got.length; x++) {
                assertThat(got[x]).as("C before its offset").isEqualTo(SENTINEL);
            }
        }

        @Override
        public String toString() {
            return "sgemm(transA=" + transA + ", transB=" + transB + ", m=" + m + ", n=" + n + ", k=" + k
                    + ", alpha=" + alpha + ", beta=" + beta + ", lda=" + lda + ", ldb=" + ldb + ", ldc=" + ldc
                    + ", offsets " + aOff + "/" + bOff + "/" + cOff + ")";
        }
    }

    private static final int[][] SHAPES = {
            {0, 5, 7}, {5, 0, 7}, {5, 7, 0}, {1, 1, 1}, {1, 9, 1}, {3, 5, 7}, {7, 17, 9},
            {17, 33, 65}, {64, 64, 64}, {100, 1, 300}, {1, 100, 300}, {6, 16, 256}, {13, 47, 513},
    };
    private static final float[][] ALPHA_BETA = {{1f, 0f}, {2.5f, -0.5f}, {0f, 1f}, {-1f, 1f}};

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        long seed = 1;
        for (int[] s : SHAPES) {
            for (int t = 0; t < 4; t++) {
                for (float[] ab : ALPHA_BETA) {
                    for (int layout = 0; layout < 2; layout++) {
                        int pad = layout == 0 ? 0 : 3;
                        int off = layout == 0 ? 0 : 5;
                        Memory mem = (seed & 1) == 0 ? Memory.HEAP : Memory.NATIVE;
                        out.add(Arguments.of(t >= 2, (t & 1) == 1, s[0], s[1], s[2], ab[0], ab[1], pad, off, mem, seed++));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "transA={0} transB={1} {2}x{3}x{4} alpha={5} beta={6} pad={7} off={8} {9}")
    @MethodSource("cases")
    void matchesDoubleReference(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                                int pad, int off, Memory memory, long seed) {
        Problem p = Problem.random(transA, transB, m, n, k, alpha, beta, pad, off, seed);
        p.assertMatchesReference(p.run(new JavaGemm(1), memory));
    }

    static Stream<Arguments> bigCases() {
        // Larger than one block in every dimension (MC, KC; and NC with the wide one), so the
        // k-block accumulation into C and every edge path run.
        return Stream.of(
                Arguments.of(false, false, 300, 520, 700, 1f, 0f, Memory.NATIVE),
                Arguments.of(true, false, 300, 520, 700, 2.5f, -0.5f, Memory.HEAP),
                Arguments.of(false, true, 300, 520, 700, 1f, 1f, Memory.HEAP),
                Arguments.of(true, true, 300, 520, 700, -1f, 0f, Memory.NATIVE),
                Arguments.of(false, true, 13, 4200, 300, 1f, 0f, Memory.NATIVE));
    }

    @ParameterizedTest(name = "transA={0} transB={1} {2}x{3}x{4} alpha={5} beta={6} {7}")
    @MethodSource("bigCases")
    void largerThanOneBlock(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                            Memory memory) {
        Problem p = Problem.random(transA, transB, m, n, k, alpha, beta, 2, 3, m + n + k);
        p.assertMatchesReference(p.run(new JavaGemm(2), memory));
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        Problem p = Problem.random(false, false, 9, 21, 5, 1f, 0f, 1, 2, 42);
        float[] got = p.run(new JavaGemm(1), Memory.NATIVE);
        for (int i = 0; i < p.m(); i++) {
            for (int j = 0; j < p.n(); j++) {
                assertThat(got[p.cOff() + i * p.ldc() + j]).isNotNaN();
            }
        }
        p.assertMatchesReference(got);
    }

    @Test
    void alphaZeroScalesCWithoutReadingAOrB() {
        Problem p = Problem.random(false, true, 7, 5, 3, 0f, -2f, 0, 0, 7);
        Arrays.fill(p.a(), Float.NaN);
        Arrays.fill(p.b(), Float.NaN);
        float[] got = p.run(new JavaGemm(1), Memory.HEAP);
        for (int i = 0; i < 7 * 5; i++) {
            assertThat(got[i]).isEqualTo(-2f * p.c()[i]);
        }
    }

    @Test
    void kZeroWithBetaZeroWritesZeros() {
        Problem p = Problem.random(false, false, 4, 6, 0, 1f, 0f, 2, 1, 8);
        float[] got = p.run(new JavaGemm(2), Memory.NATIVE);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 6; j++) {
                assertThat(got[p.cOff() + i * p.ldc() + j]).isZero();
            }
        }
        p.assertMatchesReference(got);
    }

    static Stream<Arguments> parallelCases() {
        // Wide (split over columns), tall and narrow (split over rows), and square-ish with edges.
        return Stream.of(
                Arguments.of(false, false, 300, 520, 700, Memory.HEAP),
                Arguments.of(false, true, 97, 3000, 130, Memory.NATIVE),
                Arguments.of(true, false, 2000, 20, 300, Memory.NATIVE),
                Arguments.of(true, true, 131, 77, 400, Memory.HEAP));
    }

    @ParameterizedTest(name = "transA={0} transB={1} {2}x{3}x{4} {5}")
    @MethodSource("parallelCases")
    void threadCountDoesNotChangeABit(boolean transA, boolean transB, int m, int n, int k, Memory memory) {
        Problem p = Problem.random(transA, transB, m, n, k, 1.5f, 0.5f, 1, 1, 99);
        float[] one = p.runShared(new JavaGemm(1), memory);
        float[] two = p.runShared(new JavaGemm(2), memory);
        float[] three = p.runShared(new JavaGemm(3), memory);
        assertThat(two).isEqualTo(one);
        assertThat(three).isEqualTo(one);
        // Confined segments fall back to the calling thread; still the same bits.
        assertThat(p.run(new JavaGemm(3), memory)).isEqualTo(one);
        p.assertMatchesReference(one);
    }

    @Test
    void nameAndThreads() {
        JavaGemm g = new JavaGemm(3);
        assertThat(g.name()).isEqualTo("java");
        assertThat(g.threads()).isEqualTo(3);
        assertThatThrownBy(() -> new JavaGemm(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
    }

    @Test
    void badArgumentsAreNamed() {
        Gemm g = new JavaGemm(1);
        MemorySegment s = MemorySegment.ofArray(new float[100]);
        MemorySegment tiny = MemorySegment.ofArray(new float[10]);
        // Valid reference call: 4x5 * 5x6 into 4x6, all tight.
        g.sgemm(false, false, 4, 6, 5, 1f, s, 0, 5, s, 0, 6, 0f, MemorySegment.ofArray(new float[24]), 0, 6);

        assertThatThrownBy(() -> g.sgemm(false, false, -1, 6, 5, 1f, s, 0, 5, s, 0, 6, 0f, s, 0, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m=-1");
        assertThatThrownBy(() -> g.sgemm(false, false, 4, -6, 5, 1f, s, 0, 5, s, 0, 6, 0f, s, 0, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n=-6");
        assertThatThrownBy(() -> g.sgemm(false, false, 4, 6, -5, 1f, s, 0, 5, s, 0, 6, 0f, s, 0, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k=-5");
        assertThatThrownBy(() -> g.sgemm(false, false, 4, 6, 5, 1f, s, 0, 4, s, 0, 6, 0f, s, 0, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lda");
        // Transposed A is k x m = 5x4, so lda = 4 is enough and lda = 3 is not.
        g.sgemm(true, false, 4, 6, 5, 1f, s, 0, 4, s, 0, 6, 0f, MemorySegment.ofArray(new float[24]), 0, 6);
        assertThatThrownBy(() -> g.sgemm(true, false, 4, 6, 5, 1f, s, 0, 3, s, 0, 6, 0f, s, 0, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lda");
        assertThatThrownBy(() -> g.sgemm(false, false, 4, 6, 5, 1f, s, 0, 5, s, 0, 5, 0f, s, 0, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ldb");
        assertThatThrownBy(() -> g.sgemm(false, true, 4, 6, 5, 1f, s, 0, 5, s, 0, 4, 0f, s, 0, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ldb");
        assertThatThrownBy(() -> g.sgemm(false, false, 4, 6, 5, 1f, s, 0, 5, s, 0, 6, 0f, s, 0, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ldc");
        assertThatThrownBy(() -> g.sgemm(false, false, 4, 6, 5, 1f, tiny, 0, 5, s, 0, 6, 0f, s, 0, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("matrix A");
        assertThatThrownBy(() -> g.sgemm(false, false, 4, 6, 5, 1f, s, 0, 5, tiny, 0, 6, 0f, s, 0, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("matrix B");
        assertThatThrownBy(() -> g.sgemm(false, false, 4, 6, 5, 1f, s, 0, 5, s, 0, 6, 0f, tiny, 0, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("matrix C");
        // The offset pushes the last element of A (needs 20 floats) past the end of a 100-float segment.
        assertThatThrownBy(() -> g.sgemm(false, false, 4, 6, 5, 1f, s, 81, 5, s, 0, 6, 0f, s, 0, 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("matrix A");
        g.sgemm(false, false, 4, 6, 5, 1f, s, 80, 5, s, 0, 6, 0f, MemorySegment.ofArray(new float[24]), 0, 6);
    }
}
