package io.vecml.engine.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The small real datasets shipped inside vecml.
 *
 * <p>{@code digits}: 1797 8x8 grey images of handwritten digits (pixel values 0..16), the UCI
 * "Optical Recognition of Handwritten Digits" test set as bundled by scikit-learn (BSD-3-Clause;
 * UCI data CC BY 4.0).
 *
 * <p>{@code iris}: Fisher's iris (150 x 4, classes setosa, versicolor, virginica), as bundled by scikit-learn
 * (BSD-3-Clause; the data itself is public domain, UCI CC BY 4.0), in scikit-learn's CSV layout.
 */
public final class EmbeddedData {

    private static final String DIGITS = "digits.csv.gz";

    private static final String IRIS = "iris.csv";

    private EmbeddedData() {
    }

    /** The iris data as float32, 150 x 4, rows in the file's order (as sklearn.datasets.load_iris). */
    public static Dataset iris() {
        try (InputStream raw = EmbeddedData.class.getResourceAsStream(IRIS)) {
            if (raw == null) {
                throw new IllegalStateException("resource " + IRIS + " is missing from the vecml-engine jar");
            }
            java.nio.file.Path tmp = java.nio.file.Files.createTempFile("vecml-iris", ".csv");
            try {
                java.nio.file.Files.copy(raw, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                LoadedData d = CsvReader.read(tmp, new LoadOptions(DataFormat.CSV, LoadOptions.Cifar100Label.FINE, null,
                        LoadOptions.CsvHeader.SKLEARN, null));
                return d.train();
            } finally {
                java.nio.file.Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading embedded " + IRIS, e);
        }
    }

    /** The digits data as uint8, 1797 x 64, classes "0".."9". */
    public static Dataset digits() {
        try (InputStream raw = EmbeddedData.class.getResourceAsStream(DIGITS)) {
            if (raw == null) {
                throw new IllegalStateException("resource " + DIGITS + " is missing from the vecml-engine jar");
            }
            return parseUint8Csv(new GZIPInputStream(raw), "embedded " + DIGITS, 64, 10);
        } catch (IOException e) {
            throw new UncheckedIOException("reading embedded " + DIGITS, e);
        }
    }

    /**
     * A headerless CSV of {@code dims} integer features 0..255 followed by an integer label
     * 0..classes-1 per line. Errors name the source, the line and the column.
     */
    static Dataset parseUint8Csv(InputStream in, String source, int dims, int classes) throws IOException {
        List<int[]> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != dims + 1) {
                    throw new IllegalArgumentException(source + ": line " + lineNo + ": expected " + (dims + 1)
                            + " comma-separated values, found " + f.length);
                }
                int[] v = new int[dims + 1];
                for (int c = 0; c <= dims; c++) {
                    int x;
                    try {
                        x = Integer.parseInt(f[c].trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(source + ": line " + lineNo + ", column " + (c + 1)
                                + ": expected an integer, found '" + f[c] + "'", e);
                    }
                    int max = c < dims ? 255 : classes - 1;
                    if (x < 0 || x > max) {
                        throw new IllegalArgumentException(source + ": line " + lineNo + ", column " + (c + 1)
                                + ": value " + x + " is outside 0.." + max);
                    }
                    v[c] = x;
                }
                rows.add(v);
            }
        }
        int[] labels = new int[rows.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rows.get(i)[dims];
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add(Integer.toString(c));
        }
        int side = (int) Math.round(Math.sqrt(dims));
        Dataset ds = Dataset.allocate(Dataset.Type.UINT8, rows.size(), dims, labels, names,
                side * side == dims ? ImageShape.grey(side, side) : null);
        for (int i = 0; i < labels.length; i++) {
            int[] v = rows.get(i);
            for (int c = 0; c < dims; c++) {
                ds.setU8(i, c, v[c]);
            }
        }
        return ds;
    }
}
