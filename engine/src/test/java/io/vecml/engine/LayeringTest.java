package io.vecml.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md's layers inside the engine: the application API ({@code io.vecml.engine.api}) sits above the
 * models, eval, train and the ground floor, so no class below it names it (an import, a qualified name or
 * a javadoc link). The engine's sources are read as they are in the worktree.
 */
class LayeringTest {

    private static Path sources() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path s = p.resolve("src/main/java/io/vecml/engine");
            if (Files.isDirectory(s)) {
                return s;
            }
            s = p.resolve("engine/src/main/java/io/vecml/engine");
            if (Files.isDirectory(s)) {
                return s;
            }
        }
        throw new IllegalStateException("the engine's sources not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void nothingBelowTheApiNamesTheApi() throws IOException {
        Path root = sources();
        Path api = root.resolve("api");
        List<String> problems = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.startsWith(api)).toList()) {
                checked++;
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).contains("io.vecml.engine.api")) {
                        problems.add(root.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        // the walk found the engine (eval, train, knn, ... are well over 50 files), so an empty list means something
        assertThat(checked).isGreaterThan(50);
        assertThat(problems).as("classes below io.vecml.engine.api that name it:\n" + String.join("\n", problems))
                .isEmpty();
    }
}
