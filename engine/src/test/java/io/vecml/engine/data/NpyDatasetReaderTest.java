package io.vecml.engine.data;

import static io.vecml.engine.data.NpyTest.fixture;
import static io.vecml.engine.data.NpyTest.npy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.data.Npy.Dtype;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyDatasetReaderTest {

    @TempDir
    Path dir;

    private static LoadOptions labels(Path y) {
        return new LoadOptions(DataFormat.NPY, null, null, null, y);
    }

    @Test
    void readsANumpyTrainTestFolder() throws Exception {
        Path set = fixture("set");
        try (LoadedData data = NpyDatasetReader.read(set, LoadOptions.DEFAULTS)) {
            assertThat(data.format()).isEqualTo(DataFormat.NPY);
            Dataset train = data.train();
            assertThat(train.type()).isEqualTo(Dataset.Type.UINT8);
            assertThat(train.rows()).isEqualTo(4);
            assertThat(train.dims()).isEqualTo(4);
            assertThat(train.imageShape()).contains(ImageShape.grey(2, 2));
            assertThat(train.labels()).containsExactly(0, 1, 2, 1);
            assertThat(train.classNames()).containsExactly("0", "1", "2");
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    assertThat(train.u8(r, c)).isEqualTo(r * 4 + c);
                }
            }
            assertThat(data.hasTest()).isTrue();
            Dataset test = data.test();
            assertThat(test.rows()).isEqualTo(1);
            assertThat(new int[] {test.u8(0, 0), test.u8(0, 1), test.u8(0, 2), test.u8(0, 3)}).containsExactly(9, 8, 7, 6);
            assertThat(test.labels()).containsExactly(2);
        }
    }

    @Test
    void readsNumpyFloat64FeaturesAsFloat32() throws Exception {
        Path y = dir.resolve("y2.npy");
        Npy.writeLabels(y, new int[] {1, 0});
        try (LoadedData data = NpyDatasetReader.read(fixture("f8_2d.npy"), labels(y))) {
            Dataset d = data.train();
            assertThat(d.type()).isEqualTo(Dataset.Type.FLOAT32);
            assertThat(d.rows()).isEqualTo(2);
            assertThat(d.dims()).isEqualTo(3);
            assertThat(new float[] {d.f32(0, 0), d.f32(0, 1), d.f32(0, 2), d.f32(1, 0), d.f32(1, 1), d.f32(1, 2)})
                    .containsExactly(1.5f, -2.25f, 0.1f, 3e10f, -0.0f, 7.0f);
            assertThat(d.classNames()).containsExactly("0", "1");
            assertThat(data.hasTest()).isFalse();
        }
    }

    @Test
    void rowsOfFeaturesAndLabelsMustAgree() throws Exception {
        Path x = fixture("f8_2d.npy");
        Path y = fixture("i8_labels.npy");
        assertThatThrownBy(() -> NpyDatasetReader.read(x, labels(y))).isInstanceOf(DataFormatException.class)
                .hasMessage(x + " has 2 rows (shape (2, 3)) but " + y + " has 3 labels");
    }

    @Test
    void derivesTheLabelFileFromTheName() throws IOException {
        String[][] pairs = {{"X.npy", "y.npy"}, {"x_train.npy", "y_train.npy"}, {"X_test.npy", "Y_test.npy"},
            {"mnist_x.npy", "mnist_y.npy"}, {"features.npy", "labels.npy"}, {"set_features.npy", "set_labels.npy"}};
        for (String[] p : pairs) {
            Path sub = Files.createDirectories(dir.resolve(p[0] + ".d"));
            Npy.write(sub.resolve(p[0]), new float[] {1, 2, 3, 4}, 2, 2);
            Npy.writeLabels(sub.resolve(p[1]), new int[] {0, 1});
            try (LoadedData data = NpyDatasetReader.read(sub.resolve(p[0]), LoadOptions.DEFAULTS)) {
                assertThat(data.train().labels()).as(p[0]).containsExactly(0, 1);
                assertThat(data.train().f32(1, 1)).isEqualTo(4f);
            }
        }
        Path lonely = dir.resolve("lonely_x.npy");
        Npy.write(lonely, new float[] {1}, 1, 1);
        assertThatThrownBy(() -> NpyDatasetReader.read(lonely, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessage(lonely + ": the label file lonely_y.npy or lonely_Y.npy next to it does not exist;"
                        + " give the labels file explicitly");
        Path odd = dir.resolve("pixels.npy");
        Npy.write(odd, new float[] {1}, 1, 1);
        assertThatThrownBy(() -> NpyDatasetReader.read(odd, LoadOptions.DEFAULTS))
                .hasMessageContaining("cannot tell the label file from this name");
    }

    @Test
    void roundTripsDatasetsOfEveryShape() throws IOException {
        ImageShape[] shapes = {null, ImageShape.grey(3, 5), new ImageShape(2, 3, 3, ImageShape.Layout.HWC),
            new ImageShape(2, 5, 3, ImageShape.Layout.CHW), new ImageShape(4, 2, 1, ImageShape.Layout.HWC)};
        int[] labels = {3, 0, 1, 3, 2};
        for (Dataset.Type type : Dataset.Type.values()) {
            for (ImageShape shape : shapes) {
                int dims = shape == null ? 67 : shape.dims();
                try (Dataset plain = Dataset.allocate(type, labels.length, dims, labels, List.of("0", "1", "2", "3"));
                     Dataset src = shape == null ? plain.select(new int[] {0, 1, 2, 3, 4}) : plain.withImageShape(shape)) {
                    for (int r = 0; r < labels.length; r++) {
                        for (int c = 0; c < dims; c++) {
                            if (type == Dataset.Type.UINT8) {
                                src.setU8(r, c, (r * 31 + c * 7) % 256);
                            } else {
                                src.setF32(r, c, (r - 2) * 1.25f + c / 64f);
                            }
                        }
                    }
                    Path sub = Files.createDirectories(dir.resolve(type + "-" + shape).normalize());
                    Npy.write(sub.resolve("x_train.npy"), src);
                    Npy.writeLabels(sub.resolve("y_train.npy"), src.labels());
                    try (LoadedData back = NpyDatasetReader.read(sub, LoadOptions.DEFAULTS)) {
                        Dataset d = back.train();
                        assertThat(d.type()).isEqualTo(type);
                        assertThat(d.labels()).containsExactly(labels);
                        assertThat(d.dims()).isEqualTo(dims);
                        ImageShape expected = shape == null ? null
                                : shape.channels() == 1 ? ImageShape.grey(shape.height(), shape.width()) : shape;
                        assertThat(d.imageShape().orElse(null)).isEqualTo(expected);
                        for (int r = 0; r < labels.length; r++) {
                            for (int c = 0; c < dims; c++) {
                                assertThat(d.value(r, c)).isEqualTo(src.value(r, c));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void integerFeaturesBecomeFloat32UpTo2Pow24() throws IOException {
        Path x = dir.resolve("X.npy");
        Path y = dir.resolve("y.npy");
        Npy.writeLabels(y, new int[] {0, 0});
        Npy.write(x, new int[] {-16777216, 16777216, 3, 4}, 2, 2);
        try (LoadedData data = NpyDatasetReader.read(x, LoadOptions.DEFAULTS)) {
            assertThat(data.train().type()).isEqualTo(Dataset.Type.FLOAT32);
            assertThat(data.train().f32(0, 0)).isEqualTo(-16777216f);
            assertThat(data.train().f32(1, 1)).isEqualTo(4f);
        }
        Npy.write(x, new int[] {1, 2, 16777217, 4}, 2, 2);
        assertThatThrownBy(() -> NpyDatasetReader.read(x, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessage(x + ", offset 136: element [1, 0] (row 1, feature 0 of 2): integer 16777217 is beyond"
                        + " 2^24 = 16777216, where float32 stops being exact");
    }

    @Test
    void float64OverflowAndNanAreRefused() throws IOException {
        Path x = dir.resolve("X.npy");
        Npy.writeLabels(dir.resolve("y.npy"), new int[] {0});
        Npy.write(x, new double[] {1, 1e39}, 1, 2);
        assertThatThrownBy(() -> NpyDatasetReader.read(x, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("element [0, 1] (row 0, feature 1 of 2): value 1.0E39 overflows float32");
        Npy.write(x, new float[] {Float.NaN, 1}, 1, 2);
        assertThatThrownBy(() -> NpyDatasetReader.read(x, LoadOptions.DEFAULTS))
                .hasMessageContaining("element [0, 0] (row 0, feature 0 of 2): expected a finite number, found NaN");
    }

    @Test
    void imageShapesFromRank() throws IOException {
        Npy.writeLabels(dir.resolve("y.npy"), new int[] {0});
        Path x = dir.resolve("X.npy");
        Npy.write(x, new byte[2 * 2 * 5], 1, 2, 2, 5);
        assertThatThrownBy(() -> NpyDatasetReader.read(x, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("4-D features must be images (N, H, W, C) with C = 1 or 3 channels, found shape (1, 2, 2, 5)");
        Npy.write(x, new byte[3], 3);
        assertThatThrownBy(() -> NpyDatasetReader.read(x, LoadOptions.DEFAULTS))
                .hasMessageContaining("expected features of shape (N, D), (N, H, W) or (N, H, W, C), found shape (3,)");
        Npy.write(x, new byte[12], 1, 2, 2, 3);
        try (LoadedData data = NpyDatasetReader.read(x, LoadOptions.DEFAULTS)) {
            assertThat(data.train().imageShape()).contains(new ImageShape(2, 2, 3, ImageShape.Layout.HWC));
        }
    }

    @Test
    void labelsMustBeOneDimensionalNonNegativeIntegers() throws IOException {
        Path x = dir.resolve("X.npy");
        Path y = dir.resolve("y.npy");
        Npy.write(x, new float[] {1, 2, 3}, 3, 1);
        Npy.write(y, new int[] {0, -1, 2});
        assertThatThrownBy(() -> NpyDatasetReader.read(x, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessage(y + ", offset 132: label 1: negative label -1 (expected class indices >= 0)");
        Npy.write(y, new double[] {0, 1.0, 2.0});
        try (LoadedData data = NpyDatasetReader.read(x, LoadOptions.DEFAULTS)) {
            assertThat(data.train().labels()).containsExactly(0, 1, 2);
        }
        Npy.write(y, new double[] {0, 1.5, 2.0});
        assertThatThrownBy(() -> NpyDatasetReader.read(x, LoadOptions.DEFAULTS))
                .hasMessageContaining("label 1: expected an integral class index, found 1.5");
        Npy.write(y, new int[] {0, 1, 2}, 3, 1);
        assertThatThrownBy(() -> NpyDatasetReader.read(x, LoadOptions.DEFAULTS))
                .hasMessageContaining("expected a 1-D label array, found shape (3, 1) (save y.ravel())");
        Npy.write(y, Dtype.I8, MemorySegment.ofArray(new long[] {0, 1L << 40, 2}), 3);
        assertThatThrownBy(() -> NpyDatasetReader.read(x, LoadOptions.DEFAULTS))
                .hasMessageContaining("label 1: label 1099511627776 is too large");
    }

    @Test
    void truncatedFeaturesAreRefusedBeforeReading() throws IOException {
        Path x = dir.resolve("X.npy");
        Npy.writeLabels(dir.resolve("y.npy"), new int[] {0, 1});
        Files.write(x, npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", new byte[5]));
        assertThatThrownBy(() -> NpyDatasetReader.read(x, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("the data is cut short: shape (2, 3) of |u1 needs 6 bytes");
    }

    @Test
    void foldersNeedTrainFilesAndBothTestFiles() throws IOException {
        assertThatThrownBy(() -> NpyDatasetReader.read(dir, LoadOptions.DEFAULTS)).isInstanceOf(DataFormatException.class)
                .hasMessage(dir + ": expected x_train.npy (or X_train.npy) in the folder");
        Npy.write(dir.resolve("x_train.npy"), new float[] {1, 2}, 2, 1);
        Npy.writeLabels(dir.resolve("y_train.npy"), new int[] {0, 1});
        Npy.write(dir.resolve("x_test.npy"), new float[] {1}, 1, 1);
        assertThatThrownBy(() -> NpyDatasetReader.read(dir, LoadOptions.DEFAULTS))
                .hasMessage(dir + ": found x_test.npy but no y_test.npy (expected both or neither)");
        Npy.writeLabels(dir.resolve("y_test.npy"), new int[] {1});
        try (LoadedData data = NpyDatasetReader.read(dir, LoadOptions.DEFAULTS)) {
            assertThat(data.test().labels()).containsExactly(1);
        }
        Npy.write(dir.resolve("x_test.npy"), new float[] {1, 2}, 1, 2);
        assertThatThrownBy(() -> NpyDatasetReader.read(dir, LoadOptions.DEFAULTS))
                .hasMessageContaining("rows have 2 features but");
        assertThatThrownBy(() -> NpyDatasetReader.read(dir.resolve("nope"), LoadOptions.DEFAULTS))
                .isInstanceOf(NoSuchFileException.class);
    }
}
