package io.vecml.engine.api;

import io.vecml.engine.data.AtomicWrite;
import io.vecml.engine.data.DataFormatException;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * The file of a kNN or template model: {@code VECMLMDL}, a format version, the model kind, the
 * model's fields (big-endian), and a CRC32 of everything before it. Written atomically; read whole,
 * the checksum checked before any field is trusted, and every size checked against the bytes that
 * are there, so a damaged or truncated file is refused with the file, the offset and what was
 * expected.
 */
final class ModelFile {

    static final byte[] MAGIC = "VECMLMDL".getBytes(StandardCharsets.US_ASCII);
    /** Version 2 added the standardisation of kNN and template models; version 1 files (without it) are read too. */
    static final int VERSION = 2;

    private ModelFile() {
    }

    @FunctionalInterface
    interface Fields {
        void write(DataOutputStream out) throws IOException;
    }

    static void write(Path file, String kind, Fields fields) throws IOException {
        AtomicWrite.write(file, raw -> {
            CRC32 crc = new CRC32();
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(new NonClosing(raw), crc));
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(kind);
            fields.write(out);
            out.flush();
            new DataOutputStream(new NonClosing(raw)).writeLong(crc.getValue());
        });
    }

    /** Whether the file starts like a model file of this format. */
    static boolean looksLike(byte[] head) {
        if (head.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (head[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads and checks the container; the reader is positioned at the first field. */
    static Reader open(Path file, byte[] bytes) throws DataFormatException {
        if (bytes.length < MAGIC.length + 4 + 2 + 8 || !looksLike(bytes)) {
            throw new DataFormatException(file + ": not a vecml model file (expected it to start with VECMLMDL and"
                    + " hold at least " + (MAGIC.length + 14) + " bytes, it has " + bytes.length + ")");
        }
        int body = bytes.length - 8;
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, body);
        long stored = ByteBuffer.wrap(bytes, body, 8).order(ByteOrder.BIG_ENDIAN).getLong();
        if (stored != crc.getValue()) {
            throw new DataFormatException(file + ": checksum mismatch (stored " + Long.toHexString(stored)
                    + ", computed " + Long.toHexString(crc.getValue()) + "): the file is damaged or truncated");
        }
        Reader r = new Reader(file, ByteBuffer.wrap(bytes, 0, body).order(ByteOrder.BIG_ENDIAN));
        r.buf.position(MAGIC.length);
        int version = r.i32("format version");
        if (version < 1 || version > VERSION) {
            throw new DataFormatException(file + ": model format version " + version + ", this vecml reads versions 1.."
                    + VERSION);
        }
        r.version = version;
        return r;
    }

    /** Bounds-checked field reads that name the file, the offset and the field. */
    static final class Reader {
        final Path file;
        final ByteBuffer buf;
        /** The file's format version. */
        int version = VERSION;

        Reader(Path file, ByteBuffer buf) {
            this.file = file;
            this.buf = buf;
        }

        DataFormatException error(String what) {
            return new DataFormatException(file + " at byte " + buf.position() + ": " + what);
        }

        private void need(long n, String field) throws DataFormatException {
            if (n < 0 || n > buf.remaining()) {
                throw error(field + " needs " + n + " bytes, " + buf.remaining() + " remain");
            }
        }

        int i32(String field) throws DataFormatException {
            need(4, field);
            return buf.getInt();
        }

        /** An int in [min, max]. */
        int i32(String field, int min, int max) throws DataFormatException {
            int pos = buf.position();
            int v = i32(field);
            if (v < min || v > max) {
                throw new DataFormatException(file + " at byte " + pos + ": " + field + " must be in " + min + ".." + max
                        + ", got " + v);
            }
            return v;
        }

        float f32(String field) throws DataFormatException {
            need(4, field);
            return buf.getFloat();
        }

        double f64(String field) throws DataFormatException {
            need(8, field);
            return buf.getDouble();
        }

        String utf(String field) throws DataFormatException {
            need(2, field);
            int n = Short.toUnsignedInt(buf.getShort());
            need(n, field);
            byte[] b = new byte[n];
            buf.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        void bytes(byte[] dst, String field) throws DataFormatException {
            need(dst.length, field);
            buf.get(dst);
        }

        void end() throws DataFormatException {
            if (buf.hasRemaining()) {
                throw error(buf.remaining() + " unexpected bytes after the last field");
            }
        }
    }

    /** A standardisation or its absence: a flag, then the means and scales (doubles). */
    static void writeScaler(DataOutputStream out, io.vecml.engine.data.Standardizer s) throws IOException {
        out.writeInt(s == null ? 0 : 1);
        if (s != null) {
            for (double v : s.mean()) {
                out.writeDouble(v);
            }
            for (double v : s.scale()) {
                out.writeDouble(v);
            }
        }
    }

    /** Reads {@link #writeScaler}'s fields (absent before version 2); every mean finite, every scale finite and > 0. */
    static io.vecml.engine.data.Standardizer readScaler(Reader r, int dims) throws DataFormatException {
        if (r.version < 2 || r.i32("standardisation flag", 0, 1) == 0) {
            return null;
        }
        if (16L * dims > r.buf.remaining()) {
            throw r.error("the standardisation of " + dims + " features needs " + 16L * dims + " bytes, the file has "
                    + r.buf.remaining() + " left");
        }
        double[] mean = new double[dims];
        double[] scale = new double[dims];
        for (int c = 0; c < dims; c++) {
            mean[c] = r.f64("mean of feature " + c);
            if (!Double.isFinite(mean[c])) {
                throw r.error("mean of feature " + c + " is " + mean[c] + " (expected a finite number)");
            }
        }
        for (int c = 0; c < dims; c++) {
            scale[c] = r.f64("scale of feature " + c);
            if (!(Double.isFinite(scale[c]) && scale[c] > 0)) {
                throw r.error("scale of feature " + c + " is " + scale[c] + " (expected a finite number > 0)");
            }
        }
        return new io.vecml.engine.data.Standardizer(mean, scale);
    }

    /** Class names: count, then each as modified UTF-8. */
    static void writeNames(DataOutputStream out, java.util.List<String> names) throws IOException {
        out.writeInt(names.size());
        for (String n : names) {
            out.writeUTF(n);
        }
    }

    static java.util.List<String> readNames(Reader r) throws DataFormatException {
        int n = r.i32("class count", 1, 1 << 16);
        java.util.List<String> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(r.utf("class name " + i));
        }
        return out;
    }

    /** An image shape or its absence: a flag, then height, width, channels, layout. */
    static void writeShape(DataOutputStream out, io.vecml.engine.data.ImageShape s) throws IOException {
        out.writeInt(s == null ? 0 : 1);
        if (s != null) {
            out.writeInt(s.height());
            out.writeInt(s.width());
            out.writeInt(s.channels());
            out.writeInt(s.layout().ordinal());
        }
    }

    static io.vecml.engine.data.ImageShape readShape(Reader r, int dims) throws DataFormatException {
        if (r.i32("image shape flag", 0, 1) == 0) {
            return null;
        }
        int h = r.i32("image height", 1, dims);
        int w = r.i32("image width", 1, dims);
        int c = r.i32("image channels", 1, 3);
        int layout = r.i32("image layout", 0, io.vecml.engine.data.ImageShape.Layout.values().length - 1);
        if ((long) h * w * c != dims || c == 2) {
            throw r.error("image shape " + h + "x" + w + "x" + c + " does not fit " + dims + " features");
        }
        return new io.vecml.engine.data.ImageShape(h, w, c, io.vecml.engine.data.ImageShape.Layout.values()[layout]);
    }

    static byte[] readAll(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such model file");
        }
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new DataFormatException(file + ": " + size + " bytes is larger than a vecml model file can be");
        }
        return Files.readAllBytes(file);
    }

    /** Keeps {@link AtomicWrite}'s stream open: it closes the stream itself. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
