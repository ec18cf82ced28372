package io.vecml.engine.gemm;

import io.vecml.blas.OpenBlas;
import io.vecml.blas.OpenBlasLoader;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which BLAS this run uses, for every report ({@code --json} of every command, bench and demo text):
 * the GEMM chosen (OpenBLAS or the pure-Java fallback), what was asked for ({@code vecml.openblas} =
 * bundled, system or a path) and, when OpenBLAS loaded, where it came from, its file, version, core
 * type and configuration. So a result can always be traced to the library that produced it.
 *
 * @param gemm      the GEMM in use: "openblas" or "java"
 * @param requested the value of {@code vecml.openblas} / {@code VECML_OPENBLAS} ("bundled" by default)
 * @param loaded    whether OpenBLAS loaded (it may load and still not be used, with -Dvecml.gemm=java)
 * @param source    "bundled", "system" or "explicit"; null when not loaded
 * @param path      the library file; null when not loaded
 * @param version   e.g. "0.3.31"; null when not loaded
 * @param core      OpenBLAS's kernel set for this CPU, e.g. "Cooperlake"; null when not loaded
 * @param coreOrigin why that core: OpenBLAS's own detection, OPENBLAS_CORETYPE from the environment or set by
 *                  vecml ({@code -Dvecml.openblas.coretype}), or fixed at build time; then the better core the
 *                  CPU could run, if any; null when not loaded
 * @param config    {@code openblas_get_config()}; null when not loaded
 * @param environment the OpenBLAS-related environment variables as the process started with them
 *                  ({@code OPENBLAS_*}, {@code GOTO_*}, {@code OMP_NUM_THREADS}), sorted; empty when none
 * @param reason    why this GEMM was chosen (names the failed attempts of a fallback)
 */
public record BlasReport(String gemm, String requested, boolean loaded, String source, String path, String version,
        String core, String coreOrigin, String config, Map<String, String> environment, String reason) {

    public BlasReport {
        environment = environment == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(environment));
    }

    /** The report of this JVM's choice (loads OpenBLAS on first use, as any GEMM would). */
    public static BlasReport current() {
        return of(GemmSelection.current());
    }

    static BlasReport of(GemmSelection s) {
        if (s.blas().isPresent()) {
            OpenBlas b = s.blas().get();
            return new BlasReport(s.choice(), OpenBlasLoader.choice(), true, b.source(), b.path().toString(),
                    b.version(), b.coreName(), b.coreOrigin(), b.config(), environment(System.getenv()), s.reason());
        }
        return new BlasReport(s.choice(), OpenBlasLoader.choice(), false, null, null, null, null, null, null,
                environment(System.getenv()), s.reason());
    }

    /** The entries of {@code env} that change what OpenBLAS does. */
    static Map<String, String> environment(Map<String, String> env) {
        Map<String, String> m = new TreeMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("OPENBLAS_") || k.startsWith("GOTO_") || k.equals("OMP_NUM_THREADS")) {
                m.put(k, v);
            }
        });
        return m;
    }

    /**
     * One line: "OpenBLAS 0.3.31 (bundled, core Cooperlake: OpenBLAS's own CPU detection) from
     * /tmp/.../libopenblas.so.0" or the Java fallback.
     */
    public String describe() {
        String lib = loaded ? "OpenBLAS " + version + " (" + source + ", core " + core + ": " + coreOrigin + ") from "
                + path : null;
        if (gemm.equals("openblas")) {
            return lib;
        }
        return "pure-Java GEMM (" + (loaded ? "OpenBLAS loaded but not used: " + lib : "no OpenBLAS: " + reason) + ")";
    }
}
