package io.vecml.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Python pickles (protocols 0 to 5) as plain Java values without ever executing anything.
 *
 * <p>The opcodes are interpreted by a small stack machine. Every "global" a pickle names is checked
 * against a whitelist the moment its opcode is read, before any object is built: only the numpy array
 * reconstruction that CIFAR batches use ({@code numpy.core.multiarray._reconstruct} and its numpy 2
 * spelling, {@code numpy.ndarray}, {@code numpy.dtype}, {@code numpy.core.numeric._frombuffer} for
 * protocol 5, {@code _codecs.encode} for bytes in Python 3 protocol-2 pickles). Their "calls" are
 * interpreted here in Java: an array becomes an {@link NdArray}, nothing of Python's is called. Any
 * other global ({@code os.system}, {@code builtins.eval}, ...), the INST/OBJ/NEWOBJ, persistent-id,
 * extension-registry and out-of-band buffer opcodes are refused with a {@link DataFormatException}
 * naming the file, the byte offset and the global.
 *
 * <p>Values: {@code None} is {@code null}, bool is {@link Boolean}, int is {@link Long} (at most 64 bits),
 * float is {@link Double}, str is {@link String}, bytes / bytearray / Python 2 str are {@link Bytes},
 * list is {@link List}, tuple is {@link Tuple}, dict is {@link Map} (insertion order kept).
 *
 * <p>Memory is bounded by the input: every length field is checked against the bytes that remain
 * (the caller passes the input size), the number of opcodes and the nesting depth are capped. Large
 * byte strings (the pixels) can be read straight into their final memory through a {@link BlobSink},
 * so they are never held twice.
 */
public final class SafeUnpickler {

    /** Open MARKs at once; CIFAR needs 3. */
    static final int MAX_DEPTH = 256;
    /**
     * Opcodes per pickle. Each opcode adds a bounded amount of memory besides its payload bytes
     * (which the input size bounds), so this caps the object graph; a CIFAR-10 batch needs ~40 000,
     * a CIFAR-100 training file ~300 000.
     */
    static final int MAX_OPS = 4_000_000;
    /** Byte strings at least this long are offered to the {@link BlobSink}. */
    public static final int SINK_MIN_BYTES = 1024;
    /** Lines of protocol-0 opcodes that hold numbers or names (GLOBAL, INT, PUT, GET). */
    private static final int MAX_NAME_LINE = 1024;
    /** The largest byte array the JVM allocates. */
    private static final long MAX_HEAP_ARRAY = Integer.MAX_VALUE - 16;

    private static final Map<String, Global> WHITELIST = Map.of(
            "numpy.core.multiarray._reconstruct", Global.RECONSTRUCT,
            "numpy._core.multiarray._reconstruct", Global.RECONSTRUCT,
            "numpy.ndarray", Global.NDARRAY,
            "numpy.dtype", Global.DTYPE,
            "numpy.core.numeric._frombuffer", Global.FROMBUFFER,
            "numpy._core.numeric._frombuffer", Global.FROMBUFFER,
            "_codecs.encode", Global.CODECS_ENCODE);

    /** numpy dtype strings of fixed-size numbers, bytes and text: optional byte order, kind, size. */
    private static final Pattern DTYPE = Pattern.compile("([<>|=]?)([biufcSUV])(\\d{1,4})");

    /**
     * Chooses where a large byte string of the pickle goes. Called with the length (already checked
     * against the remaining input) before the bytes are read.
     */
    @FunctionalInterface
    public interface BlobSink {
        /**
         * A segment of exactly {@code length} bytes to read the string into, or null to keep it on the heap.
         */
        MemorySegment place(long length) throws IOException;
    }

    private SafeUnpickler() {
    }

    /** A tuple (immutable; items may be null for None). */
    public record Tuple(List<Object> items) {
        public Tuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }

        public int size() {
            return items.size();
        }

