package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicWriteTest {

    /** Linux's PID_MAX_LIMIT is 2^22: no process can have a larger id, so this writer is surely gone. */
    private static final long DEAD_PID = (1L << 22) + 1;
    private static final long OWN_PID = ProcessHandle.current().pid();
    /**
     * A folder in which nobody, root included, can create files: sysfs has no "create" operation, so
     * the kernel answers EACCES (a chmod'ed folder would not stop root, which runs some CI jobs).
     */
    private static final Path UNWRITABLE = Path.of("/sys");

    @TempDir
    Path dir;

    @AfterEach
    void noListener() {
        AtomicWrite.syncListener = null;
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesTheBytesAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("out.bin");
        AtomicWrite.write(target, out -> out.write("hello".getBytes(StandardCharsets.US_ASCII)));
        assertThat(Files.readString(target)).isEqualTo("hello");
        AtomicWrite.write(target, out -> out.write("again".getBytes(StandardCharsets.US_ASCII)));
        assertThat(Files.readString(target)).isEqualTo("again");
        assertThat(names()).containsExactly("out.bin");
    }

    @Test
    void theTemporaryFileIsSyncedBeforeTheRenameAndTheFolderAfterIt() throws IOException {
        Path target = dir.resolve("model.vecml");
        byte[] body = new byte[3 * (1 << 20) + 17]; // more than the buffer: several writes
        java.util.Arrays.fill(body, (byte) 7);
        List<String> events = new ArrayList<>();
        AtomicWrite.syncListener = p -> {
            try {
                if (Files.isDirectory(p)) {
                    events.add("folder " + p.getFileName() + ", target there: " + Files.exists(target));
                } else {
                    events.add("file " + p.getFileName().toString().startsWith(".model.vecml.vecml-" + OWN_PID + "-")
                            + ", " + Files.size(p) + " bytes, target there: " + Files.exists(target));
                }
            } catch (IOException e) {
                events.add(e.toString());
            }
        };
        AtomicWrite.write(target, out -> out.write(body));
        assertThat(events).containsExactly(
                "file true, " + body.length + " bytes, target there: false",
                "folder " + dir.getFileName() + ", target there: true");
        assertThat(Files.size(target)).isEqualTo(body.length);
    }

    @Test
    void aFailingWriteNamesTheTargetAndTheReasonRemovesItsTempFileAndKeepsTheOldFile() throws IOException {
        Path target = dir.resolve("pred.npy");
        Files.writeString(target, "old");
        assertThatThrownBy(() -> AtomicWrite.write(target, out -> {
            out.write(new byte[5000]);
            out.flush();
            assertThat(names()).hasSize(2); // the temp file really existed
            throw new IOException("No space left on device");
        })).isInstanceOf(IOException.class)
                .hasMessage("cannot write " + target.toAbsolutePath() + ": No space left on device");
        assertThat(names()).containsExactly("pred.npy");
        assertThat(Files.readString(target)).isEqualTo("old");
    }

    @Test
    void otherExceptionsPassUnchangedAndTheTempFileIsRemoved() throws IOException {
        Path target = dir.resolve("x.png");
        assertThatThrownBy(() -> AtomicWrite.write(target, out -> {
            out.write(1);
            throw new IllegalArgumentException("bad picture");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad picture");
        assertThat(names()).isEmpty();
    }

    @Test
    void aMissingFolderAFolderTargetAndAnUnwritableFolderAreNamedWithTheTarget() throws IOException {
        Path missing = dir.resolve("no/such/m.vecml");
        assertThatThrownBy(() -> AtomicWrite.write(missing, out -> out.write(1)))
                .hasMessage("cannot write " + missing + ": folder " + missing.getParent() + " does not exist");
        Path folder = Files.createDirectory(dir.resolve("taken"));
        assertThatThrownBy(() -> AtomicWrite.write(folder, out -> out.write(1)))
                .hasMessage("cannot write " + folder + ": it is a folder");
        assertThat(folder).isEmptyDirectory();
        Path ro = UNWRITABLE.resolve("m.vecml");
        assertThatThrownBy(() -> AtomicWrite.write(ro, out -> out.write(1)))
                .hasMessage("cannot write " + ro + ": Permission denied");
    }

    @Test
    void probeLeavesNothingBehindAndFailsOnAnUnwritableFolder() throws IOException {
        AtomicWrite.probe(dir);
        assertThat(names()).isEmpty();
        assertThatThrownBy(() -> AtomicWrite.probe(UNWRITABLE)).isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(AtomicWrite.reason((IOException) e)).isEqualTo("Permission denied"));
    }

    private Path temp(String target, long pid, Duration age) throws IOException {
        Path p = Files.writeString(dir.resolve(AtomicWrite.tempName(target, pid, "k3x9")), "partial");
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(age)));
        return p;
    }

    @Test
    void theNextWriteRemovesStaleTemporaryFilesOfItsOwnNamingOnly() throws IOException {
        Duration stale = AtomicWrite.STALE_AFTER.plusMinutes(1);
        Path killed = temp("model.vecml", DEAD_PID, stale);                 // writer gone, untouched 11 min
        Path fresh = temp("pred.npy", DEAD_PID, Duration.ofMinutes(1));     // may still be renamed: keep
        Path live = temp("report.json", OWN_PID, stale);                   // writer still running: keep
        Path abandoned = temp("bench.png", OWN_PID, AtomicWrite.ABANDONED_AFTER.plusHours(1));
        Path notOurs = Files.writeString(dir.resolve(".other.tmp"), "x");
        Files.setLastModifiedTime(notOurs, FileTime.from(Instant.now().minus(Duration.ofDays(30))));
        Path userFile = Files.writeString(dir.resolve("notes.vecml-1-a.tmp"), "x"); // not hidden: not our naming
        Files.setLastModifiedTime(userFile, FileTime.from(Instant.now().minus(Duration.ofDays(30))));

        AtomicWrite.write(dir.resolve("new.bin"), out -> out.write(1));

        assertThat(killed).doesNotExist();
        assertThat(abandoned).doesNotExist();
        assertThat(fresh).exists();
        assertThat(live).exists();
        assertThat(notOurs).exists();
        assertThat(userFile).exists();
        assertThat(dir.resolve("new.bin")).exists();
    }

    @Test
    void staleRuleMatchesOnlyTheTempNaming() {
        Instant now = Instant.now();
        Instant old = now.minus(AtomicWrite.STALE_AFTER.plusSeconds(1));
        assertThat(AtomicWrite.isStale(AtomicWrite.tempName("a.npy", DEAD_PID, "z1"), old, now)).isTrue();
        assertThat(AtomicWrite.isStale(AtomicWrite.tempName("a.npy", DEAD_PID, "z1"), now, now)).isFalse();
        assertThat(AtomicWrite.isStale(AtomicWrite.tempName("a.npy", OWN_PID, "z1"), old, now)).isFalse();
        assertThat(AtomicWrite.isStale("a.npy", old.minus(Duration.ofDays(9)), now)).isFalse();
        assertThat(AtomicWrite.isStale(".a.npy.vecml-12.tmp", old.minus(Duration.ofDays(9)), now)).isFalse();
    }

    @Test
    void aVeryLongTargetNameStillGetsATemporaryFile() throws IOException {
        Path target = dir.resolve("n".repeat(250));
        AtomicWrite.write(target, out -> out.write(1));
        assertThat(names()).containsExactly(target.getFileName().toString());
    }
}
