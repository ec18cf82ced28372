package io.vecml.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The one place where the dataset readers open files: the file a caller names and every companion
 * file a reader finds by itself (an IDX labels file, {@code y.npy} next to {@code X.npy}, CIFAR batches
 * and names files in a folder, the members of a folder). Readers never call {@code Files.newInputStream}
 * and friends themselves; they ask the {@link FileAccess} of their {@link LoadOptions}.
 *
 * <p>{@link #UNRESTRICTED} (the command line) opens any file the process may read. {@link #confinedTo}
 * (the server's {@code --data-dir}) opens only files whose real path (every symbolic link resolved) lies
 * inside the real path of the root; anything else is refused with an {@link OutsideRootException}
 * before a single byte is read, so a refused file's content can never reach an error message.
 *
 * <p>The file is opened by its resolved real path with {@link LinkOption#NOFOLLOW_LINKS}, so a link
 * swapped in for the last path element between the check and the open is not followed.
 *
 * <p>Errors name the file and the reason: the JDK's bare {@code AccessDeniedException: FILE} becomes
 * {@code FILE: permission denied (cannot read it)}.
 */
public final class FileAccess {

    /** Opens any readable file (the command line). */
    public static final FileAccess UNRESTRICTED = new FileAccess(null);

    /** The real path of the root, or null when unrestricted. */
    private final Path root;

    private FileAccess(Path root) {
        this.root = root;
    }

    /**
     * Access confined to {@code root} (a folder; its real path is taken now, so a link as the root
     * itself is allowed and resolved once).
     */
    public static FileAccess confinedTo(Path root) throws IOException {
        Objects.requireNonNull(root, "root");
        Path real = root.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new IllegalArgumentException(root + " is not a folder");
        }
        return new FileAccess(real);
    }

    /** The real path of the root of a confined access. */
    public Optional<Path> root() {
        return Optional.ofNullable(root);
    }

    public boolean isConfined() {
        return root != null;
    }

    /**
     * Checks that {@code file} (a file or a folder) may be read and returns the path to open: the path
     * itself when unrestricted, its real path when confined.
     *
     * @throws NoSuchFileException   when it does not exist
     * @throws OutsideRootException  when confined and its real path lies outside the root
     */
    public Path check(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (root == null) {
            return file;
        }
        Path real;
        try {
            real = file.toRealPath();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file or folder");
        } catch (FileSystemException e) {
            throw described(file, e);
        }
        if (!real.startsWith(root)) {
            throw new OutsideRootException(file);
        }
        return real;
    }

    /** An open file: its channel (for its size) and a stream over it. */
    public static final class Opened implements AutoCloseable {
        private final SeekableByteChannel channel;
        private final InputStream stream;

        private Opened(SeekableByteChannel channel) {
            this.channel = channel;
            this.stream = Channels.newInputStream(channel);
        }

        /** The file's size when it was opened. */
        public long size() throws IOException {
            return channel.size();
        }

        /** The bytes from the start of the file (unbuffered; closing it closes the file). */
        public InputStream stream() {
            return stream;
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    /** Opens {@code file} for reading after {@link #check}; errors name the file and the reason. */
    public Opened open(Path file) throws IOException {
        Path p = check(file);
        if (Files.isDirectory(p)) {
            throw new FileSystemException(file.toString(), null, "is a folder, expected a file");
        }
        try {
            return new Opened(root == null ? Files.newByteChannel(p, StandardOpenOption.READ)
                    : Files.newByteChannel(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file or folder");
        } catch (FileSystemException e) {
            throw described(file, e);
        }
    }

    /** An input stream over {@code file} (see {@link #open}). */
    public InputStream newInputStream(Path file) throws IOException {
        return open(file).stream();
    }

    /** The size of {@code file}, through {@link #check}. */
    public long size(Path file) throws IOException {
        try (Opened o = open(file)) {
            return o.size();
        }
    }

    /** The entries of folder {@code dir} (after {@link #check} of the folder), sorted by name. */
    public List<Path> list(Path dir) throws IOException {
        check(dir);
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.sorted().forEach(out::add);
        } catch (FileSystemException e) {
            throw described(dir, e);
        }
        return out;
    }

    /** The JDK's file-system errors often carry only the path: add the reason. */
    static IOException described(Path file, FileSystemException e) {
        if (e instanceof OutsideRootException) {
            return e;
        }
        String reason = e.getReason();
        if (e instanceof AccessDeniedException) {
            AccessDeniedException a = new AccessDeniedException(file.toString(), null,
                    "permission denied (cannot read it" + (reason == null ? "" : ": " + reason) + ")");
            a.initCause(e);
            return a;
        }
        if (reason == null) {
            FileSystemException f = new FileSystemException(file.toString(), null, "cannot read it ("
                    + e.getClass().getSimpleName() + ")");
            f.initCause(e);
            return f;
        }
        return e;
    }

    @Override
    public String toString() {
        return root == null ? "unrestricted" : "confined to " + root;
    }

    /**
     * A file that a confined {@link FileAccess} refused: its real path lies outside the root. The message
     * names the file as the reader found it, never where it leads or what it holds.
     */
    public static final class OutsideRootException extends AccessDeniedException {
        private static final long serialVersionUID = 1L;

        public OutsideRootException(Path file) {
            super(file.toString(), null, "refused: it leads outside the data folder (symbolic links are resolved"
                    + " before the check)");
        }
    }
}