        public Object get(int i) {
            return items.get(i);
        }
    }

    /**
     * A bytes value: on the heap, or "placed" in memory a {@link BlobSink} provided. Equality is by content
     * (so bytes work as dict keys).
     */
    public static final class Bytes {
        private final byte[] heap;
        private final MemorySegment placed;
        private int hash;

        Bytes(byte[] heap) {
            this.heap = heap;
            this.placed = null;
        }

        Bytes(MemorySegment placed) {
            this.heap = null;
            this.placed = placed;
        }

        /** Wraps a copy of the given bytes. */
        public static Bytes of(byte[] b) {
            return new Bytes(b.clone());
        }

        public long length() {
            return heap != null ? heap.length : placed.byteSize();
        }

        /** Whether the bytes were read into a segment a {@link BlobSink} gave. */
        public boolean isPlaced() {
            return placed != null;
        }

        /** The bytes as a segment (for heap bytes a read-only view, no copy). */
        public MemorySegment segment() {
            return placed != null ? placed : MemorySegment.ofArray(heap).asReadOnly();
        }

        /** A copy as an array. */
        public byte[] toArray() {
            return heap != null ? heap.clone() : placed.toArray(ValueLayout.JAVA_BYTE);
        }

        /** Decoded as Latin-1 (how Python 2 text in {@code str} maps to characters). */
        public String latin1() {
            return heap != null ? new String(heap, StandardCharsets.ISO_8859_1)
                    : new String(placed.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Bytes b) || b.length() != length()) {
                return false;
            }
            return MemorySegment.mismatch(segment(), 0, length(), b.segment(), 0, length()) < 0;
        }

        @Override
        public int hashCode() {
            if (hash == 0) {
                hash = heap != null ? Arrays.hashCode(heap) : Arrays.hashCode(placed.toArray(ValueLayout.JAVA_BYTE));
            }
            return hash;
        }

        @Override
        public String toString() {
            return "bytes[" + length() + "]";
        }
    }

    /**
     * A numpy array as the pickle describes it. It is created by the {@code _reconstruct} call and
     * completed by the following BUILD (as numpy's {@code __setstate__}), or created complete by
     * {@code _frombuffer}; the data size is checked against shape and dtype when it completes.
     */
    public static final class NdArray {
        private String dtype;
        private long[] shape;
        private boolean fortranOrder;
        private Bytes data;
        private long offset = -1;

        NdArray() {
        }

        /** Whether the array got its state (shape, dtype, data). */
        public boolean complete() {
            return data != null;
        }

        /** The dtype string with its byte order, e.g. {@code |u1} or {@code <f8}. */
        public String dtype() {
            requireComplete();
            return dtype;
        }

        public long[] shape() {
            requireComplete();
            return shape.clone();
        }

        /** Whether the data is in column-major order. */
        public boolean fortranOrder() {
            requireComplete();
            return fortranOrder;
        }

        /** The raw element bytes, product(shape) x itemsize of them. */
        public Bytes data() {
            requireComplete();
            return data;
        }

        /** Byte offset in the pickle of the opcode that completed the array. */
        public long offset() {
            return offset;
        }

        private void requireComplete() {
            if (data == null) {
                throw new IllegalStateException("the array never got its state");
            }
        }

        @Override
        public String toString() {
            return data == null ? "ndarray (no state)" : "ndarray " + dtype + " " + Arrays.toString(shape);
        }
    }

    /** Whitelisted globals; each is interpreted by Java code below. */
    private enum Global {
        RECONSTRUCT("numpy.core.multiarray._reconstruct"),
        NDARRAY("numpy.ndarray"),
        DTYPE("numpy.dtype"),
        FROMBUFFER("numpy.core.numeric._frombuffer"),
        CODECS_ENCODE("_codecs.encode");

        final String pythonName;

        Global(String pythonName) {
            this.pythonName = pythonName;
        }
    }

    /** A numpy dtype under construction (REDUCE gives the type string, BUILD the byte order). */
    private static final class DType {
        final String spec;
        String byteOrder;

        DType(String spec) {
            this.spec = spec;
        }

        String str() {
            if (!spec.isEmpty() && "<>|=".indexOf(spec.charAt(0)) >= 0) {
                return spec;
            }
            return (byteOrder == null ? "|" : byteOrder) + spec;
        }
    }

    /** Reads one pickle; see {@link #load(InputStream, long, Object, String, BlobSink)}. */
    public static Object load(InputStream in, long size, Object file, String member) throws IOException {
        return load(in, size, file, member, null);
    }

    /**
     * Reads one pickle from {@code in} up to its STOP opcode.
     *
     * @param in     the pickle's bytes (not closed)
     * @param size   how many bytes the input holds (length fields are checked against it)
     * @param file   the file, for messages
     * @param member the archive member, for messages, or null
     * @param sink   where byte strings of at least {@link #SINK_MIN_BYTES} go, or null for the heap
     * @return the unpickled value
     * @throws DataFormatException a malformed or truncated pickle, or one that names anything outside the whitelist
     */
    public static Object load(InputStream in, long size, Object file, String member, BlobSink sink) throws IOException {
        Objects.requireNonNull(in, "in");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        return new Machine(new Input(in, size, file, member), sink).run();
    }

    /** A dict entry looked up by a str key or by the same key as bytes (Python 2 str keys). */
    public static Object get(Map<?, ?> dict, String key) {
        if (dict.containsKey(key)) {
            return dict.get(key);
        }
        return dict.get(new Bytes(key.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** Whether {@link #get} finds the key. */
    public static boolean has(Map<?, ?> dict, String key) {
        return dict.containsKey(key) || dict.containsKey(new Bytes(key.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** A str, or bytes decoded as Latin-1; null for anything else. */
    public static String text(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Bytes b && b.length() <= MAX_NAME_LINE * 64) {
            return b.latin1();
        }
        return null;
    }

    /** The Python type name of a value, for messages (never the value, which may be huge or cyclic). */
    public static String typeName(Object v) {
        return switch (v) {
            case null -> "None";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case Bytes b -> "bytes";
            case List<?> l -> "list";
            case Tuple t -> "tuple";
            case Map<?, ?> m -> "dict";
            case NdArray a -> a.complete() ? "numpy.ndarray" : "numpy.ndarray without state";
            case DType d -> "numpy.dtype";
            case Global g -> g.pythonName;
            default -> v.getClass().getSimpleName();
        };
    }

    /** Buffered input that knows its offset and how much the caller said is left. */
    private static final class Input {
        private final InputStream in;
        private final long size;
        final Object file;
        final String member;
        private final byte[] buf;
        private int pos;
        private int lim;
        /** Input offset of buf[0]. */
        private long base;
        /** Offset of the opcode being executed, for messages. */
        long opOffset;
        String opName = "";

        Input(InputStream in, long size, Object file, String member) {
            this.in = in;
            this.size = size;
            // Large chunks keep the pixel transfer cheap; small pickles (labels, meta) need no more than themselves.
            this.buf = new byte[(int) Math.min(1 << 18, size + 1)];
            this.file = file;
            this.member = member;
        }

        long offset() {
            return base + pos;
        }

        long remaining() {
            return size - offset();
        }

        DataFormatException error(long offset, String what) {
            return DataFormatException.at(file, member, offset, what);
        }

        DataFormatException error(String what) {
            return error(opOffset, what);
        }

        /** Makes at least one byte available, or returns false at the end of the stream. */
        private boolean fill() throws IOException {
            if (pos < lim) {
                return true;
            }
            base += lim;
            pos = 0;
            lim = 0;
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            lim = n;
            return true;
        }

        private DataFormatException truncated(long needed) {
            return error(offset(), "the pickle ends inside " + opName + " (opcode at offset " + opOffset + "), "
                    + needed + " more byte(s) expected; the file is truncated");
        }

        int u8() throws IOException {
            if (pos == lim && !fill()) {
                throw truncated(1);
            }
            return buf[pos++] & 0xff;
        }

        /** Checks a length field against the bytes that remain, before anything is allocated. */
        long checkLength(long n) throws DataFormatException {
            if (n < 0) {
                throw error("negative length " + n + " in " + opName);
            }
            if (n > remaining()) {
                throw error(opName + " announces " + n + " bytes but only " + remaining()
                        + " remain in the input; the file is truncated or corrupt");
            }
            return n;
        }

        long le(int bytes) throws IOException {
            long v = 0;
            for (int i = 0; i < bytes; i++) {
                v |= (long) u8() << (8 * i);
            }
            return v;
        }

        byte[] bytes(long n) throws IOException {
            checkLength(n);
            if (n > MAX_HEAP_ARRAY) {
                throw error(opName + " of " + n + " bytes is too large to hold in memory");
            }
            byte[] out = new byte[(int) n];
            int done = 0;
            while (done < n) {
                if (pos == lim && !fill()) {
                    throw truncated(n - done);
                }
                int k = Math.min(lim - pos, (int) n - done);
                System.arraycopy(buf, pos, out, done, k);
                pos += k;
                done += k;
            }
            return out;
        }

        /** Reads exactly {@code dst.byteSize()} bytes into {@code dst}, in large chunks through the buffer. */
        void readInto(MemorySegment dst) throws IOException {
            long n = dst.byteSize();
            long done = 0;
            while (done < n) {
                if (pos == lim && !fill()) {
                    throw truncated(n - done);
                }
                int k = (int) Math.min(lim - pos, n - done);
                MemorySegment.copy(buf, pos, dst, ValueLayout.JAVA_BYTE, done, k);
                pos += k;
                done += k;
            }
        }

        /** A line without its newline; {@code max} bounds the length. */
        byte[] line(long max) throws IOException {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            while (true) {
                if (pos == lim && !fill()) {
                    throw truncated(1);
                }
                int start = pos;
                while (pos < lim && buf[pos] != '\n') {
                    pos++;
                }
                b.write(buf, start, pos - start);
                if (b.size() > max) {
                    throw error(opName + ": line longer than " + max + " bytes without a newline");
                }
                if (pos < lim) {
                    pos++;
                    return b.toByteArray();
                }
            }
        }

        String asciiLine(int max) throws IOException {
            byte[] l = line(max);
            for (byte c : l) {
                if (c < 0x20 || c > 0x7e) {
                    throw error(opName + ": expected a printable ASCII line, found byte 0x"
                            + Integer.toHexString(c & 0xff));
                }
            }
            return new String(l, StandardCharsets.US_ASCII);
        }
    }

    /** The pickle virtual machine: a value stack, a mark stack, the memo. */
    private static final class Machine {
        private final Input in;
        private final BlobSink sink;
        private final ArrayList<Object> stack = new ArrayList<>();
        private final int[] marks = new int[MAX_DEPTH];
        private int depth;
        private final Map<Long, Object> memo = new HashMap<>();

        Machine(Input in, BlobSink sink) {
            this.in = in;
            this.sink = sink;
        }

        Object run() throws IOException {
            for (int ops = 0; ; ops++) {
                if (ops >= MAX_OPS) {
                    throw in.error(in.offset(), "more than " + MAX_OPS + " opcodes; refused (not a dataset pickle?)");
                }
                in.opOffset = in.offset();
                in.opName = "the opcode";
                int op = in.u8();
                if (op == '.') {
                    if (depth != 0) {
                        throw in.error("STOP with an unclosed MARK");
                    }
                    if (stack.size() != 1) {
                        throw in.error("STOP with " + stack.size() + " values on the stack, expected 1");
                    }
                    return stack.get(0);
                }
                step(op);
            }
        }

        private void step(int op) throws IOException {
            switch (op) {
                case 0x80 -> { // PROTO
                    in.opName = "PROTO";
                    int p = in.u8();
                    if (p > 5) {
                        throw in.error("pickle protocol " + p + " is not supported (0..5)");
                    }
                }
                case 0x95 -> { // FRAME: a hint for buffering; its length is only checked
                    in.opName = "FRAME";
                    in.checkLength(in.le(8));
                }
                case '(' -> {
                    if (depth == MAX_DEPTH) {
                        throw in.error("nesting deeper than " + MAX_DEPTH + " MARKs; refused");
                    }
                    marks[depth++] = stack.size();
                }
                case '}' -> push(new LinkedHashMap<>());
                case ']' -> push(new ArrayList<>());
                case ')' -> push(new Tuple(List.of()));
                case 'l' -> push(new ArrayList<>(popMark("LIST")));
                case 'd' -> {
                    List<Object> items = popMark("DICT");
                    Map<Object, Object> d = new LinkedHashMap<>();
                    putAll(d, items, "DICT");
                    push(d);
                }
                case 't' -> push(new Tuple(popMark("TUPLE")));
                case 0x85, 0x86, 0x87 -> {
                    int n = op - 0x84;
                    need(n, "TUPLE" + n);
                    List<Object> top = stack.subList(stack.size() - n, stack.size());
                    Tuple t = new Tuple(top);
                    top.clear();
                    push(t);
                }
                case 'a' -> {
                    need(2, "APPEND");
                    Object v = pop();
                    list(peek(), "APPEND").add(v);
                }
                case 'e' -> {
                    List<Object> items = popMark("APPENDS");
                    need(1, "APPENDS");
                    list(peek(), "APPENDS").addAll(items);
                }
                case 's' -> {
                    need(3, "SETITEM");
                    Object v = pop();
                    Object k = pop();
                    putAll(dict(peek(), "SETITEM"), Arrays.asList(k, v), "SETITEM");
                }
                case 'u' -> {
                    List<Object> items = popMark("SETITEMS");
                    need(1, "SETITEMS");
                    putAll(dict(peek(), "SETITEMS"), items, "SETITEMS");
                }
                case 'p' -> {
                    in.opName = "PUT";
                    memoPut(parseLong(in.asciiLine(MAX_NAME_LINE), "PUT"));
                }
                case 'q' -> {
                    in.opName = "BINPUT";
                    memoPut(in.u8());
                }
                case 'r' -> {
                    in.opName = "LONG_BINPUT";
                    memoPut(in.le(4));
                }
                case 0x94 -> memoPut(memo.size()); // MEMOIZE
                case 'g' -> {
                    in.opName = "GET";
                    memoGet(parseLong(in.asciiLine(MAX_NAME_LINE), "GET"));
                }
                case 'h' -> {
                    in.opName = "BINGET";
                    memoGet(in.u8());
                }
                case 'j' -> {
                    in.opName = "LONG_BINGET";
                    memoGet(in.le(4));
                }
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'K' -> {
                    in.opName = "BININT1";
                    push((long) in.u8());
                }
                case 'M' -> {
                    in.opName = "BININT2";
                    push(in.le(2));
                }
                case 'J' -> {
                    in.opName = "BININT";
                    push((long) (int) in.le(4));
                }
                case 0x8a, 0x8b -> { // LONG1, LONG4
                    in.opName = op == 0x8a ? "LONG1" : "LONG4";
                    long n = in.checkLength(op == 0x8a ? in.u8() : in.le(4) & 0xffffffffL);
                    if (n > 8) {
                        throw in.error(in.opName + ": integers wider than 64 bits are not supported (" + n + " bytes)");
                    }
                    byte[] b = in.bytes(n);
                    long v = 0;
                    for (int i = b.length - 1; i >= 0; i--) {
                        v = (v << 8) | (b[i] & 0xff);
                    }
                    if (n > 0 && n < 8 && (b[b.length - 1] & 0x80) != 0) {
                        v -= 1L << (8 * n); // two's complement sign
                    }
                    push(v);
                }
                case 'I' -> {
                    in.opName = "INT";
                    String s = in.asciiLine(MAX_NAME_LINE);
                    push(switch (s) {
                        case "00" -> Boolean.FALSE;
                        case "01" -> Boolean.TRUE;
                        default -> parseLong(s, "INT");
                    });
                }
                case 'G' -> {
                    in.opName = "BINFLOAT";
                    long bits = 0;
                    for (int i = 0; i < 8; i++) {
                        bits = (bits << 8) | in.u8();
                    }
                    push(Double.longBitsToDouble(bits));
                }
                case 'S' -> {
                    in.opName = "STRING";
                    push(new Bytes(reprString(in.line(in.remaining()))));
                }
                case 'T' -> {
                    in.opName = "BINSTRING";
                    long n = (int) in.le(4); // signed in the format
                    push(blob(n));
                }
                case 'U' -> {
                    in.opName = "SHORT_BINSTRING";
                    push(blob(in.u8()));
                }
                case 'B' -> {
                    in.opName = "BINBYTES";
                    push(blob(in.le(4)));
                }
                case 'C' -> {
                    in.opName = "SHORT_BINBYTES";
                    push(blob(in.u8()));
                }
                case 0x8e, 0x96 -> { // BINBYTES8, BYTEARRAY8
                    in.opName = op == 0x8e ? "BINBYTES8" : "BYTEARRAY8";
                    push(blob(in.le(8)));
                }
                case 'V' -> {
                    in.opName = "UNICODE";
                    push(rawUnicodeEscape(in.line(in.remaining())));
                }
                case 'X' -> {
                    in.opName = "BINUNICODE";
                    push(utf8(in.bytes(in.checkLength(in.le(4)))));
                }
                case 0x8c -> {
                    in.opName = "SHORT_BINUNICODE";
                    push(utf8(in.bytes(in.u8())));
                }
                case 0x8d -> {
                    in.opName = "BINUNICODE8";
                    push(utf8(in.bytes(in.le(8))));
                }
                case 'c' -> {
                    in.opName = "GLOBAL";
                    String module = in.asciiLine(MAX_NAME_LINE);
                    String name = in.asciiLine(MAX_NAME_LINE);
                    push(resolve(module, name));
                }
                case 0x93 -> {
                    in.opName = "STACK_GLOBAL";
                    need(2, "STACK_GLOBAL");
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw in.error("STACK_GLOBAL expects two str (module, name), found " + typeName(module)
                                + " and " + typeName(name));
                    }
                    push(resolve(m, n));
                }
                case 'R' -> {
                    need(2, "REDUCE");
                    Object args = pop();
                    Object callable = pop();
                    push(call(callable, args));
                }
                case 'b' -> {
                    need(2, "BUILD");
                    Object state = pop();
                    build(peek(), state);
                }
                case 'i' -> {
                    in.opName = "INST";
                    String module = in.asciiLine(MAX_NAME_LINE);
                    String name = in.asciiLine(MAX_NAME_LINE);
                    throw in.error("refused INST opcode creating " + module + "." + name
                            + ": pickles may not create arbitrary objects");
                }
                case 'o' -> throw in.error("refused OBJ opcode: pickles may not create arbitrary objects");
                case 0x81, 0x92 -> throw in.error("refused " + (op == 0x81 ? "NEWOBJ" : "NEWOBJ_EX")
                        + " opcode: no whitelisted class is created with it");
                case 'P', 'Q' -> throw in.error("refused " + (op == 'P' ? "PERSID" : "BINPERSID")
                        + " opcode: persistent ids are not supported");
                case 0x82, 0x83, 0x84 -> throw in.error("refused EXT" + (op == 0x84 ? 4 : op - 0x81)
                        + " opcode: the extension registry is not supported");
                case 0x97, 0x98 -> throw in.error("refused " + (op == 0x97 ? "NEXT_BUFFER" : "READONLY_BUFFER")
                        + " opcode: out-of-band buffers are not supported");
                default -> throw in.error("unsupported pickle opcode 0x" + Integer.toHexString(op)
                        + (op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : ""));
            }
        }

        private Global resolve(String module, String name) throws DataFormatException {
            Global g = WHITELIST.get(module + "." + name);
            if (g == null) {
                throw in.error("refused global " + module + "." + name
                        + ": only numpy array reconstruction is allowed in a dataset pickle (nothing is executed)");
            }
            return g;
        }

        private Object call(Object callable, Object args) throws DataFormatException {
            if (!(callable instanceof Global g)) {
                throw in.error("REDUCE on a " + typeName(callable) + ", expected a whitelisted global");
            }
            if (!(args instanceof Tuple t)) {
                throw in.error("REDUCE arguments for " + g.pythonName + " are a " + typeName(args) + ", expected a tuple");
            }
            switch (g) {
                case RECONSTRUCT -> {
                    // numpy's ndarray.__reduce__: _reconstruct(ndarray, (0,), b'b'); BUILD brings the state.
                    args(g, t, 3, 3);
                    if (t.get(0) != Global.NDARRAY) {
                        throw in.error("_reconstruct of a " + typeName(t.get(0)) + ", expected numpy.ndarray");
                    }
                    return new NdArray();
                }
                case DTYPE -> {
                    args(g, t, 1, 3);
                    String spec = text(t.get(0));
                    if (spec == null) {
                        throw in.error("numpy.dtype of a " + typeName(t.get(0)) + ", expected a type string such as 'u1'");
                    }
                    return new DType(spec);
                }
                case CODECS_ENCODE -> {
                    // Python 3 writes bytes at protocol 2 as _codecs.encode(latin-1 text, 'latin1').
                    args(g, t, 1, 3);
                    if (!(t.get(0) instanceof String s)) {
                        throw in.error("_codecs.encode of a " + typeName(t.get(0)) + ", expected a str");
                    }
                    String enc = t.size() > 1 ? text(t.get(1)) : "utf-8";
                    if (enc == null) {
                        throw in.error("_codecs.encode: the encoding is a " + typeName(t.get(1)) + ", expected a str");
                    }
                    return encode(s, enc);
                }
                case FROMBUFFER -> {
                    // numpy >= 1.23 at protocol 5: _frombuffer(buffer, dtype, shape, order)
                    args(g, t, 4, 4);
                    if (!(t.get(0) instanceof Bytes data)) {
                        throw in.error("_frombuffer of a " + typeName(t.get(0)) + ", expected bytes");
                    }
                    if (!(t.get(1) instanceof DType dt)) {
                        throw in.error("_frombuffer dtype is a " + typeName(t.get(1)) + ", expected numpy.dtype");
                    }
                    String order = text(t.get(3));
                    if (!"C".equals(order) && !"F".equals(order)) {
                        throw in.error("_frombuffer order must be 'C' or 'F'");
                    }
                    NdArray a = new NdArray();
                    complete(a, t.get(2), dt, "F".equals(order), data);
                    return a;
                }
                case NDARRAY -> throw in.error("calling numpy.ndarray directly is not supported");
                default -> throw new AssertionError(g);
            }
        }

        private void args(Global g, Tuple t, int min, int max) throws DataFormatException {
            if (t.size() < min || t.size() > max) {
                throw in.error(g.pythonName + " takes " + (min == max ? min : min + ".." + max) + " arguments, got "
                        + t.size());
            }
        }

        private Bytes encode(String s, String encoding) throws DataFormatException {
            String e = encoding.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            if (e.equals("latin1") || e.equals("latin-1") || e.equals("iso-8859-1") || e.equals("iso8859-1")) {
                byte[] out = new byte[s.length()];
                for (int i = 0; i < out.length; i++) {
                    char c = s.charAt(i);
                    if (c > 0xff) {
                        throw in.error("_codecs.encode: character U+" + Integer.toHexString(c) + " at index " + i
                                + " is not Latin-1");
                    }
                    out[i] = (byte) c;
                }
                return new Bytes(out);
            }
            if (e.equals("utf-8") || e.equals("utf8")) {
                return new Bytes(s.getBytes(StandardCharsets.UTF_8));
            }
            throw in.error("_codecs.encode with encoding '" + encoding + "' is not supported (latin1, utf-8)");
        }

        private void build(Object target, Object state) throws DataFormatException {
            if (target instanceof NdArray a) {
                if (a.complete()) {
                    throw in.error("BUILD on an array that already has its state");
                }
                // numpy ndarray.__setstate__: (version, shape, dtype, is_fortran, rawdata) or without the version
                if (!(state instanceof Tuple t) || (t.size() != 5 && t.size() != 4)) {
                    throw in.error("array state is a " + typeName(state)
                            + (state instanceof Tuple t ? " of " + t.size() : "")
                            + ", expected a tuple (version, shape, dtype, is_fortran, rawdata)");
                }
                int o = t.size() - 4;
                if (!(t.get(o + 1) instanceof DType dt)) {
                    throw in.error("array state: dtype is a " + typeName(t.get(o + 1)) + ", expected numpy.dtype");
                }
                Object raw = t.get(o + 3);
                Bytes data;
                if (raw instanceof Bytes b) {
                    data = b;
                } else if (raw instanceof String s) {
                    data = encode(s, "latin1"); // how numpy reads Python 2 str data decoded as latin1
                } else {
                    throw in.error("array state: data is a " + typeName(raw)
                            + ", expected bytes (object arrays are not supported)");
                }
                complete(a, t.get(o), dt, truth(t.get(o + 2), "is_fortran"), data);
            } else if (target instanceof DType dt) {
                // numpy dtype.__setstate__: (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
                if (!(state instanceof Tuple t) || t.size() < 8 || t.size() > 9) {
                    throw in.error("dtype state is a " + typeName(state) + ", expected a tuple of 8 or 9 items");
                }
                if (dt.byteOrder != null) {
                    throw in.error("BUILD on a dtype that already has its state");
                }
                String order = text(t.get(1));
                if (order == null || order.length() != 1 || "<>|=".indexOf(order.charAt(0)) < 0) {
                    throw in.error("dtype state: byte order must be one of < > | =");
                }
                if (t.get(2) != null || t.get(3) != null || t.get(4) != null) {
                    throw in.error("dtype state: structured or sub-array dtypes are not supported");
                }
                dt.byteOrder = order;
            } else {
                throw in.error("BUILD on a " + typeName(target) + " is not supported");
            }
        }

        private void complete(NdArray a, Object shapeValue, DType dt, boolean fortran, Bytes data)
                throws DataFormatException {
            if (!(shapeValue instanceof Tuple st)) {
                throw in.error("array shape is a " + typeName(shapeValue) + ", expected a tuple of ints");
            }
            String dtype = dt.str();
            Matcher m = DTYPE.matcher(dtype);
            if (!m.matches()) {
                throw in.error("array dtype '" + dtype + "' is not supported (numbers, bytes and text only)");
            }
            long item = Long.parseLong(m.group(3)) * (m.group(2).equals("U") ? 4 : 1);
            long[] shape = new long[st.size()];
            long count = 1;
            try {
                for (int i = 0; i < shape.length; i++) {
                    if (!(st.get(i) instanceof Long d) || d < 0) {
                        throw in.error("array shape item " + i + " is not a non-negative int");
                    }
                    shape[i] = d;
                    count = Math.multiplyExact(count, d);
                }
                count = Math.multiplyExact(count, item);
            } catch (ArithmeticException e) {
                throw in.error("array shape " + Arrays.toString(shape) + " overflows");
            }
            if (count != data.length()) {
                throw in.error("array data has " + data.length() + " bytes but shape " + Arrays.toString(shape)
                        + " of dtype " + dtype + " needs " + count);
            }
            a.dtype = dtype;
            a.shape = shape;
            a.fortranOrder = fortran;
            a.data = data;
            a.offset = in.opOffset;
        }

        private boolean truth(Object v, String what) throws DataFormatException {
            if (v instanceof Boolean b) {
                return b;
            }
            if (v instanceof Long l && (l == 0 || l == 1)) {
                return l == 1;
            }
            throw in.error(what + " is a " + typeName(v) + ", expected a bool");
        }

        /** A byte string: into the sink's memory when it wants it, else onto the heap. */
        private Bytes blob(long n) throws IOException {
            in.checkLength(n);
            if (sink != null && n >= SINK_MIN_BYTES) {
                MemorySegment dst = sink.place(n);
                if (dst != null) {
                    if (dst.byteSize() != n) {
                        throw new IllegalStateException("sink gave " + dst.byteSize() + " bytes for " + n);
                    }
                    in.readInto(dst);
                    return new Bytes(dst);
                }
            }
            return new Bytes(in.bytes(n));
        }

        private String utf8(byte[] b) throws DataFormatException {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw in.error(in.opName + ": text is not valid UTF-8");
            }
        }

        private long parseLong(String s, String what) throws DataFormatException {
            String t = s.endsWith("L") ? s.substring(0, s.length() - 1) : s;
            try {
                return Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
            } catch (NumberFormatException e) {
                throw in.error(what + ": expected a decimal integer, found '" + s + "'");
            }
        }

        /** Decodes a protocol-0 STRING: a quoted Python 2 repr with backslash escapes. */
        private byte[] reprString(byte[] l) throws DataFormatException {
            if (l.length < 2 || (l[0] != '\'' && l[0] != '"') || l[l.length - 1] != l[0]) {
                throw in.error("STRING: expected a quoted string");
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(l.length);
            for (int i = 1; i < l.length - 1; i++) {
                int c = l[i] & 0xff;
                if (c != '\\' || i + 1 >= l.length - 1) {
                    out.write(c);
                    continue;
                }
                int e = l[++i] & 0xff;
                switch (e) {
                    case 'n' -> out.write('\n');
                    case 't' -> out.write('\t');
                    case 'r' -> out.write('\r');
                    case 'a' -> out.write(7);
                    case 'b' -> out.write(8);
                    case 'f' -> out.write(12);
                    case 'v' -> out.write(11);
                    case '\\', '\'', '"' -> out.write(e);
                    case 'x' -> {
                        if (i + 2 >= l.length - 1) {
                            throw in.error("STRING: truncated \\x escape");
                        }
                        int h = Character.digit(l[i + 1], 16);
                        int g = Character.digit(l[i + 2], 16);
                        if (h < 0 || g < 0) {
                            throw in.error("STRING: invalid \\x escape");
                        }
                        out.write(h * 16 + g);
                        i += 2;
                    }
                    default -> {
                        if (e >= '0' && e <= '7') {
                            int v = e - '0';
                            for (int k = 0; k < 2 && i + 1 < l.length - 1 && l[i + 1] >= '0' && l[i + 1] <= '7'; k++) {
                                v = v * 8 + (l[++i] - '0');
                            }
                            out.write(v & 0xff);
                        } else {
                            out.write('\\');
                            out.write(e);
                        }
                    }
                }
            }
            return out.toByteArray();
        }

        /** Decodes a protocol-0 UNICODE line: Latin-1 with raw-unicode-escape {@code \\uXXXX} / {@code \\UXXXXXXXX}. */
        private String rawUnicodeEscape(byte[] l) throws DataFormatException {
            StringBuilder b = new StringBuilder(l.length);
            int slashes = 0;
            for (int i = 0; i < l.length; i++) {
                int c = l[i] & 0xff;
                if (c == '\\') {
                    slashes++;
                    b.append('\\');
                    continue;
                }
                if ((c == 'u' || c == 'U') && slashes % 2 == 1) {
                    int n = c == 'u' ? 4 : 8;
                    int cp = 0;
                    for (int k = 1; k <= n; k++) {
                        int d = i + k < l.length ? Character.digit(l[i + k], 16) : -1;
                        if (d < 0) {
                            throw in.error("UNICODE: invalid \\" + (char) c + " escape");
                        }
                        cp = cp * 16 + d;
                    }
                    if (!Character.isValidCodePoint(cp)) {
                        throw in.error("UNICODE: invalid code point in escape");
                    }
                    b.setLength(b.length() - 1); // the escaping backslash
                    b.appendCodePoint(cp);
                    i += n;
                } else {
                    b.append((char) c);
                }
                slashes = 0;
            }
            return b.toString();
        }

        private void putAll(Map<Object, Object> d, List<Object> items, String op) throws DataFormatException {
            if (items.size() % 2 != 0) {
                throw in.error(op + " with an odd number of items (" + items.size() + ")");
            }
            for (int i = 0; i < items.size(); i += 2) {
                Object k = items.get(i);
                if (!hashable(k, 0)) {
                    throw in.error(op + ": a " + typeName(k) + " cannot be a dict key");
                }
                d.put(k, items.get(i + 1));
            }
        }

        /** Python's rule (immutable values only), which also keeps Java's hashCode away from cycles. */
        private static boolean hashable(Object k, int level) {
            if (k == null || k instanceof String || k instanceof Bytes || k instanceof Long || k instanceof Boolean
                    || k instanceof Double) {
                return true;
            }
            if (k instanceof Tuple t && level < 32) {
                for (Object o : t.items()) {
                    if (!hashable(o, level + 1)) {
                        return false;
                    }
                }
                return true;
            }
            return false;
        }

        @SuppressWarnings("unchecked")
        private List<Object> list(Object o, String op) throws DataFormatException {
            if (o instanceof ArrayList<?> l) {
                return (List<Object>) l;
            }
            throw in.error(op + " on a " + typeName(o) + ", expected a list");
        }

        @SuppressWarnings("unchecked")
        private Map<Object, Object> dict(Object o, String op) throws DataFormatException {
            if (o instanceof LinkedHashMap<?, ?> m) {
                return (Map<Object, Object>) m;
            }
            throw in.error(op + " on a " + typeName(o) + ", expected a dict");
        }

        private List<Object> popMark(String op) throws DataFormatException {
            if (depth == 0) {
                throw in.error(op + " without a MARK");
            }
            int m = marks[--depth];
            List<Object> top = stack.subList(m, stack.size());
            List<Object> items = new ArrayList<>(top);
            top.clear();
            return items;
        }

        /** The stack must hold {@code n} values above the current MARK. */
        private void need(int n, String op) throws DataFormatException {
            int floor = depth == 0 ? 0 : marks[depth - 1];
            if (stack.size() - floor < n) {
                throw in.error(op + " needs " + n + " value(s) on the stack, found " + (stack.size() - floor));
            }
        }

        private void push(Object o) {
            stack.add(o);
        }

        private Object pop() {
            return stack.remove(stack.size() - 1);
        }

        private Object peek() {
            return stack.get(stack.size() - 1);
        }

        private void memoPut(long key) throws DataFormatException {
            if (key < 0) {
                throw in.error("negative memo index " + key);
            }
            int floor = depth == 0 ? 0 : marks[depth - 1];
            if (stack.size() <= floor) {
                throw in.error("memo put with an empty stack");
            }
            memo.put(key, peek());
        }

        private void memoGet(long key) throws DataFormatException {
            if (!memo.containsKey(key)) {
                throw in.error("memo index " + key + " was never stored");
            }
            push(memo.get(key));
        }
    }
}
