package io.vecml.engine.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Reads a classification dataset from numpy {@code .npy} arrays: a feature array and a 1-D label array.
 *
 * <p>The source is either a feature file, whose labels come from {@link LoadOptions#labels()} or from
 * the name ({@code X.npy -> y.npy}, {@code x_train.npy -> y_train.npy}, {@code *_x.npy -> *_y.npy},
 * {@code features.npy -> labels.npy}); or a folder with {@code x_train.npy} and {@code y_train.npy}
 * and optionally {@code x_test.npy} and {@code y_test.npy} (an upper-case {@code X} / {@code Y} also).
 *
 * <p>Features: {@code (N, D)}; {@code (N, H, W)} grey images; {@code (N, H, W, C)} with C 1 or 3
 * (channels last, {@link ImageShape.Layout#HWC}) or {@code (N, C, H, W)} with C 1 or 3 and the last
 * dimension not 1 or 3 ({@link ImageShape.Layout#CHW}); rows are flattened in C order. {@code uint8}
 * becomes a {@link Dataset.Type#UINT8} dataset; every other dtype becomes FLOAT32, refusing values
 * float32 cannot hold: integers beyond 2^24 (no longer exact), float64 beyond the float32 range, NaN
 * and infinities. Labels: an integer array (or floats with integral values) of N entries, each
 * 0..2^20-1; class names "0".."max".
 *
 * <p>Features are streamed from the file straight into the dataset's memory (no second copy).
 */
public final class NpyDatasetReader {

    private static final long EXACT_FLOAT_INT = 1L << 24;

    private NpyDatasetReader() {
    }

    /** Reads a feature file or a folder of train/test arrays; see the class comment. */
    public static LoadedData read(Path source, LoadOptions options) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(options, "options");
        FileAccess access = options.access();
        if (!Files.exists(source)) {
            throw new NoSuchFileException(source.toString(), null, "no such file or folder");
        }
        if (Files.isDirectory(source)) {
            if (options.labels() != null) {
                throw new IllegalArgumentException("a labels file applies to a feature file, not to the folder " + source);
            }
            Path xTrain = pick(source, "x_train.npy", true);
            Path yTrain = pick(source, "y_train.npy", true);
            Path xTest = pick(source, "x_test.npy", false);
            Path yTest = pick(source, "y_test.npy", false);
            if ((xTest == null) != (yTest == null)) {
                throw new DataFormatException(source + ": found " + (xTest != null ? xTest.getFileName() + " but no y_test.npy"
                        : yTest.getFileName() + " but no x_test.npy") + " (expected both or neither)");
            }
            Dataset train = readSplit(access, xTrain, yTrain);
            try {
                Dataset test = xTest == null ? null : readSplit(access, xTest, yTest);
                if (test != null && test.dims() != train.dims()) {
                    test.close();
                    throw new DataFormatException(xTest + ": rows have " + test.dims() + " features but " + xTrain
                            + " has " + train.dims());
                }
                return new LoadedData(DataFormat.NPY, source.toString(), train, test);
            } catch (IOException | RuntimeException e) {
                train.close();
                throw e;
            }
        }
        Path labels = options.labels() != null ? options.labels() : deriveLabels(source);
        return new LoadedData(DataFormat.NPY, source.toString(), readSplit(access, source, labels), null);
    }

    /** The file in {@code dir} named {@code lower} or with its first letter upper-case. */
    private static Path pick(Path dir, String lower, boolean required) throws DataFormatException {
        Path a = dir.resolve(lower);
        Path b = dir.resolve(Character.toUpperCase(lower.charAt(0)) + lower.substring(1));
        boolean hasA = Files.isRegularFile(a);
        boolean hasB = Files.isRegularFile(b) && !sameFile(a, b);
        if (hasA && hasB) {
            throw new DataFormatException(dir + ": both " + a.getFileName() + " and " + b.getFileName()
                    + " exist; keep one");
        }
        if (hasA || hasB) {
            return hasA ? a : b;
        }
        if (required) {
            throw new DataFormatException(dir + ": expected " + a.getFileName() + " (or " + b.getFileName()
                    + ") in the folder");
        }
        return null;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.isSameFile(a, b); // case-insensitive file systems
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The label file that goes with a feature file by name: {@code X.npy -> y.npy},
     * {@code x_train.npy -> y_train.npy}, {@code *_x.npy -> *_y.npy}, {@code features.npy -> labels.npy},
     * {@code *_features.npy -> *_labels.npy}; the first candidate that exists (lower-case {@code y} first).
     */
    static Path deriveLabels(Path features) throws DataFormatException {
        String name = features.getFileName().toString();
        List<String> candidates = new ArrayList<>();
        if (name.endsWith(".npy")) {
            String stem = name.substring(0, name.length() - 4);
            if (stem.equals("x") || stem.equals("X")) {
                candidates.add("y.npy");
                candidates.add("Y.npy");
            } else if (stem.startsWith("x_") || stem.startsWith("X_")) {
                candidates.add("y_" + stem.substring(2) + ".npy");
                candidates.add("Y_" + stem.substring(2) + ".npy");
            } else if (stem.endsWith("_x") || stem.endsWith("_X")) {
                String base = stem.substring(0, stem.length() - 2);
                candidates.add(base + "_y.npy");
                candidates.add(base + "_Y.npy");
            } else if (stem.equals("features") || stem.endsWith("_features")) {
                candidates.add(stem.substring(0, stem.length() - "features".length()) + "labels.npy");
            }
        }
        if (candidates.isEmpty()) {
            throw new DataFormatException(features + ": cannot tell the label file from this name (expected X.npy,"
                    + " x_*.npy, *_x.npy or features.npy); give the labels file explicitly");
        }
        Path dir = features.toAbsolutePath().getParent();
        for (String c : candidates) {
            Path p = dir.resolve(c);
            if (Files.isRegularFile(p)) {
                return features.resolveSibling(c);
            }
        }
        throw new DataFormatException(features + ": the label file " + String.join(" or ", candidates)
                + " next to it does not exist; give the labels file explicitly");
    }

    /**
     * The label file that {@link #read} would use for the feature file {@code features} (given in
     * {@code options}, or found next to it by name), or null when there is none.
     */
    public static Path labelsFor(Path features, LoadOptions options) {
        if (options.labels() != null) {
            return options.labels();
        }
        try {
            return deriveLabels(features);
        } catch (DataFormatException e) {
            return null;
        }
    }

    /** Whether a feature file carries labels: a label file given in {@code options}, or one beside it by name. */
    public static boolean hasLabels(Path features, LoadOptions options) {
        return labelsFor(features, options) != null;
    }

    /**
     * Reads a feature file without labels (rows to predict): every row gets label 0 and the one class
     * name "0"; shapes, values and errors as {@link #read}.
     */
    public static Dataset readFeatures(Path x, LoadOptions options) throws IOException {
        Objects.requireNonNull(x, "x");
        if (!Files.isRegularFile(x)) {
            throw new NoSuchFileException(x.toString(), null, "no such file");
        }
        return readSplit(options.access(), x, null);
    }

    /** One split: features from {@code x}, labels from {@code y} (null: no labels, all 0). */
    static Dataset readSplit(FileAccess access, Path x, Path y) throws IOException {
        int[] labels = y == null ? null : readLabels(access, y);
        if (labels == null) {
            return readSplit(access, x, null, null, List.of("0"));
        }
        int max = -1;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        String[] names = new String[max + 1];
        Arrays.setAll(names, Integer::toString);
        return readSplit(access, x, y, labels, List.of(names));
    }

    private static Dataset readSplit(FileAccess access, Path x, Path y, int[] labels, List<String> names)
            throws IOException {
        try (FileAccess.Opened o = access.open(x);
             InputStream in = new BufferedInputStream(o.stream(), 1 << 16)) {
            return features(in, o.size(), x, labels, y, names);
        }
    }

    /**
     * A feature array without labels from an in-memory {@code .npy} (a request body, say): uint8 stays uint8,
     * other types become float32 as in a file. Every row gets label 0 of the one class "0". {@code name} names
     * the source in errors.
     */
    public static Dataset readFeatures(byte[] npy, Path name) throws IOException {
        InputStream in = new java.io.ByteArrayInputStream(npy);
        Npy.Header h = Npy.readHeader(in, name);
        Npy.checkSize(name, h, npy.length);
        long rows = h.shape().length == 0 ? 0 : h.shape()[0];
        if (rows > Integer.MAX_VALUE - 16) {
            throw DataFormatException.at(name, null, -1, "shape " + h.shapeText() + " is too large");
        }
        in.reset();
        return features(in, npy.length, name, new int[(int) rows], null, List.of("0"));
    }

    /** The features of {@code x} (a stream at its start, of {@code size} bytes) with {@code labels} (from {@code y}). */
    private static Dataset features(InputStream in, long size, Path x, int[] labels, Path y, List<String> names)
            throws IOException {
        Npy.Header h = Npy.readHeader(in, x);
        Npy.checkSize(x, h, size);
        long[] shape = h.shape();
        if (shape.length < 2 || shape.length > 4) {
            throw DataFormatException.at(x, null, -1, "expected features of shape (N, D), (N, H, W) or"
                    + " (N, H, W, C), found shape " + h.shapeText());
        }
        ImageShape image = imageShape(x, h);
        long dimsL = 1;
        for (int i = 1; i < shape.length; i++) {
            dimsL *= shape[i];
        }
        if (shape[0] > Integer.MAX_VALUE || dimsL > Integer.MAX_VALUE / 8) {
            throw DataFormatException.at(x, null, -1, "shape " + h.shapeText() + " is too large");
        }
        int rows = (int) shape[0];
        int dims = (int) dimsL;
        if (labels != null && rows != labels.length) {
            throw new DataFormatException(x + " has " + rows + " rows (shape " + h.shapeText() + ") but " + y
                    + " has " + labels.length + " labels");
        }
        Dataset.Type type = h.dtype() == Npy.Dtype.U1 ? Dataset.Type.UINT8 : Dataset.Type.FLOAT32;
        try (Dataset.Builder b = Dataset.builder(type, rows, dims)) {
            fill(in, x, h, b);
            Npy.checkEnd(in, x, h);
            for (int r = 0; labels != null && r < rows; r++) {
                b.label(r, labels[r]);
            }
            return b.build(names, image);
        }
    }

    private static ImageShape imageShape(Path x, Npy.Header h) throws DataFormatException {
        long[] s = h.shape();
        try {
            if (s.length == 3) {
                return ImageShape.grey(Math.toIntExact(s[1]), Math.toIntExact(s[2]));
            }
            if (s.length == 4) {
                if (s[3] == 1 || s[3] == 3) {
                    return new ImageShape(Math.toIntExact(s[1]), Math.toIntExact(s[2]), (int) s[3], ImageShape.Layout.HWC);
                }
                if (s[1] == 1 || s[1] == 3) {
                    return new ImageShape(Math.toIntExact(s[2]), Math.toIntExact(s[3]), (int) s[1], ImageShape.Layout.CHW);
                }
                throw DataFormatException.at(x, null, -1, "4-D features must be images (N, H, W, C) with C = 1 or 3"
                        + " channels, found shape " + h.shapeText());
            }
            return null;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw DataFormatException.at(x, null, -1, "shape " + h.shapeText() + " is not a valid image shape ("
                    + e.getMessage() + ")");
        }
    }

    /** Streams the elements row by row into the builder, converting and checking each value. */
    private static void fill(InputStream in, Path x, Npy.Header h, Dataset.Builder b) throws IOException {
        Npy.Dtype t = h.dtype();
        int dims = b.dims();
        int rowBytes = dims * t.bytes();
        byte[] buf = new byte[Math.max(1, rowBytes)];
        MemorySegment row = MemorySegment.ofArray(buf);
        MemorySegment out = b.segment();
        for (int r = 0; r < b.rows(); r++) {
            long fileOff = h.dataOffset() + (long) r * rowBytes;
            int n = in.readNBytes(buf, 0, rowBytes);
            if (n < rowBytes) {
                throw DataFormatException.at(x, null, fileOff + n, "the data is cut short (row " + r + " of "
                        + b.rows() + " needs " + rowBytes + " bytes)");
            }
            long dst = b.rowByteOffset(r);
            if (t == Npy.Dtype.U1) {
                MemorySegment.copy(buf, 0, out, ValueLayout.JAVA_BYTE, dst, rowBytes);
                continue;
            }
            for (int c = 0; c < dims; c++) {
                double v = t.get(row, c);
                if (t.isInteger()) {
                    if (Math.abs(v) > EXACT_FLOAT_INT) {
                        throw valueError(x, h, r, c, dims, fileOff + (long) c * t.bytes(), "integer " + (long) v
                                + " is beyond 2^24 = " + EXACT_FLOAT_INT + ", where float32 stops being exact");
                    }
                } else if (!Double.isFinite(v)) {
                    throw valueError(x, h, r, c, dims, fileOff + (long) c * t.bytes(), "expected a finite number, found " + v);
                } else if (Math.abs(v) > Float.MAX_VALUE) {
                    throw valueError(x, h, r, c, dims, fileOff + (long) c * t.bytes(), "value " + v
                            + " overflows float32 (|x| <= 3.4e38)");
                }
                out.set(ValueLayout.JAVA_FLOAT, dst + 4L * c, (float) v);
            }
        }
    }

    private static DataFormatException valueError(Path x, Npy.Header h, int r, int c, int dims, long offset, String what) {
        long[] s = h.shape();
        long[] idx = new long[s.length];
        idx[0] = r;
        long rest = c;
        for (int i = s.length - 1; i >= 1; i--) {
            idx[i] = rest % s[i];
            rest /= s[i];
        }
        StringBuilder at = new StringBuilder("element [");
        for (int i = 0; i < idx.length; i++) {
            at.append(i == 0 ? "" : ", ").append(idx[i]);
        }
        return DataFormatException.at(x, null, offset, at.append("] (row ").append(r).append(", feature ").append(c)
                .append(" of ").append(dims).append("): ").append(what).toString());
    }

    /** A 1-D integer (or integral float) array of labels 0..2^20-1. */
    static int[] readLabels(FileAccess access, Path y) throws IOException {
        try (Npy.NpyArray a = Npy.read(y, access)) {
            if (a.rank() != 1) {
                throw DataFormatException.at(y, null, -1, "expected a 1-D label array, found shape "
                        + Npy.shapeText(a.shape()) + (a.rank() == 2 ? " (save y.ravel())" : ""));
            }
            int n = (int) a.count();
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                double v;
                if (a.dtype().isInteger()) {
                    long l = a.getLong(i);
                    v = l > CsvReader.MAX_CLASS_INDEX ? Double.POSITIVE_INFINITY : l;
                } else {
                    v = a.getDouble(i);
                    if (v != Math.rint(v)) {
                        throw labelError(y, a, i, "expected an integral class index, found " + v);
                    }
                }
                if (v < 0) {
                    throw labelError(y, a, i, "negative label " + (long) v + " (expected class indices >= 0)");
                }
                if (v > CsvReader.MAX_CLASS_INDEX) {
                    throw labelError(y, a, i, "label " + (a.dtype().isInteger() ? Long.toString(a.getLong(i))
                            : Double.toString(a.getDouble(i))) + " is too large (expected class indices up to "
                            + CsvReader.MAX_CLASS_INDEX + ")");
                }
                labels[i] = (int) v;
            }
            return labels;
        }
    }

    private static DataFormatException labelError(Path y, Npy.NpyArray a, int i, String what) {
        long offset = a.dataOffset() + (long) i * a.dtype().bytes();
        return DataFormatException.at(y, null, offset, "label " + i + ": " + what);
    }
}
