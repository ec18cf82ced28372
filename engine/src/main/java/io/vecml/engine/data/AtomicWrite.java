package io.vecml.engine.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way vecml writes an output file: the bytes go to a temporary file in the target's own
 * folder (so the rename stays on one file system), which is flushed to the disk ({@code fsync}) and
 * then replaces the target in one step; the folder is then synced too where the platform allows it.
 * A failure removes the temporary file, leaves any old target untouched and names the target and the
 * reason ("No space left on device", "Permission denied", ...).
 *
 * <p>Temporary files are named {@code .NAME.vecml-PID-RANDOM.tmp} (hidden, the target's name, the
 * writer's process id). A write that was killed leaves one behind; every later write into the same
 * folder removes the temporary files of that naming that are {@linkplain #isStale stale}: untouched
 * for {@link #STALE_AFTER} and written by a process that is no longer running on this machine, or
 * untouched for {@link #ABANDONED_AFTER} whatever their writer (a process id can be reused, or belong
 * to another machine sharing the folder).
 */
public final class AtomicWrite {

    /** A temp file untouched this long whose writer is not running is removed by the next write. */
    public static final Duration STALE_AFTER = Duration.ofMinutes(10);
    /** A temp file untouched this long is removed by the next write, whatever its writer. */
    public static final Duration ABANDONED_AFTER = Duration.ofDays(1);

    static final String MARK = ".vecml-";
    private static final Pattern TEMP = Pattern.compile("\\..*\\.vecml-([0-9]{1,19})-[0-9a-z]+\\.tmp");
    private static final int MAX_NAME_PART = 100;
    private static final int BUFFER = 1 << 20;
    private static final long PID = ProcessHandle.current().pid();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Test hook: told of every file or folder synced to the disk. */
    interface SyncListener {
        void synced(Path path);
    }

    static volatile SyncListener syncListener;

    private AtomicWrite() {
    }

    /** Writes the file's bytes to {@code out} (buffered; do not close it). */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} through {@code body}, atomically. An {@link IOException} names the target
     * and the reason; exceptions of other types from {@code body} pass unchanged (the temporary file is
     * removed in every case).
     */
    public static void write(Path target, Body body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null) {
            throw new IOException("cannot write " + abs + ": not a file name");
        }
        if (Files.isDirectory(abs)) {
            throw new IOException("cannot write " + abs + ": it is a folder");
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("cannot write " + abs + ": " + (Files.exists(dir) ? dir + " is not a folder"
                    : "folder " + dir + " does not exist"));
        }
        cleanStale(dir);
        Path tmp;
        try {
            tmp = createTemp(dir, abs.getFileName().toString());
        } catch (IOException e) {
            throw failure(abs, e);
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), BUFFER)) {
                body.write(out);
                out.flush();
                ch.force(true);
                notifySynced(tmp);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot write " + abs + " atomically: the file system of " + dir
                        + " does not support an atomic rename", e);
            }
            syncFolder(dir);
        } catch (IOException e) {
            deleteQuietly(tmp, e);
            throw failure(abs, e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp, e);
            throw e;
        }
    }

    /**
     * Checks that files can be created in {@code dir} by creating and removing one temporary file of
     * vecml's naming (the only reliable test: permissions, read-only mounts, ACLs, quotas on inodes).
     * Stale temporary files in {@code dir} are removed on the way.
     *
     * @throws IOException with the reason ({@link #reason}) when the folder cannot take new files
     */
    public static void probe(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        cleanStale(abs);
        Path tmp = createTemp(abs, "write-check");
        Files.delete(tmp);
    }

    /**
     * The reason of an I/O failure without the path it happened on: {@code "No space left on device"},
     * {@code "Permission denied"}, {@code "folder does not exist"}, ...
     */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException fse) {
            if (fse.getReason() != null && !fse.getReason().isBlank()) {
                return fse.getReason();
            }
            if (e instanceof NoSuchFileException) {
                return "folder does not exist";
            }
            if (e instanceof AccessDeniedException) {
                return "Permission denied";
            }
            if (e instanceof NotDirectoryException) {
                return fse.getFile() + " is not a folder";
            }
            if (e instanceof FileAlreadyExistsException) {
                return fse.getFile() + " already exists";
            }
            return e.getClass().getSimpleName() + " on " + fse.getFile();
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static IOException failure(Path target, IOException e) {
        String m = e.getMessage();
        if (!(e instanceof FileSystemException) && m != null && m.contains(target.toString())) {
            return e; // already names the target (our own messages)
        }
        IOException wrapped = new IOException("cannot write " + target + ": " + reason(e), e);
        return wrapped;
    }

    private static Path createTemp(Path dir, String targetName) throws IOException {
        String base = targetName.length() > MAX_NAME_PART ? targetName.substring(0, MAX_NAME_PART) : targetName;
        for (int attempt = 0; ; attempt++) {
            String name = "." + base + MARK + PID + "-" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36)
                    + ".tmp";
            Path tmp = dir.resolve(name);
            try {
                return Files.createFile(tmp, PERMISSIONS);
            } catch (UnsupportedOperationException e) {
                return Files.createFile(tmp); // not a POSIX file system: its default permissions
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    // Outputs are for everyone to read like any file created by a program (the umask still applies).
    private static final FileAttribute<?> PERMISSIONS =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

    /** Removes the stale temporary files of vecml's naming in {@code dir}; best effort, never fails. */
    static void cleanStale(Path dir) {
        Instant now = Instant.now();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + MARK + "*.tmp")) {
            for (Path p : files) {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (a.isRegularFile() && isStale(p.getFileName().toString(), a.lastModifiedTime().toInstant(), now)) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException e) {
                    // gone meanwhile, or not ours to delete: leave it
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // an unreadable folder: the write itself will report what is wrong
        }
    }

    /**
     * Whether a file of this name and modification time is a temporary file of vecml's naming that
     * no write will finish: untouched for {@link #STALE_AFTER} with its writer no longer running, or
     * untouched for {@link #ABANDONED_AFTER}.
     */
    static boolean isStale(String fileName, Instant modified, Instant now) {
        Matcher m = TEMP.matcher(fileName);
        if (!m.matches()) {
            return false;
        }
        Duration age = Duration.between(modified, now);
        if (age.compareTo(ABANDONED_AFTER) > 0) {
            return true;
        }
        return age.compareTo(STALE_AFTER) > 0 && !running(m.group(1));
    }

    private static boolean running(String pid) {
        long p;
        try {
            p = Long.parseLong(pid);
        } catch (NumberFormatException e) {
            return false;
        }
        if (p == PID) {
            return true;
        }
        try {
            return ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false);
        } catch (SecurityException e) {
            return true; // cannot tell: keep the file
        }
    }

    /** The name a temporary file for {@code targetName} would have if written by process {@code pid}. */
    static String tempName(String targetName, long pid, String random) {
        return "." + targetName + MARK + pid + "-" + random.toLowerCase(Locale.ROOT) + ".tmp";
    }

    private static void syncFolder(Path dir) {
        // Makes the rename itself durable. Opening a folder for reading works on Linux and macOS; where
        // it does not (Windows), the rename is as durable as that platform makes it.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
            notifySynced(dir);
        } catch (IOException e) {
            // not supported on this platform or file system
        }
    }

    private static void notifySynced(Path p) {
        SyncListener l = syncListener;
        if (l != null) {
            l.synced(p);
        }
    }

    private static void deleteQuietly(Path tmp, Throwable cause) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
