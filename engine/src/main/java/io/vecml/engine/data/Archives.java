package io.vecml.engine.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Safe access to data files as distributed: plain or gzip files, folders, and tar / tar.gz
 * archives read in one pass. Tar members that are absolute, contain {@code ..}, or are links or
 * devices are refused; a cut gzip or tar stream is refused; nothing is ever extracted to disk.
 */
public final class Archives {

    private static final int BUFFER = 1 << 20;

    private Archives() {
    }

    /** Receives one member; {@code in} yields exactly the member's bytes (do not close it). */
    @FunctionalInterface
    public interface MemberVisitor {
        void visit(String baseName, String fullName, long size, InputStream in) throws IOException;
    }

    /** Whether the file starts with the gzip magic bytes. */
    public static boolean isGzip(Path file) throws IOException {
        return isGzip(file, FileAccess.UNRESTRICTED);
    }

    /** Whether the file, opened through {@code access}, starts with the gzip magic bytes. */
    public static boolean isGzip(Path file, FileAccess access) throws IOException {
        try (InputStream in = access.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** Whether the path names a tar archive, compressed or not, by its name. */
    public static boolean isTarName(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".tar") || n.endsWith(".tar.gz") || n.endsWith(".tgz");
    }

    /** Whether the name promises gzip ({@code .gz}, {@code .tgz}). */
    static boolean isGzipName(Path file) {
        Path fn = file.getFileName();
        String n = fn == null ? "" : fn.toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".gz") || n.endsWith(".tgz");
    }

