package io.vecml.cli.serve;

import io.vecml.engine.api.Classifier;
import io.vecml.engine.api.Models;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.data.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --model-dir}: models saved as {@code NAME.vecml} (by the model's own atomic, checksummed
 * {@link Classifier#save}) and read back with {@link Models#load}; every path is confined to the folder.
 */
final class SavedModels {

    /** Saved models are {@code NAME.vecml} files in --model-dir. */
    static final String SUFFIX = ".vecml";

    /** --model-dir, resolved (links followed), or null. */
    private final Path root;

    SavedModels(Path modelDir) throws IOException {
        if (modelDir == null) {
            root = null;
        } else {
            if (!Files.isDirectory(modelDir)) {
                throw new IllegalArgumentException("--model-dir " + modelDir + " is not a folder");
            }
            root = modelDir.toRealPath();
        }
    }

    private Path root(String what) {
        if (root == null) {
            throw ApiException.badRequest(what + ": this server was started without --model-dir, so models cannot be"
                    + " saved or loaded (restart it with vecml serve --model-dir DIR)");
        }
        return root;
    }

    /** Writes {@code model} to {@code NAME.vecml}; refuses to replace a file unless {@code overwrite}. */
    Map<String, Object> save(String name, Classifier model, boolean overwrite) throws IOException {
        Path dir = root("POST /models/" + name + "/save");
        String fileName = name + SUFFIX;
        Path file = dir.resolve(fileName);
        if (!overwrite && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw ApiException.conflict("'" + fileName + "' exists already in the model folder (send"
                    + " {\"overwrite\": true} to replace it)");
        }
        long t0 = System.nanoTime();
        model.save(file);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", name);
        out.put("file", fileName);
        out.put("bytes", Files.size(file));
        out.put("seconds", (System.nanoTime() - t0) / 1e9);
        return out;
    }

    /** The saved model files (name, size), sorted. */
    Map<String, Object> list() throws IOException {
        Path dir = root("GET /saved-models");
        List<Map<String, Object>> files = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String f = p.getFileName().toString();
                if (f.endsWith(SUFFIX) && !f.startsWith(".") && Files.isRegularFile(p) && inside(p)) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", f);
                    m.put("bytes", Files.size(p));
                    files.add(m);
                }
            }
        }
        return Map.of("savedModels", files);
    }

    /** Whether {@code p}, links followed, lies in --model-dir (a link to elsewhere is not listed). */
    private boolean inside(Path p) {
        try {
            return p.toRealPath().startsWith(root);
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads the saved model at {@code rel} (relative to --model-dir): 403 outside, 404 missing, 422 damaged. */
    Classifier load(String rel, RunOptions run) {
        Path file = confined(root("field 'path'"), rel);
        try {
            return Models.load(file, run);
        } catch (DataFormatException e) {
            throw new ApiException(422, "path '" + rel + "': not a valid vecml model: " + hide(e.getMessage(), file, rel));
        } catch (IOException e) {
            throw ApiException.badRequest("path '" + rel + "': cannot read it: " + hide(e.getMessage(), file, rel));
        }
    }

    private static String hide(String message, Path file, String rel) {
        return message == null ? "" : message.replace(file.toString() + ": ", "").replace(file.toString(), rel);
    }

    /** {@code rel} resolved under {@code root}, links followed, refused (403) when it is or leads outside. */
    private static Path confined(Path root, String rel) {
        Path q;
        try {
            q = Path.of(rel);
        } catch (java.nio.file.InvalidPathException e) {
            throw ApiException.badRequest("field 'path': not a valid path: '" + rel + "'");
        }
        if (q.isAbsolute()) {
            throw ApiException.forbidden("field 'path' must be a path relative to the model folder, got the absolute"
                    + " path '" + rel + "'");
        }
        Path c = root.resolve(q).normalize();
        if (!c.startsWith(root)) {
            throw ApiException.forbidden("field 'path': '" + rel + "' lies outside the model folder");
        }
        Path real;
        try {
            real = c.toRealPath();
        } catch (IOException e) {
            throw ApiException.notFound("field 'path': no saved model '" + rel + "' in the model folder"
                    + " (GET /saved-models lists them)");
        }
        if (!real.startsWith(root)) {
            throw ApiException.forbidden("field 'path': '" + rel + "' leads outside the model folder (a link)");
        }
        if (!Files.isRegularFile(real)) {
            throw ApiException.badRequest("field 'path': '" + rel + "' is not a file");
        }
        return real;
    }
}
