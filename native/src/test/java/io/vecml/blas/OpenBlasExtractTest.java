package io.vecml.blas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled OpenBLAS is extracted once per bundle and user, and a folder is reused only after a check. */
class OpenBlasExtractTest {

    private static final ClassLoader CL = OpenBlasLoader.class.getClassLoader();
    private static final Path LIB = Path.of("libopenblas.so.0");

    @TempDir
    Path tmp;

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static void assertComplete(Path dir) throws IOException {
        OpenBlasLoader.Bundle bundle = OpenBlasLoader.Bundle.of(CL);
        assertThat(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(entries(dir)).hasSize(bundle.names().size());
        for (int i = 0; i < bundle.names().size(); i++) {
            Path f = dir.resolve(bundle.names().get(i));
            assertThat(Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).as(f.toString()).isTrue();
            assertThat(Files.size(f)).as(f.toString()).isEqualTo(bundle.sizes().get(i));
            assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void theBundleIsKeyedByItsJarEntries() {
        OpenBlasLoader.Bundle bundle = OpenBlasLoader.Bundle.of(CL);
        assertThat(bundle).as("org.bytedeco:openblas:linux-x86_64 in a jar on the test class path").isNotNull();
        assertThat(bundle.names()).containsExactly(OpenBlasLoader.BUNDLE_ORDER);
        assertThat(bundle.sizes()).allSatisfy(s -> assertThat(s).isPositive());
        assertThat(bundle.key()).matches("[0-9a-f]{16}");
        assertThat(OpenBlasLoader.Bundle.of(CL)).isEqualTo(bundle);
    }

    @Test
    void extractsOnceAndReusesTheFolderUnchanged() throws IOException {
        Path first = OpenBlasLoader.extract(CL, tmp);
        assertThat(first.getParent()).isEqualTo(tmp);
        assertThat(first.getFileName().toString())
                .isEqualTo("vecml-openblas-u" + OpenBlasLoader.currentUid() + "-" + OpenBlasLoader.Bundle.of(CL).key());
        assertComplete(first);
        Object inode = Files.readAttributes(first.resolve(LIB), "unix:ino").get("ino");
        var mtime = Files.getLastModifiedTime(first.resolve(LIB));

        Path second = OpenBlasLoader.extract(CL, tmp);
        assertThat(second).isEqualTo(first);
        assertThat(Files.readAttributes(second.resolve(LIB), "unix:ino").get("ino")).isEqualTo(inode);
        assertThat(Files.getLastModifiedTime(second.resolve(LIB))).isEqualTo(mtime);
        assertThat(entries(tmp)).containsExactly(first);
    }

    @Test
    void aTruncatedLibraryIsReplaced() throws IOException {
        Path first = OpenBlasLoader.extract(CL, tmp);
        Files.write(first.resolve(LIB), new byte[] {0x7f, 'E', 'L', 'F'});
        Path second = OpenBlasLoader.extract(CL, tmp);
        assertThat(second).isEqualTo(first);
        assertComplete(second);
        assertThat(entries(tmp)).containsExactly(first);
    }

    @Test
    void aFolderOthersCanWriteIsReplaced() throws IOException {
        Path first = OpenBlasLoader.extract(CL, tmp);
        Files.setPosixFilePermissions(first, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(OpenBlasLoader.extract(CL, tmp)).isEqualTo(first);
        assertComplete(first);
    }

    @Test
    void aLibraryOthersCanWriteIsReplaced() throws IOException {
        Path first = OpenBlasLoader.extract(CL, tmp);
        Files.setPosixFilePermissions(first.resolve(LIB), PosixFilePermissions.fromString("rw-rw-r--"));
        assertThat(OpenBlasLoader.extract(CL, tmp)).isEqualTo(first);
        assertComplete(first);
    }

    @Test
    void anExtraFileMakesTheFolderUnusable() throws IOException {
        Path first = OpenBlasLoader.extract(CL, tmp);
        Files.writeString(first.resolve("libextra.so"), "not from the bundle");
        assertThat(OpenBlasLoader.extract(CL, tmp)).isEqualTo(first);
        assertComplete(first);
        assertThat(first.resolve("libextra.so")).doesNotExist();
    }

    @Test
    void aLinkInPlaceOfTheFolderIsNotFollowed() throws IOException {
        Path real = OpenBlasLoader.extract(CL, tmp);
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        for (Path f : entries(real)) {
            Files.copy(f, elsewhere.resolve(f.getFileName()));
        }
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwx------"));
        deleteTree(real);
        Files.createSymbolicLink(real, elsewhere);

        Path got = OpenBlasLoader.extract(CL, tmp);
        assertThat(got).isEqualTo(real);
        assertThat(Files.isSymbolicLink(got)).isFalse();
        assertComplete(got);
        assertThat(entries(elsewhere)).hasSize(OpenBlasLoader.BUNDLE_ORDER.length);
    }

    @Test
    void anotherUsersFolderIsNeitherUsedNorTouched() throws IOException {
        assumeTrue(Integer.valueOf(0).equals(OpenBlasLoader.currentUid()), "changing a file's owner needs root");
        Path theirs = tmp.resolve("vecml-openblas-u" + OpenBlasLoader.currentUid() + "-"
                + OpenBlasLoader.Bundle.of(CL).key());
        Path first = OpenBlasLoader.extract(CL, tmp);
        assertThat(first).isEqualTo(theirs);
        Files.setAttribute(theirs, "unix:uid", 54321, LinkOption.NOFOLLOW_LINKS);

        Path got = OpenBlasLoader.extract(CL, tmp);
        assertThat(got).isNotEqualTo(theirs);
        assertThat(got.getFileName().toString()).startsWith("vecml-openblas-");
        assertComplete(got);
        assertThat(Files.getAttribute(theirs, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(54321);
        assertThat(entries(theirs)).hasSize(OpenBlasLoader.BUNDLE_ORDER.length);
    }

    private static void deleteTree(Path dir) throws IOException {
        for (Path f : entries(dir)) {
            Files.delete(f);
        }
        Files.delete(dir);
    }
}
