package io.vecml.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Temp files for atomic writes (write, then move over the target). */
final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * A temp file in {@code dir} for an output that will be renamed into place; readable by others
     * like a normally created file (createTempFile makes it owner-only, and the rename keeps that).
     */
    static Path tempBeside(Path dir, String prefix) throws IOException {
        Path tmp = Files.createTempFile(dir, prefix, ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its default permissions
        }
        return tmp;
    }
}