    /**
     * An opened data file: its (decompressed) bytes, its size on disk, and whether it is gzip'd.
     * Closing it closes the file.
     */
    public record Source(InputStream in, long fileSize, boolean gzip) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * Opens a file through {@code access} (once: the size and the gzip magic come from the same open
     * file), transparently decompressing gzip (detected from the magic bytes, not the name). Reading past
     * a cut gzip stream raises a {@link DataFormatException} naming the file.
     */
    public static Source openSource(Path file, FileAccess access) throws IOException {
        FileAccess.Opened o = access.open(file);
        try {
            long size = o.size();
            int buffer = bufferFor(size);
            BufferedInputStream raw = new BufferedInputStream(o.stream(), buffer);
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            if (gzip) {
                GZIPInputStream gz;
                try {
                    gz = new GZIPInputStream(raw, buffer);
                } catch (ZipException | EOFException e) {
                    throw new DataFormatException(file + ": the gzip header is damaged or cut short (" + e.getMessage()
                            + ")", e);
                }
                return new Source(new GuardedStream(gz, file.toString()), size, true);
            }
            return new Source(new GuardedStream(raw, file.toString()), size, false);
        } catch (IOException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /** A read buffer for a file of {@code size} bytes: 1 MB, less for small files (8 KB at least). */
    private static int bufferFor(long size) {
        return (int) Math.max(8192, Math.min(BUFFER, size + 1));
    }

    /** {@link #open(Path, FileAccess)} with {@link FileAccess#UNRESTRICTED} access. */
    public static InputStream open(Path file) throws IOException {
        return open(file, FileAccess.UNRESTRICTED);
    }

    /**
     * Opens a file for reading through {@code access}, transparently decompressing gzip (detected from
     * the magic bytes, not the name). Reading past a cut gzip stream raises a {@link DataFormatException}
     * naming the file.
     */
    public static InputStream open(Path file, FileAccess access) throws IOException {
        return openSource(file, access).in();
    }

    /** {@link #forEachMember(Path, FileAccess, Predicate, MemberVisitor)} with unrestricted access. */
    public static void forEachMember(Path source, Predicate<String> wanted, MemberVisitor visitor) throws IOException {
        forEachMember(source, FileAccess.UNRESTRICTED, wanted, visitor);
    }

    /**
     * Visits, in archive order (folders: in name order), every regular-file member whose base name
     * {@code wanted} accepts. {@code source} is a folder, a {@code .tar}, or a gzip'd tar. Every file
     * (the archive, or each wanted file of the folder) is opened through {@code access}.
     */
    public static void forEachMember(Path source, FileAccess access, Predicate<String> wanted, MemberVisitor visitor)
            throws IOException {
        if (!Files.exists(source)) {
            throw new NoSuchFileException(source.toString(), null, "no such file or folder");
        }
        if (Files.isDirectory(source)) {
            for (Path f : access.list(source)) {
                String name = f.getFileName().toString();
                if (!wanted.test(name) || !Files.isRegularFile(f)) {
                    continue;
                }
                try (FileAccess.Opened o = access.open(f);
                     InputStream in = new GuardedStream(new BufferedInputStream(o.stream(), bufferFor(o.size())),
                             f.toString())) {
                    visitor.visit(name, f.toString(), o.size(), in);
                }
            }
            return;
        }
        try (Source src = openSource(source, access);
             TarArchiveInputStream tar = new TarArchiveInputStream(src.in())) {
            boolean misnamed = !src.gzip() && isGzipName(source);
            TarArchiveEntry e;
            while ((e = nextEntry(tar, source, misnamed)) != null) {
                String full = e.getName();
                checkMemberName(source, full, e);
                if (!e.isFile()) {
                    continue;
                }
                String base = full.endsWith("/") ? "" : full.substring(full.lastIndexOf('/') + 1);
                if (!wanted.test(base)) {
                    continue;
                }
                long size = e.getSize();
                ExactStream member = new ExactStream(tar, size, source + " member " + full);
                visitor.visit(base, full, size, member);
                member.skipRest();
            }
            // Read to the end so that gzip checks its trailer (CRC and length) and a cut file is refused.
            src.in().transferTo(OutputStreamSink.INSTANCE);
        } catch (ZipException | EOFException e) {
            throw new DataFormatException(source + ": the compressed stream is damaged or cut short ("
                    + e.getMessage() + ")", e);
        }
    }

    /** What to add to a tar error when the file is named like gzip but is not. */
    static String notGzipNote(boolean misnamed) {
        return misnamed ? "; the name says gzip (.gz/.tgz) but the file does not start with the gzip magic bytes"
                + " 1f 8b, so it is not gzip-compressed" : "";
    }

    static TarArchiveEntry nextEntry(TarArchiveInputStream tar, Path source, boolean misnamed) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (DataFormatException e) {
            throw e;
        } catch (IllegalArgumentException | IOException e) {
            if (!misnamed && (e instanceof EOFException || e instanceof ZipException)) {
                throw (IOException) e;
            }
            throw new DataFormatException(source + ": not a valid tar archive (" + e.getMessage() + ")"
                    + notGzipNote(misnamed), e);
        }
    }

    static void checkMemberName(Path source, String name, TarArchiveEntry e) throws DataFormatException {
        if (e.isSymbolicLink() || e.isLink()) {
            throw new DataFormatException(source + ": member " + name + " is a link (to " + e.getLinkName()
                    + "); links are refused");
        }
        if (!(e.isFile() || e.isDirectory())) {
            throw new DataFormatException(source + ": member " + name + " is not a regular file or folder; refused");
        }
        if (name.startsWith("/") || name.startsWith("\\") || (name.length() > 1 && name.charAt(1) == ':')) {
            throw new DataFormatException(source + ": member " + name + " has an absolute path; refused");
        }
        for (String part : name.split("[/\\\\]")) {
            if (part.equals("..")) {
                throw new DataFormatException(source + ": member " + name + " contains '..'; refused");
            }
        }
    }

    /** Swallows bytes (used to drain a stream so its trailer is checked). */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    /** Turns the JDK's bare EOF/zip errors into messages that name the file. */
    private static final class GuardedStream extends FilterInputStream {
        private final String name;

        GuardedStream(InputStream in, String name) {
            super(in);
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (ZipException | EOFException e) {
                throw damaged(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (ZipException | EOFException e) {
                throw damaged(e);
            }
        }

        private DataFormatException damaged(IOException e) {
            return new DataFormatException(name + ": the compressed stream is damaged or cut short ("
                    + e.getMessage() + ")", e);
        }
    }

    /** A member's bytes: exactly {@code size}, and a cut archive is an error rather than a short read. */
    private static final class ExactStream extends InputStream {
        private final InputStream in;
        private final String name;
        private long left;
        private final long size;

        ExactStream(InputStream in, long size, String name) {
            this.in = in;
            this.size = size;
            this.left = size;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n;
            try {
                n = in.read(b, off, (int) Math.min(len, left));
            } catch (IOException e) {
                if (e instanceof DataFormatException) {
                    throw e;
                }
                throw new DataFormatException(name + ", offset " + (size - left) + ": the archive is damaged or cut short ("
                        + e.getMessage() + ")", e);
            }
            if (n < 0) {
                throw new DataFormatException(name + ", offset " + (size - left) + ": the archive ends inside this member ("
                        + size + " bytes expected)");
            }
            left -= n;
            return n;
        }

        void skipRest() throws IOException {
            byte[] buf = new byte[8192];
            while (left > 0) {
                read(buf, 0, (int) Math.min(buf.length, left));
            }
        }

        @Override
        public void close() {
            // the archive stream stays open
        }
    }
}
