package io.vecml.blas;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * OpenBLAS's kernel set ("core type") for this CPU: which one the CPU's instruction sets allow, which
 * one a library chose and why, and the explicit switch {@code -Dvecml.openblas.coretype}.
 *
 * <p>A DYNAMIC_ARCH OpenBLAS (the bundled one is) picks its kernels once, when it is loaded: from the
 * environment variable {@code OPENBLAS_CORETYPE} when set, else from the CPU id (and, for a CPU family
 * it does not know, from its feature bits: OpenBLAS 0.3.31 does not list AMD family 26, Zen 5, and
 * reaches Cooperlake through that fallback on an AVX512_BF16 CPU). vecml does not second-guess that
 * by default: it only reports where the core came from and says when the CPU could run a better one
 * (typically because {@code OPENBLAS_CORETYPE} is set in the environment to an older core).
 *
 * <p>{@code -Dvecml.openblas.coretype=NAME} (or {@code VECML_OPENBLAS_CORETYPE}) sets
 * {@code OPENBLAS_CORETYPE=NAME} in the process environment (libc {@code setenv}, before the library
 * is loaded), replacing any value inherited from the environment; {@code cpu} means the best core
 * that the CPU's flags allow ({@link #cpuCore}); {@code auto} (the default) leaves the environment
 * alone. A core that needs instructions the CPU lacks is refused (its kernels would die on an illegal
 * instruction).
 */
public final class CoreTypes {

    /** The system property; the environment variable is {@code VECML_OPENBLAS_CORETYPE}. */
    public static final String PROPERTY = "vecml.openblas.coretype";
    static final String ENV = "OPENBLAS_CORETYPE";

    private CoreTypes() {
    }

    /**
     * What was asked of the core type before loading, and what vecml did about it.
     *
     * @param property the value of {@code vecml.openblas.coretype} ("auto" when unset)
     * @param inherited {@code OPENBLAS_CORETYPE} as found in the environment, null when unset
     * @param applied  the value vecml set {@code OPENBLAS_CORETYPE} to, null when it set nothing
     * @param cpuCore  the best core this CPU's flags allow
     */
    public record Request(String property, String inherited, String applied, String cpuCore) {

        /** Nothing asked, nothing set (a lookup outside {@link OpenBlasLoader#load()}). */
        static Request none() {
            return new Request("auto", System.getenv(ENV), null, CoreTypes.cpuCore(cpuFlags()));
        }
    }

    /**
     * The instruction-set level a core's kernels need: 0 SSE (Prescott and older), 1 AVX, 2 AVX2+FMA,
     * 3 AVX-512 (F/CD/BW/DQ/VL), 4 AVX-512 with BF16, 5 AMX (Sapphire Rapids); -1 for a name this
     * table does not know.
     */
    public static int level(String core) {
        return switch (core == null ? "" : core.trim().toLowerCase(Locale.ROOT)) {
            case "sapphirerapids" -> 5;
            case "cooperlake" -> 4;
            case "skylakex" -> 3;
            case "haswell", "zen" -> 2;
            case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator" -> 1;
            case "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "nano", "barcelona", "bobcat",
                 "opteron", "opteron(sse3)", "katmai", "coppermine", "northwood", "banias", "athlon", "generic" -> 0;
            default -> -1;
        };
    }

