package io.vecml.blas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenBlasTest {

    private static OpenBlas blas;

    @BeforeAll
    static void load() {
        OpenBlasLoader.Result r = OpenBlasLoader.load();
        boolean required = System.getProperty("vecml.require", "").contains("openblas");
        if (r.blas().isEmpty()) {
            if (required) {
                fail("-Dvecml.require=openblas but " + r.summary());
            }
            Assumptions.abort("OpenBLAS could not be loaded here: " + r.summary());
        }
        blas = r.blas().get();
    }

    @Test
    void probesTheLibrary() {
        assertThat(blas.config()).startsWith("OpenBLAS");
        assertThat(blas.version()).matches("[0-9]+\\.[0-9]+.*");
        assertThat(blas.coreName()).isNotBlank();
        assertThat(blas.tuned()).as("core %s, config %s", blas.coreName(), blas.config()).isTrue();
        assertThat(blas.path().toString()).contains("openblas");
        assertThat(blas.source()).isIn("explicit", "system", "bundled");
    }

    @Test
    void setsAndReadsThreads() {
        int before = blas.numThreads();
        try {
            blas.setNumThreads(1);
            assertThat(blas.numThreads()).isEqualTo(1);
            blas.setNumThreads(2);
            assertThat(blas.numThreads()).isBetween(1, 2);
        } finally {
            blas.setNumThreads(before);
        }
        assertThatThrownBy(() -> blas.setNumThreads(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Naive reference in double, for either storage order. */
    private static double[] reference(Layout layout, boolean ta, boolean tb, int m, int n, int k, float alpha,
                                      float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc) {
        boolean row = layout == Layout.ROW_MAJOR;
        double[] out = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            out[i] = c[i];
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    // op(A)[i][p], op(B)[p][j]
                    int ar = ta ? p : i, ac = ta ? i : p;
                    int br = tb ? j : p, bc = tb ? p : j;
                    double av = row ? a[ar * lda + ac] : a[ac * lda + ar];
                    double bv = row ? b[br * ldb + bc] : b[bc * ldb + br];
                    s += av * bv;
                }
                int ci = row ? i * ldc + j : j * ldc + i;
                out[ci] = alpha * s + (beta == 0 ? 0 : beta * c[ci]);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2} {3}x{4}x{5}")
    @CsvSource({
        "ROW_MAJOR,false,false,1,1,1", "ROW_MAJOR,true,false,3,5,7", "ROW_MAJOR,false,true,17,33,65",
        "ROW_MAJOR,true,true,64,65,63", "COL_MAJOR,false,false,5,3,2", "COL_MAJOR,true,false,33,17,9",
        "COL_MAJOR,false,true,16,1,31", "COL_MAJOR,true,true,7,70,100", "ROW_MAJOR,false,false,0,4,4",
        "ROW_MAJOR,false,false,4,4,0"})
    void sgemmMatchesNaiveReference(Layout layout, boolean ta, boolean tb, int m, int n, int k) {
        boolean row = layout == Layout.ROW_MAJOR;
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = (row ? aCols : aRows) + 3, ldb = (row ? bCols : bRows) + 1, ldc = (row ? n : m) + 2;
        int aLen = Math.max(1, (row ? aRows : aCols) * lda);
        int bLen = Math.max(1, (row ? bRows : bCols) * ldb);
        int cLen = Math.max(1, (row ? m : n) * ldc);
        Random rnd = new Random(m * 31L + n * 7L + k);
        float[] a = randoms(rnd, aLen), b = randoms(rnd, bLen), c = randoms(rnd, cLen);
        float alpha = 1.5f, beta = -0.5f;
        double[] want = reference(layout, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = copy(arena, a, 2), sb = copy(arena, b, 0), sc = copy(arena, c, 1);
            blas.sgemm(layout, ta, tb, m, n, k, alpha, sa, 2, lda, sb, 0, ldb, beta, sc, 1, ldc);
            for (int i = 0; i < cLen; i++) {
                float got = sc.getAtIndex(ValueLayout.JAVA_FLOAT, i + 1);
                assertThat((double) got).as("C[%d]", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4 * (k + 1)));
            }
        }
    }

    @Test
    void betaZeroDoesNotReadC() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = copy(arena, new float[] {1, 2, 3, 4}, 0);
            MemorySegment b = copy(arena, new float[] {1, 0, 0, 1}, 0);
            MemorySegment c = copy(arena, new float[] {Float.NaN, Float.NaN, Float.NaN, Float.NaN}, 0);
            blas.sgemm(Layout.ROW_MAJOR, false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
            assertThat(c.toArray(ValueLayout.JAVA_FLOAT)).containsExactly(1, 2, 3, 4);
        }
    }

    @Test
    void refusesBadArgumentsBeforeTheCall() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(16L * Float.BYTES);
            MemorySegment heap = MemorySegment.ofArray(new float[16]);
            assertThatThrownBy(() -> blas.sgemm(Layout.ROW_MAJOR, false, false, 4, 4, 4, 1f, heap, 0, 4, s, 0, 4, 0f, s, 0, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heap segment");
            assertThatThrownBy(() -> blas.sgemm(Layout.ROW_MAJOR, false, false, 4, 4, 4, 1f, s, 0, 3, s, 0, 4, 0f, s, 0, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lda=3");
            assertThatThrownBy(() -> blas.sgemm(Layout.ROW_MAJOR, false, false, 4, 4, 4, 1f, s, 1, 4, s, 0, 4, 0f, s, 0, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 17 floats");
            assertThatThrownBy(() -> blas.sgemm(Layout.COL_MAJOR, true, false, 4, 4, 4, 1f, s, 0, 4, s, 0, 4, 0f, s, 0, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ldc=2");
            assertThatThrownBy(() -> blas.sgemm(Layout.ROW_MAJOR, false, false, -1, 4, 4, 1f, s, 0, 4, s, 0, 4, 0f, s, 0, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m=-1");
        }
    }

    @Test
    void aMissingExplicitPathIsReportedAndNoOtherLibraryIsTried() {
        OpenBlasLoader.Result r = OpenBlasLoader.lookup("/nonexistent/libopenblas.so.0");
        assertThat(r.blas()).isEmpty();
        assertThat(r.attempts()).hasSize(1);
        assertThat(r.attempts().getFirst().toString())
                .contains("explicit", "/nonexistent/libopenblas.so.0", "no such file",
                        "-Dvecml.openblas=bundled|system|PATH");
    }

    @Test
    void theBundledCopyIsTheDefaultAndOnlyItIsTried() {
        if (System.getProperty("vecml.openblas") == null && System.getenv("VECML_OPENBLAS") == null) {
            assertThat(OpenBlasLoader.choice()).isEqualTo("bundled");
            assertThat(blas.source()).isEqualTo("bundled");
        }
        OpenBlasLoader.Result r = OpenBlasLoader.lookup("bundled");
        assertThat(r.attempts()).hasSize(1);
        assertThat(r.attempts().getFirst().source()).isEqualTo("bundled");
        assertThat(r.blas()).isPresent();
        assertThat(r.blas().get().path().toString()).contains("vecml-openblas-");
    }

    @Test
    void theSystemCopyIsTriedOnlyWhenAskedFor() {
        OpenBlasLoader.Result r = OpenBlasLoader.lookup("system");
        assertThat(r.attempts()).hasSize(1);
        assertThat(r.attempts().getFirst().source()).isEqualTo("system");
        r.blas().ifPresent(b -> assertThat(b.source()).isEqualTo("system"));
    }

    @Test
    void aFileThatIsNotALibraryNamesTheFileAndTheReason() throws Exception {
        java.nio.file.Path bogus = java.nio.file.Files.createTempFile("not-a-library", ".so");
        try {
            java.nio.file.Files.writeString(bogus, "this is text, not ELF");
            OpenBlasLoader.Result r = OpenBlasLoader.lookup(bogus.toString());
            OpenBlasLoader.Attempt first = r.attempts().getFirst();
            assertThat(first.ok()).isFalse();
            assertThat(first.toString()).contains(bogus.toString(), "failed");
        } finally {
            java.nio.file.Files.deleteIfExists(bogus);
        }
    }

    private static float[] randoms(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    private static MemorySegment copy(Arena arena, float[] x, int pad) {
        MemorySegment s = arena.allocate((long) (x.length + pad) * Float.BYTES, 64);
        MemorySegment.copy(x, 0, s, ValueLayout.JAVA_FLOAT, (long) pad * Float.BYTES, x.length);
        return s;
    }

    /**
     * cblas_sbgemm where the library exports it: on integers 0..255 (exact in bfloat16) with short
     * sums (exact in float32) it equals sgemm bit for bit. Where it is not exported (builds without
     * BUILD_BFLOAT16, such as the bundled one) the probe says so and the call is refused with the
     * library's name, never a crash.
     */
    @Test
    void sbgemmWhereExportedElseRefused() {
        int m = 5, n = 7, k = 96;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a16 = arena.allocate((long) m * k * 2, 64);
            MemorySegment b16 = arena.allocate((long) n * k * 2, 64);
            MemorySegment a32 = arena.allocate((long) m * k * 4, 64);
            MemorySegment b32 = arena.allocate((long) n * k * 4, 64);
            Random rnd = new Random(9);
            for (int i = 0; i < m * k; i++) {
                int v = rnd.nextInt(256);
                a16.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) (Float.floatToRawIntBits(v) >>> 16));
                a32.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
            }
            for (int i = 0; i < n * k; i++) {
                int v = rnd.nextInt(256);
                b16.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) (Float.floatToRawIntBits(v) >>> 16));
                b32.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
            }
            MemorySegment c1 = arena.allocate((long) m * n * 4, 64);
            MemorySegment c2 = arena.allocate((long) m * n * 4, 64);
            System.out.println("cblas_sbgemm exported by " + blas.path() + ": " + blas.hasSbgemm());
            if (blas.hasSbgemm()) {
                blas.sbgemm(Layout.ROW_MAJOR, false, true, m, n, k, 1f, a16, 0, k, b16, 0, k, 0f, c1, 0, n);
                blas.sgemm(Layout.ROW_MAJOR, false, true, m, n, k, 1f, a32, 0, k, b32, 0, k, 0f, c2, 0, n);
                for (int i = 0; i < m * n; i++) {
                    assertThat(c1.getAtIndex(ValueLayout.JAVA_FLOAT, i)).isEqualTo(c2.getAtIndex(ValueLayout.JAVA_FLOAT, i));
                }
                assertThatThrownBy(() -> blas.sbgemm(Layout.ROW_MAJOR, false, true, m, n, k, 1f, a16, 0, k, b16, 1, k,
                        0f, c1, 0, n)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bfloat16 values");
            } else {
                assertThatThrownBy(() -> blas.sbgemm(Layout.ROW_MAJOR, false, true, m, n, k, 1f, a16, 0, k, b16, 0, k,
                        0f, c1, 0, n)).isInstanceOf(UnsupportedOperationException.class)
                        .hasMessageContaining("cblas_sbgemm").hasMessageContaining(blas.path().toString());
            }
        }
    }

    /**
     * cblas_sbgemm against a double reference over shapes and transpositions, kNN's tile shape
     * (256 x 2048 x 784, B transposed) included: exact while every partial sum of 0..255 products stays
     * an integer below 2^24 (k <= 256), within float32 rounding of the largest sum beyond. Where the
     * library does not export it, every call is refused with the library's name.
     */
    @ParameterizedTest(name = "{0}x{1}x{2} transA={3} transB={4}")
    @CsvSource({"1,1,1,false,false", "3,5,7,false,true", "17,13,31,true,false", "16,16,32,true,true",
            "33,65,256,false,true", "31,47,257,false,false", "64,96,784,false,true", "256,2048,784,false,true",
            "0,4,8,false,true", "4,0,8,false,true", "4,4,0,false,true"})
    void sbgemmMatchesADoubleReference(int m, int n, int k, boolean ta, boolean tb) {
        Random rnd = new Random(31L * m + 7L * n + k);
        int lda = ta ? Math.max(1, m) : Math.max(1, k);
        int ldb = tb ? Math.max(1, k) : Math.max(1, n);
        int rowsA = ta ? k : m;
        int rowsB = tb ? n : k;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a16 = arena.allocate(Math.max(2L, (long) rowsA * lda * 2), 64);
            MemorySegment b16 = arena.allocate(Math.max(2L, (long) rowsB * ldb * 2), 64);
            MemorySegment c = arena.allocate(Math.max(4L, (long) m * n * 4), 64);
            float[] a = new float[rowsA * lda];
            float[] b = new float[rowsB * ldb];
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextInt(256);
                a16.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) (Float.floatToRawIntBits(a[i]) >>> 16));
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = rnd.nextInt(256);
                b16.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) (Float.floatToRawIntBits(b[i]) >>> 16));
            }
            for (int i = 0; i < m * n; i++) {
                c.setAtIndex(ValueLayout.JAVA_FLOAT, i, Float.NaN);
            }
            if (!blas.hasSbgemm()) {
                assertThatThrownBy(() -> blas.sbgemm(Layout.ROW_MAJOR, ta, tb, m, n, k, 1f, a16, 0, lda, b16, 0, ldb,
                        0f, c, 0, Math.max(1, n))).isInstanceOf(UnsupportedOperationException.class)
                        .hasMessageContaining(blas.path().toString());
                return;
            }
            blas.sbgemm(Layout.ROW_MAJOR, ta, tb, m, n, k, 1f, a16, 0, lda, b16, 0, ldb, 0f, c, 0, Math.max(1, n));
            double[] want = reference(Layout.ROW_MAJOR, ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, new float[m * n],
                    Math.max(1, n));
            double tol = k <= 256 ? 0 : k * 255.0 * 255.0 * 0x1p-23;
            for (int i = 0; i < m * n; i++) {
                assertThat((double) c.getAtIndex(ValueLayout.JAVA_FLOAT, i)).as("C[%d]", i).isCloseTo(want[i],
                        org.assertj.core.data.Offset.offset(tol));
            }
        }
    }
}
