package io.vecml.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

class KernelSelectionTest {

    /** Stands in for the SIMD implementation: the decision logic only passes it through. */
    private static final Kernels FAKE_SIMD = ScalarKernels.INSTANCE;
    private static final KernelSelection.Probe USABLE = KernelSelection.Probe.usable(FAKE_SIMD, 256);
    private static final KernelSelection.Probe MISSING = KernelSelection.Probe.unusable(0,
            "the Vector API is not loaded, NoClassDefFoundError: jdk/incubator/vector/FloatVector",
            "Run with --add-modules jdk.incubator.vector.");

    @Test
    void autoPicksSimdWhenUsable() {
        for (String value : new String[] {null, "", "auto", " AUTO "}) {
            KernelSelection s = KernelSelection.decide(value, USABLE);
            assertThat(s.kernels()).isSameAs(FAKE_SIMD);
            assertThat(s.fallback()).isFalse();
            assertThat(s.vectorBits()).isEqualTo(256);
            assertThat(s.reason()).isEqualTo("auto: Vector API available, 256-bit species (8 float lanes)");
            assertThat(s.warning()).isNull();
        }
    }

    @Test
    void autoFallsBackWithOneActionableWarning() {
        KernelSelection s = KernelSelection.decide("auto", MISSING);
        assertThat(s.kernels()).isSameAs(ScalarKernels.INSTANCE);
        assertThat(s.fallback()).isTrue();
        assertThat(s.vectorBits()).isZero();
        assertThat(s.reason()).startsWith("auto: fell back to scalar because ").contains("NoClassDefFoundError");
        assertThat(s.warning()).startsWith("vecml: warning: SIMD kernels unavailable (")
                .contains("using the scalar reference")
                .contains("--add-modules jdk.incubator.vector")
                .doesNotContain("\n");
    }

    @Test
    void scalarOnRequest() {
        for (KernelSelection.Probe p : new KernelSelection.Probe[] {USABLE, MISSING}) {
            KernelSelection s = KernelSelection.decide("scalar", p);
            assertThat(s.kernels()).isSameAs(ScalarKernels.INSTANCE);
            assertThat(s.fallback()).isFalse();
            assertThat(s.warning()).isNull();
            assertThat(s.reason()).isEqualTo("scalar: requested by -Dvecml.kernels=scalar");
        }
    }

    @Test
    void simdOnRequestOrAnError() {
        KernelSelection s = KernelSelection.decide("simd", USABLE);
        assertThat(s.kernels()).isSameAs(FAKE_SIMD);
        assertThat(s.fallback()).isFalse();
        assertThat(s.reason()).startsWith("simd: requested by -Dvecml.kernels=simd").contains("256-bit");
        assertThatThrownBy(() -> KernelSelection.decide("simd", MISSING))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("-Dvecml.kernels=simd")
                .hasMessageContaining("NoClassDefFoundError")
                .hasMessageContaining("--add-modules jdk.incubator.vector");
    }

