package io.vecml.engine.data;

import io.vecml.engine.data.SafeUnpickler.Bytes;
import io.vecml.engine.data.SafeUnpickler.NdArray;
import io.vecml.engine.data.SafeUnpickler.Tuple;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads CIFAR-10 "python version": {@code cifar-10-python.tar.gz} (in one pass, whatever the member
 * order) or the extracted {@code cifar-10-batches-py/} folder. Each batch is a pickled dict
 * {@code {batch_label, labels, data, filenames}} with {@code data} a uint8 N x 3072 numpy array
 * (R, G, B planes of 32 x 32); keys may be str or bytes (Python 3 re-writes). The pickles go through
 * {@link SafeUnpickler}, which executes nothing.
 *
 * <p>Train = {@code data_batch_1..5} concatenated in that order, test = {@code test_batch}, class names
 * = {@code batches.meta['label_names']}.
 *
 * <p>The pixels are read once, straight from the decompressed stream into the dataset memory: when
 * the first training batch arrives, the training set is allocated for five batches of that size and
 * each batch's pixel string is read into its slot. Batches of unequal sizes (not the official data)
 * still load, through one more copy.
 */
public final class CifarPythonReader {

    static final int DIMS = 3072;
    static final ImageShape SHAPE = new ImageShape(32, 32, 3, ImageShape.Layout.CHW);
    static final String FOLDER = "cifar-10-batches-py";
    static final List<String> TRAIN = List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4",
            "data_batch_5");
    static final String TEST = "test_batch";
    static final String META = "batches.meta";
    private static final Set<String> WANTED = Set.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4",
            "data_batch_5", TEST, META);

    private CifarPythonReader() {
    }

    /** Whether the path looks like this format: the batches folder, or a tar(.gz) named like the python version. */
    public static boolean looksLike(Path path) {
        if (Files.isDirectory(path)) {
            Path dir = batchFolder(path);
            return Files.isRegularFile(dir.resolve("data_batch_1")) && Files.isRegularFile(dir.resolve(META));
        }
        if (!Files.isRegularFile(path) || path.getFileName() == null || !Archives.isTarName(path)) {
            return false;
        }
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        // cifar-100-python.tar.gz holds other members (train, test, meta)
        return n.contains("python") && !n.contains("cifar-100");
    }

    /** The folder itself, or its {@code cifar-10-batches-py} child when given the folder it was extracted into. */
    private static Path batchFolder(Path dir) {
        Path child = dir.resolve(FOLDER);
        if (!Files.isRegularFile(dir.resolve("data_batch_1")) && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
            return child;
        }
        return dir;
    }

    /**
     * Reads the archive or folder.
     *
     * @param source  {@code cifar-10-python.tar.gz} (or .tar) or the {@code cifar-10-batches-py} folder
     * @param options unused for this format (may be null)
     * @throws DataFormatException missing members, malformed or unsafe pickles, inconsistent batches
     */
    public static LoadedData read(Path source, LoadOptions options) throws IOException {
        Path src = Files.isDirectory(source) ? batchFolder(source) : source;
        boolean folder = Files.isDirectory(src);
        Split train = new Split(TRAIN);
        Split test = new Split(List.of(TEST));
        List<String> classNames = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Dataset trainSet = null;
        try {
            Archives.forEachMember(src, LoadOptions.accessOf(options), WANTED::contains, (base, full, size, in) -> {
                Object file = folder ? full : src;
                String member = folder ? null : full;
                if (!seen.add(base)) {
                    throw DataFormatException.at(src, full, -1, "a second " + base + " member; expected one");
                }
                if (base.equals(META)) {
                    classNames.addAll(meta(SafeUnpickler.load(in, size, file, member), file, member));
                    return;
                }
                Split split = base.equals(TEST) ? test : train;
                int k = split.names.indexOf(base);
                Object root = SafeUnpickler.load(in, size, file, member, length -> split.place(k, length));
                split.parts[k] = batch(root, base, file, member);
            });
            List<String> missing = new ArrayList<>();
            for (String w : List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5",
                    TEST, META)) {
                if (!seen.contains(w)) {
                    missing.add(w);
                }
            }
            if (!missing.isEmpty()) {
                throw DataFormatException.at(src, null, -1, "missing CIFAR-10 python member(s) " + String.join(", ", missing)
                        + (folder ? "" : " (expected under " + FOLDER + "/)"));
            }
            train.checkLabels(classNames.size());
            test.checkLabels(classNames.size());
            trainSet = train.build(classNames);
            Dataset testSet = test.build(classNames);
            return new LoadedData(DataFormat.CIFAR10_PYTHON, source.toString(), trainSet, testSet);
        } catch (IOException | RuntimeException | Error e) {
            if (trainSet != null) {
                trainSet.close();
            }
            throw e;
        } finally {
            train.closeSpeculative();
            test.closeSpeculative();
        }
    }

    /** One batch as read: where its pixels are and its labels. */
    private record Part(Object file, String member, int rows, int[] labels, Bytes pixels) {
    }

    private static Part batch(Object root, String base, Object file, String member) throws DataFormatException {
        if (!(root instanceof Map<?, ?> dict)) {
            throw DataFormatException.at(file, member, -1, "expected a pickled dict, found a "
                    + SafeUnpickler.typeName(root));
        }
        for (String key : List.of("data", "labels")) {
            if (!SafeUnpickler.has(dict, key)) {
                throw DataFormatException.at(file, member, -1, "the batch dict has no '" + key + "' entry (keys: "
                        + keyNames(dict) + ")");
            }
        }
        Object dv = SafeUnpickler.get(dict, "data");
        if (!(dv instanceof NdArray a) || !a.complete()) {
            throw DataFormatException.at(file, member, -1, "'data' is a " + SafeUnpickler.typeName(dv)
                    + ", expected a numpy uint8 array");
        }
        String dtype = a.dtype();
        if (!dtype.substring(1).equals("u1")) {
            throw DataFormatException.at(file, member, a.offset(), "'data' has dtype " + dtype + ", expected uint8 (|u1)");
        }
        long[] shape = a.shape();
        if (shape.length != 2 || shape[1] != DIMS) {
            throw DataFormatException.at(file, member, a.offset(), "'data' has shape " + Arrays.toString(shape)
                    + ", expected (N, " + DIMS + ")");
        }
        if (shape[0] == 0) {
            throw DataFormatException.at(file, member, a.offset(), "'data' has no rows (shape "
                    + Arrays.toString(shape) + "); expected at least one image per batch");
        }
        if (a.fortranOrder() && shape[0] > 1) {
            throw DataFormatException.at(file, member, a.offset(), "'data' is in Fortran order; expected C order");
        }
        Object lv = SafeUnpickler.get(dict, "labels");
        List<?> items = lv instanceof List<?> l ? l : lv instanceof Tuple t ? t.items() : null;
        if (items == null) {
            throw DataFormatException.at(file, member, -1, "'labels' is a " + SafeUnpickler.typeName(lv)
                    + ", expected a list of ints");
        }
        if (items.size() != shape[0]) {
            throw DataFormatException.at(file, member, -1, "'data' has " + shape[0] + " rows but 'labels' has "
                    + items.size() + " entries");
        }
        int[] labels = new int[items.size()];
        for (int i = 0; i < labels.length; i++) {
            Object v = items.get(i);
            if (!(v instanceof Long x) || x < 0 || x > Integer.MAX_VALUE) {
                throw DataFormatException.at(file, member, -1, "labels index " + i + ": "
                        + (v instanceof Long x ? "label " + x + " is negative or too large" : "a "
                        + SafeUnpickler.typeName(v) + ", expected an int"));
            }
            labels[i] = (int) (long) x;
        }
        return new Part(file, member, labels.length, labels, a.data());
    }

    private static List<String> meta(Object root, Object file, String member) throws DataFormatException {
        if (!(root instanceof Map<?, ?> dict)) {
            throw DataFormatException.at(file, member, -1, "expected a pickled dict, found a "
                    + SafeUnpickler.typeName(root));
        }
        if (!SafeUnpickler.has(dict, "label_names")) {
            throw DataFormatException.at(file, member, -1, "no 'label_names' entry (keys: " + keyNames(dict) + ")");
        }
        Object v = SafeUnpickler.get(dict, "label_names");
        if (!(v instanceof List<?> l) || l.isEmpty()) {
            throw DataFormatException.at(file, member, -1, "'label_names' is a " + SafeUnpickler.typeName(v)
                    + ", expected a non-empty list of str");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            String s = SafeUnpickler.text(l.get(i));
            if (s == null) {
                throw DataFormatException.at(file, member, -1, "label_names index " + i + " is a "
                        + SafeUnpickler.typeName(l.get(i)) + ", expected a str");
            }
            names.add(s);
        }
        return names;
    }

    private static String keyNames(Map<?, ?> dict) {
        List<String> keys = new ArrayList<>();
        for (Object k : dict.keySet()) {
            String s = SafeUnpickler.text(k);
            keys.add(s != null ? s : SafeUnpickler.typeName(k));
        }
        return String.join(", ", keys);
    }

    /**
     * The batches of one split and the memory they are read into. The first pixel string offered
     * sizes the split as (number of batches) x (its rows); each batch of that size then lands in its
     * own slot. Anything else stays on the heap and is copied at the end.
     */
    private static final class Split {
        final List<String> names;
        final Part[] parts;
        final MemorySegment[] slots;
        Dataset.Builder speculative;
        long rowsPerPart;

        Split(List<String> names) {
            this.names = names;
            this.parts = new Part[names.size()];
            this.slots = new MemorySegment[names.size()];
        }

        MemorySegment place(int k, long length) {
            // Only the first large string of a batch is taken (the pixels, in every numpy pickle).
            if (slots[k] != null || length % DIMS != 0) {
                return null;
            }
            long rows = length / DIMS;
            if (speculative == null) {
                long total = rows * names.size();
                if (total > Integer.MAX_VALUE) {
                    return null;
                }
                speculative = Dataset.builder(Dataset.Type.UINT8, (int) total, DIMS);
                rowsPerPart = rows;
            }
            if (rows != rowsPerPart || speculative.stride() != DIMS) {
                return null;
            }
            slots[k] = speculative.segment().asSlice(speculative.rowByteOffset((int) (k * rowsPerPart)), length);
            return slots[k];
        }

        void checkLabels(int classes) throws DataFormatException {
            for (Part p : parts) {
                for (int i = 0; i < p.labels().length; i++) {
                    if (p.labels()[i] >= classes) {
                        throw DataFormatException.at(p.file(), p.member(), -1, "labels index " + i + ": label "
                                + p.labels()[i] + " is outside 0.." + (classes - 1) + " (" + classes
                                + " label_names in " + META + ")");
                    }
                }
            }
        }

        Dataset build(List<String> classNames) throws DataFormatException {
            long total = 0;
            boolean inPlace = speculative != null;
            for (int k = 0; k < parts.length; k++) {
                Part p = parts[k];
                total += p.rows();
                inPlace &= p.rows() == rowsPerPart && p.pixels().isPlaced() && slots[k] != null
                        && p.pixels().segment().address() == slots[k].address();
            }
            if (total > Integer.MAX_VALUE) {
                throw DataFormatException.at(parts[0].file(), null, -1, total + " rows are more than a dataset holds");
            }
            Dataset.Builder b;
            if (inPlace) {
                b = speculative;
                speculative = null;
            } else {
                // Unequal batches (or pixels the sink did not take): one more copy, then free the slots.
                b = Dataset.builder(Dataset.Type.UINT8, (int) total, DIMS);
                try {
                    int row = 0;
                    for (Part p : parts) {
                        MemorySegment src = p.pixels().segment();
                        for (int r = 0; r < p.rows(); r++) {
                            MemorySegment.copy(src, (long) r * DIMS, b.segment(), b.rowByteOffset(row + r), DIMS);
                        }
                        row += p.rows();
                    }
                } catch (RuntimeException e) {
                    b.close();
                    throw e;
                }
                closeSpeculative();
            }
            int row = 0;
            for (Part p : parts) {
                for (int label : p.labels()) {
                    b.label(row++, label);
                }
            }
            return b.build(classNames, SHAPE);
        }

        void closeSpeculative() {
            if (speculative != null) {
                speculative.close();
                speculative = null;
            }
        }
    }
}
