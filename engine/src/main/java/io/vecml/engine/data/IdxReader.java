package io.vecml.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads IDX files (MNIST, Fashion-MNIST), gzip'd or plain (detected from the bytes, not the name).
 *
 * <p>An images file starts with the magic {@code 0x00000803} (unsigned bytes, 3 dimensions) and the
 * big-endian int32 counts N, rows, cols, then N x rows x cols pixel bytes; a labels file starts with
 * {@code 0x00000801} and N, then N label bytes. The source is either a folder with the four standard
 * files ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte}, each optionally {@code .gz}) giving train and test, or one images file
 * whose labels file has the same name with {@code labels-idx1} for {@code images-idx3} (no test split).
 *
 * <p>Class names are {@code "0".."9"} (more if a label is larger) unless the folder's name contains
 * "fashion": then they are Fashion-MNIST's ten names. Counts in the headers are checked against the
 * bytes: a file that is too short, or has bytes after the last image, is refused with the offset.
 */
public final class IdxReader {

    /** Magic number of an IDX file of unsigned bytes with 3 dimensions. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned bytes with 1 dimension. */
    public static final int LABELS_MAGIC = 0x00000801;

    /** Fashion-MNIST's class names, by label. */
    public static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    private static final int BUFFER = 4 << 20;
    /** Deflate cannot expand more than about 1032:1; a header claiming more is refused before allocating. */
    private static final long MAX_DEFLATE_RATIO = 1032;

    private IdxReader() {
    }

    /** Whether the path is an IDX images file by name, or a folder holding the training images file. */
    public static boolean looksLike(Path source) {
        if (Files.isDirectory(source)) {
            return find(source, TRAIN_IMAGES) != null;
        }
        Path fn = source.getFileName();
        return fn != null && labelsNameFor(fn.toString()) != null;
    }

    /**
     * Reads a folder with the four standard files (train + test) or one images file and its labels file
     * (train only). {@code options} is accepted for symmetry with the other readers; IDX has no options.
     */
    public static LoadedData read(Path source, LoadOptions options) throws IOException {
        FileAccess access = LoadOptions.accessOf(options);
        if (options != null && options.format() != null && options.format() != DataFormat.IDX) {
            throw new IllegalArgumentException("IdxReader reads " + DataFormat.IDX + ", not " + options.format());
        }
        Path trainImages;
        Path trainLabels;
        Path testImages = null;
        Path testLabels = null;
        Path folder;
        if (Files.isDirectory(source)) {
            folder = source;
            trainImages = find(source, TRAIN_IMAGES);
            trainLabels = find(source, TRAIN_LABELS);
            testImages = find(source, TEST_IMAGES);
            testLabels = find(source, TEST_LABELS);
            List<String> missing = new ArrayList<>();
            String[] stems = {TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS};
            Path[] found = {trainImages, trainLabels, testImages, testLabels};
            for (int i = 0; i < stems.length; i++) {
                if (found[i] == null) {
                    missing.add(stems[i] + "[.gz]");
                }
            }
            if (!missing.isEmpty()) {
                throw new DataFormatException(source + ": missing IDX " + (missing.size() == 1 ? "file " : "files ")
                        + String.join(", ", missing));
            }
        } else {
            if (!Files.isRegularFile(source)) {
                throw new NoSuchFileException(source.toString(), null, "no such file or folder");
            }
            String labelsName = labelsNameFor(source.getFileName().toString());
            if (labelsName == null) {
                throw new DataFormatException(source + ": cannot tell the labels file: an IDX images file is named "
                        + "*images-idx3* (its labels file *labels-idx1*)");
            }
            trainImages = source;
            trainLabels = source.resolveSibling(labelsName);
            if (!Files.isRegularFile(trainLabels)) {
                throw new DataFormatException(source + ": its labels file " + trainLabels + " is missing");
            }
            folder = source.toAbsolutePath().getParent();
        }
        boolean fashion = folder != null && folder.getFileName() != null
                && folder.getFileName().toString().toLowerCase(Locale.ROOT).contains("fashion");

        int[] trainY = readLabels(access, trainLabels, fashion);
        int[] testY = testLabels == null ? null : readLabels(access, testLabels, fashion);
        int maxLabel = 9;
        for (int y : trainY) {
            maxLabel = Math.max(maxLabel, y);
        }
        if (testY != null) {
            for (int y : testY) {
                maxLabel = Math.max(maxLabel, y);
            }
        }
        List<String> names;
        if (fashion) {
            names = FASHION_CLASSES;
        } else {
            names = new ArrayList<>();
            for (int c = 0; c <= maxLabel; c++) {
                names.add(Integer.toString(c));
            }
        }
        Dataset train = readImages(access, trainImages, trainLabels, trainY, names, null);
        try {
            Dataset test = testImages == null ? null
                    : readImages(access, testImages, testLabels, testY, names, train.imageShape().orElseThrow());
            return new LoadedData(DataFormat.IDX, source.toString(), train, test);
        } catch (IOException | RuntimeException e) {
            train.close();
            throw e;
        }
    }

