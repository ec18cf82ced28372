package io.vecml.blas;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.SymbolLookup;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.stream.Stream;
import java.util.zip.Adler32;
import java.util.zip.CRC32;

/**
 * Finds and loads OpenBLAS once per JVM. Which library is used is a choice, never an accident of what
 * else is installed: system property {@code vecml.openblas} (or environment variable
 * {@code VECML_OPENBLAS}) says {@code bundled} (the default), {@code system} or a file path, and only
 * that one is tried, so results and speed do not change when another package installs a system copy.
 * <ul>
 *   <li>{@code PATH}: that file;</li>
 *   <li>{@code system}: the system's {@code libopenblas.so.0} (the dynamic linker's search path);</li>
 *   <li>{@code bundled}: the pinned copy in the {@code org.bytedeco:openblas} linux-x86_64 jar on the class path:
 *       {@code libquadmath.so.0}, {@code libgfortran.so.5} and {@code libopenblas.so.0} are
 *       extracted into a folder of this user and loaded by absolute path in that order
 *       (libgfortran has no RUNPATH, so it would not find libquadmath by itself). The folder is made once
 *       per bundle and reused by later runs after a check (see {@link #extract(ClassLoader, Path)}); it is
 *       under {@code vecml.native.tmpdir} / {@code VECML_NATIVE_TMPDIR} when set, else
 *       {@code java.io.tmpdir}; a {@code noexec} temporary file system cannot load libraries, so
 *       point it elsewhere in that case.</li>
 * </ul>
 * Every attempt is recorded in {@link Result#attempts()}, so a failed load names each file and why.
 */
public final class OpenBlasLoader {

    static final String BUNDLE_DIR = "org/bytedeco/openblas/linux-x86_64/";
    static final String[] BUNDLE_ORDER = {"libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0"};

    /** One try at one location. */
    public record Attempt(String source, String location, boolean ok, String detail) {
        @Override
        public String toString() {
            return source + " " + location + ": " + (ok ? "loaded" : "failed: " + detail);
        }
    }

    /** The outcome of the lookup: the library if any, and every attempt made. */
    public record Result(Optional<OpenBlas> blas, List<Attempt> attempts) {
        public Result {
            attempts = List.copyOf(attempts);
        }

        /** One line saying what was loaded, or why nothing was. */
        public String summary() {
            if (blas.isPresent()) {
                return blas.get().toString();
            }
            StringBuilder sb = new StringBuilder("OpenBLAS not loaded");
            for (Attempt a : attempts) {
                sb.append("; ").append(a);
            }
            return sb.toString();
        }
    }

    private static volatile Result result;

    private OpenBlasLoader() {
    }

    /** Loads OpenBLAS on first use (thread-safe) and returns the remembered outcome afterwards. */
    public static Result load() {
        Result r = result;
        if (r == null) {
            synchronized (OpenBlasLoader.class) {
                r = result;
                if (r == null) {
                    r = lookup(choice(), CoreTypes.property());
                    result = r;
                }
            }
        }
        return r;
    }

    /** The value of the property {@code vecml.openblas}, else of {@code VECML_OPENBLAS}, else {@code bundled}. */
    public static String choice() {
        String p = System.getProperty("vecml.openblas");
        if (p == null || p.isBlank()) {
            p = System.getenv("VECML_OPENBLAS");
        }
        return p == null || p.isBlank() ? "bundled" : p.trim();
    }

    /**
     * Tries exactly the library that {@code choice} names ({@code bundled}, {@code system} or a path);
     * no other is tried when it fails, and the failure says how to choose another.
     */
    static Result lookup(String choice) {
        return lookup(choice, CoreTypes.Request.none());
    }

    /**
     * As {@link #lookup(String)}, first applying {@code vecml.openblas.coretype} ({@code coretype}, see
     * {@link CoreTypes}); a value that cannot be honoured is a failed attempt, and nothing is loaded.
     */
    static Result lookup(String choice, String coretype) {
        CoreTypes.Request req;
        try {
            req = CoreTypes.prepare(coretype, System.getenv(CoreTypes.ENV), CoreTypes.cpuFlags(), CoreTypes::setenv);
        } catch (RuntimeException e) {
            return new Result(Optional.empty(), List.of(new Attempt("core type", "-D" + CoreTypes.PROPERTY,
                    false, message(e) + " (nothing loaded; -D" + CoreTypes.PROPERTY + "=auto leaves the choice to OpenBLAS)")));
        }
        return lookup(choice, req);
    }

    private static Result lookup(String choice, CoreTypes.Request req) {
        List<Attempt> attempts = new ArrayList<>();
        Optional<OpenBlas> b = switch (choice) {
            case "bundled" -> tryBundled(attempts, req);
            case "system" -> trySystem(attempts, req);
            default -> tryPath("explicit", Path.of(choice).toAbsolutePath(), attempts, req);
        };
        if (b.isEmpty()) {
            Attempt last = attempts.removeLast();
            attempts.add(new Attempt(last.source(), last.location(), false, last.detail()
                    + " (vecml.openblas=" + choice + "; choose another with -Dvecml.openblas=bundled|system|PATH"
                    + " or VECML_OPENBLAS)"));
        }
        return new Result(b, attempts);
    }

