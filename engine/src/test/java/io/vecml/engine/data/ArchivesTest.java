package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchivesTest {

    @TempDir
    Path dir;

    /** One tar entry for {@link #tar}: a file (link == null), or a link of the given type. */
    record Entry(String name, byte[] data, byte linkType, String link) {
        static Entry file(String name, byte[] data) {
            return new Entry(name, data, TarConstants.LF_NORMAL, null);
        }
    }

    /** Writes a tar (gzip'd when the name ends in .gz) with the entries as given, names unaltered. */
    static Path tar(Path file, List<Entry> entries) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file)) {
            OutputStream o = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw;
            TarArchiveOutputStream t = new TarArchiveOutputStream(o);
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry e : entries) {
                TarArchiveEntry te;
                if (e.link() == null) {
                    te = new TarArchiveEntry(e.name(), true);
                    te.setSize(e.data().length);
                } else {
                    te = new TarArchiveEntry(e.name(), e.linkType(), true);
                    te.setLinkName(e.link());
                }
                t.putArchiveEntry(te);
                if (e.link() == null) {
                    t.write(e.data());
                }
                t.closeArchiveEntry();
            }
            t.finish();
            if (o instanceof GZIPOutputStream gz) {
                gz.finish();
            }
        }
        return file;
    }

    static Path tar(Path file, Map<String, byte[]> files) throws IOException {
        List<Entry> es = new ArrayList<>();
        files.forEach((n, b) -> es.add(Entry.file(n, b)));
        return tar(file, es);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Visits everything and returns "base=content" in visit order. */
    private static List<String> visitAll(Path source) throws IOException {
        List<String> seen = new ArrayList<>();
        Archives.forEachMember(source, n -> true,
                (base, full, size, in) -> seen.add(base + "=" + new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        return seen;
    }

    @Test
    void readsTarAndTarGzMembersInArchiveOrderAndSkipsUnwanted() throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("top/b.txt", bytes("bee"));
        m.put("top/a.txt", bytes("ay"));
        m.put("top/skip.bin", bytes("zz"));
        for (String name : List.of("x.tar", "x.tar.gz")) {
            Path t = tar(dir.resolve(name), m);
            List<String> seen = new ArrayList<>();
            Archives.forEachMember(t, n -> n.endsWith(".txt"), (base, full, size, in) -> {
                // the visitor reads only part of a member: the rest must be skipped for the next one
                seen.add(base + ":" + full + ":" + size + ":" + (char) in.read());
            });
            assertThat(seen).as(name).containsExactly("b.txt:top/b.txt:3:b", "a.txt:top/a.txt:2:a");
        }
    }

    @Test
    void foldersAreReadInNameOrderAndSubfoldersAreIgnored() throws IOException {
        Path f = Files.createDirectory(dir.resolve("f"));
        Files.writeString(f.resolve("c"), "3");
        Files.writeString(f.resolve("a"), "1");
        Files.writeString(f.resolve("b"), "2");
        Files.createDirectory(f.resolve("a-sub"));
        Files.writeString(f.resolve("a-sub").resolve("inner"), "x");
        assertThat(visitAll(f)).containsExactly("a=1", "b=2", "c=3");
    }

    @Test
    void refusesParentReferences() throws IOException {
        Path t = tar(dir.resolve("dots.tar"), List.of(Entry.file("ok.txt", bytes("1")), Entry.file("data/../../x", bytes("2"))));
        assertThatThrownBy(() -> visitAll(t)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("dots.tar").hasMessageContaining("member data/../../x").hasMessageContaining("'..'");
        Path t2 = tar(dir.resolve("dots2.tar.gz"), List.of(Entry.file("../x", bytes("2"))));
        assertThatThrownBy(() -> visitAll(t2)).isInstanceOf(DataFormatException.class).hasMessageContaining("member ../x");
    }

    @Test
    void refusesAbsolutePaths() throws IOException {
        Path t = tar(dir.resolve("abs.tar.gz"), List.of(Entry.file("/etc/x", bytes("root"))));
        assertThatThrownBy(() -> visitAll(t)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("member /etc/x").hasMessageContaining("absolute");
    }

    @Test
    void refusesSymbolicAndHardLinks() throws IOException {
        Path sym = tar(dir.resolve("sym.tar"), List.of(new Entry("d/link", null, TarConstants.LF_SYMLINK, "/etc/passwd")));
        assertThatThrownBy(() -> visitAll(sym)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("member d/link").hasMessageContaining("link (to /etc/passwd)");
        Path hard = tar(dir.resolve("hard.tar.gz"),
                List.of(Entry.file("d/a", bytes("1")), new Entry("d/hard", null, TarConstants.LF_LINK, "d/a")));
        assertThatThrownBy(() -> visitAll(hard)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("member d/hard").hasMessageContaining("link");
    }

    @Test
    void refusesACutTarGz() throws IOException {
        byte[] big = new byte[200_000];
        new java.util.Random(1).nextBytes(big);
        Path t = tar(dir.resolve("full.tar.gz"), Map.of("d/big.bin", big));
        byte[] all = Files.readAllBytes(t);
        for (int keep : new int[] {all.length / 2, all.length - 4}) {
            Path cut = Files.write(dir.resolve("cut" + keep + ".tar.gz"), Arrays.copyOf(all, keep));
            assertThatThrownBy(() -> visitAll(cut)).as("cut at " + keep).isInstanceOf(DataFormatException.class)
                    .hasMessageContaining("cut" + keep + ".tar.gz");
        }
    }

    @Test
    void refusesAMemberCutShortInAPlainTar() throws IOException {
        byte[] data = new byte[10_000];
        Path t = tar(dir.resolve("full.tar"), Map.of("d/m.bin", data));
        byte[] all = Files.readAllBytes(t);
        // header (512) + 4000 of the 10000 member bytes
        Path cut = Files.write(dir.resolve("cut.tar"), Arrays.copyOf(all, 512 + 4000));
        assertThatThrownBy(() -> visitAll(cut)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("cut.tar member d/m.bin, offset 4000").hasMessageContaining("cut short");
    }

    @Test
    void refusesADamagedGzip() throws IOException {
        Path t = tar(dir.resolve("ok.tar.gz"), Map.of("d/a.txt", bytes("hello hello hello")));
        byte[] all = Files.readAllBytes(t);
        // The CRC-32 in the gzip trailer (8 bytes before the end) no longer matches the data.
        all[all.length - 8] ^= 0x5a;
        Path bad = Files.write(dir.resolve("crc.tar.gz"), all);
        assertThatThrownBy(() -> visitAll(bad)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("crc.tar.gz").hasMessageContaining("damaged");

        // A plain gzip file read through open(): a damaged body is reported with the file name.
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            byte[] noise = new byte[50_000];
            new java.util.Random(2).nextBytes(noise);
            gz.write(noise);
        }
        byte[] gzBytes = bo.toByteArray();
        for (int i = 100; i < 140; i++) {
            gzBytes[i] = (byte) 0xff;
        }
        Path g = Files.write(dir.resolve("damaged.gz"), gzBytes);
        assertThatThrownBy(() -> {
            try (InputStream in = Archives.open(g)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }).isInstanceOf(DataFormatException.class).hasMessageContaining("damaged.gz");
    }

    @Test
    void openDecompressesByContentNotName() throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(bytes("inside"));
        }
        Path g = Files.write(dir.resolve("no-gz-suffix"), bo.toByteArray());
        Path p = Files.write(dir.resolve("plain.gz"), bytes("plain"));
        try (InputStream a = Archives.open(g); InputStream b = Archives.open(p)) {
            assertThat(new String(a.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("inside");
            assertThat(new String(b.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("plain");
        }
        assertThat(Archives.isGzip(g)).isTrue();
        assertThat(Archives.isGzip(p)).isFalse();
    }

    @Test
    void aMissingSourceIsNamed() {
        Path none = dir.resolve("none.tar.gz");
        assertThatThrownBy(() -> visitAll(none)).isInstanceOf(java.nio.file.NoSuchFileException.class)
                .hasMessageContaining("none.tar.gz");
    }
}
