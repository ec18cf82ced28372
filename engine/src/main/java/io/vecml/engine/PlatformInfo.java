package io.vecml.engine;

import io.vecml.blas.OpenBlas;
import io.vecml.engine.gemm.Bf16Selection;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What vecml runs on and what it chose: JDK, CPU, vector width, kernel and GEMM implementations
 * with the reasons, and the OpenBLAS that was (or was not) loaded. Plain data for {@code vecml info}.
 */
public record PlatformInfo(
        String javaVersion, String javaVendor, String javaHome, String os, String arch, int cpus,
        String cpuModel, Map<String, Boolean> cpuFlags,
        int vectorBits, String kernels, String kernelsReason, boolean kernelsFallback,
        String gemm, String gemmReason, boolean gemmFallback,
        String bf16Gemm, String bf16Reason,
        OpenBlasInfo openblas) {

    /** The CPU features that matter to vecml's kernels. */
    public static final List<String> FLAGS = List.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw",
            "avx512_vnni", "avx512_bf16");

    /** The OpenBLAS part; fields other than {@code loaded} and {@code attempts} are null when not loaded. */
    public record OpenBlasInfo(boolean loaded, String path, String source, String version, String coreName,
                               String coreOrigin, Integer threads, Boolean tuned, String config, List<String> attempts) {
    }

    public static PlatformInfo collect() {
        KernelSelection ks = KernelSelection.current();
        GemmSelection gs = GemmSelection.current();
        Bf16Selection bf = Bf16Selection.current();
        OpenBlasInfo ob;
        if (gs.blas().isPresent()) {
            OpenBlas b = gs.blas().get();
            ob = new OpenBlasInfo(true, b.path().toString(), b.source(), b.version(), b.coreName(), b.coreOrigin(), b.numThreads(),
                    b.tuned(), b.config(), gs.openblas().attempts().stream().map(Object::toString).toList());
        } else {
            ob = new OpenBlasInfo(false, null, null, null, null, null, null, null, null,
                    gs.openblas().attempts().stream().map(Object::toString).toList());
        }
        Map<String, String> cpu = cpuInfo();
        Set<String> flags = Set.of(cpu.getOrDefault("flags", "").split("\\s+"));
        Map<String, Boolean> f = new LinkedHashMap<>();
        for (String name : FLAGS) {
            f.put(name, flags.contains(name));
        }
        return new PlatformInfo(Runtime.version().toString(), System.getProperty("java.vendor"),
                System.getProperty("java.home"), System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(),
                cpu.getOrDefault("model name", "unknown"), f,
                ks.vectorBits(), ks.kernels().name(), ks.reason(), ks.fallback(),
                gs.choice(), gs.reason(), gs.fallback(), bf.choice(), bf.reason(), ob);
    }

    /** The first processor's entries of /proc/cpuinfo (empty where there is none). */
    static Map<String, String> cpuInfo() {
        Map<String, String> m = new LinkedHashMap<>();
        Path p = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(p)) {
            return m;
        }
        try (Stream<String> lines = Files.lines(p)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isBlank()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    m.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return m;
        }
        return m;
    }
}