    /** The labels file name for an images file name, or null if the name is not an IDX images name. */
    static String labelsNameFor(String imagesName) {
        if (imagesName.contains("images-idx3")) {
            return imagesName.replace("images-idx3", "labels-idx1");
        }
        if (imagesName.contains("images.idx3")) {
            return imagesName.replace("images.idx3", "labels.idx1");
        }
        return null;
    }

    /** The file for a standard stem: gzip'd as distributed, plain, or with MNIST's other spelling ({@code images.idx3}). */
    private static Path find(Path dir, String stem) {
        String dotted = stem.replace("s-idx", "s.idx");
        for (String name : new String[] {stem + ".gz", stem, dotted + ".gz", dotted}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Reads the magic (checked first, so a file of another kind is named as such even when it is short)
     * and then the {@code ints - 1} big-endian counts that follow it.
     */
    private static int[] readHeader(InputStream in, Path file, int ints, int magic, String what) throws IOException {
        byte[] h = new byte[4 * ints];
        int got = in.readNBytes(h, 0, 4);
        if (got == 4) {
            checkMagic(file, toInt(h, 0), magic, what);
            got += in.readNBytes(h, 4, h.length - 4);
        }
        if (got != h.length) {
            throw DataFormatException.at(file, null, got, "the file ends inside the " + h.length + "-byte IDX header");
        }
        int[] v = new int[ints];
        for (int i = 0; i < ints; i++) {
            v[i] = toInt(h, 4 * i);
        }
        return v;
    }

    private static int toInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static void checkMagic(Path file, int found, int expected, String what) throws DataFormatException {
        if (found != expected) {
            String hint = found == (expected == IMAGES_MAGIC ? LABELS_MAGIC : IMAGES_MAGIC)
                    ? " (that is an IDX " + (expected == IMAGES_MAGIC ? "labels" : "images") + " file)" : "";
            throw DataFormatException.at(file, null, 0, String.format(Locale.ROOT,
                    "expected the IDX magic 0x%08X (%s: unsigned bytes, %d dimension%s), found 0x%08X%s", expected, what,
                    expected & 0xff, (expected & 0xff) == 1 ? "" : "s", found, hint));
        }
    }

    /**
     * Refuses a header whose counts the file cannot hold, before anything is allocated: a plain file's
     * size must match exactly; a gzip'd file cannot expand beyond deflate's limit.
     */
    private static void checkPlausible(Archives.Source src, Path file, long header, long payload) throws IOException {
        long size = src.fileSize();
        if (src.gzip()) {
            if (size <= Long.MAX_VALUE / MAX_DEFLATE_RATIO && header + payload > size * MAX_DEFLATE_RATIO) {
                throw DataFormatException.at(file, null, 4, "the header promises " + payload + " data bytes, more than the "
                        + size + "-byte gzip file can hold");
            }
            return;
        }
        if (size < header + payload) {
            throw DataFormatException.at(file, null, size, "the file ends after " + size + " bytes; the header promises "
                    + header + " + " + payload + " = " + (header + payload));
        }
        if (size > header + payload) {
            throw DataFormatException.at(file, null, header + payload, (size - header - payload)
                    + " trailing bytes after the data the header promises (" + (header + payload) + " bytes)");
        }
    }

    private static void expectEnd(InputStream in, Path file, long offset) throws IOException {
        // Reading to the end also makes gzip check its trailer (CRC and length).
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw DataFormatException.at(file, null, offset, extra + " trailing bytes after the data the header promises ("
                    + offset + " bytes)");
        }
    }

    private static int[] readLabels(FileAccess access, Path file, boolean fashion) throws IOException {
        try (Archives.Source src = Archives.openSource(file, access)) {
            InputStream in = src.in();
            int[] h = readHeader(in, file, 2, LABELS_MAGIC, "labels");
            int n = h[1];
            if (n < 0) {
                throw DataFormatException.at(file, null, 4, "negative label count " + n);
            }
            checkPlausible(src, file, 8, n);
            byte[] b = new byte[n];
            int got = in.readNBytes(b, 0, n);
            if (got != n) {
                throw DataFormatException.at(file, null, 8L + got, "the file ends after " + got + " of " + n
                        + " labels (" + (8L + n) + " bytes expected)");
            }
            expectEnd(in, file, 8L + n);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = b[i] & 0xff;
                if (fashion && y[i] >= FASHION_CLASSES.size()) {
                    throw DataFormatException.at(file, null, 8L + i, "label " + i + " is " + y[i]
                            + "; Fashion-MNIST has classes 0..9");
                }
            }
            return y;
        }
    }

