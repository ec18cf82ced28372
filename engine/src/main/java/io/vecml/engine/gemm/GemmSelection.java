package io.vecml.engine.gemm;

import io.vecml.blas.OpenBlas;
import io.vecml.blas.OpenBlasLoader;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the GEMM implementation once per JVM from {@code -Dvecml.gemm=auto|openblas|java}
 * (default auto: OpenBLAS when it loads, else the Java GEMM, announced once on stderr).
 *
 * @param choice   the implementation name: "openblas" or "java"
 * @param reason   why it was chosen, for {@code vecml info}
 * @param fallback true when auto wanted OpenBLAS and could not load it
 * @param openblas the loader's outcome (every attempt, even when Java was requested)
 */
public record GemmSelection(String choice, String reason, boolean fallback, OpenBlasLoader.Result openblas) {

    private static volatile GemmSelection current;

    /** The JVM-wide choice, made on first use. */
    public static GemmSelection current() {
        GemmSelection s = current;
        if (s == null) {
            synchronized (GemmSelection.class) {
                s = current;
                if (s == null) {
                    s = decide(System.getProperty("vecml.gemm", "auto"), OpenBlasLoader.load());
                    if (s.fallback) {
                        System.err.println("vecml: warning: " + s.reason);
                    }
                    current = s;
                }
            }
        }
        return s;
    }

    static GemmSelection decide(String property, OpenBlasLoader.Result blas) {
        String want = property == null ? "auto" : property.trim().toLowerCase(Locale.ROOT);
        switch (want) {
            case "", "auto" -> {
                if (blas.blas().isPresent()) {
                    OpenBlas b = blas.blas().get();
                    String tuned = b.tuned() ? "" : " (warning: not a tuned build, core " + b.coreName() + ")";
                    return new GemmSelection("openblas", "auto: " + b + tuned, false, blas);
                }
                return new GemmSelection("java", "OpenBLAS unavailable, using the pure-Java GEMM (several times slower): "
                        + blas.summary() + ".", true, blas);
            }
            case "openblas" -> {
                if (blas.blas().isEmpty()) {
                    throw new IllegalStateException("-Dvecml.gemm=openblas but " + blas.summary());
                }
                return new GemmSelection("openblas", "requested by -Dvecml.gemm=openblas: " + blas.blas().get(), false, blas);
            }
            case "java" -> {
                return new GemmSelection("java", "requested by -Dvecml.gemm=java", false, blas);
            }
            default -> throw new IllegalArgumentException(
                    "-Dvecml.gemm=" + property + " is not one of auto, openblas, java");
        }
    }

    /** The loaded OpenBLAS, if any (whether or not it was chosen). */
    public Optional<OpenBlas> blas() {
        return openblas.blas();
    }

    /** A GEMM of the chosen kind using {@code threads} threads per call. */
    public Gemm create(int threads) {
        return choice.equals("openblas") ? new OpenBlasGemm(openblas.blas().orElseThrow(), threads) : new JavaGemm(threads);
    }
}
