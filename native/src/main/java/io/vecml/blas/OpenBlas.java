package io.vecml.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loaded OpenBLAS library: typed, argument-checked wrappers over the few C calls vecml needs.
 *
 * <p>Obtain it with {@link OpenBlasLoader#load()}, which tries the lookup order and remembers the
 * outcome for the life of the JVM. Matrices passed to {@link #sgemm} must be native (off-heap)
 * segments: the call is long, so {@code Linker.Option.critical} (which would allow heap arrays) is
 * deliberately not used.
 */
public final class OpenBlas {

    private static final Linker LINKER = Linker.nativeLinker();

    private final Path path;
    private final String source;
    private final MethodHandle sgemm;
    /** {@code cblas_sbgemm}, or null when this build does not export it (built without BUILD_BFLOAT16). */
    private final MethodHandle sbgemm;
    private final MethodHandle getConfig;
    private final MethodHandle getCorename;
    private final MethodHandle getNumThreads;
    private final MethodHandle setNumThreads;
    private final MethodHandle getParallel;
    private final String config;
    private final String coreName;
    private final String coreOrigin;
    private final String cpuCore;

    OpenBlas(SymbolLookup lookup, Path path, String source, CoreTypes.Request core) {
        this.path = path;
        this.source = source;
        this.sgemm = handle(lookup, "cblas_sgemm", FunctionDescriptor.ofVoid(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        // Same C signature as cblas_sgemm, with bfloat16 (uint16) A and B: the ABI is identical.
        this.sbgemm = lookup.find("cblas_sbgemm").map(sym -> LINKER.downcallHandle(sym, FunctionDescriptor.ofVoid(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT))).orElse(null);
        this.getConfig = handle(lookup, "openblas_get_config", FunctionDescriptor.of(ValueLayout.ADDRESS));
        this.getCorename = handle(lookup, "openblas_get_corename", FunctionDescriptor.of(ValueLayout.ADDRESS));
        this.getNumThreads = handle(lookup, "openblas_get_num_threads", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        this.setNumThreads = handle(lookup, "openblas_set_num_threads", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        this.getParallel = handle(lookup, "openblas_get_parallel", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        this.config = cString(getConfig);
        this.coreName = cString(getCorename);
        this.coreOrigin = CoreTypes.origin(core, coreName, config);
        this.cpuCore = core.cpuCore();
        if (config.contains("USE64BITINT")) {
            // The wrappers pass 32-bit ints; an ILP64 build would read garbage dimensions.
            throw new IllegalStateException("this OpenBLAS uses 64-bit integers (" + config
                    + "); vecml calls the LP64 (32-bit int) interface");
        }
    }

    private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        Optional<MemorySegment> sym = lookup.find(name);
        if (sym.isEmpty()) {
            throw new IllegalStateException("symbol " + name + " not found (is this OpenBLAS?)");
        }
        return LINKER.downcallHandle(sym.get(), fd);
    }

    private static String cString(MethodHandle h) {
        try {
            MemorySegment p = (MemorySegment) h.invokeExact();
            if (p.equals(MemorySegment.NULL)) {
                return "";
            }
            return p.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException("calling OpenBLAS failed: " + t, t);
        }
    }

    /** The file that was loaded. */
    public Path path() {
        return path;
    }

    /** Where it was found: "explicit", "system" or "bundled". */
    public String source() {
        return source;
    }

    /** {@code openblas_get_config()}, e.g. "OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64". */
    public String config() {
        return config;
    }

    /** The version number parsed from {@link #config()}, or "unknown". */
    public String version() {
        Matcher m = Pattern.compile("OpenBLAS\\s+([0-9][0-9A-Za-z.\\-]*)").matcher(config);
        return m.find() ? m.group(1) : "unknown";
    }

    /** {@code openblas_get_corename()}: the kernel set chosen for this CPU, e.g. "Zen" or "Haswell". */
    public String coreName() {
        return coreName;
    }

    /**
     * Why {@link #coreName()}: "OpenBLAS's own CPU detection", "OPENBLAS_CORETYPE=Haswell from the
     * environment", "OPENBLAS_CORETYPE=Cooperlake set by vecml (...)" or "fixed when this library was
     * built (...)", followed by the better core this CPU could run when there is one (see {@link CoreTypes}).
     */
    public String coreOrigin() {
        return coreOrigin;
    }

    /** The best core this CPU's flags allow ({@link CoreTypes#cpuCore}), e.g. "Cooperlake". */
    public String cpuCore() {
        return cpuCore;
    }

    /**
     * A tuned OpenBLAS has kernels for a real CPU core type. A generic (Prescott/"generic") core,
     * or a library that does not identify as OpenBLAS, runs several times slower.
     */
    public boolean tuned() {
        String core = coreName.toLowerCase(Locale.ROOT);
        return config.startsWith("OpenBLAS") && !core.isEmpty() && !core.equals("generic")
                && !core.equals("prescott") && !core.equals("unknown");
    }

    /** {@code openblas_get_parallel()}: 0 sequential build, 1 pthreads, 2 OpenMP. */
    public int parallelMode() {
        try {
            return (int) getParallel.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_get_parallel failed", t);
        }
    }

    public int numThreads() {
        try {
            return (int) getNumThreads.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_get_num_threads failed", t);
        }
    }

    /** Sets OpenBLAS's thread count for later calls (process-wide). */
    public void setNumThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("OpenBLAS thread count must be >= 1, got " + threads);
        }
        try {
            setNumThreads.invokeExact(threads);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    /**
     * {@code cblas_sgemm}: C = alpha * op(A) * op(B) + beta * C in the given storage order.
     * Segments must be native; offsets and leading dimensions count floats.
     */
    public void sgemm(Layout layout, boolean transA, boolean transB, int m, int n, int k, float alpha,
                      MemorySegment a, long aOff, int lda,
                      MemorySegment b, long bOff, int ldb,
                      float beta, MemorySegment c, long cOff, int ldc) {
        SgemmArgs.check(layout, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        MemorySegment pa = pointer("A", a, aOff, m > 0 && k > 0);
        MemorySegment pb = pointer("B", b, bOff, k > 0 && n > 0);
        MemorySegment pc = pointer("C", c, cOff, true);
        try {
            sgemm.invokeExact(layout.cblas, Transpose.of(transA).cblas, Transpose.of(transB).cblas,
                    m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }

    /**
     * Whether this library exports {@code cblas_sbgemm} (OpenBLAS built with BUILD_BFLOAT16=1). Whether
     * it is fast depends on the CPU too (AVX512_BF16 or AMX): the caller decides, see the engine's
     * GEMM selection.
     */
    public boolean hasSbgemm() {
        return sbgemm != null;
    }

    /**
     * {@code cblas_sbgemm}: C = alpha * op(A) * op(B) + beta * C with A and B in bfloat16 (the upper
     * 16 bits of a float32, 2 bytes each) and C in float32; OpenBLAS accumulates in float32.
     * Offsets and leading dimensions count elements (bfloat16 values in A and B, floats in C).
     *
     * @throws UnsupportedOperationException when {@link #hasSbgemm()} is false
     */
    public void sbgemm(Layout layout, boolean transA, boolean transB, int m, int n, int k, float alpha,
                       MemorySegment a, long aOff, int lda,
                       MemorySegment b, long bOff, int ldb,
                       float beta, MemorySegment c, long cOff, int ldc) {
        if (sbgemm == null) {
            throw new UnsupportedOperationException("cblas_sbgemm is not exported by " + path
                    + " (OpenBLAS built without BUILD_BFLOAT16)");
        }
        SgemmArgs.checkBf16(layout, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        MemorySegment pa = bytePointer("sbgemm", "A", a, aOff * 2, m > 0 && k > 0);
        MemorySegment pb = bytePointer("sbgemm", "B", b, bOff * 2, k > 0 && n > 0);
        MemorySegment pc = bytePointer("sbgemm", "C", c, cOff * Float.BYTES, true);
        try {
            sbgemm.invokeExact(layout.cblas, Transpose.of(transA).cblas, Transpose.of(transB).cblas,
                    m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sbgemm failed", t);
        }
    }

    private static MemorySegment pointer(String name, MemorySegment seg, long off, boolean used) {
        return bytePointer("sgemm", name, seg, off * Float.BYTES, used);
    }

    /** seg + byteOff as a native pointer for a call of fn. */
    private static MemorySegment bytePointer(String fn, String name, MemorySegment seg, long byteOff, boolean used) {
        if (!used) {
            // With k == 0 BLAS does not read A or B, but it still wants a pointer.
            return seg == null || !seg.isNative() ? MemorySegment.NULL : seg;
        }
        if (!seg.isNative()) {
            throw new IllegalArgumentException(fn + ": matrix " + name
                    + " is a heap segment; OpenBLAS needs native (off-heap) memory, e.g. from an Arena");
        }
        return seg.asSlice(byteOff);
    }

    @Override
    public String toString() {
        return "OpenBLAS " + version() + " (" + coreName + ", " + numThreads() + " threads, " + source + ") from " + path;
    }

    static Arena libraryArena() {
        return Arena.global();
    }
}
