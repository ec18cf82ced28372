package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.data.LoadOptions.CsvHeader;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CsvReaderTest {

    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path p = dir.resolve("data.csv");
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static LoadOptions opts(CsvHeader header, String label) {
        return new LoadOptions(DataFormat.CSV, null, label, header, null);
    }

    private static Path iris() throws URISyntaxException {
        return Path.of(CsvReaderTest.class.getResource("iris.csv").toURI());
    }

    @ParameterizedTest
    @EnumSource(value = CsvHeader.class, names = {"AUTO", "SKLEARN"})
    void readsIrisInScikitLearnStyle(CsvHeader header) throws Exception {
        try (LoadedData data = CsvReader.read(iris(), opts(header, null))) {
            assertThat(data.format()).isEqualTo(DataFormat.CSV);
            assertThat(data.hasTest()).isFalse();
            Dataset d = data.train();
            assertThat(d.rows()).isEqualTo(150);
            assertThat(d.dims()).isEqualTo(4);
            assertThat(d.type()).isEqualTo(Dataset.Type.FLOAT32);
            assertThat(d.classNames()).containsExactly("setosa", "versicolor", "virginica");
            assertThat(d.classCounts()).containsExactly(50, 50, 50);
            // first and last rows of load_iris()
            assertThat(new float[] {d.f32(0, 0), d.f32(0, 1), d.f32(0, 2), d.f32(0, 3)}).containsExactly(5.1f, 3.5f, 1.4f, 0.2f);
            assertThat(d.label(0)).isZero();
            assertThat(new float[] {d.f32(149, 0), d.f32(149, 1), d.f32(149, 2), d.f32(149, 3)})
                    .containsExactly(5.9f, 3.0f, 5.1f, 1.8f);
            assertThat(d.label(149)).isEqualTo(2);
            assertThat(d.imageShape()).isEmpty();
        }
    }

    @Test
    void readsTheEmbeddedDigitsGzipAsUint8() throws Exception {
        Path digits = Path.of(EmbeddedData.class.getResource("digits.csv.gz").toURI());
        try (LoadedData data = CsvReader.read(digits, LoadOptions.DEFAULTS); Dataset ref = EmbeddedData.digits()) {
            Dataset d = data.train();
            assertThat(d.type()).isEqualTo(Dataset.Type.UINT8);
            assertThat(d.rows()).isEqualTo(1797);
            assertThat(d.dims()).isEqualTo(64);
            assertThat(d.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
            assertThat(d.labels()).containsExactly(ref.labels());
            for (int r = 0; r < d.rows(); r++) {
                for (int c = 0; c < 64; c++) {
                    assertThat(d.u8(r, c)).isEqualTo(ref.u8(r, c));
                }
            }
        }
    }

    @Test
    void scikitLearnCountsAreCheckedAgainstTheData() throws Exception {
        List<String> lines = Files.readAllLines(iris());
        lines.set(0, "151,4,setosa,versicolor,virginica");
        Path rows = dir.resolve("rows.csv");
        Files.write(rows, lines);
        for (CsvHeader h : new CsvHeader[] {CsvHeader.AUTO, CsvHeader.SKLEARN}) {
            assertThatThrownBy(() -> CsvReader.read(rows, opts(h, null))).isInstanceOf(DataFormatException.class)
                    .hasMessage(rows + ": line 1: the header says 151 rows but the file has 150 data rows");
        }
        lines.set(0, "150,5,setosa,versicolor,virginica");
        Path feats = dir.resolve("features.csv");
        Files.write(feats, lines);
        assertThatThrownBy(() -> CsvReader.read(feats, opts(CsvHeader.AUTO, null))).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("line 1: the header says 5 features but the rows have 4");
    }

    @Test
    void scikitLearnLabelsMustIndexTheClassNames() throws IOException {
        Path p = csv("2,1,a,b\n0.5,1\n1.5,2\n");
        assertThatThrownBy(() -> CsvReader.read(p, opts(CsvHeader.SKLEARN, null))).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("line 3, column 2: expected a class index 0..1 (the header names 2 classes), found '2'");
    }

    @Test
    void recognisesTheDigitsStyleWithNumericClassNames() throws IOException {
        Path p = csv("3,2,0,1,2\n0,16,0\n5,3,2\n1,1,1\n");
        try (LoadedData data = CsvReader.read(p, LoadOptions.DEFAULTS)) {
            Dataset d = data.train();
            assertThat(d.rows()).isEqualTo(3);
            assertThat(d.dims()).isEqualTo(2);
            assertThat(d.type()).isEqualTo(Dataset.Type.UINT8);
            assertThat(d.classNames()).containsExactly("0", "1", "2");
            assertThat(d.labels()).containsExactly(0, 2, 1);
            assertThat(d.u8(0, 1)).isEqualTo(16);
        }
    }

    @Test
    void autoTakesAnAllNumericFirstLineAsData() throws IOException {
        Path p = csv("1,2,0\n3,4,1\n255,0,1\n");
        for (CsvHeader h : new CsvHeader[] {CsvHeader.AUTO, CsvHeader.NONE}) {
            try (LoadedData data = CsvReader.read(p, opts(h, null))) {
                Dataset d = data.train();
                assertThat(d.rows()).isEqualTo(3);
                assertThat(d.type()).isEqualTo(Dataset.Type.UINT8);
                assertThat(d.u8(0, 0)).isEqualTo(1);
                assertThat(d.u8(2, 0)).isEqualTo(255);
                assertThat(d.labels()).containsExactly(0, 1, 1);
                assertThat(d.classNames()).containsExactly("0", "1");
            }
        }
    }

    @Test
    void float32WhenAnyFeatureIsNotAByte() throws IOException {
        for (String bad : new String[] {"256", "-1", "0.5"}) {
            try (LoadedData data = CsvReader.read(csv("1,2,0\n" + bad + ",4,1\n"), LoadOptions.DEFAULTS)) {
                assertThat(data.train().type()).as(bad).isEqualTo(Dataset.Type.FLOAT32);
                assertThat(data.train().f32(1, 0)).isEqualTo(Float.parseFloat(bad));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = CsvHeader.class, names = {"AUTO", "NAMES"})
    void namesHeaderWithStringLabelsSortedAsLabelEncoder(CsvHeader header) throws IOException {
        Path p = csv("x1,species,x2\n1.5,virginica,2\n2.5,setosa,3\n3.5,versicolor,4\n4.5,setosa,5\n");
        try (LoadedData data = CsvReader.read(p, opts(header, "species"))) {
            Dataset d = data.train();
            assertThat(d.dims()).isEqualTo(2);
            assertThat(d.classNames()).containsExactly("setosa", "versicolor", "virginica");
            assertThat(d.labels()).containsExactly(2, 0, 1, 0);
            assertThat(d.f32(0, 0)).isEqualTo(1.5f);
            assertThat(d.f32(0, 1)).isEqualTo(2f);
        }
        try (LoadedData byIndex = CsvReader.read(p, opts(header, "1"))) {
            assertThat(byIndex.train().labels()).containsExactly(2, 0, 1, 0);
        }
    }

    @Test
    void autoReadsAHeaderlessFileWithTextLabelsWhole() throws IOException {
        // UCI's iris.data: no header, class names in the last column
        Path p = csv("5.1,3.5,1.4,0.2,Iris-setosa\n7.0,3.2,4.7,1.4,Iris-versicolor\n6.3,3.3,6.0,2.5,Iris-virginica\n");
        try (LoadedData data = CsvReader.read(p, LoadOptions.DEFAULTS)) {
            Dataset d = data.train();
            assertThat(d.rows()).isEqualTo(3);
            assertThat(d.classNames()).containsExactly("Iris-setosa", "Iris-versicolor", "Iris-virginica");
            assertThat(d.f32(0, 0)).isEqualTo(5.1f);
        }
    }

    @Test
    void labelByIndexWithoutHeader() throws IOException {
        Path p = csv("1,0.5,7\n0,1.5,8\n");
        try (LoadedData data = CsvReader.read(p, opts(CsvHeader.NONE, "0"))) {
            Dataset d = data.train();
            assertThat(d.labels()).containsExactly(1, 0);
            assertThat(d.f32(0, 0)).isEqualTo(0.5f);
            assertThat(d.f32(1, 1)).isEqualTo(8f);
        }
    }

    @Test
    void integerLabelsAreUsedAsTheyAre() throws IOException {
        try (LoadedData data = CsvReader.read(csv("a,y\n1,2\n2,0\n3,2\n"), LoadOptions.DEFAULTS)) {
            assertThat(data.train().classNames()).containsExactly("0", "1", "2");
            assertThat(data.train().labels()).containsExactly(2, 0, 2);
        }
    }

    @Test
    void negativeAndFractionalLabelsAreMappedInNumericOrder() throws IOException {
        try (LoadedData data = CsvReader.read(csv("1,1\n2,-1\n3,10\n4,-1\n"), LoadOptions.DEFAULTS)) {
            assertThat(data.train().classNames()).containsExactly("-1", "1", "10");
            assertThat(data.train().labels()).containsExactly(1, 0, 2, 0);
        }
        try (LoadedData data = CsvReader.read(csv("1,0.5\n2,2.5\n3,10.5\n"), LoadOptions.DEFAULTS)) {
            assertThat(data.train().classNames()).containsExactly("0.5", "2.5", "10.5");
        }
    }

    @Test
    void roundTripFromDatasetThroughCsv() throws IOException {
        SplittableRandom rnd = new SplittableRandom(7);
        int rows = 37;
        int dims = 19;
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = rnd.nextInt(4);
        }
        labels[0] = 3;
        try (Dataset src = Dataset.allocate(Dataset.Type.FLOAT32, rows, dims, labels, List.of("0", "1", "2", "3"))) {
            StringBuilder b = new StringBuilder();
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < dims; c++) {
                    src.setF32(r, c, (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-20, 20))));
                    // the exact decimal of the float's double, so parsing gives back the same float
                    b.append(Double.toString(src.f32(r, c))).append(',');
                }
                b.append(labels[r]).append('\n');
            }
            try (LoadedData data = CsvReader.read(csv(b.toString()), LoadOptions.DEFAULTS)) {
                Dataset d = data.train();
                assertThat(d.type()).isEqualTo(Dataset.Type.FLOAT32);
                assertThat(d.labels()).containsExactly(labels);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < dims; c++) {
                        assertThat(d.f32(r, c)).isEqualTo(src.f32(r, c));
                    }
                }
            }
        }
    }

    @Test
    void nonNumericFeaturesAreRefusedWithLineAndColumn() throws IOException {
        Path p = csv("a,b,y\n1,2,0\n1,two,1\n");
        assertThatThrownBy(() -> CsvReader.read(p, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": line 3, column 2 (b): expected a number, found 'two'");
    }

    @Test
    void nanAndInfinityAreRefused() throws IOException {
        Path nan = csv("1,2,0\nNaN,2,1\n");
        assertThatThrownBy(() -> CsvReader.read(nan, LoadOptions.DEFAULTS))
                .hasMessageContaining("line 2, column 1: expected a finite number, found 'NaN'");
        Path inf = csv("1,2,0\n1,-inf,1\n");
        assertThatThrownBy(() -> CsvReader.read(inf, LoadOptions.DEFAULTS))
                .hasMessageContaining("line 2, column 2: expected a finite number, found '-inf'");
        Path big = csv("1,2,0\n1,1e39,1\n");
        assertThatThrownBy(() -> CsvReader.read(big, LoadOptions.DEFAULTS))
                .hasMessageContaining("line 2, column 2: expected a number within the float32 range");
    }

    @Test
    void raggedRowsAreRefused() throws IOException {
        Path p = csv("a,b,c,d,y\n1,2,3,4,0\n1,2,3,0\n");
        assertThatThrownBy(() -> CsvReader.read(p, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": line 3: expected 5 fields as in line 1, found 4");
        Path none = csv("1,2,3,4,0\n1,2,3,0\n");
        assertThatThrownBy(() -> CsvReader.read(none, opts(CsvHeader.NONE, null)))
                .hasMessage(none + ": line 2: expected 5 fields as in line 1, found 4");
    }

    @Test
    void emptyFilesAndHeaderOnlyFilesAreRefused() throws IOException {
        Path empty = csv("");
        assertThatThrownBy(() -> CsvReader.read(empty, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("the file is empty");
        Path header = csv("a,b\n");
        assertThatThrownBy(() -> CsvReader.read(header, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("no data rows");
        Path one = csv("a\n1\n");
        assertThatThrownBy(() -> CsvReader.read(one, LoadOptions.DEFAULTS))
                .hasMessageContaining("expected a label column and at least one feature column");
    }

    @Test
    void missingLabelColumnListsTheColumns() throws IOException {
        Path p = csv("a,b,y\n1,2,0\n");
        assertThatThrownBy(() -> CsvReader.read(p, opts(CsvHeader.AUTO, "label"))).isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": label column 'label' not found (expected a column name or a 0-based index);"
                        + " the columns are: a, b, y");
        Path none = csv("1,2,0\n");
        assertThatThrownBy(() -> CsvReader.read(none, opts(CsvHeader.AUTO, "3")))
                .hasMessageContaining("the file has no header; it has 3 columns (indices 0..2)");
    }

    @Test
    void namesHeaderForcedOnNumericFirstLineAndNoneOnNames() throws IOException {
        Path p = csv("5,6,1\n1,2,0\n");
        try (LoadedData data = CsvReader.read(p, opts(CsvHeader.NAMES, "6"))) {
            assertThat(data.train().rows()).isEqualTo(1);
            assertThat(data.train().classNames()).containsExactly("0", "1", "2");
            assertThat(data.train().labels()).containsExactly(2);
        }
        Path names = csv("a,b,y\n1,2,0\n");
        assertThatThrownBy(() -> CsvReader.read(names, opts(CsvHeader.NONE, null)))
                .hasMessageContaining("line 1, column 1: expected a number, found 'a'");
    }
}
