package io.vecml.engine.data;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes 32x32x3 uint8 images in the official CIFAR-10 binary layout, so that any CIFAR-10 binary
 * reader (and the reference Python loaders) reads them: {@code data_batch_1..5.bin} (the training rows
 * split as evenly as possible, in order), {@code test_batch.bin}, {@code batches.meta.txt}; either as
 * files in a folder or as a {@code .tar.gz} whose members sit in {@code cifar-10-batches-bin/}.
 *
 * <p>Every file appears atomically: it is written under a temporary name in the target folder and then
 * renamed, so a reader never sees a half-written file. Output bytes depend only on the data (the tar
 * entries carry a fixed time), so the same data gives the same files.
 */
public final class CifarBinaryWriter {

    /** Number of training batches in the official layout. */
    public static final int TRAIN_BATCHES = 5;

    private static final int RECORD = 1 + CifarBinaryReader.PIXELS;
    private static final int BUFFER = 1 << 20;

    private CifarBinaryWriter() {
    }

    /** Writes a folder (the usual {@code cifar-10-batches-bin}) or, for a {@code .tar.gz}/{@code .tgz} name, a tarball. */
    public static void write(LoadedData data, Path target) throws IOException {
        String n = target.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) {
            writeTarGz(data, target);
        } else {
            writeFolder(data, target);
        }
    }

    /** Writes the seven files into {@code dir} (created if missing); existing files of the same names are replaced. */
    public static void writeFolder(LoadedData data, Path dir) throws IOException {
        check(data);
        Files.createDirectories(dir);
        Dataset train = data.train();
        for (int b = 0; b < TRAIN_BATCHES; b++) {
            int from = batchStart(train.rows(), b);
            int to = batchStart(train.rows(), b + 1);
            writeAtomically(dir.resolve(CifarBinaryReader.CIFAR10_TRAIN.get(b)), out -> writeRecords(train, from, to, out));
        }
        writeAtomically(dir.resolve(CifarBinaryReader.CIFAR10_TEST), out -> writeRecords(data.test(), 0, data.test().rows(), out));
        writeAtomically(dir.resolve(CifarBinaryReader.CIFAR10_META), out -> out.write(meta(train)));
    }

    /** Writes a gzip'd tar with the members of {@code cifar-10-batches-bin/}, like {@code cifar-10-binary.tar.gz}. */
    public static void writeTarGz(LoadedData data, Path file) throws IOException {
        check(data);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Dataset train = data.train();
        writeAtomically(file, raw -> {
            GZIPOutputStream gz = new GZIPOutputStream(raw, BUFFER);
            TarArchiveOutputStream tar = new TarArchiveOutputStream(gz);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            String dir = CifarBinaryReader.CIFAR10_DIR + "/";
            TarArchiveEntry d = new TarArchiveEntry(dir);
            d.setModTime(FileTime.fromMillis(0));
            tar.putArchiveEntry(d);
            tar.closeArchiveEntry();
            for (int b = 0; b < TRAIN_BATCHES; b++) {
                int from = batchStart(train.rows(), b);
                int to = batchStart(train.rows(), b + 1);
                putMember(tar, dir + CifarBinaryReader.CIFAR10_TRAIN.get(b), (long) (to - from) * RECORD);
                writeRecords(train, from, to, tar);
                tar.closeArchiveEntry();
            }
            putMember(tar, dir + CifarBinaryReader.CIFAR10_TEST, (long) data.test().rows() * RECORD);
            writeRecords(data.test(), 0, data.test().rows(), tar);
            tar.closeArchiveEntry();
            byte[] meta = meta(train);
            putMember(tar, dir + CifarBinaryReader.CIFAR10_META, meta.length);
            tar.write(meta);
            tar.closeArchiveEntry();
            tar.finish();
            gz.finish();
        });
    }

    /** First row of batch {@code b} when {@code rows} are split into {@link #TRAIN_BATCHES} near-equal batches. */
    static int batchStart(int rows, int b) {
        return (int) ((long) rows * b / TRAIN_BATCHES);
    }

    private static void putMember(TarArchiveOutputStream tar, String name, long size) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(size);
        e.setMode(0644);
        e.setModTime(FileTime.fromMillis(0));
        tar.putArchiveEntry(e);
    }

    private static byte[] meta(Dataset train) {
        // The official file ends with a blank line; readers take the non-blank lines.
        return (String.join("\n", train.classNames()) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void check(LoadedData data) {
        if (data.test() == null) {
            throw new IllegalArgumentException("the CIFAR-10 binary layout needs a test split; " + data.source() + " has none");
        }
        for (var e : data.splits().entrySet()) {
            Dataset d = e.getValue();
            String what = data.source() + " " + e.getKey();
            if (d.type() != Dataset.Type.UINT8 || d.dims() != CifarBinaryReader.PIXELS) {
                throw new IllegalArgumentException(what + " is " + d + "; CIFAR-10 binary holds uint8 rows of "
                        + CifarBinaryReader.PIXELS + " values (32x32x3)");
            }
            if (d.imageShape().isPresent() && !d.imageShape().get().equals(CifarBinaryReader.SHAPE)) {
                throw new IllegalArgumentException(what + " has images " + d.imageShape().get() + "; CIFAR-10 binary holds "
                        + CifarBinaryReader.SHAPE + " (channel planes R, G, B)");
            }
            if (d.numClasses() != CifarBinaryReader.CIFAR10_CLASSES.size()) {
                throw new IllegalArgumentException(what + " has " + d.numClasses() + " classes; CIFAR-10 has 10");
            }
            for (String name : d.classNames()) {
                if (name.isBlank() || name.contains("\n") || name.contains("\r") || !name.equals(name.strip())) {
                    throw new IllegalArgumentException(what + ": class name '" + name
                            + "' cannot be written as one line of batches.meta.txt");
                }
            }
        }
        if (!data.train().classNames().equals(data.test().classNames())) {
            throw new IllegalArgumentException(data.source() + ": train and test have different class names "
                    + data.train().classNames() + " vs " + data.test().classNames());
        }
    }

    private static void writeRecords(Dataset d, int from, int to, OutputStream out) throws IOException {
        int per = BUFFER / RECORD;
        byte[] buf = new byte[per * RECORD];
        MemorySegment heap = MemorySegment.ofArray(buf);
        MemorySegment src = d.segment();
        for (int r = from; r < to; ) {
            int k = Math.min(per, to - r);
            for (int i = 0; i < k; i++, r++) {
                buf[i * RECORD] = (byte) d.label(r);
                MemorySegment.copy(src, d.rowOffset(r), heap, (long) i * RECORD + 1, CifarBinaryReader.PIXELS);
            }
            out.write(buf, 0, k * RECORD);
        }
    }

    /** Writes a file's bytes. */
    @FunctionalInterface
    interface Body {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} under a temporary name in its own folder (so the rename stays on one file
     * system and is atomic), then moves it into place; on failure the temporary file is removed.
     */
    static void writeAtomically(Path target, Body body) throws IOException {
        AtomicWrite.write(target, body::write);
    }
}
