package io.vecml.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A numeric table read from a CSV file (plain or gzip): an optional header of column names, then
 * rows of equally many fields.
 *
 * <p>Syntax: comma separator; RFC-4180 quotes ({@code "a,b"}, {@code ""} for a quote, line breaks
 * inside quotes); blank lines and lines whose first non-space character is {@code #} are skipped
 * (outside quotes); spaces and tabs around unquoted fields are ignored; a UTF-8 byte order mark is
 * dropped. Numbers are decimal ({@code -1.5}, {@code .5}, {@code 2e-3}); Java-only spellings such as
 * {@code 0x1p3} or {@code 1d} are not numbers. Cells that are not numbers are kept as text (a label
 * column of class names); {@code nan} and {@code inf} are kept as text too, so {@link #value} refuses
 * them with a clear message instead of letting a NaN reach a model.
 *
 * <p>Every error names the file, the 1-based line and column, and what was expected.
 */
public final class CsvTable {

    /** What the first record of the file is. */
    enum FirstLine {
        /** The first data row. */
        DATA,
        /** Column names. */
        NAMES,
        /** Kept aside unchecked ({@link #firstRecord()}); the caller decides later (header detection). */
        ASIDE
    }

    /** One data row: its values (NaN where the cell is text) and its text cells, sparse. */
    private record Row(long line, double[] values, int[] textColumns, String[] texts) {
    }

    private final Path file;
    private final List<String> names;
    private final int columns;
    private final List<Row> rows;
    private final List<String> firstRecord;
    private final long firstRecordLine;

    private CsvTable(Path file, List<String> names, int columns, List<Row> rows, List<String> firstRecord,
            long firstRecordLine) {
        this.file = file;
        this.names = names;
        this.columns = columns;
        this.rows = rows;
        this.firstRecord = firstRecord;
        this.firstRecordLine = firstRecordLine;
    }

    /** These rows (indices into this table, in the given order) as a table of their own, same file and names. */
    public CsvTable select(int[] rowIndices) {
        List<Row> picked = new java.util.ArrayList<>(rowIndices.length);
        for (int r : rowIndices) {
            picked.add(rows.get(java.util.Objects.checkIndex(r, rows.size())));
        }
        return new CsvTable(file, names, columns, List.copyOf(picked), firstRecord, firstRecordLine);
    }

    /**
     * Reads the whole file.
     *
     * @param header whether the first record (after blank and comment lines) names the columns
     * @throws DataFormatException for an empty file, ragged rows, an unterminated quote, bad UTF-8
     */
    public static CsvTable read(Path file, boolean header) throws IOException {
        return read(file, header ? FirstLine.NAMES : FirstLine.DATA);
    }

    static CsvTable read(Path file, FirstLine first) throws IOException {
        return read(file, first, FileAccess.UNRESTRICTED);
    }

    static CsvTable read(Path file, FirstLine first, FileAccess access) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(first, "first");
        try (InputStream in = Archives.open(file, access)) {
            return parse(file, new LineReader(file, in), first);
        }
    }

    private static CsvTable parse(Path file, LineReader r, FirstLine first) throws IOException {
        RecordReader records = new RecordReader(file, r);
        List<String> head = records.next();
        if (head == null) {
            throw new DataFormatException(file + ": the file is empty (no line with values; blank and # comment"
                    + " lines are skipped)");
        }
        long headLine = records.recordLine;
        List<Row> rows = new ArrayList<>();
        List<String> names = List.of();
        int columns = -1;
        long widthLine = -1;
        switch (first) {
            case DATA -> {
                columns = head.size();
                widthLine = headLine;
                rows.add(toRow(head, headLine));
            }
            case NAMES -> {
                columns = head.size();
                widthLine = headLine;
                names = List.copyOf(head);
            }
            case ASIDE -> {
                // the width comes from the first data row
            }
        }
        List<String> fields;
        while ((fields = records.next()) != null) {
            long line = records.recordLine;
            if (columns < 0) {
                columns = fields.size();
                // cite line 1 in width errors when the line kept aside has the same width (as a reader expects)
                widthLine = fields.size() == head.size() ? headLine : line;
            } else if (fields.size() != columns) {
                throw raggedError(file, line, columns, widthLine, fields.size());
            }
            rows.add(toRow(fields, line));
        }
        if (columns < 0) {
            columns = head.size();
        }
        return new CsvTable(file, names, columns, rows, first == FirstLine.ASIDE ? List.copyOf(head) : null, headLine);
    }

    private static DataFormatException raggedError(Path file, long line, int expected, long expectedLine, int found) {
        return new DataFormatException(file + ": line " + line + ": expected " + expected + " fields as in line "
                + expectedLine + ", found " + found);
    }

    private static Row toRow(List<String> fields, long line) {
        double[] values = new double[fields.size()];
        int[] textColumns = null;
        String[] texts = null;
        int nText = 0;
        for (int c = 0; c < values.length; c++) {
            String f = fields.get(c);
            double v = parseNumber(f);
            values[c] = v;
            if (Double.isNaN(v)) {
                if (textColumns == null) {
                    textColumns = new int[4];
                    texts = new String[4];
                } else if (nText == textColumns.length) {
                    textColumns = Arrays.copyOf(textColumns, nText * 2);
                    texts = Arrays.copyOf(texts, nText * 2);
                }
                textColumns[nText] = c;
                texts[nText++] = f;
            }
        }
        if (textColumns != null) {
            textColumns = Arrays.copyOf(textColumns, nText);
            texts = Arrays.copyOf(texts, nText);
        }
        return new Row(line, values, textColumns, texts);
    }

    /**
     * The value of a decimal number, or NaN when {@code s} is not one. Checked by hand first because
     * {@link Double#parseDouble} also accepts hex floats, "NaN", "Infinity" and type suffixes.
     */
    static double parseNumber(String s) {
        if (!isDecimal(s)) {
            return Double.NaN;
        }
        double v = Double.parseDouble(s);
        // 1e999 parses to infinity: keep it as text so that value() reports it as out of range.
        return Double.isInfinite(v) ? Double.NaN : v;
    }

    /** Whether {@code s} is a decimal number: optional sign, digits with an optional point, optional exponent. */
    private static boolean isDecimal(String s) {
        int n = s.length();
        int i = 0;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exp = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                exp++;
            }
            if (exp == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The file read. */
    public Path file() {
        return file;
    }

    /** Number of data rows (header excluded). */
    public int rows() {
        return rows.size();
    }

    /** Number of fields per row. */
    public int columns() {
        return columns;
    }

    public boolean hasHeader() {
        return !names.isEmpty();
    }

    /** The header's column names, or an empty list when the file has no header. */
    public List<String> names() {
        return names;
    }

    /** 1-based line of the file where row {@code r} starts. */
    public long line(int r) {
        return rows.get(r).line;
    }

    /** Whether cell (r, c) is a finite decimal number. */
    public boolean isNumeric(int r, int c) {
        Objects.checkIndex(c, columns);
        return !Double.isNaN(rows.get(r).values[c]);
    }

    /**
     * The number in cell (r, c).
     *
     * @throws DataFormatException naming file, line and column when the cell is not a finite number
     */
    public double value(int r, int c) throws DataFormatException {
        Objects.checkIndex(c, columns);
        Row row = rows.get(r);
        double v = row.values[c];
        if (Double.isNaN(v)) {
            throw notANumber(row, c);
        }
        return v;
    }

    private DataFormatException notANumber(Row row, int c) {
        String t = textOf(row, c);
        String what;
        if (t.isEmpty()) {
            what = "expected a number, found an empty field";
        } else if (t.toLowerCase(java.util.Locale.ROOT).matches("[+-]?(nan|inf|infinity)")) {
            what = "expected a finite number, found '" + t + "' (NaN and infinity are not allowed)";
        } else if (isDecimal(t)) {
            what = "expected a number within the double range, found '" + t + "'";
        } else {
            what = "expected a number, found '" + t + "'";
        }
        return at(row.line, c, what);
    }

    /** An error at a cell: {@code "FILE: line L, column C (name): what"}. */
    DataFormatException at(long line, int c, String what) {
        return new DataFormatException(file + ": line " + line + ", " + describeColumn(c) + ": " + what);
    }

    /** "column 3" or "column 3 (Scores)" (1-based). */
    public String describeColumn(int c) {
        return "column " + (c + 1) + (c < names.size() ? " (" + names.get(c) + ")" : "");
    }

    /**
     * Cell (r, c) as text: text cells as written (unquoted, outer spaces dropped), numbers rendered from
     * their value (integral values without a fraction, so a label {@code 2} reads "2").
     */
    public String text(int r, int c) {
        Objects.checkIndex(c, columns);
        Row row = rows.get(r);
        double v = row.values[c];
        if (Double.isNaN(v)) {
            return textOf(row, c);
        }
        if (v == Math.rint(v) && Math.abs(v) < 0x1p53) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static String textOf(Row row, int c) {
        for (int i = 0; i < row.textColumns.length; i++) {
            if (row.textColumns[i] == c) {
                return row.texts[i];
            }
        }
        throw new IllegalStateException("cell without value or text");
    }

    /** All values of column {@code c}; see {@link #value}. */
    public double[] column(int c) throws DataFormatException {
        double[] out = new double[rows.size()];
        for (int r = 0; r < out.length; r++) {
            out[r] = value(r, c);
        }
        return out;
    }

    /** All values of the column with this header name. */
    public double[] column(String name) throws DataFormatException {
        return column(columnIndex(name));
    }

    /** All cells of column {@code c} as text; see {@link #text}. */
    public String[] texts(int c) {
        String[] out = new String[rows.size()];
        for (int r = 0; r < out.length; r++) {
            out[r] = text(r, c);
        }
        return out;
    }

    /**
     * The 0-based index of the column with this header name (exact match; the first if repeated).
     *
     * @throws DataFormatException listing the columns when there is none of that name
     */
    public int columnIndex(String name) throws DataFormatException {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new DataFormatException(file + ": no column named '" + name + "'; " + describeColumns());
        }
        return i;
    }

    /** "the columns are: a, b, c" or "the file has no header; it has 5 columns (0..4)". */
    String describeColumns() {
        if (names.isEmpty()) {
            return "the file has no header; it has " + columns + " columns (indices 0.." + (columns - 1) + ")";
        }
        return "the columns are: " + String.join(", ", names);
    }

    /** The first record when read with {@link FirstLine#ASIDE}, else null. */
    List<String> firstRecord() {
        return firstRecord;
    }

    long firstRecordLine() {
        return firstRecordLine;
    }

    /** This table with the record kept aside as its first data row (its width is checked now). */
    CsvTable withFirstRecordAsData() throws DataFormatException {
        checkAside();
        if (!rows.isEmpty() && firstRecord.size() != columns) {
            throw raggedError(file, rows.getFirst().line, firstRecord.size(), firstRecordLine, columns);
        }
        List<Row> all = new ArrayList<>(rows.size() + 1);
        all.add(toRow(firstRecord, firstRecordLine));
        all.addAll(rows);
        return new CsvTable(file, List.of(), firstRecord.size(), all, null, firstRecordLine);
    }

    /** This table with the record kept aside as its header (its width is checked now). */
    CsvTable withFirstRecordAsNames() throws DataFormatException {
        checkAside();
        if (!rows.isEmpty() && firstRecord.size() != columns) {
            throw new DataFormatException(file + ": line " + firstRecordLine + ": the header has " + firstRecord.size()
                    + " names but the rows (from line " + rows.getFirst().line + ") have " + columns + " fields");
        }
        return new CsvTable(file, firstRecord, firstRecord.size(), rows, null, firstRecordLine);
    }

    /** This table with the record kept aside dropped (it was a header of another kind). */
    CsvTable withoutFirstRecord() {
        checkAside();
        return new CsvTable(file, List.of(), columns, rows, null, firstRecordLine);
    }

    private void checkAside() {
        if (firstRecord == null) {
            throw new IllegalStateException("the first record was not kept aside");
        }
    }

    /** Splits lines into records, following quotes across line breaks. */
    private static final class RecordReader {
        private final Path file;
        private final LineReader in;
        /** Line where the record last returned starts. */
        long recordLine;
        private final StringBuilder field = new StringBuilder();

        RecordReader(Path file, LineReader in) {
            this.file = file;
            this.in = in;
        }

        private String readLine() throws IOException {
            return in.readLine();
        }

        /** The next record's fields, or null at the end of the file. */
        List<String> next() throws IOException {
            String line;
            while (true) {
                line = readLine();
                if (line == null) {
                    return null;
                }
                String t = line.strip();
                if (!t.isEmpty() && t.charAt(0) != '#') {
                    break;
                }
            }
            recordLine = in.lineNo;
            List<String> fields = new ArrayList<>();
            int i = 0;
            while (true) {
                // at the start of a field
                while (i < line.length() && isBlank(line.charAt(i))) {
                    i++;
                }
                if (i < line.length() && line.charAt(i) == '"') {
                    long quoteLine = in.lineNo;
                    int quoteCol = i + 1;
                    i++;
                    field.setLength(0);
                    while (true) {
                        if (i == line.length()) {
                            String more = readLine();
                            if (more == null) {
                                throw new DataFormatException(file + ": line " + quoteLine + ", character " + quoteCol
                                        + ": the quote opened here is never closed (expected '\"' before the end of the file)");
                            }
                            field.append('\n');
                            line = more;
                            i = 0;
                            continue;
                        }
                        char ch = line.charAt(i++);
                        if (ch == '"') {
                            if (i < line.length() && line.charAt(i) == '"') {
                                field.append('"');
                                i++;
                            } else {
                                break;
                            }
                        } else {
                            field.append(ch);
                        }
                    }
                    fields.add(field.toString());
                    while (i < line.length() && isBlank(line.charAt(i))) {
                        i++;
                    }
                    if (i == line.length()) {
                        return fields;
                    }
                    if (line.charAt(i) != ',') {
                        throw new DataFormatException(file + ": line " + in.lineNo + ", column " + fields.size()
                                + ": expected ',' or the end of the line after a closing quote, found '"
                                + line.charAt(i) + "'");
                    }
                    i++;
                    continue;
                }
                int comma = line.indexOf(',', i);
                int end = comma < 0 ? line.length() : comma;
                String f = line.substring(i, end).strip();
                if (f.indexOf('"') >= 0) {
                    throw new DataFormatException(file + ": line " + in.lineNo + ", column " + (fields.size() + 1)
                            + ": a quote inside an unquoted field (expected the whole field in quotes, with \"\" for a quote)");
                }
                fields.add(f);
                if (comma < 0) {
                    return fields;
                }
                i = comma + 1;
            }
        }

        private static boolean isBlank(char c) {
            return c == ' ' || c == '\t';
        }
    }

    /**
     * Splits bytes into lines ({@code \n}, {@code \r\n} or {@code \r}) and decodes each line as strict
     * UTF-8 on its own, so that a bad byte is reported with its line (a decoding reader works ahead in
     * blocks and cannot tell). Splitting bytes is safe: UTF-8 never uses CR or LF inside a character.
     */
    private static final class LineReader {
        private final Path file;
        private final InputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int end;
        private byte[] line = new byte[256];
        private final java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        long lineNo;

        LineReader(Path file, InputStream in) {
            this.file = file;
            this.in = in;
        }

        private int next() throws IOException {
            if (pos == end) {
                end = in.read(buf, 0, buf.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    return -1;
                }
            }
            return buf[pos++] & 0xff;
        }

        String readLine() throws IOException {
            int n = 0;
            boolean ascii = true;
            int b = next();
            if (b < 0) {
                return null;
            }
            while (b >= 0 && b != '\n' && b != '\r') {
                if (n == line.length) {
                    line = Arrays.copyOf(line, n * 2);
                }
                line[n++] = (byte) b;
                ascii &= b < 0x80;
                b = next();
            }
            if (b == '\r') {
                int c = next();
                if (c >= 0 && c != '\n') {
                    pos--; // a lone CR ends the line; the byte read belongs to the next one
                }
            }
            lineNo++;
            int from = 0;
            if (lineNo == 1 && n >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF) {
                from = 3; // UTF-8 byte order mark
            }
            if (ascii) {
                return new String(line, from, n - from, StandardCharsets.ISO_8859_1);
            }
            try {
                return utf8.decode(java.nio.ByteBuffer.wrap(line, from, n - from)).toString();
            } catch (CharacterCodingException e) {
                throw new DataFormatException(file + ": line " + lineNo + ": expected UTF-8 text (" + e.getMessage() + ")", e);
            }
        }
    }
}
