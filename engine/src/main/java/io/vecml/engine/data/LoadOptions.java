package io.vecml.engine.data;

import java.nio.file.Path;

/**
 * Reader options; every field has a default ({@link #DEFAULTS}).
 *
 * @param format        the format, or null to detect it from the path
 * @param cifar100Label which CIFAR-100 label to use
 * @param csvLabel      CSV label column: a header name or a 0-based index; null = the last column
 * @param csvHeader     whether the CSV has a header line
 * @param labels        NPY: the 1-D label array file for a feature array; null = derive it
 *                      ({@code X.npy} -> {@code y.npy}, {@code x_*.npy} -> {@code y_*.npy}, {@code *_x.npy} ->
 *                      {@code *_y.npy}, {@code features.npy} -> {@code labels.npy}) or use a folder with
 *                      {@code x_train.npy}, {@code y_train.npy} (and {@code x_test.npy}, {@code y_test.npy})
 * @param access        how the readers open every file, the given one and the companions they find
 *                      ({@link FileAccess#UNRESTRICTED} when null; the server confines it to its data folder)
 */
public record LoadOptions(DataFormat format, Cifar100Label cifar100Label, String csvLabel, CsvHeader csvHeader,
        Path labels, FileAccess access) {

    /** CIFAR-100's two labels. */
    public enum Cifar100Label { COARSE, FINE }

    /** CSV header handling. */
    public enum CsvHeader {
        /**
         * Decide from the first line: scikit-learn style if it is {@code n_rows,n_features,names...} (the
         * counts are then checked); column names if a field is non-numeric in a column whose data rows are
         * numeric; otherwise it is data.
         */
        AUTO,
        /** The first line names the columns. */
        NAMES,
        /** No header. */
        NONE,
        /** scikit-learn's bundled style: {@code n_rows,n_features,class names...}. */
        SKLEARN
    }

    public static final LoadOptions DEFAULTS = new LoadOptions(null, Cifar100Label.FINE, null, CsvHeader.AUTO, null);

    /** Options with {@link FileAccess#UNRESTRICTED} access. */
    public LoadOptions(DataFormat format, Cifar100Label cifar100Label, String csvLabel, CsvHeader csvHeader, Path labels) {
        this(format, cifar100Label, csvLabel, csvHeader, labels, FileAccess.UNRESTRICTED);
    }

    public LoadOptions {
        if (access == null) {
            access = FileAccess.UNRESTRICTED;
        }
        if (cifar100Label == null) {
            cifar100Label = Cifar100Label.FINE;
        }
        if (csvHeader == null) {
            csvHeader = CsvHeader.AUTO;
        }
    }

    public LoadOptions withFormat(DataFormat f) {
        return new LoadOptions(f, cifar100Label, csvLabel, csvHeader, labels, access);
    }

    public LoadOptions withAccess(FileAccess a) {
        return new LoadOptions(format, cifar100Label, csvLabel, csvHeader, labels, a);
    }

    /** The options' access, or {@link FileAccess#UNRESTRICTED} for null options. */
    static FileAccess accessOf(LoadOptions options) {
        return options == null ? FileAccess.UNRESTRICTED : options.access();
    }
}
