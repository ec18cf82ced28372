package io.vecml.engine.data;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a classification dataset from a CSV file (plain or gzip; syntax as {@link CsvTable}): one
 * label column, every other column a numeric feature. The result has no test split.
 *
 * <p>Header ({@link LoadOptions.CsvHeader}): none, column names, or scikit-learn's bundled style
 * {@code n_rows,n_features,class names...} (as {@code iris.csv}), whose counts are checked against the
 * data. {@code AUTO} takes as the scikit-learn style a first line of two integers followed by names,
 * at least one of them not a number (or, if the names are "0", "1", ..., "k-1", when the two integers equal
 * the number of data rows and of features); names when a field is not a number in a column whose data
 * rows are numbers; otherwise data (so a headerless file with text labels is read whole).
 *
 * <p>Labels: integers 0..2^20-1 are class indices as they are (class names from the scikit-learn header,
 * else "0".."max"); any other labels (text, negative or fractional numbers) are mapped to their sorted
 * distinct values, as scikit-learn's {@code LabelEncoder} does (numbers in numeric order, text by code point).
 *
 * <p>Features are stored as {@link Dataset.Type#UINT8} when every feature value is an integer in 0..255
 * (kNN then gets exact integer distances), otherwise as {@link Dataset.Type#FLOAT32}.
 */
public final class CsvReader {

    /** Largest integer label taken as a class index as it is; larger ones are mapped like text. */
    static final int MAX_CLASS_INDEX = (1 << 20) - 1;

    private CsvReader() {
    }

    /** Reads {@code file} as a classification dataset; see the class comment. */
    public static LoadedData read(Path file, LoadOptions options) throws IOException {
        Parsed p = parse(file, options);
        CsvTable table = p.table();
        if (table.columns() < 2) {
            throw new DataFormatException(file + ": line " + table.line(0) + ": expected a label column and at least one"
                    + " feature column, found " + table.columns() + " column");
        }
        int labelColumn = labelColumn(table, options.csvLabel());
        Labels labels = labels(table, labelColumn, p.sklearnNames());
        return new LoadedData(DataFormat.CSV, file.toString(), features(table, labelColumn, labels), null);
    }

    /**
     * Reads {@code file} as rows to predict, without a label column, when it has exactly
     * {@code columns} columns and no {@link LoadOptions#csvLabel() label column} is named: every column
     * is a feature, every row gets label 0 (one class, "0"). Returns null when the file has another
     * number of columns (then it is labelled data: read it with {@link #read}).
     */
    public static Dataset readFeatures(Path file, LoadOptions options, int columns) throws IOException {
        if (options.csvLabel() != null) {
            return null;
        }
        CsvTable table = parse(file, options).table();
        if (table.columns() != columns) {
            return null;
        }
        return features(table, -1, new Labels(new int[table.rows()], List.of("0")));
    }

    private record Parsed(CsvTable table, List<String> sklearnNames) {
    }

    private static Parsed parse(Path file, LoadOptions options) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        CsvTable table;
        List<String> sklearnNames = null;
        switch (options.csvHeader()) {
            case NONE -> table = CsvTable.read(file, CsvTable.FirstLine.DATA, options.access());
            case NAMES -> table = CsvTable.read(file, CsvTable.FirstLine.NAMES, options.access());
            case SKLEARN -> {
                CsvTable t = CsvTable.read(file, CsvTable.FirstLine.ASIDE, options.access());
                sklearnNames = checkSklearnHeader(t);
                table = t.withoutFirstRecord();
            }
            case AUTO -> {
                CsvTable t = CsvTable.read(file, CsvTable.FirstLine.ASIDE, options.access());
                List<String> first = t.firstRecord();
                if (looksSklearn(first, t)) {
                    sklearnNames = checkSklearnHeader(t);
                    table = t.withoutFirstRecord();
                } else if (firstLineIsData(first, t)) {
                    table = t.withFirstRecordAsData();
                } else {
                    table = t.withFirstRecordAsNames();
                }
            }
            default -> throw new IllegalStateException("unknown header mode " + options.csvHeader());
        }
        if (table.rows() == 0) {
            throw new DataFormatException(file + ": no data rows (expected at least one line of values after the header)");
        }
        return new Parsed(table, sklearnNames);
    }

    /**
     * Two integers then names: with a name that is not a number it can only be this style (so wrong
     * counts are reported rather than read as column names); with numeric names only when they are
     * "0", "1", ... "k-1" (digits' "0".."9"), k >= 2, and the counts match the data: a data row rarely
     * looks like that.
     */
    private static boolean looksSklearn(List<String> first, CsvTable t) {
        if (first.size() < 3) {
            return false;
        }
        long rows = integer(first.get(0));
        long features = integer(first.get(1));
        if (rows < 0 || features < 0) {
            return false;
        }
        List<String> names = first.subList(2, first.size());
        if (names.stream().anyMatch(f -> Double.isNaN(CsvTable.parseNumber(f)))) {
            return true;
        }
        for (int i = 0; i < names.size(); i++) {
            if (!names.get(i).equals(Integer.toString(i))) {
                return false;
            }
        }
        return names.size() >= 2 && rows == t.rows() && features == t.columns() - 1;
    }

    /**
     * Whether the first line is data rather than names: it is names when some field is not a number
     * while the rows below hold numbers in that column. A text field over a text column (a class name
     * in the label column of a headerless file such as UCI's {@code iris.data}) is data.
     */
    private static boolean firstLineIsData(List<String> first, CsvTable t) {
        for (int c = 0; c < first.size(); c++) {
            if (!Double.isNaN(CsvTable.parseNumber(first.get(c)))) {
                continue;
            }
            if (t.rows() == 0 || first.size() != t.columns()) {
                return false;
            }
            boolean columnNumeric = true;
            for (int r = 0; r < t.rows() && columnNumeric; r++) {
                columnNumeric = t.isNumeric(r, c);
            }
            if (columnNumeric) {
                return false;
            }
        }
        return true;
    }

    /** A non-negative integer written as digits, or -1. */
    private static long integer(String s) {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return -1;
        }
        return Long.parseLong(s);
    }

    /** Checks {@code n_rows,n_features[,names...]} against the data; returns the class names (maybe empty). */
    private static List<String> checkSklearnHeader(CsvTable t) throws DataFormatException {
        List<String> first = t.firstRecord();
        String where = t.file() + ": line " + t.firstRecordLine() + ": ";
        if (first.size() < 2) {
            throw new DataFormatException(where + "expected a scikit-learn style header 'n_rows,n_features,class names...',"
                    + " found " + first.size() + " field");
        }
        long rows = integer(first.get(0));
        long features = integer(first.get(1));
        if (rows < 0 || features < 0) {
            throw new DataFormatException(where + "expected a scikit-learn style header 'n_rows,n_features,class names...'"
                    + " starting with two non-negative integers, found '" + first.get(0) + "," + first.get(1) + "'");
        }
        if (rows != t.rows()) {
            throw new DataFormatException(where + "the header says " + rows + " rows but the file has " + t.rows()
                    + " data rows");
        }
        if (t.rows() > 0 && features != t.columns() - 1) {
            throw new DataFormatException(where + "the header says " + features + " features but the rows have "
                    + (t.columns() - 1) + " (" + t.columns() + " columns including the label)");
        }
        List<String> names = first.subList(2, first.size());
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isEmpty()) {
                throw new DataFormatException(where + "class name " + (i + 1) + " (column " + (i + 3) + ") is empty");
            }
        }
        return List.copyOf(names);
    }

    private static int labelColumn(CsvTable t, String spec) throws DataFormatException {
        if (spec == null) {
            return t.columns() - 1;
        }
        int byName = t.names().indexOf(spec);
        if (byName >= 0) {
            return byName;
        }
        long index = integer(spec.strip());
        if (index >= 0 && index < t.columns()) {
            return (int) index;
        }
        throw new DataFormatException(t.file() + ": label column '" + spec + "' not found (expected a column name or a"
                + " 0-based index); " + t.describeColumns());
    }

    /** Class index per row and the class names. */
    private record Labels(int[] values, List<String> names) {
    }

    private static Labels labels(CsvTable t, int c, List<String> sklearnNames) throws DataFormatException {
        int n = t.rows();
        boolean numeric = true;
        boolean indices = true;
        long max = -1;
        for (int r = 0; r < n && numeric; r++) {
            if (!t.isNumeric(r, c)) {
                numeric = false;
            } else {
                double v = t.value(r, c);
                if (v >= 0 && v <= MAX_CLASS_INDEX && v == Math.rint(v)) {
                    max = Math.max(max, (long) v);
                } else {
                    indices = false;
                }
            }
        }
        if (sklearnNames != null && !sklearnNames.isEmpty()) {
            for (int r = 0; r < n; r++) {
                double v = t.isNumeric(r, c) ? t.value(r, c) : Double.NaN;
                if (!(v >= 0 && v < sklearnNames.size() && v == Math.rint(v))) {
                    throw t.at(t.line(r), c, "expected a class index 0.." + (sklearnNames.size() - 1) + " (the header"
                            + " names " + sklearnNames.size() + " classes), found '" + t.text(r, c) + "'");
                }
            }
        }
        int[] labels = new int[n];
        if (numeric && indices) {
            for (int r = 0; r < n; r++) {
                labels[r] = (int) t.value(r, c);
            }
            List<String> names = sklearnNames != null && !sklearnNames.isEmpty() ? sklearnNames : indexNames((int) max + 1);
            return new Labels(labels, names);
        }
        if (numeric) {
            TreeMap<Double, Integer> distinct = new TreeMap<>();
            for (int r = 0; r < n; r++) {
                distinct.put(t.value(r, c), 0);
            }
            List<String> names = new ArrayList<>();
            for (var e : distinct.entrySet()) {
                e.setValue(names.size());
                names.add(render(e.getKey()));
            }
            for (int r = 0; r < n; r++) {
                labels[r] = distinct.get(t.value(r, c));
            }
            return new Labels(labels, names);
        }
        TreeSet<String> distinct = new TreeSet<>();
        String[] texts = t.texts(c);
        for (int r = 0; r < n; r++) {
            if (texts[r].isEmpty()) {
                throw t.at(t.line(r), c, "expected a label, found an empty field");
            }
            distinct.add(texts[r]);
        }
        List<String> names = new ArrayList<>(distinct);
        for (int r = 0; r < n; r++) {
            labels[r] = java.util.Collections.binarySearch(names, texts[r]);
        }
        return new Labels(labels, names);
    }

    private static String render(double v) {
        return v == Math.rint(v) && Math.abs(v) < 0x1p53 ? Long.toString((long) v) : Double.toString(v);
    }

    private static List<String> indexNames(int count) {
        String[] names = new String[count];
        Arrays.setAll(names, Integer::toString);
        return List.of(names);
    }

    private static Dataset features(CsvTable t, int labelColumn, Labels labels) throws DataFormatException {
        int n = t.rows();
        int dims = t.columns() - (labelColumn >= 0 ? 1 : 0);
        boolean bytes = true;
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < t.columns(); c++) {
                if (c == labelColumn) {
                    continue;
                }
                double v = t.value(r, c);
                if (Math.abs(v) > Float.MAX_VALUE) {
                    throw t.at(t.line(r), c, "expected a number within the float32 range (|x| <= 3.4e38), found " + v);
                }
                if (bytes && !(v >= 0 && v <= 255 && v == Math.rint(v))) {
                    bytes = false;
                }
            }
        }
        Dataset.Type type = bytes ? Dataset.Type.UINT8 : Dataset.Type.FLOAT32;
        try (Dataset.Builder b = Dataset.builder(type, n, dims)) {
            MemorySegment seg = b.segment();
            for (int r = 0; r < n; r++) {
                long off = b.rowByteOffset(r);
                int d = 0;
                for (int c = 0; c < t.columns(); c++) {
                    if (c == labelColumn) {
                        continue;
                    }
                    double v = t.value(r, c);
                    if (bytes) {
                        seg.set(ValueLayout.JAVA_BYTE, off + d, (byte) (int) v);
                    } else {
                        seg.set(ValueLayout.JAVA_FLOAT, off + 4L * d, (float) v);
                    }
                    d++;
                }
                b.label(r, labels.values()[r]);
            }
            return b.build(labels.names(), null);
        }
    }
}
