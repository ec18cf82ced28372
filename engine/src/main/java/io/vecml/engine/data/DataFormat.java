package io.vecml.engine.data;

import java.util.Locale;

/** The formats vecml reads. */
public enum DataFormat {
    /** {@code cifar-10-python.tar.gz} or {@code cifar-10-batches-py/}: pickled batches. */
    CIFAR10_PYTHON("cifar10-python"),
    /** {@code cifar-10-binary.tar.gz} or {@code cifar-10-batches-bin/}: 1 label byte + 3072 pixels per record. */
    CIFAR10_BINARY("cifar10-binary"),
    /** {@code cifar-100-binary.tar.gz} or {@code cifar-100-binary/}: 2 label bytes (coarse, fine) + 3072 pixels. */
    CIFAR100_BINARY("cifar100-binary"),
    /** IDX files (MNIST, Fashion-MNIST), plain or gzip; a folder with the four standard files. */
    IDX("idx"),
    /** Comma-separated values, with or without a header (also scikit-learn's bundled style). */
    CSV("csv"),
    /**
     * numpy {@code .npy}: a feature array (2-D rows, or 3-D/4-D images) plus a 1-D label array, or a
     * folder with {@code x_train.npy}/{@code y_train.npy} and optionally the test pair.
     */
    NPY("npy");

    private final String id;

    DataFormat(String id) {
        this.id = id;
    }

    /** The name used on the command line and in JSON. */
    public String id() {
        return id;
    }

    /** Parses a command-line name (case-insensitive). */
    public static DataFormat parse(String s) {
        for (DataFormat f : values()) {
            if (f.id.equalsIgnoreCase(s) || f.name().equalsIgnoreCase(s)) {
                return f;
            }
        }
        StringBuilder b = new StringBuilder();
        for (DataFormat f : values()) {
            b.append(b.isEmpty() ? "" : ", ").append(f.id);
        }
        throw new IllegalArgumentException("unknown data format '" + s + "'; expected one of " + b);
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