    private static Dataset readImages(FileAccess access, Path file, Path labelsFile, int[] labels, List<String> names,
            ImageShape mustMatch) throws IOException {
        try (Archives.Source src = Archives.openSource(file, access)) {
            InputStream in = src.in();
            int[] h = readHeader(in, file, 4, IMAGES_MAGIC, "images");
            int n = h[1];
            int rows = h[2];
            int cols = h[3];
            if (n < 0 || rows <= 0 || cols <= 0 || (long) rows * cols > Integer.MAX_VALUE / 2) {
                throw DataFormatException.at(file, null, 4, "implausible header counts N=" + n + ", rows=" + rows
                        + ", cols=" + cols + "; expected N >= 0 and positive image sizes");
            }
            int dims = rows * cols;
            if (n != labels.length) {
                throw DataFormatException.at(file, null, 4, "holds " + n + " images but " + labelsFile + " holds "
                        + labels.length + " labels; expected the same count");
            }
            ImageShape shape = ImageShape.grey(rows, cols);
            if (mustMatch != null && !mustMatch.equals(shape)) {
                throw DataFormatException.at(file, null, 8, "images of " + rows + "x" + cols
                        + " but the training images are " + mustMatch.height() + "x" + mustMatch.width());
            }
            long payload = (long) n * dims;
            checkPlausible(src, file, 16, payload);
            Dataset.Builder b = Dataset.builder(Dataset.Type.UINT8, n, dims);
            try {
                int per = Math.max(1, Math.min(n, BUFFER / dims)); // small files get a small buffer
                byte[] buf = new byte[per * dims];
                MemorySegment heap = MemorySegment.ofArray(buf);
                MemorySegment dst = b.segment();
                for (int done = 0; done < n; ) {
                    int k = Math.min(per, n - done);
                    int got = in.readNBytes(buf, 0, k * dims);
                    if (got != k * dims) {
                        long at = 16 + (long) done * dims + got;
                        throw DataFormatException.at(file, null, at, "the file ends inside image " + (done + got / dims)
                                + "; the header promises " + n + " images of " + rows + "x" + cols + " ("
                                + (16 + payload) + " bytes)");
                    }
                    for (int i = 0; i < k; i++, done++) {
                        MemorySegment.copy(heap, (long) i * dims, dst, b.rowByteOffset(done), dims);
                        b.label(done, labels[done]);
                    }
                }
                expectEnd(in, file, 16 + payload);
                return b.build(names, shape);
            } catch (IOException | RuntimeException e) {
                b.close();
                throw e;
            }
        }
    }
}
