package io.vecml.engine.gemm;

import io.vecml.blas.CoreTypes;
import io.vecml.blas.OpenBlas;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether uint8 L2 kNN multiplies in bfloat16 ({@link Bf16Gemm}) instead of float32, decided once per
 * JVM from {@code -Dvecml.bf16=auto|openblas|java|off} (default auto), the CPU and the loaded OpenBLAS:
 * <ul>
 *   <li>{@code auto}: OpenBLAS's {@code cblas_sbgemm} when the GEMM chosen is OpenBLAS, the library
 *       exports {@code cblas_sbgemm} (built with BUILD_BFLOAT16) and the CPU has {@code avx512_bf16}
 *       (without it sbgemm has no fast kernel); otherwise off, with the reason;</li>
 *   <li>{@code openblas}: {@code cblas_sbgemm} whatever the CPU (an error when it is not exported);</li>
 *   <li>{@code java}: {@link JavaBf16Gemm}, the portable reference (slow: for tests and comparisons);</li>
 *   <li>{@code off}: float32 sgemm.</li>
 * </ul>
 * {@code vecml info} shows the choice and the reason; the first kNN search that uses sbgemm says so
 * once on stderr.
 *
 * @param choice    "openblas", "java" or "off"
 * @param reason    why, naming what was probed
 * @param cpuBf16   whether /proc/cpuinfo lists avx512_bf16
 * @param sbgemm    whether the loaded OpenBLAS exports cblas_sbgemm
 */
public record Bf16Selection(String choice, String reason, boolean cpuBf16, boolean sbgemm) {

    private static volatile Bf16Selection current;
    private static volatile boolean announced;

    /** The JVM-wide choice, made on first use. */
    public static Bf16Selection current() {
        Bf16Selection s = current;
        if (s == null) {
            synchronized (Bf16Selection.class) {
                s = current;
                if (s == null) {
                    GemmSelection g = GemmSelection.current();
                    Optional<OpenBlas> blas = g.blas().filter(b -> g.choice().equals("openblas"));
                    s = decide(System.getProperty("vecml.bf16", "auto"), g.choice(),
                            blas.map(b -> "OpenBLAS " + b.version() + " (" + b.source() + ", " + b.path() + ")")
                                    .orElse(null),
                            blas.map(OpenBlas::hasSbgemm).orElse(false), cpuHasBf16());
                    current = s;
                }
            }
        }
        return s;
    }

    /**
     * The decision for a property value, the chosen GEMM ("openblas" or "java"), the OpenBLAS in use
     * ({@code lib} describes it, null when none or not chosen), whether it exports
     * {@code cblas_sbgemm} and whether the CPU has avx512_bf16.
     */
    public static Bf16Selection decide(String property, String gemmChoice, String lib, boolean sbgemmExported,
                                       boolean cpuBf16) {
        String want = property == null ? "auto" : property.trim().toLowerCase(Locale.ROOT);
        boolean sb = lib != null && sbgemmExported;
        String cpu = cpuBf16 ? "the CPU has avx512_bf16" : "the CPU lacks avx512_bf16";
        return switch (want) {
            case "", "auto" -> {
                if (!gemmChoice.equals("openblas") || lib == null) {
                    yield new Bf16Selection("off", "auto: float32 sgemm (the GEMM is " + gemmChoice
                            + ", cblas_sbgemm needs OpenBLAS); " + cpu, cpuBf16, false);
                }
                if (!sb) {
                    yield new Bf16Selection("off", "auto: float32 sgemm (" + lib + " does not export cblas_sbgemm:"
                            + " built without BUILD_BFLOAT16); " + cpu, cpuBf16, false);
                }
                if (!cpuBf16) {
                    yield new Bf16Selection("off", "auto: float32 sgemm (" + lib + " exports cblas_sbgemm, but "
                            + cpu + ", so it would have no fast kernel)", false, true);
                }
                yield new Bf16Selection("openblas", "auto: cblas_sbgemm of " + lib + " for uint8 L2 kNN (" + cpu
                        + "; uint8 is exact in bfloat16, sums in float32)", true, true);
            }
            case "openblas" -> {
                if (!sb) {
                    throw new IllegalStateException("-Dvecml.bf16=openblas but " + (lib == null
                            ? "OpenBLAS is not the GEMM in use" : lib + " does not export cblas_sbgemm"));
                }
                yield new Bf16Selection("openblas", "requested by -Dvecml.bf16=openblas: cblas_sbgemm of " + lib
                        + " (" + cpu + ")", cpuBf16, true);
            }
            case "java" -> new Bf16Selection("java", "requested by -Dvecml.bf16=java: bfloat16 operands widened to"
                    + " float32 in Java (a reference, slower than sgemm)", cpuBf16, sb);
            case "off" -> new Bf16Selection("off", "requested by -Dvecml.bf16=off: float32 sgemm", cpuBf16, sb);
            default -> throw new IllegalArgumentException(
                    "-Dvecml.bf16=" + property + " is not one of auto, openblas, java, off");
        };
    }

    /** Whether uint8 L2 GEMM tiles multiply in bfloat16. */
    public boolean active() {
        return !choice.equals("off");
    }

    /**
     * A bfloat16 GEMM of this choice with {@code threads} threads per call (empty when off).
     * {@code gemm} is the float32 GEMM that {@link JavaBf16Gemm} wraps.
     */
    public Optional<Bf16Gemm> create(int threads, Gemm gemm) {
        return switch (choice) {
            case "openblas" -> Optional.of(new OpenBlasBf16Gemm(GemmSelection.current().blas().orElseThrow(), threads));
            case "java" -> Optional.of(new JavaBf16Gemm(gemm));
            default -> Optional.empty();
        };
    }

    /** Says once per JVM on stderr that a search multiplies in bfloat16, and how to turn it off. */
    public void announce() {
        if (active() && !announced) {
            synchronized (Bf16Selection.class) {
                if (!announced) {
                    announced = true;
                    System.err.println("vecml: note: uint8 L2 kNN multiplies in bfloat16 (" + reason
                            + "); -Dvecml.bf16=off for float32");
                }
            }
        }
    }

    /** Whether the first processor in /proc/cpuinfo lists avx512_bf16 (false where there is none). */
    static boolean cpuHasBf16() {
        return CoreTypes.cpuFlags().contains("avx512_bf16");
    }
}
