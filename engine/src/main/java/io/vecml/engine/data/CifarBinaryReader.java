package io.vecml.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads CIFAR-10 and CIFAR-100 in their binary form, as distributed: the tarball
 * ({@code cifar-10-binary.tar.gz}, {@code cifar-100-binary.tar.gz}) in one pass, or its unpacked folder.
 *
 * <p>CIFAR-10: {@code data_batch_1..5.bin} (train, in that order), {@code test_batch.bin}, and
 * {@code batches.meta.txt} (class names, one per non-blank line); a record is 1 label byte and 3072 pixel
 * bytes (1024 R, 1024 G, 1024 B, each 32x32 row-major), so rows keep that channel-planar order
 * ({@link ImageShape.Layout#CHW}). CIFAR-100: {@code train.bin}, {@code test.bin}, a record is the coarse
 * label byte, the fine label byte and the same 3072 pixels; names in {@code coarse_label_names.txt} /
 * {@code fine_label_names.txt}.
 *
 * <p>Pixels go from the (decompressing) stream through one reusable buffer straight into the dataset's
 * memory. Because a tarball's member sizes are only known as the members arrive (in any order), the
 * training memory is sized when the first training member arrives, assuming the official layout
 * (batches of equal size); if the batches turn out to differ, the rows are gathered with one extra copy.
 */
public final class CifarBinaryReader {

    /** Pixel bytes per record (32 x 32 x 3). */
    public static final int PIXELS = 3072;

    static final ImageShape SHAPE = new ImageShape(32, 32, 3, ImageShape.Layout.CHW);

    /** Class names of CIFAR-10, as in {@code batches.meta.txt}. */
    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");

    static final String CIFAR10_DIR = "cifar-10-batches-bin";
    static final List<String> CIFAR10_TRAIN = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
            "data_batch_4.bin", "data_batch_5.bin");
    static final String CIFAR10_TEST = "test_batch.bin";
    static final String CIFAR10_META = "batches.meta.txt";

    private static final List<String> CIFAR100_TRAIN = List.of("train.bin");
    private static final String CIFAR100_TEST = "test.bin";
    private static final String CIFAR100_COARSE = "coarse_label_names.txt";
    private static final String CIFAR100_FINE = "fine_label_names.txt";

    /** About 4 MB of whole records, so a read fills many rows and a record never straddles two reads. */
    private static final int BUFFER_RECORDS = 1365;

    /** Deflate cannot expand more than about 1032:1; a member claiming more than that is a lie. */
    private static final long MAX_DEFLATE_RATIO = 1032;

    /** Names files are a few hundred bytes; more than this is not a names file. */
    private static final long MAX_NAMES_BYTES = 1 << 20;

    private CifarBinaryReader() {
    }

    /** Which of the two layouts; fixes member names, record size and class counts. */
    private enum Variant {
        CIFAR10(DataFormat.CIFAR10_BINARY, 1, CIFAR10_TRAIN, CIFAR10_TEST),
        CIFAR100(DataFormat.CIFAR100_BINARY, 2, CIFAR100_TRAIN, CIFAR100_TEST);

        final DataFormat format;
        final int labelBytes;
        final List<String> train;
        final String test;

        Variant(DataFormat format, int labelBytes, List<String> train, String test) {
            this.format = format;
            this.labelBytes = labelBytes;
            this.train = train;
            this.test = test;
        }

        int recordBytes() {
            return labelBytes + PIXELS;
        }

        boolean isData(String base) {
            return train.contains(base) || test.equals(base);
        }

        boolean isNames(String base) {
            return this == CIFAR10 ? base.equals(CIFAR10_META) : base.equals(CIFAR100_COARSE) || base.equals(CIFAR100_FINE);
        }

        static Variant of(DataFormat f) {
            return f == DataFormat.CIFAR100_BINARY ? CIFAR100 : CIFAR10;
        }
    }

    /** Whether the path looks like CIFAR-10 or CIFAR-100 binary data (by names only; cheap). */
    public static boolean looksLike(Path source) {
        return detect(source).isPresent();
    }

    /** Whether the path looks like CIFAR-10 binary data: the tarball or a folder with its batches. */
    public static boolean looksLikeCifar10(Path source) {
        return detect(source).orElse(null) == DataFormat.CIFAR10_BINARY;
    }

    /** Whether the path looks like CIFAR-100 binary data: the tarball or a folder with train.bin/test.bin. */
    public static boolean looksLikeCifar100(Path source) {
        return detect(source).orElse(null) == DataFormat.CIFAR100_BINARY;
    }

    /** The variant the path's names suggest, without reading any data. */
    public static Optional<DataFormat> detect(Path source) {
        if (Files.isDirectory(source)) {
            if (Files.isRegularFile(source.resolve(CIFAR10_TRAIN.get(0))) || Files.isRegularFile(source.resolve(CIFAR10_TEST))) {
                return Optional.of(DataFormat.CIFAR10_BINARY);
            }
            if (Files.isRegularFile(source.resolve(CIFAR100_TRAIN.get(0))) && Files.isRegularFile(source.resolve(CIFAR100_TEST))) {
                return Optional.of(DataFormat.CIFAR100_BINARY);
            }
            return Optional.empty();
        }
        Path fn = source.getFileName();
        if (fn == null || !Archives.isTarName(source)) {
            return Optional.empty();
        }
        String n = fn.toString().toLowerCase(Locale.ROOT);
        if (n.contains("cifar-100") || n.contains("cifar100")) {
            return n.contains("python") ? Optional.empty() : Optional.of(DataFormat.CIFAR100_BINARY);
        }
        if (n.contains("cifar-10") || n.contains("cifar10")) {
            return n.contains("python") ? Optional.empty() : Optional.of(DataFormat.CIFAR10_BINARY);
        }
        return Optional.empty();
    }

    /**
     * Reads the train and test splits. The variant is {@code options.format()} when that is
     * {@link DataFormat#CIFAR10_BINARY} or {@link DataFormat#CIFAR100_BINARY}, else it is decided by
     * the member names; for CIFAR-100, {@code options.cifar100Label()} chooses coarse or fine labels.
     *
     * @throws DataFormatException when a member is missing, has a size that is not a whole number of
     *                             records, or holds a label outside the classes
     */
    public static LoadedData read(Path source, LoadOptions options) throws IOException {
        LoadOptions opt = options == null ? LoadOptions.DEFAULTS : options;
        Variant fixed = null;
        if (opt.format() == DataFormat.CIFAR10_BINARY || opt.format() == DataFormat.CIFAR100_BINARY) {
            fixed = Variant.of(opt.format());
        } else if (opt.format() != null) {
            throw new IllegalArgumentException("CifarBinaryReader reads " + DataFormat.CIFAR10_BINARY + " or "
                    + DataFormat.CIFAR100_BINARY + ", not " + opt.format());
        }
        Pass pass = new Pass(source, fixed, opt.cifar100Label(), opt.access());
        try {
            Archives.forEachMember(source, opt.access(), pass::wanted, pass::visit);
            return pass.finish();
        } catch (IOException | RuntimeException | Error e) {
            pass.closeAll();
            throw e;
        }
    }

    /** Where one member's rows live until the splits are assembled. */
    private static final class Placed {
        final Dataset.Builder builder;
        final int firstRow;
        final int[] labels;

        Placed(Dataset.Builder builder, int firstRow, int[] labels) {
            this.builder = builder;
            this.firstRow = firstRow;
            this.labels = labels;
        }
    }

    /** State of one pass over the members. */
    private static final class Pass {
        private final Path source;
        private final LoadOptions.Cifar100Label which;
        private final long sourceBytes;
        private final boolean compressed;
        private final Variant fixed;
        private Variant variant;
        private String variantMember;
        private final List<String> seen = new ArrayList<>();
        /** Training members 2..5 that hold no records (allowed only when every batch but the first is empty). */
        private final List<String> emptyBatches = new ArrayList<>();
        private Placed[] train;
        private Placed test;
        /** The memory for training batches of the "official" size, allocated on the first training member. */
        private Dataset.Builder trainShared;
        private int sharedRowsPerBatch = -1;
        /** Builders made for members that did not fit the shared one (and the test split). */
        private final List<Dataset.Builder> extra = new ArrayList<>();
        private List<String> names;
        private byte[] buffer;

        Pass(Path source, Variant fixed, LoadOptions.Cifar100Label which, FileAccess access) throws IOException {
            this.source = source;
            this.fixed = fixed;
            this.variant = fixed;
            this.which = which;
            this.variantMember = fixed == null ? null : "the requested format";
            boolean dir = Files.isDirectory(source);
            if (dir) {
                this.sourceBytes = Long.MAX_VALUE;
                this.compressed = false;
            } else {
                try (Archives.Source s = Archives.openSource(source, access)) {
                    this.sourceBytes = s.fileSize();
                    this.compressed = s.gzip();
                }
            }
        }

        boolean wanted(String base) {
            // Only a format given by the caller narrows the members; a detected one does not, so that
            // members of the other variant are refused whatever their order.
            if (fixed != null) {
                return fixed.isData(base) || fixed.isNames(base);
            }
            for (Variant v : Variant.values()) {
                if (v.isData(base) || v.isNames(base)) {
                    return true;
                }
            }
            return false;
        }

        private Variant variantFor(String base, String full) throws DataFormatException {
            Variant v = Variant.CIFAR10.isData(base) || Variant.CIFAR10.isNames(base) ? Variant.CIFAR10 : Variant.CIFAR100;
            if (variant == null) {
                variant = v;
                variantMember = full;
                train = new Placed[v.train.size()];
            } else if (variant != v) {
                throw DataFormatException.at(source, full, -1, "a " + v.format + " member, but " + variantMember
                        + " made this " + variant.format + " data; the two cannot be mixed");
            }
            if (train == null) {
                train = new Placed[variant.train.size()];
            }
            return variant;
        }

        void visit(String base, String full, long size, InputStream in) throws IOException {
            Variant v = variantFor(base, full);
            if (seen.contains(base)) {
                throw DataFormatException.at(source, full, -1, "a second member named " + base + "; expected one");
            }
            seen.add(base);
            if (v.isNames(base)) {
                if (v == Variant.CIFAR10 || base.equals(which == LoadOptions.Cifar100Label.COARSE ? CIFAR100_COARSE : CIFAR100_FINE)) {
                    names = readNames(full, size, in, classCount(v));
                }
                return;
            }
            checkPlausibleSize(full, size);
            int rec = v.recordBytes();
            long records = size / rec;
            if (size % rec != 0) {
                throw DataFormatException.at(source, full, records * rec, "the member has " + size + " bytes = "
                        + records + " records of " + rec + " bytes + " + (size % rec)
                        + " leftover bytes; expected a whole number of records (a truncated or wrong-format file)");
            }
            int batchIndex = v.train.indexOf(base);
            if (records == 0) {
                if (batchIndex <= 0) {
                    throw emptyMember(full, rec);
                }
                // data_batch_2..5 may be empty only when data_batch_1 holds every training record (the layout
                // of generators that fill the first batch); checked in finish(), whatever the member order.
                emptyBatches.add(full);
            }
            if (records > Integer.MAX_VALUE - 64) {
                throw DataFormatException.at(source, full, -1, records + " records are more than one dataset can hold");
            }
            int n = (int) records;
            int batch = batchIndex;
            Placed p;
            if (batch < 0) {
                Dataset.Builder b = Dataset.builder(Dataset.Type.UINT8, n, PIXELS);
                extra.add(b);
                p = new Placed(b, 0, new int[n]);
                test = p;
            } else {
                if (trainShared == null) {
                    long cap = (long) n * v.train.size();
                    if (cap <= Integer.MAX_VALUE - 64) {
                        trainShared = Dataset.builder(Dataset.Type.UINT8, (int) cap, PIXELS);
                        sharedRowsPerBatch = n;
                    }
                }
                if (trainShared != null && n == sharedRowsPerBatch) {
                    p = new Placed(trainShared, batch * n, new int[n]);
                } else {
                    Dataset.Builder b = Dataset.builder(Dataset.Type.UINT8, n, PIXELS);
                    extra.add(b);
                    p = new Placed(b, 0, new int[n]);
                }
                train[batch] = p;
            }
            readRecords(full, in, n, v, p);
        }

        private DataFormatException emptyMember(String full, int rec) {
            return DataFormatException.at(source, full, 0, "the member is empty (no records); expected a whole"
                    + " number of " + rec + "-byte records, at least one (a truncated or placeholder file?)");
        }

        /** A header (tar) or a file system claiming more bytes than the source could hold is refused before allocating. */
        private void checkPlausibleSize(String full, long size) throws DataFormatException {
            if (sourceBytes == Long.MAX_VALUE) {
                return;
            }
            long max = !compressed ? sourceBytes
                    : sourceBytes > Long.MAX_VALUE / MAX_DEFLATE_RATIO ? Long.MAX_VALUE : sourceBytes * MAX_DEFLATE_RATIO;
            if (size > max) {
                throw DataFormatException.at(source, full, -1, "the member header claims " + size
                        + " bytes, more than the " + sourceBytes + "-byte archive can hold");
            }
        }

        private int classCount(Variant v) {
            return v == Variant.CIFAR10 ? 10 : which == LoadOptions.Cifar100Label.COARSE ? 20 : 100;
        }

        private void readRecords(String full, InputStream in, int n, Variant v, Placed p) throws IOException {
            int rec = v.recordBytes();
            int records = Math.min(BUFFER_RECORDS, Math.max(1, n));
            if (buffer == null || buffer.length < records * rec) {
                buffer = new byte[records * rec];
            }
            MemorySegment heap = MemorySegment.ofArray(buffer);
            MemorySegment dst = p.builder.segment();
            int labelAt = v == Variant.CIFAR100 && which == LoadOptions.Cifar100Label.FINE ? 1 : 0;
            int done = 0;
            while (done < n) {
                int k = Math.min(buffer.length / rec, n - done);
                int want = k * rec;
                int got = in.readNBytes(buffer, 0, want);
                if (got != want) {
                    long at = (long) done * rec + got;
                    throw DataFormatException.at(source, full, at, "the member ends after " + at + " bytes; expected "
                            + (long) n * rec + " (" + n + " records of " + rec + " bytes)");
                }
                for (int i = 0; i < k; i++) {
                    int off = i * rec;
                    int r = done + i;
                    for (int b = 0; b < v.labelBytes; b++) {
                        int lab = Byte.toUnsignedInt(buffer[off + b]);
                        int max = v == Variant.CIFAR10 ? 10 : b == 0 ? 20 : 100;
                        if (lab >= max) {
                            String kind = v == Variant.CIFAR10 ? "label" : b == 0 ? "coarse label" : "fine label";
                            throw DataFormatException.at(source, full, (long) r * rec + b, "record " + r + ": " + kind
                                    + " " + lab + " is outside 0.." + (max - 1) + " (" + max + " classes)");
                        }
                    }
                    int label = Byte.toUnsignedInt(buffer[off + labelAt]);
                    p.labels[r] = label;
                    MemorySegment.copy(heap, off + v.labelBytes, dst, p.builder.rowByteOffset(p.firstRow + r), PIXELS);
                }
                done += k;
            }
        }

        private List<String> readNames(String full, long size, InputStream in, int expected) throws IOException {
            if (size > MAX_NAMES_BYTES) {
                throw DataFormatException.at(source, full, -1, "a names file of " + size + " bytes; expected a few hundred");
            }
            String text = new String(in.readNBytes((int) size), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (String line : text.split("\r?\n")) {
                if (!line.isBlank()) {
                    out.add(line.strip());
                }
            }
            if (out.size() != expected) {
                throw DataFormatException.at(source, full, -1, out.size() + " class names; expected " + expected
                        + " (one per non-blank line)");
            }
            return out;
        }

        LoadedData finish() throws IOException {
            if (variant == null) {
                throw new DataFormatException(source + ": no CIFAR binary members found; expected "
                        + CIFAR10_DIR + "/{data_batch_1..5.bin, test_batch.bin, batches.meta.txt} or "
                        + "cifar-100-binary/{train.bin, test.bin, coarse_label_names.txt, fine_label_names.txt}");
            }
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < variant.train.size(); i++) {
                if (train[i] == null) {
                    missing.add(variant.train.get(i));
                }
            }
            if (test == null) {
                missing.add(variant.test);
            }
            if (names == null) {
                missing.add(variant == Variant.CIFAR10 ? CIFAR10_META
                        : which == LoadOptions.Cifar100Label.COARSE ? CIFAR100_COARSE : CIFAR100_FINE);
            }
            if (!missing.isEmpty()) {
                throw new DataFormatException(source + ": missing " + (missing.size() == 1 ? "member " : "members ")
                        + String.join(", ", missing) + " of " + variant.format + " data");
            }
            if (!emptyBatches.isEmpty() && emptyBatches.size() < variant.train.size() - 1) {
                throw DataFormatException.at(source, emptyBatches.get(0), 0, "the member is empty (no records) while"
                        + " other training batches after data_batch_1 hold records; expected " + variant.recordBytes()
                        + "-byte records in every batch (a truncated file?); only a layout with every training record"
                        + " in data_batch_1 may leave the other batches empty");
            }
            Dataset tr = assembleTrain();
            try {
                Dataset te = buildTest();
                return new LoadedData(variant.format, source.toString(), tr, te);
            } catch (RuntimeException e) {
                tr.close();
                throw e;
            }
        }

        private Dataset buildTest() {
            for (int r = 0; r < test.labels.length; r++) {
                test.builder.label(r, test.labels[r]);
            }
            extra.remove(test.builder);
            return test.builder.build(names, SHAPE);
        }

        private Dataset assembleTrain() throws DataFormatException {
            long total = 0;
            boolean allShared = true;
            for (Placed p : train) {
                total += p.labels.length;
                allShared &= p.builder == trainShared;
            }
            if (allShared && trainShared != null && total == trainShared.rows()) {
                for (Placed p : train) {
                    for (int r = 0; r < p.labels.length; r++) {
                        trainShared.label(p.firstRow + r, p.labels[r]);
                    }
                }
                Dataset.Builder b = trainShared;
                trainShared = null;
                return b.build(names, SHAPE);
            }
            if (total > Integer.MAX_VALUE - 64) {
                throw new DataFormatException(source + ": " + total + " training records are more than one dataset can hold");
            }
            // Irregular batch sizes: gather the batches, in batch order, into memory of the exact size.
            Dataset.Builder out = Dataset.builder(Dataset.Type.UINT8, (int) total, PIXELS);
            try {
                int row = 0;
                for (Placed p : train) {
                    for (int r = 0; r < p.labels.length; r++, row++) {
                        MemorySegment.copy(p.builder.segment(), p.builder.rowByteOffset(p.firstRow + r), out.segment(),
                                out.rowByteOffset(row), PIXELS);
                        out.label(row, p.labels[r]);
                    }
                }
                Dataset d = out.build(names, SHAPE);
                for (Placed p : train) {
                    p.builder.close();
                }
                if (trainShared != null) {
                    trainShared.close();
                    trainShared = null;
                }
                extra.removeIf(b -> b != test.builder);
                return d;
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
        }

        void closeAll() {
            if (trainShared != null) {
                trainShared.close();
            }
            for (Dataset.Builder b : extra) {
                b.close();
            }
        }
    }
}