    @Test
    void invalidValueListsTheAllowedOnes() {
        for (String value : new String[] {"fast", "sse", "scalar,simd", "avx2"}) {
            assertThatThrownBy(() -> KernelSelection.decide(value, USABLE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("vecml.kernels=" + value)
                    .hasMessageContaining("auto, scalar, simd");
        }
    }

    @Test
    void probeReportsAMissingClass() {
        KernelSelection.Probe p = KernelSelection.probeSimd("io.vecml.engine.kernels.NoSuchKernels");
        assertThat(p.usable()).isFalse();
        assertThat(p.problem()).contains("ClassNotFoundException");
        assertThat(p.hint()).contains("--add-modules jdk.incubator.vector");
    }

    @Test
    void probeRejectsNarrowVectors() {
        KernelSelection.Probe p = KernelSelection.probeSimd(NarrowKernels.class.getName());
        assertThat(p.usable()).isFalse();
        assertThat(p.problem()).contains("64 bits").contains("128");
    }

    @Test
    void probeRejectsWrongResults() {
        KernelSelection.Probe p = KernelSelection.probeSimd(BrokenKernels.class.getName());
        assertThat(p.usable()).isFalse();
        assertThat(p.problem()).startsWith("self-check failed: dotF32");
    }

    @Test
    void probeReportsAFailingInitialiser() {
        KernelSelection.Probe p = KernelSelection.probeSimd(ThrowingKernels.class.getName());
        assertThat(p.usable()).isFalse();
        assertThat(p.problem()).contains("UnsupportedOperationException").contains("no vectors here");
    }

    @Test
    void currentHonoursThePropertyAndIsStable() {
        KernelSelection s = KernelSelection.current();
        assertThat(KernelSelection.current()).isSameAs(s);
        String property = System.getProperty(KernelSelection.PROPERTY, "auto").strip()
                .toLowerCase(java.util.Locale.ROOT);
        switch (property) {
            case "scalar" -> assertThat(s.kernels().name()).isEqualTo("scalar");
            case "simd" -> assertThat(s.kernels().name()).isEqualTo("simd");
            default -> assertThat(s.kernels().name()).isEqualTo(s.fallback() ? "scalar" : "simd");
        }
        assertThat(s.reason()).isNotBlank();
        if (s.kernels().name().equals("simd")) {
            assertThat(s.vectorBits()).isGreaterThanOrEqualTo(128);
            assertThat(s.kernels()).isInstanceOf(SimdKernels.class);
        }
        assertThat(KernelSelection.available()).first().isSameAs(ScalarKernels.INSTANCE);
    }

    /** How CI forbids a silent fallback: surefire passes -Dvecml.require=simd,openblas through. */
    @Test
    void requiredSimdIsSelected() {
        KernelSelection s = KernelSelection.current();
        if (System.getProperty("vecml.require", "").contains("simd")) {
            assertThat(s.kernels().name()).as("kernels with -Dvecml.require=simd (%s)", s.reason()).isEqualTo("simd");
            assertThat(s.fallback()).as(s.reason()).isFalse();
        } else {
            // Not required: still a consistent answer, and the fallback flag agrees with the choice.
            assertThat(s.fallback()).isEqualTo(s.reason().startsWith("auto: fell back"));
        }
    }

    // ---- fake SIMD classes for the probe --------------------------------------------------------

    /** Reports 64-bit vectors. */
    public static final class NarrowKernels {
        public static final Kernels INSTANCE = ScalarKernels.INSTANCE;

        public static int vectorBits() {
            return 64;
        }
    }

    /** Gives a wrong dot product. */
    public static final class BrokenKernels {
        public static final Kernels INSTANCE = new WrongDot();

        public static int vectorBits() {
            return 256;
        }
    }

    /** Fails in its static initialiser, as SimdKernels does without the incubator module. */
    public static final class ThrowingKernels {
        public static final Kernels INSTANCE = fail();

        private static Kernels fail() {
            throw new UnsupportedOperationException("no vectors here");
        }

        public static int vectorBits() {
            return 256;
        }
    }

    private static final class WrongDot implements Kernels {
        private final Kernels s = ScalarKernels.INSTANCE;

        @Override public String name() {
            return "wrong";
        }

        @Override public float dotF32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
            return s.dotF32(a, aOff, b, bOff, d) + 1f;
        }

        @Override public float l1F32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
            return s.l1F32(a, aOff, b, bOff, d);
        }

        @Override public float l2sqF32(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
            return s.l2sqF32(a, aOff, b, bOff, d);
        }

        @Override public long dotU8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
            return s.dotU8(a, aOff, b, bOff, d);
        }

