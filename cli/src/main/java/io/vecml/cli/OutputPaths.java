package io.vecml.cli;

import io.vecml.engine.data.AtomicWrite;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The one check of every output path a command is given ({@code --model}, {@code --predictions},
 * {@code --out}, {@code --*-png}, report folders), made before any work starts so that a mistyped
 * path fails in a second instead of after the training. The rule, the same everywhere: a missing
 * folder (with its parents) is created, like {@code mkdir -p}; the folder must then accept new files
 * (checked by creating and removing a temporary file, see {@link AtomicWrite#probe}); an output file
 * must not be an existing folder. A failure is an {@link IllegalArgumentException} (exit code 2) that
 * names the option, the path and the reason.
 */
final class OutputPaths {

    private OutputPaths() {
    }

    /**
     * Checks an output file ({@code null}: no output, nothing to check); with {@code extensions},
     * its name must end with one of them (case-insensitive).
     */
    static Path file(Path file, String option, String... extensions) {
        if (file == null) {
            return null;
        }
        if (extensions.length > 0) {
            String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
            boolean ok = false;
            for (String e : extensions) {
                ok |= name.endsWith(e);
            }
            if (!ok) {
                throw new IllegalArgumentException(option + " must name a " + String.join(" or ", extensions)
                        + " file, got " + file);
            }
        }
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw bad(option, file, "it is a folder; give a file name");
        }
        if (abs.getParent() == null) {
            throw bad(option, file, "not a file name");
        }
        ready(abs.getParent(), option, file);
        return file;
    }

    /** Checks an output PNG file. */
    static Path png(Path file, String option) {
        return file(file, option, ".png");
    }

    /**
     * Checks an output folder ({@code null}: none) and, in it, the files the command will write
     * ({@code fileNames}), which must not be folders. Returns the folder, created when it was missing.
     */
    static Path folder(Path dir, String option, String... fileNames) {
        if (dir == null) {
            return null;
        }
        Path abs = dir.toAbsolutePath();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw bad(option, dir, "it is a file; give a folder");
        }
        ready(abs, option, dir);
        for (String name : fileNames) {
            if (Files.isDirectory(abs.resolve(name))) {
                throw bad(option, dir, abs.resolve(name) + " is a folder, so " + name + " cannot be written");
            }
        }
        return dir;
    }

    private static void ready(Path dir, String option, Path given) {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir);
            } catch (FileAlreadyExistsException e) {
                throw bad(option, given, "cannot create the folder " + dir + ": " + e.getFile() + " is a file");
            } catch (IOException e) {
                throw bad(option, given, "cannot create the folder " + dir + ": " + AtomicWrite.reason(e));
            }
        }
        try {
            AtomicWrite.probe(dir);
        } catch (IOException e) {
            throw bad(option, given, "cannot write into the folder " + dir + ": " + AtomicWrite.reason(e));
        }
    }

    private static IllegalArgumentException bad(String option, Path path, String reason) {
        return new IllegalArgumentException(option + " " + path + ": " + reason);
    }
}
