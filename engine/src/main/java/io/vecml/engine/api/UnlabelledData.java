package io.vecml.engine.api;

import io.vecml.engine.data.CsvReader;
import io.vecml.engine.data.DataFormat;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.NpyDatasetReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rows to predict that carry no labels: a feature {@code .npy} with no label file beside it (and none
 * given), or a CSV with exactly the model's number of feature columns (no label column named). Every row
 * gets label 0 of one class {@code "0"}; the caller must not score them. Files are opened through the
 * options' {@link io.vecml.engine.data.FileAccess}, as every reader's.
 */
public final class UnlabelledData {

    private UnlabelledData() {
    }

    /**
     * The rows of {@code path} as features only when it has no labels, or null when it has labels (or is a
     * folder, or a dataset format that always has them: read it as a dataset).
     *
     * @param dims the model's feature count: a CSV with {@code dims} columns has no label column
     */
    public static Dataset read(Path path, LoadOptions options, int dims) throws IOException {
        if (!Files.isRegularFile(path)) {
            return null;
        }
        options.access().check(path);
        DataFormat f = options.format() != null ? options.format() : Datasets.detect(path, options.access());
        if (f == DataFormat.NPY) {
            return NpyDatasetReader.labelsFor(path, options) == null ? NpyDatasetReader.readFeatures(path, options) : null;
        }
        if (f == DataFormat.CSV) {
            return CsvReader.readFeatures(path, options, dims);
        }
        return null;
    }
}
