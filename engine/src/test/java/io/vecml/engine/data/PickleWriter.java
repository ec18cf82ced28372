package io.vecml.engine.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Test support: writes pickle opcodes by hand, in particular the exact stream Python 2's cPickle
 * (protocol 2) produced for the official CIFAR-10 python batches, and packs members into a
 * {@code cifar-10-batches-py/} folder or tar.gz.
 */
final class PickleWriter {

    /** cPickle groups APPENDS / SETITEMS in batches of this many items. */
    private static final int BATCH = 1000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    /** cPickle numbers its memo from 1. */
    private int memo = 1;

    PickleWriter op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleWriter raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    PickleWriter ascii(String s) {
        return raw(s.getBytes(StandardCharsets.US_ASCII));
    }

    PickleWriter proto(int p) {
        return op(0x80, p);
    }

    PickleWriter mark() {
        return op('(');
    }

    PickleWriter stop() {
        return op('.');
    }

    /** BINPUT / LONG_BINPUT with the next memo number. */
    PickleWriter put() {
        int m = memo++;
        if (m < 256) {
            return op('q', m);
        }
        op('r');
        return le(m, 4);
    }

    PickleWriter le(long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    /** As cPickle's save_int at protocol 2: BININT1, BININT2 or BININT. */
    PickleWriter integer(long v) {
        if (v >= 0 && v <= 0xff) {
            return op('K', (int) v);
        }
        if (v >= 0 && v <= 0xffff) {
            op('M');
            return le(v, 2);
        }
        op('J');
        return le(v, 4);
    }

    /** A Python 2 str of at most 255 bytes. */
    PickleWriter shortBinstring(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        op('U', b.length);
        return raw(b);
    }

    /** A Python 2 str with a 4-byte length (the pixel string). */
    PickleWriter binstring(byte[] b) {
        op('T');
        le(b.length, 4);
        return raw(b);
    }

    PickleWriter global(String module, String name) {
        op('c');
        return ascii(module + "\n" + name + "\n");
    }

    PickleWriter shortBinunicode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op(0x8c, b.length);
        return raw(b);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    /** A CIFAR batch dict exactly as Python 2 cPickle.dump(d, f, 2) wrote the official files. */
    static byte[] python2Batch(String batchLabel, int[] labels, byte[] pixels, int cols, List<String> filenames) {
        if (pixels.length != labels.length * cols) {
            throw new IllegalArgumentException("pixels do not match labels x cols");
        }
        return python2Batch(batchLabel, labels, pixels, labels.length, cols, filenames);
    }

    /** As above, with a shape that may disagree with the pixels (for malformed-input tests). */
    static byte[] python2Batch(String batchLabel, int[] labels, byte[] pixels, long rows, long cols,
            List<String> filenames) {
        PickleWriter w = new PickleWriter();
        w.proto(2).op('}').put().mark();
        w.shortBinstring("data").put();
        w.python2Array(pixels, rows, cols);
        w.shortBinstring("labels").put();
        w.op(']').put();
        for (int i = 0; i < labels.length; i += BATCH) {
            w.mark();
            for (int j = i; j < Math.min(labels.length, i + BATCH); j++) {
                w.integer(labels[j]);
            }
            w.op('e');
        }
        w.shortBinstring("batch_label").put();
        w.shortBinstring(batchLabel).put();
        w.shortBinstring("filenames").put();
        w.op(']').put();
        for (int i = 0; i < filenames.size(); i += BATCH) {
            w.mark();
            for (int j = i; j < Math.min(filenames.size(), i + BATCH); j++) {
                w.shortBinstring(filenames.get(j)).put();
            }
            w.op('e');
        }
        return w.op('u').stop().toByteArray();
    }

    /**
     * numpy's ndarray.__reduce__ under Python 2: _reconstruct(ndarray, (0,), 'b') then BUILD with
     * (1, (rows, cols), dtype('u1'), False, pixels); the dtype itself is dtype('u1', 0, 1) + BUILD
     * (3, '|', None, None, None, -1, -1, 0).
     */
    PickleWriter python2Array(byte[] pixels, long rows, long cols) {
        global("numpy.core.multiarray", "_reconstruct").put();
        global("numpy", "ndarray").put();
        integer(0).op(0x85).shortBinstring("b").op(0x87).op('R').put();
        mark().integer(1);
        integer(rows).integer(cols).op(0x86);
        global("numpy", "dtype").put();
        shortBinstring("u1").integer(0).integer(1).op(0x87).op('R').put();
        mark().integer(3).shortBinstring("|").op('N', 'N', 'N').integer(-1).integer(-1).integer(0).op('t').op('b');
        op(0x89); // is_fortran = False
        binstring(pixels);
        return op('t').op('b');
    }

    /** batches.meta as Python 2 wrote it. */
    static byte[] python2Meta(List<String> labelNames, int casesPerBatch) {
        PickleWriter w = new PickleWriter();
        w.proto(2).op('}').put().mark();
        w.shortBinstring("num_cases_per_batch").put().integer(casesPerBatch);
        w.shortBinstring("label_names").put().op(']').put().mark();
        for (String n : labelNames) {
            w.shortBinstring(n).put();
        }
        w.op('e');
        w.shortBinstring("num_vis").put().integer(3072);
        return w.op('u').stop().toByteArray();
    }

    /** Writes {@code members} (base name -> bytes, in map order) under {@code folder/} into a tar.gz. */
    static void writeTarGz(Path file, String folder, Map<String, byte[]> members) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             GZIPOutputStream gz = new GZIPOutputStream(raw, 1 << 16);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            TarArchiveEntry dir = new TarArchiveEntry(folder + "/");
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(folder + "/" + m.getKey());
                e.setSize(m.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(m.getValue());
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    /** Writes {@code members} as files of {@code dir} (created). */
    static void writeFolder(Path dir, Map<String, byte[]> members) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> m : members.entrySet()) {
            Files.write(dir.resolve(m.getKey()), m.getValue());
        }
    }
}