    /** The instruction-set level (as {@link #level}) that a CPU with these /proc/cpuinfo flags supports. */
    public static int cpuLevel(Set<String> flags) {
        boolean avx512 = flags.containsAll(Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"));
        if (avx512 && flags.contains("avx512_bf16") && flags.containsAll(Set.of("amx_tile", "amx_bf16"))) {
            return 5;
        }
        if (avx512 && flags.contains("avx512_bf16")) {
            return 4;
        }
        if (avx512) {
            return 3;
        }
        if (flags.containsAll(Set.of("avx2", "fma"))) {
            return 2;
        }
        return flags.contains("avx") ? 1 : 0;
    }

    /**
     * The best x86-64 OpenBLAS core a CPU with these flags can run: Cooperlake (AVX-512 with BF16),
     * SkylakeX (AVX-512), Haswell (AVX2), Sandybridge (AVX) or Prescott. Sapphire Rapids (AMX) is not
     * chosen here: Cooperlake is its subset, and OpenBLAS 0.3.31 does not accept the name as
     * OPENBLAS_CORETYPE.
     */
    public static String cpuCore(Set<String> flags) {
        return switch (Math.min(cpuLevel(flags), 4)) {
            case 4 -> "Cooperlake";
            case 3 -> "SkylakeX";
            case 2 -> "Haswell";
            case 1 -> "Sandybridge";
            default -> "Prescott";
        };
    }

    /**
     * Decides what to set before loading: {@code property} is {@code vecml.openblas.coretype} (null or
     * "auto": nothing), {@code inherited} the environment's {@code OPENBLAS_CORETYPE}, {@code flags} the
     * CPU's; {@code setenv} is called with ("OPENBLAS_CORETYPE", value) when a value is to be set.
     *
     * @throws IllegalArgumentException for a core name OpenBLAS does not know or one the CPU cannot run
     */
    static Request prepare(String property, String inherited, Set<String> flags, BiConsumer<String, String> setenv) {
        String want = property == null || property.isBlank() ? "auto" : property.trim();
        String cpu = cpuCore(flags);
        if (want.equalsIgnoreCase("auto")) {
            return new Request("auto", inherited, null, cpu);
        }
        String core = want.equalsIgnoreCase("cpu") ? cpu : want;
        int level = level(core);
        if (level < 0 || level == 5) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + want + " is not auto, cpu or an x86-64"
                    + " OpenBLAS core name (e.g. Cooperlake, SkylakeX, Haswell, Zen, Sandybridge, Prescott)");
        }
        if (level > cpuLevel(flags)) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + want + ": the " + core + " kernels need "
                    + isa(level) + ", which this CPU lacks (it supports up to " + cpu + ")");
        }
        setenv.accept(ENV, core);
        return new Request(want, inherited, core, cpu);
    }

    /**
     * Why the loaded library runs {@code core}, for reports: set by vecml, inherited from the
     * environment, OpenBLAS's own detection, or fixed at build time; then, when the CPU could run a
     * core of a higher level, which one and how to get it.
     */
    public static String origin(Request req, String core, String config) {
        boolean dynamic = config != null && config.contains("DYNAMIC_ARCH");
        String why;
        if (!dynamic) {
            why = "fixed when this library was built (not a DYNAMIC_ARCH build, OPENBLAS_CORETYPE has no effect)";
        } else if (req.applied() != null) {
            why = "OPENBLAS_CORETYPE=" + req.applied() + " set by vecml (-D" + PROPERTY + "=" + req.property() + ")"
                    + (req.inherited() != null ? ", replacing OPENBLAS_CORETYPE=" + req.inherited()
                    + " from the environment" : "");
            if (!req.applied().equalsIgnoreCase(core)) {
                why += "; OpenBLAS chose " + core + " instead (a name it does not take, or kernels it was built without)";
            }
        } else if (req.inherited() != null) {
            why = "OPENBLAS_CORETYPE=" + req.inherited() + " from the environment";
        } else {
            why = "OpenBLAS's own CPU detection";
        }
        int have = level(core);
        int best = level(req.cpuCore());
        if (dynamic && have >= 0 && have < best) {
            why += "; this CPU can run " + req.cpuCore() + " (" + isa(best) + ")"
                    + (req.applied() == null && req.inherited() != null ? ": unset OPENBLAS_CORETYPE or" : ":")
                    + " use -D" + PROPERTY + "=cpu";
        }
        return why;
    }

    private static String isa(int level) {
        return switch (level) {
            case 5 -> "AMX";
            case 4 -> "AVX-512 with BF16";
            case 3 -> "AVX-512";
            case 2 -> "AVX2 and FMA";
            case 1 -> "AVX";
            default -> "SSE3";
        };
    }

    /** The value of {@code vecml.openblas.coretype}, else of {@code VECML_OPENBLAS_CORETYPE}, else "auto". */
    static String property() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv("VECML_OPENBLAS_CORETYPE");
        }
        return p == null || p.isBlank() ? "auto" : p.trim();
    }

    /** The first processor's flags in /proc/cpuinfo (empty where there is none). */
    public static Set<String> cpuFlags() {
        Path p = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(p)) {
            return Set.of();
        }
        try (Stream<String> lines = Files.lines(p)) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> Set.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+")))
                    .orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    /**
     * libc {@code setenv(name, value, 1)}: visible to native code's {@code getenv} (OpenBLAS reads it when
     * loaded), not to {@link System#getenv}, which the JVM copied at start. Called once, before the
     * library is loaded and only when asked for.
     */
    static void setenv(String name, String value) {
        Linker linker = Linker.nativeLinker();
        MemorySegment sym = linker.defaultLookup().find("setenv")
                .orElseThrow(() -> new IllegalStateException("libc setenv not found"));
        MethodHandle h = linker.downcallHandle(sym, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) h.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1);
            if (rc != 0) {
                throw new IllegalStateException("setenv(" + name + ") failed");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setenv(" + name + ") failed: " + t, t);
        }
    }
}
