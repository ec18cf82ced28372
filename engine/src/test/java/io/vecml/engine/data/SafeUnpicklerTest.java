package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vecml.engine.data.SafeUnpickler.Bytes;
import io.vecml.engine.data.SafeUnpickler.NdArray;
import io.vecml.engine.data.SafeUnpickler.Tuple;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafeUnpicklerTest {

    static final String FIXTURES = "/io/vecml/engine/data/pickle/";

    static Object load(byte[] pickle) throws IOException {
        return SafeUnpickler.load(new ByteArrayInputStream(pickle), pickle.length, "test.pkl", null);
    }

    static byte[] fixture(String name) {
        try (InputStream in = SafeUnpicklerTest.class.getResourceAsStream(FIXTURES + name)) {
            assertThat(in).as("fixture " + name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] randomPixels(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The values make_fixtures.py writes for a batch of the given seed. */
    static byte[] fixturePixels(int seed, int rows) {
        byte[] b = new byte[rows * 3072];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 3072; c++) {
                b[r * 3072 + c] = (byte) ((37 * seed + 131 * r + 7 * c) % 256);
            }
        }
        return b;
    }

    static int fixtureLabel(int seed, int r) {
        return (seed + 3 * r) % 10;
    }

    @Test
    void readsAPython2CPickleBatch() throws IOException {
        byte[] pixels = randomPixels(7 * 3072, 1);
        int[] labels = {0, 9, 3, 3, 1, 7, 5};
        List<String> names = List.of("a.png", "b.png", "c.png", "d.png", "e.png", "f.png", "g.png");
        Object root = load(PickleWriter.python2Batch("training batch 1 of 5", labels, pixels, 3072, names));

        assertThat(root).isInstanceOf(Map.class);
        Map<?, ?> d = (Map<?, ?>) root;
        // Python 2 str keys are bytes here; get() finds them by their text.
        assertThat(d.keySet()).allMatch(k -> k instanceof Bytes);
        assertThat(SafeUnpickler.text(SafeUnpickler.get(d, "batch_label"))).isEqualTo("training batch 1 of 5");
        NdArray a = (NdArray) SafeUnpickler.get(d, "data");
        assertThat(a.complete()).isTrue();
        assertThat(a.dtype()).isEqualTo("|u1");
        assertThat(a.shape()).containsExactly(7, 3072);
        assertThat(a.fortranOrder()).isFalse();
        assertThat(a.data().isPlaced()).isFalse();
        assertThat(a.data().toArray()).isEqualTo(pixels);
        assertThat(SafeUnpickler.get(d, "labels")).isEqualTo(List.of(0L, 9L, 3L, 3L, 1L, 7L, 5L));
        List<?> files = (List<?>) SafeUnpickler.get(d, "filenames");
        assertThat(files.stream().map(SafeUnpickler::text).toList()).isEqualTo(names);
    }

    @Test
    void largeStringsGoStraightIntoTheSinksMemory() throws IOException {
        byte[] pixels = randomPixels(5 * 3072, 2);
        byte[] pickle = PickleWriter.python2Batch("b", new int[5], pixels, 3072, List.of("1", "2", "3", "4", "5"));
        List<Long> asked = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(pixels.length);
            Map<?, ?> d = (Map<?, ?>) SafeUnpickler.load(new ByteArrayInputStream(pickle), pickle.length, "f", "m",
                    n -> {
                        asked.add(n);
                        return dst;
                    });
            Bytes data = ((NdArray) SafeUnpickler.get(d, "data")).data();
            assertThat(data.isPlaced()).isTrue();
            assertThat(data.segment().address()).isEqualTo(dst.address());
            assertThat(dst.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(pixels);
        }
        // Only the pixel string is large enough to be offered; short strings stay on the heap.
        assertThat(asked).containsExactly((long) pixels.length);
    }

    static Stream<Arguments> python3Batches() {
        return Stream.of(
                Arguments.of("batch_p0.pkl", 5, 1, false),
                Arguments.of("batch_p2.pkl", 1, 3, false),
                Arguments.of("batch_p2_bytes.pkl", 2, 2, true),
                Arguments.of("batch_p4_bytes.pkl", 3, 4, true),
                Arguments.of("batch_p5.pkl", 4, 4, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("python3Batches")
    void readsBatchesPickledByPython3AndNumpy(String file, int seed, int rows, boolean bytesKeys) throws IOException {
        Map<?, ?> d = (Map<?, ?>) load(fixture(file));
        assertThat(d.keySet()).allMatch(k -> bytesKeys ? k instanceof Bytes : k instanceof String);
        assertThat(d).hasSize(4);
        assertThat(SafeUnpickler.text(SafeUnpickler.get(d, "batch_label"))).isEqualTo("fixture batch " + seed);
        NdArray a = (NdArray) SafeUnpickler.get(d, "data");
        assertThat(a.dtype()).isEqualTo("|u1");
        assertThat(a.shape()).containsExactly(rows, 3072);
        assertThat(a.fortranOrder()).isFalse();
        assertThat(a.data().toArray()).isEqualTo(fixturePixels(seed, rows));
        List<?> labels = (List<?>) SafeUnpickler.get(d, "labels");
        List<String> files = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            assertThat(labels.get(r)).isEqualTo((long) fixtureLabel(seed, r));
            files.add("img_" + seed + "_" + r + ".png");
        }
        assertThat(((List<?>) SafeUnpickler.get(d, "filenames")).stream().map(SafeUnpickler::text).toList())
                .isEqualTo(files);
    }

    @ParameterizedTest
    @MethodSource("python3Batches")
    void python3PixelsAlsoLandInTheSink(String file, int seed, int rows, boolean bytesKeys) throws IOException {
        byte[] pickle = fixture(file);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate((long) rows * 3072);
            Map<?, ?> d = (Map<?, ?>) SafeUnpickler.load(new ByteArrayInputStream(pickle), pickle.length, "f", null,
                    n -> n == dst.byteSize() ? dst : null);
            NdArray a = (NdArray) SafeUnpickler.get(d, "data");
            assertThat(a.data().toArray()).isEqualTo(fixturePixels(seed, rows));
            // Protocols 0 and 2 carry the bytes as latin-1 text (_codecs.encode), which cannot be placed.
            boolean binary = file.contains("p4") || file.contains("p5");
            assertThat(a.data().isPlaced()).as("placed").isEqualTo(binary);
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"meta_p2.pkl", "meta_p5_bytes.pkl"})
    void readsMetaPickles(String file) throws IOException {
        Map<?, ?> d = (Map<?, ?>) load(fixture(file));
        List<?> names = (List<?>) SafeUnpickler.get(d, "label_names");
        assertThat(names.stream().map(SafeUnpickler::text).toList()).containsExactly("airplane", "automobile", "bird",
                "cat", "deer", "dog", "frog", "horse", "ship", "truck");
        assertThat(SafeUnpickler.get(d, "num_vis")).isEqualTo(3072L);
        assertThat(SafeUnpickler.get(d, "num_cases_per_batch")).isEqualTo(10000L);
    }

    @Test
    void decodesScalarsAsPythonWritesThem() throws IOException {
        assertThat(load(hex("80024affffffff2e"))).isEqualTo(-1L);
        assertThat(load(hex("80028a060000000000012e"))).isEqualTo(1L << 40);
        assertThat(load(hex("80028a060000000000ff2e"))).isEqualTo(-(1L << 40));
        assertThat(load(hex("80028a08ffffffffffffff7f2e"))).isEqualTo(Long.MAX_VALUE);
        assertThat(load(hex("80028a0800000000000000802e"))).isEqualTo(Long.MIN_VALUE);
        assertThat(load(hex("80024dffff2e"))).isEqualTo(65535L);
        assertThat(load(hex("80024a7fffffff2e"))).isEqualTo(-129L);
        assertThat(load(hex("8002473ff80000000000002e"))).isEqualTo(1.5);
    }

    @Test
    void decodesContainersAtProtocols0And2And4() throws IOException {
        // pickle.dumps((1, 'é', b'\x00\xff', None, True, [1, {2: 3}]), protocol) for 0, 2 and 4
        byte[] p0 = bytes("(I1\nV\u00e9\np0\nc_codecs\nencode\np1\n(V\\u0000\u00ff\np2\nVlatin1\np3\ntp4\nRp5\nNI01\n"
                + "(lp6\nI1\na(dp7\nI2\nI3\nsatp8\n.");
        byte[] p2 = cat(hex("8002284b015802000000"), bytes("\u00c3\u00a9q\u0000c_codecs\nencode\nq\u0001X\u0003\u0000\u0000"
                + "\u0000\u0000\u00c3\u00bfq\u0002X\u0006\u0000\u0000\u0000latin1q\u0003\u0086q\u0004Rq\u0005N\u0088]q\u0006"
                + "(K\u0001}q\u0007K\u0002K\u0003setq\b."));
        byte[] p4 = cat(hex("8004951f00000000000000284b018c02c3a994430200ff944e885d94284b017d944b024b0373657494"), bytes("."));
        for (byte[] p : List.of(p0, p2, p4)) {
            Tuple t = (Tuple) load(p);
            assertThat(t.size()).isEqualTo(6);
            assertThat(t.get(0)).isEqualTo(1L);
            assertThat(t.get(1)).isEqualTo("\u00e9");
            assertThat(t.get(2)).isEqualTo(Bytes.of(new byte[] {0, (byte) 0xff}));
            assertThat(t.get(3)).isNull();
            assertThat(t.get(4)).isEqualTo(true);
            assertThat(t.get(5)).isEqualTo(List.of(1L, Map.of(2L, 3L)));
        }
    }

    @Test
    void refusesATruncatedPickleAtEveryCut() throws IOException {
        byte[] whole = PickleWriter.python2Batch("b", new int[] {1}, randomPixels(3072, 3), 3072, List.of("x"));
        for (byte[] full : List.of(whole, fixture("batch_p4_bytes.pkl"), fixture("batch_p0.pkl"))) {
            assertThat(load(full)).isInstanceOf(Map.class);
            for (int cut = 0; cut < full.length; cut++) {
                byte[] part = Arrays.copyOf(full, cut);
                // The size may be the true (cut) size, or a size that lies about bytes that never come.
                for (long size : new long[] {cut, full.length}) {
                    Throwable t = catchThrowable(() -> SafeUnpickler.load(new ByteArrayInputStream(part), size,
                            "cut.pkl", null));
                    assertThat(t).as("cut at %d, size %d", cut, size).isInstanceOf(DataFormatException.class)
                            .hasMessageStartingWith("cut.pkl, offset ");
                }
            }
        }
    }

    @Test
    void errorsNameTheOffsetAndWhatWasExpected() {
        byte[] p = PickleWriter.python2Batch("b", new int[] {1}, randomPixels(3072, 3), 3072, List.of("x"));
        byte[] cut = Arrays.copyOf(p, 400);
        assertThatThrownBy(() -> SafeUnpickler.load(new ByteArrayInputStream(cut), cut.length, "x.tar.gz",
                "cifar-10-batches-py/data_batch_1"))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("x.tar.gz member cifar-10-batches-py/data_batch_1, offset ")
                .hasMessageContaining("BINSTRING announces 3072 bytes but only ");
    }

    @Test
    void refusesArrayDataOfTheWrongSize() {
        byte[] p = PickleWriter.python2Batch("b", new int[2], randomPixels(2 * 3072 - 5, 4), 2, 3072, List.of("a", "b"));
        assertThatThrownBy(() -> load(p)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("array data has 6139 bytes but shape [2, 3072] of dtype |u1 needs 6144");
    }

    @Test
    void refusesAnAbsurdLengthBeforeAllocating() {
        byte[] p = cat(hex("80048d"), hex("ffffffffffffff7f"), bytes("x."));
        assertThatThrownBy(() -> load(p)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("test.pkl, offset 2: BINUNICODE8 announces 9223372036854775807 bytes but only 2 remain");
        byte[] neg = cat(hex("8002"), bytes("T"), hex("ffffffff"), bytes("."));
        assertThatThrownBy(() -> load(neg)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("negative length -1 in BINSTRING");
    }

    @Test
    void boundsTheNesting() {
        byte[] deep = new byte[SafeUnpickler.MAX_DEPTH + 3];
        Arrays.fill(deep, (byte) '(');
        assertThatThrownBy(() -> load(deep)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("offset " + SafeUnpickler.MAX_DEPTH + ": nesting deeper than");
    }

    @Test
    void refusesMalformedStructure() {
        assertThatThrownBy(() -> load(bytes("h\u0005."))).hasMessageContaining("memo index 5 was never stored");
        assertThatThrownBy(() -> load(bytes("}(]]u."))).hasMessageContaining("a list cannot be a dict key");
        assertThatThrownBy(() -> load(bytes("K\u0001K\u0002."))).hasMessageContaining("STOP with 2 values");
        assertThatThrownBy(() -> load(bytes("e."))).hasMessageContaining("APPENDS without a MARK");
        assertThatThrownBy(() -> load(bytes("K\u0001]a."))).hasMessageContaining("APPEND on a int, expected a list");
        assertThatThrownBy(() -> load(hex("80062e"))).hasMessageContaining("pickle protocol 6 is not supported");
        assertThatThrownBy(() -> load(bytes("\u00ff."))).hasMessageContaining("unsupported pickle opcode 0xff");
    }

    @Test
    void survivesACyclicList() throws IOException {
        // l = []; l.append(l) -> pickle.dumps(l, 2)
        List<?> l = (List<?>) load(hex("80025d7100680061" + "2e"));
        assertThat(l).hasSize(1);
        assertThat(l.get(0)).isSameAs(l);
    }

    // ---- refusals: nothing is built or called, the error names the file, offset and global ----

    @Test
    void refusesOsSystemAndRunsNothing(@TempDir Path tmp) {
        Path marker = tmp.resolve("pwned");
        // class E: __reduce__ = lambda self: (os.system, ('touch ' + marker,)) ; pickle.dumps(E(), 2)
        PickleWriter w = new PickleWriter().proto(2).global("os", "system").put();
        w.op(0x8c, ("touch " + marker).length()).ascii("touch " + marker).op(0x85).op('R').put().stop();
        assertThatThrownBy(() -> load(w.toByteArray())).isInstanceOf(DataFormatException.class)
                .hasMessage("test.pkl, offset 2: refused global os.system: only numpy array reconstruction is allowed"
                        + " in a dataset pickle (nothing is executed)");
        assertThat(Files.exists(marker)).isFalse();
    }

    @Test
    void refusesPosixSystemThroughStackGlobal(@TempDir Path tmp) {
        Path marker = tmp.resolve("pwned");
        PickleWriter w = new PickleWriter().proto(4).shortBinunicode("posix").op(0x94).shortBinunicode("system")
                .op(0x94).op(0x93).op(0x94).shortBinunicode("touch " + marker).op(0x85).op('R').stop();
        assertThatThrownBy(() -> load(w.toByteArray())).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("offset 19: refused global posix.system");
        assertThat(Files.exists(marker)).isFalse();
    }

    static Stream<Arguments> refusedGlobals() {
        return Stream.of(
                Arguments.of("builtins", "eval"),
                Arguments.of("__builtin__", "eval"),
                Arguments.of("builtins", "exec"),
                Arguments.of("subprocess", "Popen"),
                Arguments.of("numpy", "load"),
                Arguments.of("numpy.core.multiarray", "scalar"),
                Arguments.of("numpy.core.multiarray", "_reconstruct_x"));
    }

    @ParameterizedTest(name = "{0}.{1}")
    @MethodSource("refusedGlobals")
    void refusesEveryGlobalOutsideTheWhitelist(String module, String name) {
        PickleWriter w = new PickleWriter().proto(2).global(module, name).shortBinstring("1+1").op(0x85).op('R').stop();
        assertThatThrownBy(() -> load(w.toByteArray())).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("offset 2: refused global " + module + "." + name);
    }

    @Test
    void refusesAForbiddenGlobalEvenAfterAllowedOnes() {
        byte[] ok = PickleWriter.python2Batch("b", new int[1], new byte[3072], 3072, List.of("x"));
        byte[] bad = cat(Arrays.copyOf(ok, ok.length - 2), bytes("cos\nsystem\n"));
        assertThatThrownBy(() -> load(bad)).hasMessageContaining("offset " + (ok.length - 2) + ": refused global os.system");
    }

    static Stream<Arguments> refusedOpcodes() {
        return Stream.of(
                Arguments.of("INST", bytes("(S'touch x'\nios\nsystem\n."), "refused INST opcode creating os.system"),
                Arguments.of("OBJ", bytes("(K\u0001o."), "refused OBJ opcode"),
                Arguments.of("OBJ after a global", bytes("(cnumpy\ndtype\nS'u1'\no."), "refused OBJ opcode"),
                Arguments.of("NEWOBJ", bytes("\u0080\u0002cnumpy\nndarray\n)\u0081."), "refused NEWOBJ opcode"),
                Arguments.of("PERSID", bytes("Pabc\n."), "refused PERSID opcode"),
                Arguments.of("BINPERSID", bytes("K\u0001Q."), "refused BINPERSID opcode"),
                Arguments.of("EXT1", bytes("\u0080\u0002\u0082\u0001."), "refused EXT1 opcode"),
                Arguments.of("EXT4", bytes("\u0080\u0002\u0084\u0001\u0000\u0000\u0000."), "refused EXT4 opcode"),
                Arguments.of("NEXT_BUFFER", bytes("\u0080\u0005\u0097."), "refused NEXT_BUFFER opcode"),
                Arguments.of("READONLY_BUFFER", bytes("\u0080\u0005K\u0001\u0098."), "refused READONLY_BUFFER opcode"),
                Arguments.of("REDUCE on a non-global", bytes("K\u0001)R."), "REDUCE on a int"),
                Arguments.of("BUILD on a dict", bytes("}}b."), "BUILD on a dict is not supported"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedOpcodes")
    void refusesOpcodesThatCreateOrFetchArbitraryObjects(String name, byte[] pickle, String message) {
        assertThatThrownBy(() -> load(pickle)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith("test.pkl, offset ").hasMessageContaining(message);
    }

    // ---- helpers ----

    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] hex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static byte[] cat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
