package io.vecml.engine.api;

import io.vecml.engine.data.DataFormatException;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.LinearModelFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/** Reads any saved vecml model: kNN, template or linear, recognised by its first bytes. */
public final class Models {

    private Models() {
    }

    /**
     * Reads {@code file}.
     *
     * @throws DataFormatException      when it is not a vecml model, is damaged, or holds values a model
     *                                  cannot have; the message names the file and the position
     * @throws java.io.IOException      when it cannot be read
     */
    public static Classifier load(Path file, RunOptions run) throws IOException {
        byte[] bytes = ModelFile.readAll(file);
        byte[] linear = LinearModelFile.MAGIC.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length >= linear.length && Arrays.equals(bytes, 0, linear.length, linear, 0, linear.length)) {
            return LinearModel.of(LinearClassifier.load(file), run);
        }
        ModelFile.Reader r = ModelFile.open(file, bytes);
        String kind = r.utf("model kind");
        return switch (kind) {
            case "knn" -> KnnModel.read(r, run);
            case "template" -> TemplateModel.read(r, run);
            default -> throw new DataFormatException(file + ": unknown model kind '" + kind
                    + "' (this vecml reads knn, template and linear models)");
        };
    }
}
