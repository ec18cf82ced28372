package io.vecml.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.data.DataFormatException;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnlabelledDataTest {

    @TempDir
    Path tmp;

    @Test
    void featureNpyWithoutLabelFileIsReadAsFeatures() throws Exception {
        Path x = tmp.resolve("images.npy");
        Npy.write(x, new byte[] {1, 2, 3, 4, 5, 6}, 2, 3);
        try (Dataset d = UnlabelledData.read(x, LoadOptions.DEFAULTS, 3)) {
            assertThat(d.rows()).isEqualTo(2);
            assertThat(d.type()).isEqualTo(Dataset.Type.UINT8);
            assertThat(d.u8(1, 2)).isEqualTo(6);
            assertThat(d.classNames()).containsExactly("0");
        }
        // X.npy with y.npy beside it has labels: read it as a dataset
        Path lx = tmp.resolve("X.npy");
        Npy.write(lx, new float[] {1, 2, 3, 4}, 2, 2);
        Npy.write(tmp.resolve("y.npy"), new int[] {0, 1}, 2);
        assertThat(UnlabelledData.read(lx, LoadOptions.DEFAULTS, 2)).isNull();
    }

    @Test
    void csvWithTheModelsColumnCountHasNoLabels() throws Exception {
        Path csv = tmp.resolve("rows.csv");
        Files.write(csv, List.of("a,b", "1.5,2", "3,4.25"));
        try (Dataset d = UnlabelledData.read(csv, LoadOptions.DEFAULTS, 2)) {
            assertThat(d.rows()).isEqualTo(2);
            assertThat(d.f32(0, 0)).isEqualTo(1.5f);
            assertThat(d.f32(1, 1)).isEqualTo(4.25f);
        }
        Path plain = tmp.resolve("plain.csv");
        Files.write(plain, List.of("1,2", "3,4"));
        try (Dataset d = UnlabelledData.read(plain, LoadOptions.DEFAULTS, 2)) {
            assertThat(d.rows()).isEqualTo(2);
            assertThat(d.value(0, 0)).isEqualTo(1f);
            assertThat(d.value(1, 1)).isEqualTo(4f);
        }
        // one more column than the model's features: the last is the label column
        assertThat(UnlabelledData.read(plain, LoadOptions.DEFAULTS, 1)).isNull();
        Path bad = tmp.resolve("bad.csv");
        Files.write(bad, List.of("1,2", "3,x"));
        Assertions.assertThatThrownBy(() -> UnlabelledData.read(bad, LoadOptions.DEFAULTS, 2))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("bad.csv", "line 2", "column 2");
        assertThat(UnlabelledData.read(tmp.resolve("missing.npy"), LoadOptions.DEFAULTS, 2)).isNull();
    }
}
