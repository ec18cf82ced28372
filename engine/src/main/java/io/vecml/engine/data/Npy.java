package io.vecml.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * numpy {@code .npy} files: read and write.
 *
 * <p>Format versions 1.0, 2.0 and 3.0 (utf-8 header) are read; C order and little-endian only; the
 * dtypes of {@link Dtype}; any rank. The header dict is parsed as a literal with exactly the keys
 * {@code descr}, {@code fortran_order} and {@code shape} (never evaluated), and the data must be exactly
 * as long as the shape says: short or trailing bytes are errors that give the offsets.
 *
 * <p>Writers produce version 1.0 (2.0 only when the header would not fit, as numpy does), with the header
 * padded to 64 bytes, and replace the target atomically (a temp file in the same folder, then a move).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy refuses headers above 10000 bytes by default ({@code max_header_size}); ours are tiny. */
    static final int MAX_HEADER = 1 << 16;
    private static final int ALIGN = 64;

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Npy() {
    }

    /** The element types supported, with numpy's little-endian {@code descr} strings. */
    public enum Dtype {
        U1("|u1", 1, true), I1("|i1", 1, true), U2("<u2", 2, true), I2("<i2", 2, true), I4("<i4", 4, true),
        I8("<i8", 8, true), F4("<f4", 4, false), F8("<f8", 8, false);

        private final String descr;
        private final int bytes;
        private final boolean integer;

        Dtype(String descr, int bytes, boolean integer) {
            this.descr = descr;
            this.bytes = bytes;
            this.integer = integer;
        }

        /** numpy's {@code descr}, e.g. {@code <f4}. */
        public String descr() {
            return descr;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }

        public boolean isInteger() {
            return integer;
        }

        /** The dtype of a {@code descr}, or null; a one-byte type may be written with any byte-order mark. */
        static Dtype ofDescr(String d) {
            for (Dtype t : values()) {
                if (t.descr.equals(d) || (t.bytes == 1 && d.length() == 3 && "<>=".indexOf(d.charAt(0)) >= 0
                        && d.substring(1).equals(t.descr.substring(1))) || (t.bytes == 1 && d.equals(t.descr.substring(1)))) {
                    return t;
                }
            }
            return null;
        }

        /** Element {@code i} of {@code data} (little-endian) as a double (exact for all but large int64). */
        double get(MemorySegment data, long i) {
            long off = i * bytes;
            return switch (this) {
                case U1 -> Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, off));
                case I1 -> data.get(ValueLayout.JAVA_BYTE, off);
                case U2 -> Short.toUnsignedInt(data.get(LE_SHORT, off));
                case I2 -> data.get(LE_SHORT, off);
                case I4 -> data.get(LE_INT, off);
                case I8 -> data.get(LE_LONG, off);
                case F4 -> data.get(LE_FLOAT, off);
                case F8 -> data.get(LE_DOUBLE, off);
            };
        }

        /** Element {@code i} of an integer array as a long. */
        long getLong(MemorySegment data, long i) {
            long off = i * bytes;
            return switch (this) {
                case U1 -> Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, off));
                case I1 -> data.get(ValueLayout.JAVA_BYTE, off);
                case U2 -> Short.toUnsignedInt(data.get(LE_SHORT, off));
                case I2 -> data.get(LE_SHORT, off);
                case I4 -> data.get(LE_INT, off);
                case I8 -> data.get(LE_LONG, off);
                case F4, F8 -> throw new IllegalStateException(descr + " is not an integer type");
            };
        }
    }

    /**
     * A parsed header.
     *
     * @param version    the format version (1, 2 or 3; minor is always 0)
     * @param dataOffset byte offset of the first element
     */
    public record Header(int version, Dtype dtype, long[] shape, long dataOffset) {

        public Header {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Number of elements (1 for a 0-d array). */
        public long count() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }

        /** Bytes of data that must follow the header. */
        public long dataBytes() {
            return count() * dtype.bytes;
        }

        /** The shape as numpy prints it: {@code (3,)}, {@code (2, 3)}. */
        public String shapeText() {
            return Npy.shapeText(shape);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Header h && h.version == version && h.dtype == dtype && Arrays.equals(h.shape, shape)
                    && h.dataOffset == dataOffset;
        }

        @Override
        public int hashCode() {
            return Objects.hash(version, dtype, Arrays.hashCode(shape), dataOffset);
        }

        @Override
        public String toString() {
            return "npy v" + version + " " + dtype.descr + " " + shapeText();
        }
    }

    /**
     * A whole array in off-heap memory, little-endian, C order. {@link #close()} frees it.
     */
    public static final class NpyArray implements AutoCloseable {
        private final Dtype dtype;
        private final long[] shape;
        private final Arena arena;
        private final MemorySegment data;
        private final long dataOffset;

        NpyArray(Dtype dtype, long[] shape, Arena arena, MemorySegment data, long dataOffset) {
            this.dtype = dtype;
            this.shape = shape.clone();
            this.arena = arena;
            this.data = data;
            this.dataOffset = dataOffset;
        }

        /** Byte offset of the first element in the file it was read from. */
        public long dataOffset() {
            return dataOffset;
        }

        public Dtype dtype() {
            return dtype;
        }

        /** A copy of the shape. */
        public long[] shape() {
            return shape.clone();
        }

        public int rank() {
            return shape.length;
        }

        /** Number of elements. */
        public long count() {
            return data.byteSize() / dtype.bytes;
        }

        /** The elements, little-endian, C order (read-only). */
        public MemorySegment data() {
            return data.asReadOnly();
        }

        /** Element {@code i} (flat, C order) as a double; int64 values beyond 2^53 are rounded. */
        public double getDouble(long i) {
            return dtype.get(data, Objects.checkIndex(i, count()));
        }

        /** Element {@code i} of an integer array. */
        public long getLong(long i) {
            return dtype.getLong(data, Objects.checkIndex(i, count()));
        }

        @Override
        public void close() {
            arena.close();
        }

        @Override
        public String toString() {
            return dtype.descr + " " + shapeText(shape);
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads a whole {@code .npy} file. */
    public static NpyArray read(Path file) throws IOException {
        return read(file, FileAccess.UNRESTRICTED);
    }

    /** Reads a whole {@code .npy} file, opened through {@code access}. */
    public static NpyArray read(Path file, FileAccess access) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileAccess.Opened o = access.open(file);
             InputStream in = new java.io.BufferedInputStream(o.stream(), 1 << 16)) {
            Header h = readHeader(in, file);
            checkSize(file, h, o.size());
            Arena arena = Arena.ofShared();
            try {
                MemorySegment data = arena.allocate(Math.max(1, h.dataBytes()), 64).asSlice(0, h.dataBytes());
                readData(in, file, h, data);
                checkEnd(in, file, h);
                return new NpyArray(h.dtype(), h.shape(), arena, data, h.dataOffset());
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    /** Reads and checks the header of a file; throws if the file size does not match it. */
    public static Header readHeader(Path file) throws IOException {
        return readHeader(file, FileAccess.UNRESTRICTED);
    }

    /** Reads and checks the header of a file opened through {@code access}; throws if the size does not match it. */
    public static Header readHeader(Path file, FileAccess access) throws IOException {
        try (FileAccess.Opened o = access.open(file);
             InputStream in = new java.io.BufferedInputStream(o.stream(), 1 << 12)) {
            Header h = readHeader(in, file);
            checkSize(file, h, o.size());
            return h;
        }
    }

    /**
     * Reads the header from {@code in} (positioned at the start of the file), leaving it at the first
     * element. {@code file} only names the source in errors.
     */
    static Header readHeader(InputStream in, Object file) throws IOException {
        byte[] pre = new byte[8];
        int got = in.readNBytes(pre, 0, 8);
        if (got < 6 || !Arrays.equals(Arrays.copyOf(pre, 6), MAGIC)) {
            throw DataFormatException.at(file, null, 0, "not a numpy .npy file (expected the magic bytes \\x93NUMPY)");
        }
        if (got < 8) {
            throw DataFormatException.at(file, null, got, "the file ends inside the version bytes");
        }
        int major = pre[6] & 0xff;
        int minor = pre[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw DataFormatException.at(file, null, 6, "unsupported .npy format version " + major + "." + minor
                    + " (expected 1.0, 2.0 or 3.0)");
        }
        int lenBytes = major == 1 ? 2 : 4;
        byte[] len = in.readNBytes(lenBytes);
        if (len.length < lenBytes) {
            throw DataFormatException.at(file, null, 8 + len.length, "the file ends inside the header length");
        }
        long headerLen = major == 1 ? (len[0] & 0xff) | (len[1] & 0xff) << 8
                : Integer.toUnsignedLong(MemorySegment.ofArray(len).get(LE_INT, 0));
        long headerStart = 8 + lenBytes;
        if (headerLen > MAX_HEADER) {
            throw DataFormatException.at(file, null, 8, "header length " + headerLen + " is implausible (expected at most "
                    + MAX_HEADER + " bytes)");
        }
        byte[] hb = in.readNBytes((int) headerLen);
        if (hb.length < headerLen) {
            throw DataFormatException.at(file, null, headerStart + hb.length, "the file ends inside the header ("
                    + headerLen + " bytes expected from offset " + headerStart + ")");
        }
        String text;
        if (major == 3) {
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(hb)).toString();
            } catch (CharacterCodingException e) {
                throw DataFormatException.at(file, null, headerStart, "the version 3.0 header is not valid UTF-8");
            }
        } else {
            text = new String(hb, StandardCharsets.ISO_8859_1);
        }
        Map<String, Object> dict = new HeaderParser(text, file, headerStart).parse();
        Object descr = dict.get("descr");
        Object fortran = dict.get("fortran_order");
        Object shape = dict.get("shape");
        if (!(descr instanceof String d)) {
            throw DataFormatException.at(file, null, headerStart, "'descr' must be a dtype string such as '<f4'"
                    + " (structured dtypes are not supported)");
        }
        if (!(fortran instanceof Boolean f)) {
            throw DataFormatException.at(file, null, headerStart, "'fortran_order' must be True or False");
        }
        if (!(shape instanceof long[] s)) {
            throw DataFormatException.at(file, null, headerStart, "'shape' must be a tuple of integers");
        }
        if (f) {
            throw DataFormatException.at(file, null, headerStart, "the array is stored in Fortran order; only C order is"
                    + " supported (save np.ascontiguousarray(a) instead)");
        }
        Dtype dtype = Dtype.ofDescr(d);
        if (dtype == null) {
            if (d.length() >= 2 && d.charAt(0) == '>') {
                throw DataFormatException.at(file, null, headerStart, "dtype '" + d + "' is big-endian; only little-endian"
                        + " is supported (save a.astype('<" + d.substring(1) + "') instead)");
            }
            throw DataFormatException.at(file, null, headerStart, "unsupported dtype '" + d + "' (expected one of "
                    + supportedDescrs() + ")");
        }
        java.math.BigInteger bytes = java.math.BigInteger.valueOf(dtype.bytes);
        for (long dim : s) {
            bytes = bytes.multiply(java.math.BigInteger.valueOf(dim));
        }
        if (bytes.bitLength() > 62) {
            throw DataFormatException.at(file, null, headerStart, "shape " + shapeText(s) + " is too large: "
                    + sizeText(s) + " of " + dtype.descr + " would need " + bytes + " bytes, beyond any file (2^62)");
        }
        return new Header(major, dtype, s, headerStart + headerLen);
    }

    private static String supportedDescrs() {
        StringBuilder b = new StringBuilder();
        for (Dtype t : Dtype.values()) {
            b.append(b.isEmpty() ? "" : ", ").append('\'').append(t.descr).append('\'');
        }
        return b.toString();
    }

    /** The file of {@code size} bytes must be exactly header + data long (checked before any allocation). */
    static void checkSize(Object file, Header h, long size) throws DataFormatException {
        long expected = h.dataOffset() + h.dataBytes();
        if (size < expected) {
            long have = Math.max(0, size - h.dataOffset());
            if (h.dataBytes() > 2 * have + 1024) {
                // Far more than the file could hold: a wrong (or hostile) shape rather than a cut file.
                throw DataFormatException.at(file, null, h.dataOffset(), "shape " + h.shapeText() + " is too large: "
                        + sizeText(h) + " of " + h.dtype().descr + " need " + h.dataBytes() + " bytes, but the file"
                        + " holds only " + size + " bytes (" + have + " after the " + h.dataOffset() + "-byte header)");
            }
            throw DataFormatException.at(file, null, size, "the data is cut short: shape " + h.shapeText() + " of "
                    + h.dtype().descr + " needs " + h.dataBytes() + " bytes from offset " + h.dataOffset()
                    + " (file size " + expected + "), but the file has " + size + " bytes");
        }
        if (size > expected) {
            throw DataFormatException.at(file, null, expected, (size - expected) + " unexpected bytes after the data"
                    + " (shape " + h.shapeText() + " of " + h.dtype().descr + " ends at offset " + expected
                    + ", the file has " + size + " bytes)");
        }
    }

    /** "N rows x M features" (2-D and more), "N elements" (1-D), "1 element" (0-D). */
    private static String sizeText(long[] shape) {
        if (shape.length == 0) {
            return "1 element";
        }
        if (shape.length == 1) {
            return shape[0] + " elements";
        }
        java.math.BigInteger rest = java.math.BigInteger.ONE;
        for (int i = 1; i < shape.length; i++) {
            rest = rest.multiply(java.math.BigInteger.valueOf(shape[i]));
        }
        return shape[0] + " rows x " + rest + " features";
    }

    private static String sizeText(Header h) {
        return sizeText(h.shape);
    }

    /** Reads exactly {@code data.byteSize()} bytes into {@code data}. */
    static void readData(InputStream in, Object file, Header h, MemorySegment data) throws IOException {
        byte[] buf = new byte[(int) Math.min(1 << 20, Math.max(1, data.byteSize()))];
        long done = 0;
        while (done < data.byteSize()) {
            int want = (int) Math.min(buf.length, data.byteSize() - done);
            int n = in.readNBytes(buf, 0, want);
            if (n < want) {
                throw DataFormatException.at(file, null, h.dataOffset() + done + n, "the data is cut short (expected "
                        + data.byteSize() + " bytes from offset " + h.dataOffset() + ")");
            }
            MemorySegment.copy(buf, 0, data, ValueLayout.JAVA_BYTE, done, n);
            done += n;
        }
    }

    /** The stream must be at its end (trailing bytes are an error). */
    static void checkEnd(InputStream in, Object file, Header h) throws IOException {
        if (in.read() >= 0) {
            long end = h.dataOffset() + h.dataBytes();
            throw DataFormatException.at(file, null, end, "unexpected bytes after the data (shape " + h.shapeText()
                    + " ends at offset " + end + ")");
        }
    }

    static String shapeText(long[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /**
     * A strict parser for the header literal: a dict with string keys whose values are a string, True /
     * False, or a tuple of non-negative integers. Nothing else is accepted, so nothing is ever evaluated.
     */
    private static final class HeaderParser {
        private final String s;
        private final Object file;
        private final long base;
        private int i;

        HeaderParser(String s, Object file, long base) {
            this.s = s;
            this.file = file;
            this.base = base;
        }

        Map<String, Object> parse() throws DataFormatException {
            Map<String, Object> dict = new LinkedHashMap<>();
            skipSpace();
            expect('{', "the header must be a dict literal starting with '{'");
            skipSpace();
            while (peek() != '}') {
                int keyAt = i;
                String key = string();
                if (!key.equals("descr") && !key.equals("fortran_order") && !key.equals("shape")) {
                    throw error(keyAt, "unexpected key '" + key + "' (expected 'descr', 'fortran_order' and 'shape')");
                }
                skipSpace();
                expect(':', "expected ':' after a key");
                skipSpace();
                Object value = value();
                if (dict.put(key, value) != null) {
                    throw error(keyAt, "key '" + key + "' appears twice");
                }
                skipSpace();
                if (peek() == ',') {
                    i++;
                    skipSpace();
                } else if (peek() != '}') {
                    throw error(i, "expected ',' or '}' in the header dict");
                }
            }
            i++;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\0') {
                    throw error(i, "unexpected text after the header dict");
                }
                i++;
            }
            for (String k : new String[] {"descr", "fortran_order", "shape"}) {
                if (!dict.containsKey(k)) {
                    throw error(0, "the header dict lacks the key '" + k + "'");
                }
            }
            return dict;
        }

        private Object value() throws DataFormatException {
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (s.startsWith("True", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            if (c == '[') {
                throw error(i, "structured dtypes (a list descr) are not supported");
            }
            throw error(i, "expected a string, True, False or a tuple of integers");
        }

        private long[] tuple() throws DataFormatException {
            expect('(', "expected '('");
            long[] dims = new long[8];
            int n = 0;
            skipSpace();
            while (peek() != ')') {
                int start = i;
                while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    i++;
                }
                if (i == start) {
                    throw error(start, "expected a non-negative integer in the shape");
                }
                if (i - start > 18) {
                    throw error(start, "shape dimension " + clip(s.substring(start, i)) + " is too large (more than"
                            + " 18 digits; no file holds that many elements)");
                }
                long v = Long.parseLong(s.substring(start, i));
                if (peek() == 'L') {
                    i++; // Python 2 long literal, written by old numpy versions
                }
                if (n == dims.length) {
                    dims = Arrays.copyOf(dims, n * 2);
                }
                dims[n++] = v;
                skipSpace();
                if (peek() == ',') {
                    i++;
                    skipSpace();
                } else if (peek() != ')') {
                    throw error(i, "expected ',' or ')' in the shape");
                } else if (n == 1 && s.charAt(i - 1) != ',') {
                    throw error(i, "a one-element shape must be written (n,)");
                }
            }
            i++;
            return Arrays.copyOf(dims, n);
        }

        private String string() throws DataFormatException {
            char q = peek();
            if (q != '\'' && q != '"') {
                throw error(i, "expected a quoted string");
            }
            int start = ++i;
            while (i < s.length() && s.charAt(i) != q) {
                if (s.charAt(i) == '\\') {
                    throw error(i, "escapes are not allowed in header strings");
                }
                i++;
            }
            if (i == s.length()) {
                throw error(start - 1, "unterminated string");
            }
            return s.substring(start, i++);
        }

        private char peek() throws DataFormatException {
            if (i >= s.length()) {
                throw error(i, "the header ends too early");
            }
            return s.charAt(i);
        }

        private void expect(char c, String what) throws DataFormatException {
            if (peek() != c) {
                throw error(i, what);
            }
            i++;
        }

        private void skipSpace() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
                i++;
            }
        }

        private static String clip(String digits) {
            return digits.length() <= 40 ? digits : digits.substring(0, 20) + "..." + " (" + digits.length() + " digits)";
        }

        private DataFormatException error(int at, String what) {
            String shown = s.strip();
            if (shown.length() > 120) {
                shown = shown.substring(0, 120) + "...";
            }
            return DataFormatException.at(file, null, base + at, "bad .npy header: " + what + "; header: " + shown);
        }
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code values} as {@code <i4} with the given shape (default: 1-D). */
    public static void write(Path file, int[] values, long... shape) throws IOException {
        write(file, Dtype.I4, MemorySegment.ofArray(values), shapeOr(shape, values.length));
    }

    /** Writes {@code values} as {@code <f4} with the given shape (default: 1-D). */
    public static void write(Path file, float[] values, long... shape) throws IOException {
        write(file, Dtype.F4, MemorySegment.ofArray(values), shapeOr(shape, values.length));
    }

    /** Writes {@code values} as {@code <f8} with the given shape (default: 1-D). */
    public static void write(Path file, double[] values, long... shape) throws IOException {
        write(file, Dtype.F8, MemorySegment.ofArray(values), shapeOr(shape, values.length));
    }

    /** Writes {@code values} as {@code |u1} with the given shape (default: 1-D). */
    public static void write(Path file, byte[] values, long... shape) throws IOException {
        write(file, Dtype.U1, MemorySegment.ofArray(values), shapeOr(shape, values.length));
    }

    /** Writes labels as a 1-D {@code <i8} array (numpy's default integer type, what scikit-learn returns). */
    public static void writeLabels(Path file, int[] labels) throws IOException {
        long[] wide = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            wide[i] = labels[i];
        }
        write(file, Dtype.I8, MemorySegment.ofArray(wide), new long[] {labels.length});
    }

    private static long[] shapeOr(long[] shape, int length) {
        return shape == null || shape.length == 0 ? new long[] {length} : shape;
    }

    /**
     * Writes {@code data} (elements in native byte order, C order, e.g. a heap segment of a Java array)
     * as an array of this dtype and shape. The shape must account for every element.
     */
    public static void write(Path file, Dtype dtype, MemorySegment data, long... shape) throws IOException {
        write(file, dtype, data, shape, 0);
    }

    /** As {@link #write(Path, Dtype, MemorySegment, long...)} with a forced format version (1 or 2; 0 = auto). */
    static void write(Path file, Dtype dtype, MemorySegment data, long[] shape, int version) throws IOException {
        Objects.requireNonNull(dtype, "dtype");
        long count = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + shapeText(shape));
            }
            count = Math.multiplyExact(count, s);
        }
        if (count * dtype.bytes != data.byteSize()) {
            throw new IllegalArgumentException("shape " + shapeText(shape) + " of " + dtype.descr + " needs "
                    + count * dtype.bytes + " bytes, the data has " + data.byteSize());
        }
        long n = count;
        atomically(file, out -> {
            out.write(header(dtype, shape, version));
            writeElements(out, dtype, data, 0, n);
        });
    }

    /**
     * Writes a dataset's features: {@code (N, D)}, or for images {@code (N, H, W)} (grey),
     * {@code (N, H, W, C)} (HWC) or {@code (N, C, H, W)} (CHW); uint8 as {@code |u1}, float32 as
     * {@code <f4}; the row padding is dropped.
     */
    public static void write(Path file, Dataset d) throws IOException {
        write(file, d, rows -> { });
    }

    /**
     * As {@link #write(Path, Dataset)}, telling {@code rowsWritten} how many rows are written so far
     * (about every 1024 rows, and once at the end).
     */
    public static void write(Path file, Dataset d, java.util.function.LongConsumer rowsWritten) throws IOException {
        Objects.requireNonNull(d, "dataset");
        Objects.requireNonNull(rowsWritten, "rowsWritten");
        long[] shape;
        var img = d.imageShape().orElse(null);
        if (img == null) {
            shape = new long[] {d.rows(), d.dims()};
        } else if (img.channels() == 1) {
            shape = new long[] {d.rows(), img.height(), img.width()};
        } else if (img.layout() == ImageShape.Layout.HWC) {
            shape = new long[] {d.rows(), img.height(), img.width(), img.channels()};
        } else {
            shape = new long[] {d.rows(), img.channels(), img.height(), img.width()};
        }
        Dtype dtype = d.type() == Dataset.Type.UINT8 ? Dtype.U1 : Dtype.F4;
        atomically(file, out -> {
            out.write(header(dtype, shape, 0));
            for (int r = 0; r < d.rows(); r++) {
                writeElements(out, dtype, d.segment(), d.rowOffset(r), d.dims());
                if ((r + 1) % 1024 == 0 && r + 1 < d.rows()) {
                    rowsWritten.accept(r + 1);
                }
            }
            rowsWritten.accept(d.rows());
        });
    }

    /** Copies elements (native order in {@code src}, from element {@code first}) to little-endian bytes. */
    private static void writeElements(OutputStream out, Dtype dtype, MemorySegment src, long first, long count)
            throws IOException {
        int per = Math.max(1, (1 << 16) / dtype.bytes);
        byte[] buf = new byte[per * dtype.bytes];
        MemorySegment b = MemorySegment.ofArray(buf);
        ValueLayout nat = nativeLayout(dtype);
        ValueLayout le = nat.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (long done = 0; done < count; done += per) {
            int n = (int) Math.min(per, count - done);
            MemorySegment.copy(src, nat, (first + done) * dtype.bytes, b, le, 0, n);
            out.write(buf, 0, n * dtype.bytes);
        }
    }

    private static ValueLayout nativeLayout(Dtype t) {
        return switch (t.bytes) {
            case 1 -> ValueLayout.JAVA_BYTE;
            case 2 -> ValueLayout.JAVA_SHORT_UNALIGNED;
            case 4 -> t == Dtype.F4 ? ValueLayout.JAVA_FLOAT_UNALIGNED : ValueLayout.JAVA_INT_UNALIGNED;
            default -> t == Dtype.F8 ? ValueLayout.JAVA_DOUBLE_UNALIGNED : ValueLayout.JAVA_LONG_UNALIGNED;
        };
    }

    /** Magic, version, length and the dict padded with spaces and a newline to a multiple of 64 bytes. */
    static byte[] header(Dtype dtype, long[] shape, int version) {
        String dict = "{'descr': '" + dtype.descr + "', 'fortran_order': False, 'shape': " + shapeText(shape) + ", }";
        // numpy's rule: version 1.0 unless the padded header does not fit its 16-bit length
        int v = version != 0 ? version : ((10 + dict.length() + 1 + ALIGN - 1) / ALIGN * ALIGN - 10 <= 0xffff ? 1 : 2);
        int pre = 8 + (v == 1 ? 2 : 4);
        int total = (pre + dict.length() + 1 + ALIGN - 1) / ALIGN * ALIGN;
        int len = total - pre;
        if (v == 1 && len > 0xffff) {
            throw new IllegalArgumentException("header too long for format version 1.0");
        }
        byte[] out = new byte[total];
        System.arraycopy(MAGIC, 0, out, 0, 6);
        out[6] = (byte) v;
        out[7] = 0;
        MemorySegment m = MemorySegment.ofArray(out);
        if (v == 1) {
            m.set(LE_SHORT, 8, (short) len);
        } else {
            m.set(LE_INT, 8, len);
        }
        byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(d, 0, out, pre, d.length);
        Arrays.fill(out, pre + d.length, total - 1, (byte) ' ');
        out[total - 1] = '\n';
        return out;
    }

    /** Body of an atomic write. */
    @FunctionalInterface
    interface Body {
        void write(OutputStream out) throws IOException;
    }

    /** Writes to a temp file in the target's folder, then moves it over the target in one step. */
    static void atomically(Path file, Body body) throws IOException {
        AtomicWrite.write(file, body::write);
    }
}