    private static Optional<OpenBlas> tryPath(String source, Path p, List<Attempt> attempts, CoreTypes.Request req) {
        if (!Files.isRegularFile(p)) {
            attempts.add(new Attempt(source, p.toString(), false, "no such file"));
            return Optional.empty();
        }
        try {
            SymbolLookup lookup = SymbolLookup.libraryLookup(p, OpenBlas.libraryArena());
            OpenBlas b = new OpenBlas(lookup, p, source, req);
            attempts.add(new Attempt(source, p.toString(), true, b.config()));
            return Optional.of(b);
        } catch (RuntimeException | LinkageError e) {
            attempts.add(new Attempt(source, p.toString(), false, message(e)));
            return Optional.empty();
        }
    }

    private static Optional<OpenBlas> trySystem(List<Attempt> attempts, CoreTypes.Request req) {
        String name = "libopenblas.so.0";
        try {
            SymbolLookup lookup = SymbolLookup.libraryLookup(name, OpenBlas.libraryArena());
            Path where = mappedPath("libopenblas").orElse(Path.of(name));
            OpenBlas b = new OpenBlas(lookup, where, "system", req);
            attempts.add(new Attempt("system", name, true, b.config()));
            return Optional.of(b);
        } catch (RuntimeException | LinkageError e) {
            attempts.add(new Attempt("system", name, false, message(e)));
            return Optional.empty();
        }
    }

