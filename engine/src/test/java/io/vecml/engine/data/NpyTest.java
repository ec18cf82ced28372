package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.data.Npy.Dtype;
import io.vecml.engine.data.Npy.NpyArray;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NpyTest {

    @TempDir
    Path dir;

    /** A fixture written by numpy (see npy/make_fixtures.py). */
    static Path fixture(String name) throws URISyntaxException {
        return Path.of(NpyTest.class.getResource("npy/" + name).toURI());
    }

    /** A .npy file by hand: magic, version, length, the dict text padded to 64 with a newline, then data. */
    static byte[] npy(int version, String dict, byte[] data) {
        int pre = version == 1 ? 10 : 12;
        int total = (pre + dict.length() + 1 + 63) / 64 * 64;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        int len = total - pre;
        out.write(len & 0xff);
        out.write(len >>> 8 & 0xff);
        if (version != 1) {
            out.write(len >>> 16 & 0xff);
            out.write(len >>> 24 & 0xff);
        }
        out.writeBytes(dict.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(" ".repeat(total - pre - dict.getBytes(StandardCharsets.UTF_8).length - 1).getBytes(StandardCharsets.US_ASCII));
        out.write('\n');
        out.writeBytes(data);
        return out.toByteArray();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static double[] values(NpyArray a) {
        double[] v = new double[(int) a.count()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.getDouble(i);
        }
        return v;
    }

    // ------------------------------------------------------------ files written by numpy

    @Test
    void readsNumpyUint8ThreeD() throws Exception {
        try (NpyArray a = Npy.read(fixture("u8_3d.npy"))) {
            assertThat(a.dtype()).isEqualTo(Dtype.U1);
            assertThat(a.shape()).containsExactly(2, 3, 4);
            double[] expected = new double[24];
            for (int i = 0; i < 24; i++) {
                expected[i] = i;
            }
            assertThat(values(a)).containsExactly(expected);
        }
        assertThat(Npy.readHeader(fixture("u8_3d.npy")).version()).isEqualTo(1);
    }

    @Test
    void readsNumpyFloat64() throws Exception {
        try (NpyArray a = Npy.read(fixture("f8_2d.npy"))) {
            assertThat(a.dtype()).isEqualTo(Dtype.F8);
            assertThat(a.shape()).containsExactly(2, 3);
            assertThat(values(a)).containsExactly(1.5, -2.25, 0.1, 3e10, -0.0, 7.0);
            assertThat(Double.doubleToRawLongBits(a.getDouble(4))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        }
    }

    @Test
    void readsNumpyVersion2Header() throws Exception {
        Npy.Header h = Npy.readHeader(fixture("f4_v2.npy"));
        assertThat(h.version()).isEqualTo(2);
        assertThat(h.dataOffset() % 64).isZero();
        try (NpyArray a = Npy.read(fixture("f4_v2.npy"))) {
            assertThat(a.dtype()).isEqualTo(Dtype.F4);
            assertThat(a.shape()).containsExactly(2, 3);
            assertThat(values(a)).containsExactly(0.5, -1.0, 2.0, 3.25, (double) 1e-3f, -7.5);
        }
    }

    @Test
    void readsNumpyIntegersOfEveryWidth() throws Exception {
        try (NpyArray a = Npy.read(fixture("i8_labels.npy"))) {
            assertThat(a.dtype()).isEqualTo(Dtype.I8);
            assertThat(a.shape()).containsExactly(3);
            assertThat(new long[] {a.getLong(0), a.getLong(1), a.getLong(2)}).containsExactly(2, 0, 1);
        }
        try (NpyArray a = Npy.read(fixture("i4_1d.npy"))) {
            assertThat(a.dtype()).isEqualTo(Dtype.I4);
            assertThat(values(a)).containsExactly(-2147483648.0, -1, 0, 2147483647.0);
        }
        try (NpyArray a = Npy.read(fixture("i2_1d.npy"))) {
            assertThat(a.dtype()).isEqualTo(Dtype.I2);
            assertThat(values(a)).containsExactly(-32768, -1, 32767);
        }
        try (NpyArray a = Npy.read(fixture("u2_1d.npy"))) {
            assertThat(a.dtype()).isEqualTo(Dtype.U2);
            assertThat(values(a)).containsExactly(0, 1, 65535);
        }
        try (NpyArray a = Npy.read(fixture("i1_1d.npy"))) {
            assertThat(a.dtype()).isEqualTo(Dtype.I1);
            assertThat(values(a)).containsExactly(-128, -1, 127);
        }
    }

    @Test
    void readsNumpyZeroDimensionalScalar() throws Exception {
        try (NpyArray a = Npy.read(fixture("f4_0d.npy"))) {
            assertThat(a.rank()).isZero();
            assertThat(a.count()).isEqualTo(1);
            assertThat(a.getDouble(0)).isEqualTo(2.5);
        }
    }

    @Test
    void refusesNumpyFortranOrderAndBigEndian() throws Exception {
        Path f = fixture("fortran.npy");
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(f + ", offset 10: the array is stored in Fortran order")
                .hasMessageContaining("np.ascontiguousarray(a)");
        Path b = fixture("big_endian.npy");
        assertThatThrownBy(() -> Npy.read(b)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("dtype '>f4' is big-endian; only little-endian is supported (save a.astype('<f4') instead)");
    }

    // ------------------------------------------------------------ round trips

    static Stream<Arguments> everyDtypeRankAndVersion() {
        List<Arguments> out = new ArrayList<>();
        long[][] shapes = {{}, {0}, {1}, {7}, {3, 5}, {2, 0}, {2, 3, 4}, {2, 1, 3, 3}, {1, 2, 1, 2, 3}};
        for (Dtype t : Dtype.values()) {
            for (long[] s : shapes) {
                for (int v = 1; v <= 2; v++) {
                    out.add(Arguments.of(t, s, v));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} v{2}")
    @MethodSource("everyDtypeRankAndVersion")
    void roundTripsEveryDtypeRankAndVersion(Dtype t, long[] shape, int version) throws IOException {
        long count = 1;
        for (long s : shape) {
            count *= s;
        }
        byte[] bytes = new byte[(int) count * t.bytes()];
        new SplittableRandom(count * 31 + t.ordinal()).nextBytes(bytes);
        if (t == Dtype.F4 || t == Dtype.F8) {
            // random bits can be NaN payloads; any value is fine for the file, but keep them comparable
            MemorySegment m = MemorySegment.ofArray(bytes);
            for (int i = 0; i < count; i++) {
                if (t == Dtype.F4) {
                    m.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (i * 0.37 - 3));
                } else {
                    m.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, i * 1e-7 - 3e100);
                }
            }
        }
        Path p = dir.resolve("a.npy");
        Npy.write(p, t, MemorySegment.ofArray(bytes), shape, version);
        Npy.Header h = Npy.readHeader(p);
        assertThat(h.version()).isEqualTo(version);
        assertThat(h.dataOffset() % 64).isZero();
        assertThat(h.shape()).containsExactly(shape);
        try (NpyArray a = Npy.read(p)) {
            assertThat(a.dtype()).isEqualTo(t);
            assertThat(a.shape()).containsExactly(shape);
            // the test machine is little-endian, so the file bytes equal the Java array bytes
            assertThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(a.data().toArray(ValueLayout.JAVA_BYTE)).containsExactly(bytes);
        }
    }

    @Test
    void convenienceWritersChooseTheDtype() throws IOException {
        Path i = dir.resolve("i.npy");
        Npy.write(i, new int[] {1, -2, 3, 4, 5, 6}, 2, 3);
        try (NpyArray a = Npy.read(i)) {
            assertThat(a.dtype()).isEqualTo(Dtype.I4);
            assertThat(a.shape()).containsExactly(2, 3);
            assertThat(a.getLong(1)).isEqualTo(-2);
        }
        Path l = dir.resolve("y.npy");
        Npy.writeLabels(l, new int[] {2, 0, 1});
        try (NpyArray a = Npy.read(l)) {
            assertThat(a.dtype()).isEqualTo(Dtype.I8);
            assertThat(a.shape()).containsExactly(3);
            assertThat(values(a)).containsExactly(2, 0, 1);
        }
        Path f = dir.resolve("f.npy");
        Npy.write(f, new float[] {0.25f, -1f});
        try (NpyArray a = Npy.read(f)) {
            assertThat(a.dtype()).isEqualTo(Dtype.F4);
            assertThat(a.shape()).containsExactly(2);
            assertThat(values(a)).containsExactly(0.25, -1);
        }
        Path d = dir.resolve("d.npy");
        Npy.write(d, new double[] {0.1});
        try (NpyArray a = Npy.read(d)) {
            assertThat(a.dtype()).isEqualTo(Dtype.F8);
            assertThat(a.getDouble(0)).isEqualTo(0.1);
        }
        Path b = dir.resolve("b.npy");
        Npy.write(b, new byte[] {(byte) 200, 7}, 1, 2);
        try (NpyArray a = Npy.read(b)) {
            assertThat(a.dtype()).isEqualTo(Dtype.U1);
            assertThat(values(a)).containsExactly(200, 7);
        }
        assertThatThrownBy(() -> Npy.write(dir.resolve("bad.npy"), new int[] {1, 2, 3}, 2, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shape (2, 2) of <i4 needs 16 bytes");
    }

    @Test
    void writesADatasetWithoutRowPadding() throws IOException {
        int[] labels = {0, 1, 0};
        try (Dataset u8 = Dataset.allocate(Dataset.Type.UINT8, 3, 17, labels, List.of("a", "b"));
             Dataset f32 = Dataset.allocate(Dataset.Type.FLOAT32, 3, 17, labels, List.of("a", "b"))) {
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 17; c++) {
                    u8.setU8(r, c, (r * 17 + c) % 256);
                    f32.setF32(r, c, r * 100 + c + 0.5f);
                }
            }
            Path pu = dir.resolve("u8.npy");
            Npy.write(pu, u8);
            try (NpyArray a = Npy.read(pu)) {
                assertThat(a.dtype()).isEqualTo(Dtype.U1);
                assertThat(a.shape()).containsExactly(3, 17);
                for (int i = 0; i < 51; i++) {
                    assertThat(a.getLong(i)).isEqualTo(i);
                }
            }
            Path pf = dir.resolve("f32.npy");
            Npy.write(pf, f32);
            try (NpyArray a = Npy.read(pf)) {
                assertThat(a.dtype()).isEqualTo(Dtype.F4);
                assertThat(a.shape()).containsExactly(3, 17);
                assertThat(a.getDouble(17 * 2 + 16)).isEqualTo(216.5);
            }
        }
        try (Dataset img = Dataset.allocate(Dataset.Type.UINT8, 1, 12, new int[1], List.of("a"));
             Dataset hwc = img.withImageShape(new ImageShape(2, 2, 3, ImageShape.Layout.HWC));
             Dataset chw = img.withImageShape(new ImageShape(2, 2, 3, ImageShape.Layout.CHW));
             Dataset grey = img.withImageShape(ImageShape.grey(3, 4))) {
            Npy.write(dir.resolve("hwc.npy"), hwc);
            Npy.write(dir.resolve("chw.npy"), chw);
            Npy.write(dir.resolve("grey.npy"), grey);
            assertThat(Npy.readHeader(dir.resolve("hwc.npy")).shape()).containsExactly(1, 2, 2, 3);
            assertThat(Npy.readHeader(dir.resolve("chw.npy")).shape()).containsExactly(1, 3, 2, 2);
            assertThat(Npy.readHeader(dir.resolve("grey.npy")).shape()).containsExactly(1, 3, 4);
        }
    }

    @Test
    void writesReplaceAtomicallyAndLeaveNoTempFiles() throws IOException {
        Path p = dir.resolve("x.npy");
        Files.writeString(p, "old content");
        Npy.write(p, new float[] {1, 2, 3});
        try (NpyArray a = Npy.read(p)) {
            assertThat(values(a)).containsExactly(1, 2, 3);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(x -> x.getFileName().toString())).containsExactly("x.npy");
        }
    }

    @Test
    void aHeaderTooLongForVersion1IsWrittenAsVersion2() {
        long[] shape = new long[30000];
        java.util.Arrays.fill(shape, 1);
        byte[] h = Npy.header(Dtype.U1, shape, 0);
        assertThat(h[6]).isEqualTo((byte) 2);
        assertThat(h.length % 64).isZero();
        assertThat(h[h.length - 1]).isEqualTo((byte) '\n');
    }

    // ------------------------------------------------------------ malformed files

    private static final String GOOD = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";

    @Test
    void acceptsTheHandMadeReference() throws IOException {
        try (NpyArray a = Npy.read(file("ok.npy", npy(1, GOOD, new byte[8])))) {
            assertThat(a.shape()).containsExactly(2);
        }
        // key order and double quotes are free in a dict literal; version 3 is UTF-8 but otherwise as 2
        String other = "{\"shape\": (2, 1), \"fortran_order\": False, \"descr\": \"<f4\"}";
        try (NpyArray a = Npy.read(file("ok3.npy", npy(3, other, new byte[8])))) {
            assertThat(a.shape()).containsExactly(2, 1);
        }
    }

    @Test
    void refusesBadMagicAndVersion() throws IOException {
        byte[] b = npy(1, GOOD, new byte[8]);
        b[1] = 'n';
        Path p = file("magic.npy", b);
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(DataFormatException.class)
                .hasMessage(p + ", offset 0: not a numpy .npy file (expected the magic bytes \\x93NUMPY)");
        Path csv = file("short.npy", "1,2\n".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> Npy.read(csv)).hasMessageContaining("not a numpy .npy file");
        byte[] v = npy(1, GOOD, new byte[8]);
        v[6] = 4;
        Path pv = file("v4.npy", v);
        assertThatThrownBy(() -> Npy.read(pv)).hasMessageContaining("unsupported .npy format version 4.0");
    }

    @Test
    void refusesHeadersThatAreNotTheExpectedDict() throws IOException {
        String[][] cases = {
            {"[1, 2]", "the header must be a dict literal starting with '{'"},
            {"{'descr': __import__('os').system('echo pwned'), 'fortran_order': False, 'shape': (2,), }",
                "expected a string, True, False or a tuple of integers"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'evil': exec('1'), }", "unexpected key 'evil'"},
            {"{'descr': '<f4', 'fortran_order': False}", "lacks the key 'shape'"},
            {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "key 'descr' appears twice"},
            {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "expected a string, True, False or a tuple"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", "a one-element shape must be written (n,)"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", "expected a non-negative integer in the shape"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} + 1", "unexpected text after the header dict"},
            {"{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2,)}", "escapes are not allowed"},
            {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", "structured dtypes"},
            {"{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", "unsupported dtype '<c8'"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': 2}", "expected a string, True, False or a tuple"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", "the header ends too early"},
        };
        for (String[] c : cases) {
            Path p = file("h.npy", npy(1, c[0], new byte[8]));
            assertThatThrownBy(() -> Npy.read(p)).as(c[0]).isInstanceOf(DataFormatException.class)
                    .hasMessageContaining(p + ", offset ").hasMessageContaining(c[1]);
        }
    }

    @Test
    void refusesShortAndTrailingData() throws IOException {
        Path shortFile = file("short.npy", npy(1, GOOD, new byte[7]));
        assertThatThrownBy(() -> Npy.read(shortFile)).isInstanceOf(DataFormatException.class)
                .hasMessage(shortFile + ", offset 135: the data is cut short: shape (2,) of <f4 needs 8 bytes from offset 128"
                        + " (file size 136), but the file has 135 bytes");
        Path trailing = file("trailing.npy", npy(1, GOOD, new byte[9]));
        assertThatThrownBy(() -> Npy.read(trailing)).isInstanceOf(DataFormatException.class)
                .hasMessage(trailing + ", offset 136: 1 unexpected bytes after the data (shape (2,) of <f4 ends at offset 136,"
                        + " the file has 137 bytes)");
        byte[] cut = npy(1, GOOD, new byte[0]);
        Path header = file("header.npy", java.util.Arrays.copyOf(cut, 30));
        assertThatThrownBy(() -> Npy.read(header)).hasMessageContaining(", offset 30: the file ends inside the header"
                + " (118 bytes expected from offset 10)");
    }

    @Test
    void refusesAShapeWhoseSizeOverflows() throws IOException {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000000000, 1000), }";
        Path p = file("huge.npy", npy(1, dict, new byte[0]));
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(DataFormatException.class).hasMessageContaining("is too large");
        String big = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000), }";
        Path q = file("big.npy", npy(1, big, new byte[16]));
        assertThatThrownBy(() -> Npy.read(q)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("shape (1000000000, 1000) is too large: 1000000000 rows x 1000 features of <f8 need"
                        + " 8000000000000 bytes, but the file holds only ");
    }

    @Test
    void aHugePositiveDimensionIsCalledTooLargeNotNegative() throws IOException {
        String digits = "123456789012345678901234567890";
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + digits + ", 3), }";
        Path p = file("huge-dim.npy", npy(1, dict, new byte[12]));
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("shape dimension " + digits + " is too large")
                .hasMessageNotContaining("non-negative");
        // 18 digits parse, but rows x features x 4 bytes overflow what any file holds
        String dict2 = "{'descr': '<f4', 'fortran_order': False, 'shape': (900000000000000000, 3000), }";
        Path q = file("huge-product.npy", npy(1, dict2, new byte[12]));
        assertThatThrownBy(() -> Npy.read(q)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(q.toString())
                .hasMessageContaining("is too large: 900000000000000000 rows x 3000 features of <f4")
                .hasMessageNotContaining("non-negative");
        // fits a long, but not the file: named with the file's size
        String dict3 = "{'descr': '<f4', 'fortran_order': False, 'shape': (5000000000, 3), }";
        Path r = file("huge-rows.npy", npy(1, dict3, new byte[12]));
        assertThatThrownBy(() -> NpyDatasetReader.read(r, new LoadOptions(DataFormat.NPY, null, null, null, r)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("5000000000 rows x 3 features of <f4 need 60000000000 bytes, but the file holds only");
    }
}
