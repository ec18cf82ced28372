package io.vecml.engine.api;

import io.vecml.engine.data.CsvTable;
import io.vecml.engine.data.DataFormat;
import io.vecml.engine.data.DataFormatException;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.NpyDatasetReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Rows to predict that carry no labels: a feature {@code .npy} with no label file beside it (and none
 * given), or a CSV with exactly the model's number of feature columns (no label column). Every row gets
 * label 0 of one class {@code "?"}; the caller must not score them.
 */
public final class UnlabelledData {

    private UnlabelledData() {
    }

    /**
     * The rows of {@code path} as features only when it has no labels, or null when it has labels (or is a
     * dataset format that always has them: read it as a dataset).
     *
     * @param dims the model's feature count: a CSV with {@code dims} columns has no label column
     */
    public static Dataset read(Path path, LoadOptions options, int dims) throws IOException {
        if (!Files.isRegularFile(path)) {
            return null;
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        DataFormat f = options.format();
        boolean npy = f == DataFormat.NPY || f == null && name.endsWith(".npy");
        boolean csv = f == DataFormat.CSV || f == null && (name.endsWith(".csv") || name.endsWith(".csv.gz"));
        if (npy) {
            return NpyDatasetReader.hasLabels(path, options) ? null : NpyDatasetReader.readFeatures(path, options);
        }
        if (csv && options.csvLabel() == null) {
            return csvFeatures(path, options, dims);
        }
        return null;
    }

    private static Dataset csvFeatures(Path path, LoadOptions options, int dims) throws IOException {
        boolean header = switch (options.csvHeader()) {
            case NAMES -> true;
            case NONE -> false;
            case SKLEARN -> throw new IllegalArgumentException(path + ": --header sklearn names classes, so the"
                    + " file has labels");
            case AUTO -> firstLineIsText(path);
        };
        CsvTable t = CsvTable.read(path, header);
        if (t.columns() != dims) {
            return null;
        }
        if (t.rows() == 0) {
            throw new DataFormatException(path + ": no data rows");
        }
        try (Dataset.Builder b = Dataset.builder(Dataset.Type.FLOAT32, t.rows(), dims)) {
            for (int r = 0; r < t.rows(); r++) {
                long off = b.rowByteOffset(r);
                for (int c = 0; c < dims; c++) {
                    double v = t.value(r, c);
                    if (Math.abs(v) > Float.MAX_VALUE) {
                        throw new DataFormatException(path + ": line " + t.line(r) + ", " + t.describeColumn(c)
                                + ": value " + v + " overflows float32");
                    }
                    b.segment().set(java.lang.foreign.ValueLayout.JAVA_FLOAT, off + 4L * c, (float) v);
                }
            }
            return b.build(List.of("?"), null);
        }
    }

    /** Whether the first non-blank, non-comment line has a field that is not a number (a header). */
    private static boolean firstLineIsText(Path path) throws IOException {
        CsvTable t = CsvTable.read(path, false);
        if (t.rows() == 0) {
            return false;
        }
        for (int c = 0; c < t.columns(); c++) {
            if (!t.isNumeric(0, c)) {
                return true;
            }
        }
        return false;
    }
}