    private static Optional<OpenBlas> tryBundled(List<Attempt> attempts, CoreTypes.Request req) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String where = "classpath:" + BUNDLE_DIR;
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            attempts.add(new Attempt("bundled", where, false,
                    "the bundled copy is for linux-x86_64, this is " + os + "-" + arch));
            return Optional.empty();
        }
        ClassLoader cl = OpenBlasLoader.class.getClassLoader();
        if (cl.getResource(BUNDLE_DIR + "libopenblas.so.0") == null) {
            attempts.add(new Attempt("bundled", where, false,
                    "org.bytedeco:openblas:linux-x86_64 is not on the class path"));
            return Optional.empty();
        }
        Path dir;
        try {
            dir = extract(cl);
        } catch (IOException | RuntimeException e) {
            attempts.add(new Attempt("bundled", where, false, "extracting failed: " + message(e)
                    + " (set -Dvecml.native.tmpdir=DIR to a writable folder that allows executables)"));
            return Optional.empty();
        }
        // Load the dependencies first, by absolute path, so the dynamic linker finds them by soname.
        for (int i = 0; i < BUNDLE_ORDER.length - 1; i++) {
            Path lib = dir.resolve(BUNDLE_ORDER[i]);
            try {
                SymbolLookup.libraryLookup(lib, OpenBlas.libraryArena());
            } catch (RuntimeException e) {
                attempts.add(new Attempt("bundled", lib.toString(), false, message(e)
                        + noexecHint(dir)));
                return Optional.empty();
            }
        }
        Optional<OpenBlas> b = tryPath("bundled", dir.resolve(BUNDLE_ORDER[BUNDLE_ORDER.length - 1]), attempts, req);
        if (b.isEmpty()) {
            Attempt last = attempts.removeLast();
            attempts.add(new Attempt(last.source(), last.location(), false, last.detail() + noexecHint(dir)));
        }
        return b;
    }

    private static String noexecHint(Path dir) {
        return " (if " + dir.getParent() + " is mounted noexec, set -Dvecml.native.tmpdir=DIR or VECML_NATIVE_TMPDIR)";
    }

    static Path extract(ClassLoader cl) throws IOException {
        String base = System.getProperty("vecml.native.tmpdir");
        if (base == null || base.isBlank()) {
            base = System.getenv("VECML_NATIVE_TMPDIR");
        }
        if (base == null || base.isBlank()) {
            base = System.getProperty("java.io.tmpdir");
        }
        return extract(cl, Path.of(base));
    }

    /**
     * The bundled libraries in a folder under {@code parent}, extracted once per bundle and user and reused
     * by later runs (extracting the 40 MB from the jar cost each run 0.2-0.3 s). The folder's name holds the
     * user's uid and a key of the jar entries (their sizes and CRC-32s, from the jar's directory, so
     * nothing is inflated to compute it); it is made complete in a temporary folder and then renamed, so
     * it never exists half-written. A folder is reused only if it is a real directory (not a link) of
     * this user with permissions {@code rwx------} and holds exactly the expected regular files of this
     * user, none writable by others, at their sizes in the jar; a folder of this user that fails the
     * check is replaced, one of another user is never touched (this run then extracts into a private
     * temporary folder deleted on exit, as it does when the key cannot be read).
     */
    static Path extract(ClassLoader cl, Path parent) throws IOException {
        Files.createDirectories(parent);
        Bundle bundle = Bundle.of(cl);
        Integer uid = currentUid();
        if (bundle == null || uid == null) {
            return extractInto(cl, privateTempDir(parent), true);
        }
        Path dir = parent.resolve("vecml-openblas-u" + uid + "-" + bundle.key());
        if (reusable(dir, bundle, uid)) {
            return dir;
        }
        Path fresh = extractInto(cl, privateTempDir(parent), false);
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.move(fresh, dir, StandardCopyOption.ATOMIC_MOVE);
                return dir;
            } catch (IOException e) {
                if (reusable(dir, bundle, uid)) {
                    deleteTree(fresh);
                    return dir;
                }
                if (attempt == 0 && ownedBy(dir, uid)) {
                    deleteTree(dir);
                }
            }
        }
        markDeleteOnExit(fresh);
        return fresh;
    }

    /** The bundle's file names with their sizes and CRC-32s in the jar, or null where the jar does not say. */
    record Bundle(List<String> names, List<Long> sizes, String key) {
        static Bundle of(ClassLoader cl) {
            List<String> names = List.of(BUNDLE_ORDER);
            List<Long> sizes = new ArrayList<>();
            StringBuilder id = new StringBuilder();
            for (String name : names) {
                URL url = cl.getResource(BUNDLE_DIR + name);
                if (url == null) {
                    return null;
                }
                try {
                    if (!(url.openConnection() instanceof JarURLConnection jar)) {
                        return null;
                    }
                    JarEntry e = jar.getJarEntry();
                    if (e == null || e.getSize() < 0 || e.getCrc() < 0) {
                        return null;
                    }
                    sizes.add(e.getSize());
                    id.append(name).append(':').append(e.getSize()).append(':').append(e.getCrc()).append(';');
                } catch (IOException | RuntimeException e) {
                    return null;
                }
            }
            CRC32 a = new CRC32();
            Adler32 b = new Adler32();
            byte[] bytes = id.toString().getBytes(StandardCharsets.UTF_8);
            a.update(bytes);
            b.update(bytes);
            return new Bundle(names, List.copyOf(sizes), String.format(Locale.ROOT, "%08x%08x", a.getValue(), b.getValue()));
        }
    }

    private static final Set<PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rwx------");

    /** Whether {@code dir} is a complete extraction of {@code bundle} that only {@code uid} can have written. */
    static boolean reusable(Path dir, Bundle bundle, int uid) {
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !ownedBy(dir, uid)
                    || !Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
                return false;
            }
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.count() != bundle.names().size()) {
                    return false;
                }
            }
            for (int i = 0; i < bundle.names().size(); i++) {
                Path f = dir.resolve(bundle.names().get(i));
                if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || !ownedBy(f, uid)
                        || Files.size(f) != bundle.sizes().get(i)) {
                    return false;
                }
                var perms = Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS);
                if (perms.contains(PosixFilePermission.GROUP_WRITE)
                        || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean ownedBy(Path p, int uid) {
        try {
            return Integer.valueOf(uid).equals(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** This process's user id (the owner of /proc/self), or null where it cannot be read. */
    static Integer currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Path privateTempDir(Path parent) throws IOException {
        return Files.createTempDirectory(parent, "vecml-openblas-",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }

    private static Path extractInto(ClassLoader cl, Path dir, boolean deleteOnExit) throws IOException {
        if (deleteOnExit) {
            dir.toFile().deleteOnExit();
        }
        try {
            for (String name : BUNDLE_ORDER) {
                Path target = dir.resolve(name);
                if (deleteOnExit) {
                    target.toFile().deleteOnExit();
                }
                try (InputStream in = cl.getResourceAsStream(BUNDLE_DIR + name)) {
                    if (in == null) {
                        throw new IOException("resource " + BUNDLE_DIR + name + " is missing from the jar");
                    }
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException | RuntimeException e) {
            if (!deleteOnExit) {
                deleteTree(dir);
            }
            throw e;
        }
        return dir;
    }

    private static void markDeleteOnExit(Path dir) {
        dir.toFile().deleteOnExit();
        for (String name : BUNDLE_ORDER) {
            dir.resolve(name).toFile().deleteOnExit();
        }
    }

    /** Deletes a folder and the files in it (links are deleted, never followed); best effort. */
    private static void deleteTree(Path dir) {
        try {
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> entries = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) entries::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            Files.deleteIfExists(dir);
        } catch (IOException | RuntimeException e) {
            // Best effort: a folder left behind is found unusable by the next run and replaced or ignored.
        }
    }

    /** The absolute path of a loaded library whose file name contains {@code needle}, from /proc/self/maps. */
    static Optional<Path> mappedPath(String needle) {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return Optional.empty();
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.map(l -> {
                int slash = l.indexOf('/');
                return slash < 0 ? null : l.substring(slash);
            }).filter(s -> s != null && Path.of(s).getFileName().toString().contains(needle))
                    .findFirst().map(Path::of);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
