package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTableTest {

    @TempDir
    Path dir;

    private Path csv(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** /work/shared/data/student_scores.csv, as the regression will read it. */
    private static final String STUDENT_SCORES = "Hours,Scores\n2.5,21\n5.1,47\n3.2,27\n8.5,75\n3.5,30\n1.5,20\n9.2,88\n"
            + "5.5,60\n8.3,81\n2.7,25\n7.7,85\n5.9,62\n4.5,41\n3.3,42\n1.1,17\n8.9,95\n2.5,30\n1.9,24\n6.1,67\n"
            + "7.4,69\n2.7,30\n4.8,54\n3.8,35\n6.9,76\n7.8,86\n";

    @Test
    void readsStudentScoresByColumnName() throws IOException {
        Path p = csv("student_scores.csv", STUDENT_SCORES);
        CsvTable t = CsvTable.read(p, true);
        assertThat(t.hasHeader()).isTrue();
        assertThat(t.names()).containsExactly("Hours", "Scores");
        assertThat(t.rows()).isEqualTo(25);
        assertThat(t.columns()).isEqualTo(2);
        assertThat(t.column("Hours")).startsWith(2.5, 5.1, 3.2).endsWith(7.8);
        assertThat(t.column("Scores")).startsWith(21, 47, 27).endsWith(86);
        // numpy: np.loadtxt(..., skiprows=1).sum(0) = [125.3, 1287]
        assertThat(java.util.Arrays.stream(t.column("Hours")).sum()).isCloseTo(125.3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(java.util.Arrays.stream(t.column(1)).sum()).isEqualTo(1287.0);
        assertThat(t.value(1, 0)).isEqualTo(5.1);
        assertThat(t.line(0)).isEqualTo(2);
        assertThat(t.describeColumn(1)).isEqualTo("column 2 (Scores)");
    }

    @Test
    void withoutHeaderColumnsAreByIndexOnly() throws IOException {
        CsvTable t = CsvTable.read(csv("n.csv", "1,2\n3,4\n"), false);
        assertThat(t.hasHeader()).isFalse();
        assertThat(t.names()).isEmpty();
        assertThat(t.rows()).isEqualTo(2);
        assertThat(t.column(1)).containsExactly(2, 4);
        assertThatThrownBy(() -> t.column("a")).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("the file has no header; it has 2 columns (indices 0..1)");
    }

    @Test
    void skipsBlankAndCommentLinesAndKeepsTheirLineNumbers() throws IOException {
        Path p = csv("c.csv", "# made by hand\n\na,b\n  \n1,2\n# middle\n\t\n3 , 4\n\n");
        CsvTable t = CsvTable.read(p, true);
        assertThat(t.rows()).isEqualTo(2);
        assertThat(t.column(0)).containsExactly(1, 3);
        assertThat(t.column("b")).containsExactly(2, 4);
        assertThat(t.line(0)).isEqualTo(5);
        assertThat(t.line(1)).isEqualTo(8);
    }

    @Test
    void followsRfc4180Quotes() throws IOException {
        Path p = csv("q.csv", "\"x\",\"name, full\",y\r\n\"1.5\",\"say \"\"hi\"\"\",a\r\n2,\"two\nlines\",\"\"\r\n");
        CsvTable t = CsvTable.read(p, true);
        assertThat(t.names()).containsExactly("x", "name, full", "y");
        assertThat(t.rows()).isEqualTo(2);
        assertThat(t.value(0, 0)).isEqualTo(1.5);
        assertThat(t.text(0, 1)).isEqualTo("say \"hi\"");
        assertThat(t.text(1, 1)).isEqualTo("two\nlines");
        assertThat(t.text(1, 2)).isEmpty();
        assertThat(t.isNumeric(1, 0)).isTrue();
        assertThat(t.isNumeric(1, 1)).isFalse();
        assertThat(t.texts(2)).containsExactly("a", "");
    }

    @Test
    void readsGzipAndDropsAByteOrderMark() throws IOException {
        Path p = dir.resolve("t.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write("\uFEFFa,b\n1,2\n".getBytes(StandardCharsets.UTF_8));
        }
        CsvTable t = CsvTable.read(p, true);
        assertThat(t.names()).containsExactly("a", "b");
        assertThat(t.column("a")).containsExactly(1);
    }

    @Test
    void numbersAreStrictlyDecimal() throws IOException {
        Path p = csv("n.csv", "-1.5,.5,5.,+2,1e-3,2E+2,0x1p3,1d,NaN,inf,1e999,\n");
        CsvTable t = CsvTable.read(p, false);
        assertThat(new double[] {t.value(0, 0), t.value(0, 1), t.value(0, 2), t.value(0, 3), t.value(0, 4), t.value(0, 5)})
                .containsExactly(-1.5, 0.5, 5.0, 2.0, 1e-3, 200.0);
        for (int c = 6; c < 12; c++) {
            assertThat(t.isNumeric(0, c)).as("column %d", c).isFalse();
        }
        assertThat(t.text(0, 6)).isEqualTo("0x1p3");
        assertThat(t.text(0, 0)).isEqualTo("-1.5");
        assertThat(t.text(0, 3)).isEqualTo("2");
    }

    @Test
    void valueErrorsNameFileLineColumnAndWhatWasExpected() throws IOException {
        Path p = csv("e.csv", "a,b,c,d\n1,x,nan,\n2,3,1e999,5\n");
        CsvTable t = CsvTable.read(p, true);
        assertThatThrownBy(() -> t.value(0, 1)).isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": line 2, column 2 (b): expected a number, found 'x'");
        assertThatThrownBy(() -> t.value(0, 2)).hasMessageContaining("line 2, column 3 (c): expected a finite number, found 'nan'");
        assertThatThrownBy(() -> t.value(0, 3)).hasMessageContaining("line 2, column 4 (d): expected a number, found an empty field");
        assertThatThrownBy(() -> t.value(1, 2)).hasMessageContaining("line 3, column 3 (c): expected a number within the double range");
        assertThatThrownBy(() -> t.column("b")).hasMessageContaining("line 2, column 2 (b)");
        assertThatThrownBy(() -> t.column("zz")).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("no column named 'zz'; the columns are: a, b, c, d");
    }

    @Test
    void raggedRowsAreRefused() throws IOException {
        Path p = csv("r.csv", "1,2,3,4,5\n1,2,3,4,5\n\n1,2,3,4\n");
        assertThatThrownBy(() -> CsvTable.read(p, false)).isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": line 4: expected 5 fields as in line 1, found 4");
    }

    @Test
    void emptyFilesAreRefused() throws IOException {
        Path p = csv("empty.csv", "\n# only a comment\n   \n");
        assertThatThrownBy(() -> CsvTable.read(p, true)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(p + ": the file is empty");
    }

    @Test
    void aHeaderWithoutRowsIsAnEmptyTable() throws IOException {
        CsvTable t = CsvTable.read(csv("h.csv", "a,b\n"), true);
        assertThat(t.rows()).isZero();
        assertThat(t.columns()).isEqualTo(2);
    }

    @Test
    void unclosedAndStrayQuotesAreRefused() throws IOException {
        Path open = csv("o.csv", "a,b\n1,\"never closed\n2,3\n");
        assertThatThrownBy(() -> CsvTable.read(open, true)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(open + ": line 2, character 3: the quote opened here is never closed");
        Path stray = csv("s.csv", "a,b\n1,x\"y\n");
        assertThatThrownBy(() -> CsvTable.read(stray, true)).hasMessageContaining("line 2, column 2: a quote inside an unquoted field");
        Path after = csv("a.csv", "a,b\n1,\"x\"y\n");
        assertThatThrownBy(() -> CsvTable.read(after, true))
                .hasMessageContaining("line 2, column 2: expected ',' or the end of the line after a closing quote, found 'y'");
    }

    @Test
    void invalidUtf8IsRefusedWithTheLine() throws IOException {
        Path p = dir.resolve("bad.csv");
        Files.write(p, new byte[] {'a', '\n', '1', '\n', (byte) 0xff, (byte) 0xfe, '\n'});
        assertThatThrownBy(() -> CsvTable.read(p, true)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(p + ": line 3: expected UTF-8 text");
    }

    @Test
    void keepsAFirstLineAsideForHeaderDetection() throws IOException {
        Path p = csv("k.csv", "3,2,a,b\n1,2,0\n3,4,1\n5,6,1\n");
        CsvTable t = CsvTable.read(p, CsvTable.FirstLine.ASIDE);
        assertThat(t.firstRecord()).containsExactly("3", "2", "a", "b");
        assertThat(t.columns()).isEqualTo(3);
        assertThat(t.rows()).isEqualTo(3);
        assertThat(t.withoutFirstRecord().rows()).isEqualTo(3);
        assertThatThrownBy(t::withFirstRecordAsData).isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": line 2: expected 4 fields as in line 1, found 3");
        assertThatThrownBy(t::withFirstRecordAsNames)
                .hasMessageContaining("line 1: the header has 4 names but the rows (from line 2) have 3 fields");
    }
}