        @Override public long l1U8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
            return s.l1U8(a, aOff, b, bOff, d);
        }

        @Override public long l2sqU8(MemorySegment a, long aOff, MemorySegment b, long bOff, int d) {
            return s.l2sqU8(a, aOff, b, bOff, d);
        }

        @Override public void l1F32Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride,
                                        int n, int d, float[] out, int outOff) {
            s.l1F32Rows(q, qOff, rows, rowsOff, stride, n, d, out, outOff);
        }

        @Override public void l2sqF32Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride,
                                          int n, int d, float[] out, int outOff) {
            s.l2sqF32Rows(q, qOff, rows, rowsOff, stride, n, d, out, outOff);
        }

        @Override public void l1U8Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride,
                                       int n, int d, long[] out, int outOff) {
            s.l1U8Rows(q, qOff, rows, rowsOff, stride, n, d, out, outOff);
        }

        @Override public void l2sqU8Rows(MemorySegment q, long qOff, MemorySegment rows, long rowsOff, long stride,
                                         int n, int d, long[] out, int outOff) {
            s.l2sqU8Rows(q, qOff, rows, rowsOff, stride, n, d, out, outOff);
        }

        @Override public void l1U8Block(MemorySegment q, long qOff, long qStride, int nq, MemorySegment t, long tOff,
                                        long tStride, int nt, int d, int[] out, int outOff, int ldOut) {
            s.l1U8Block(q, qOff, qStride, nq, t, tOff, tStride, nt, d, out, outOff, ldOut);
        }

        @Override public void l1F32Block(MemorySegment q, long qOff, long qStride, int nq, MemorySegment t, long tOff,
                                         long tStride, int nt, int d, float[] out, int outOff, int ldOut) {
            s.l1F32Block(q, qOff, qStride, nq, t, tOff, tStride, nt, d, out, outOff, ldOut);
        }

        @Override public void l2sqU8Gather(MemorySegment q, long qOff, MemorySegment t, long[] tOffs, int n, int d,
                                           long[] out, int outOff) {
            s.l2sqU8Gather(q, qOff, t, tOffs, n, d, out, outOff);
        }

        @Override public void l1U8Gather(MemorySegment q, long qOff, MemorySegment t, long[] tOffs, int n, int d,
                                         long[] out, int outOff) {
            s.l1U8Gather(q, qOff, t, tOffs, n, d, out, outOff);
        }

        @Override public void linearStripesU8(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a,
                                              MemorySegment b, MemorySegment w, long ldw, int classes, MemorySegment part) {
            s.linearStripesU8(x, rowOffs, rows, d, a, b, w, ldw, classes, part);
        }

        @Override public void linearStripesF32(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a,
                                               MemorySegment b, MemorySegment w, long ldw, int classes, MemorySegment part) {
            s.linearStripesF32(x, rowOffs, rows, d, a, b, w, ldw, classes, part);
        }

        @Override public void linearGradU8(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a,
                                           MemorySegment b, float[] ds, int classes, MemorySegment g, long ldg) {
            s.linearGradU8(x, rowOffs, rows, d, a, b, ds, classes, g, ldg);
        }

        @Override public void linearGradF32(MemorySegment x, long[] rowOffs, int rows, int d, MemorySegment a,
                                            MemorySegment b, float[] ds, int classes, MemorySegment g, long ldg) {
            s.linearGradF32(x, rowOffs, rows, d, a, b, ds, classes, g, ldg);
        }

        @Override public void l1F32Panels(float[] q, int qOff, int qStride, int nq, MemorySegment panels, long panelsOff,
                                          int np, int d, float[] out, int outOff, int ldOut) {
            s.l1F32Panels(q, qOff, qStride, nq, panels, panelsOff, np, d, out, outOff, ldOut);
        }

        @Override public void l2sqF32Panels(float[] q, int qOff, int qStride, int nq, MemorySegment panels,
                                            long panelsOff, int np, int d, float[] out, int outOff, int ldOut) {
            s.l2sqF32Panels(q, qOff, qStride, nq, panels, panelsOff, np, d, out, outOff, ldOut);
        }

        @Override public int firstAtMost(float[] a, int from, int to, float thr) {
            return s.firstAtMost(a, from, to, thr);
        }

        @Override public int indicesAtMost(float[] a, int from, int to, float thr, int[] out) {
            return s.indicesAtMost(a, from, to, thr, out);
        }

        @Override public void accumulateRowsF64(double[] w, int m, int[] rows, double[] x, int n, double[] acc) {
            s.accumulateRowsF64(w, m, rows, x, n, acc);
        }

        @Override public void softmaxRows(MemorySegment x, long off, int rows, int cols) {
            s.softmaxRows(x, off, rows, cols);
        }

        @Override public void softmaxClassMajor(MemorySegment x, long off, int classes, int n) {
            s.softmaxClassMajor(x, off, classes, n);
        }

        @Override public void u8ToF32Fma(MemorySegment src, long srcOff, MemorySegment a, long aOff, MemorySegment b,
                long bOff, MemorySegment dst, long dstOff, int d) {
            s.u8ToF32Fma(src, srcOff, a, aOff, b, bOff, dst, dstOff, d);
        }
    }
}
