package io.vecml.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the {@link Kernels} implementation once per JVM, from the system property
 * {@value #PROPERTY}: {@code auto} (the default), {@code scalar} or {@code simd}.
 *
 * <ul>
 *   <li>{@code auto}: the SIMD kernels when the Vector API is usable with vectors of at least 128
 *       bits, otherwise the scalar reference, with one warning line on {@code System.err}
 *       ({@link #fallback()} is then true).</li>
 *   <li>{@code scalar}: the scalar reference.</li>
 *   <li>{@code simd}: the SIMD kernels, or {@link IllegalStateException} when they are unusable.</li>
 *   <li>anything else: {@link IllegalArgumentException} naming the allowed values.</li>
 * </ul>
 *
 * <p>This class does not import {@code jdk.incubator.vector}: it loads {@code SimdKernels}
 * reflectively, so a JVM started without {@code --add-modules jdk.incubator.vector} still works.
 */
public final class KernelSelection {

    /** The system property read by {@link #current()}. */
    public static final String PROPERTY = "vecml.kernels";

    static final String SIMD_CLASS = "io.vecml.engine.kernels.SimdKernels";
    static final int MIN_VECTOR_BITS = 128;

    private static final Object LOCK = new Object();
    private static volatile KernelSelection current;
    private static volatile Probe probe;

    private final Kernels kernels;
    private final String reason;
    private final boolean fallback;
    private final int vectorBits;
    private final String warning;

    private KernelSelection(Kernels kernels, String reason, boolean fallback, int vectorBits, String warning) {
        this.kernels = kernels;
        this.reason = reason;
        this.fallback = fallback;
        this.vectorBits = vectorBits;
        this.warning = warning;
    }

    /**
     * The selection for this JVM, made on first use. Prints the fallback warning at most once.
     *
     * @throws IllegalArgumentException if {@value #PROPERTY} has an invalid value
     * @throws IllegalStateException if {@code simd} was requested but is unavailable
     */
    public static KernelSelection current() {
        KernelSelection s = current;
        if (s == null) {
            synchronized (LOCK) {
                s = current;
                if (s == null) {
                    // Not cached when it throws: every call reports the same configuration error.
                    s = decide(System.getProperty(PROPERTY), probe());
                    if (s.warning != null) {
                        System.err.println(s.warning);
                    }
                    current = s;
                }
            }
        }
        return s;
    }

    /** Every usable implementation: the scalar reference always, then the SIMD one when it loads. */
    public static List<Kernels> available() {
        Probe p = probe();
        return p.usable() ? List.of(ScalarKernels.INSTANCE, p.simd()) : List.of(ScalarKernels.INSTANCE);
    }

    /** The chosen implementation. */
    public Kernels kernels() {
        return kernels;
    }

    /** Why it was chosen, for humans (e.g. {@code vecml info}). */
    public String reason() {
        return reason;
    }

    /** True when {@code auto} wanted the SIMD kernels but had to use the scalar reference. */
    public boolean fallback() {
        return fallback;
    }

    /** Vector size usable by the SIMD kernels, in bits; 0 when they are unavailable. */
    public int vectorBits() {
        return vectorBits;
    }

    /** The warning line printed for a fallback, or null. */
    String warning() {
        return warning;
    }

    @Override
    public String toString() {
        return kernels.name() + " (" + reason + ")";
    }

    // ---- decision logic (pure, tested directly) -------------------------------------------------

    /**
     * What the probe found: the SIMD implementation when usable ({@code simd != null}), otherwise
     * the problem and a hint on how to fix it.
     */
    record Probe(Kernels simd, int vectorBits, String problem, String hint) {
        boolean usable() {
            return simd != null;
        }

        static Probe usable(Kernels simd, int vectorBits) {
            return new Probe(simd, vectorBits, null, null);
        }

        static Probe unusable(int vectorBits, String problem, String hint) {
            return new Probe(null, vectorBits, problem, hint);
        }
    }

    /** The selection for a property value (null or blank means auto) and a probe result. */
    static KernelSelection decide(String property, Probe p) {
        String value = property == null ? "" : property.strip().toLowerCase(Locale.ROOT);
        int bits = p.usable() ? p.vectorBits() : 0;
        switch (value) {
            case "", "auto" -> {
                if (p.usable()) {
                    return new KernelSelection(p.simd(), "auto: Vector API available, " + shape(p.vectorBits()),
                            false, bits, null);
                }
                String warning = "vecml: warning: SIMD kernels unavailable (" + p.problem()
                        + "); using the scalar reference. " + p.hint();
                return new KernelSelection(ScalarKernels.INSTANCE,
                        "auto: fell back to scalar because " + p.problem(), true, 0, warning);
            }
            case "scalar" -> {
                return new KernelSelection(ScalarKernels.INSTANCE,
                        "scalar: requested by -D" + PROPERTY + "=scalar", false, bits, null);
            }
            case "simd" -> {
                if (!p.usable()) {
                    throw new IllegalStateException("-D" + PROPERTY + "=simd was requested but the SIMD kernels are"
                            + " unavailable: " + p.problem() + ". " + p.hint());
                }
                return new KernelSelection(p.simd(),
                        "simd: requested by -D" + PROPERTY + "=simd, " + shape(p.vectorBits()), false, bits, null);
            }
            default -> throw new IllegalArgumentException("invalid -D" + PROPERTY + "=" + property
                    + ": expected one of auto, scalar, simd");
        }
    }

    private static String shape(int bits) {
        return bits + "-bit species (" + bits / Float.SIZE + " float lanes)";
    }

    // ---- probing the SIMD implementation ------------------------------------------------------

    static Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (LOCK) {
                p = probe;
                if (p == null) {
                    p = probeSimd(SIMD_CLASS);
                    probe = p;
                }
            }
        }
        return p;
    }

    private static final String ADD_MODULES_HINT = "Run with --add-modules jdk.incubator.vector.";

    /** Loads the named SIMD implementation reflectively and runs a tiny self-check. */
    static Probe probeSimd(String className) {
        try {
            Class<?> c = Class.forName(className, true, KernelSelection.class.getClassLoader());
            int bits = (Integer) c.getMethod("vectorBits").invoke(null);
            if (bits < MIN_VECTOR_BITS) {
                return Probe.unusable(0, "the preferred vector size is " + bits + " bits, below " + MIN_VECTOR_BITS,
                        "The CPU or JVM flags (-XX:UseAVX, -XX:MaxVectorSize) offer no useful SIMD;"
                                + " use -D" + PROPERTY + "=scalar to silence this warning.");
            }
            Kernels simd = (Kernels) c.getField("INSTANCE").get(null);
            String failure = selfCheck(simd);
            if (failure != null) {
                return Probe.unusable(0, "self-check failed: " + failure,
                        "Please report this with `java -version` and the CPU model; use -D" + PROPERTY + "=scalar.");
            }
            return Probe.usable(simd, bits);
        } catch (InvocationTargetException e) {
            return unusable(e.getCause() != null ? e.getCause() : e);
        } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
            return unusable(e);
        }
    }

    private static Probe unusable(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String what = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        boolean moduleMissing = root instanceof NoClassDefFoundError || root instanceof ClassNotFoundException;
        return Probe.unusable(0, (moduleMissing ? "the Vector API is not loaded, " : "") + what,
                moduleMissing ? ADD_MODULES_HINT
                        : ADD_MODULES_HINT + " Use -D" + PROPERTY + "=scalar to silence this.");
    }

    /** Small integer-valued inputs (exact in float) through a few kernels, including tails. */
    private static String selfCheck(Kernels simd) {
        int d = 77;
        float[] fa = new float[d];
        float[] fb = new float[d];
        byte[] ba = new byte[d];
        byte[] bb = new byte[d];
        long dot = 0;
        long l1 = 0;
        for (int i = 0; i < d; i++) {
            fa[i] = i % 7 - 3;
            fb[i] = i % 5 - 2;
            dot += (long) (i % 7 - 3) * (i % 5 - 2);
            ba[i] = (byte) (i * 37);
            bb[i] = (byte) (255 - i * 11);
            l1 += Math.abs((ba[i] & 0xFF) - (bb[i] & 0xFF));
        }
        float gotDot = simd.dotF32(MemorySegment.ofArray(fa), 0, MemorySegment.ofArray(fb), 0, d);
        if (gotDot != dot) {
            return "dotF32 gave " + gotDot + ", expected " + dot;
        }
        long gotL1 = simd.l1U8(MemorySegment.ofArray(ba), 0, MemorySegment.ofArray(bb), 0, d);
        if (gotL1 != l1) {
            return "l1U8 gave " + gotL1 + ", expected " + l1;
        }
        return null;
    }
}
