package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade: format detection from folders, archives and names, and the embedded data. */
class DatasetsTest {

    @TempDir
    Path tmp;

    @Test
    void detectsEveryFormatFromWhatTheReadersWrite() throws Exception {
        try (LoadedData cifar = SyntheticData.generate(SyntheticData.Like.CIFAR10, 30, 10, 1);
             LoadedData fashion = SyntheticData.generate(SyntheticData.Like.FASHION, 30, 10, 1)) {
            Path bin = SyntheticData.write(cifar, SyntheticData.Like.CIFAR10, tmp.resolve("c"));
            assertThat(Datasets.detect(bin)).isEqualTo(DataFormat.CIFAR10_BINARY);
            Path tgz = tmp.resolve("cifar-10-binary.tar.gz");
            CifarBinaryWriter.write(cifar, tgz);
            assertThat(Datasets.detect(tgz)).isEqualTo(DataFormat.CIFAR10_BINARY);
            try (LoadedData back = Datasets.load(tgz.toString())) {
                assertThat(back.train().rows()).isEqualTo(30);
                assertThat(back.format()).isEqualTo(DataFormat.CIFAR10_BINARY);
            }
            Path idx = SyntheticData.write(fashion, SyntheticData.Like.FASHION, tmp.resolve("f"));
            assertThat(Datasets.detect(idx)).isEqualTo(DataFormat.IDX);
            Path npyDir = tmp.resolve("npy");
            Files.createDirectories(npyDir);
            Npy.write(npyDir.resolve("x_train.npy"), fashion.train());
            Npy.writeLabels(npyDir.resolve("y_train.npy"), fashion.train().labels());
            assertThat(Datasets.detect(npyDir)).isEqualTo(DataFormat.NPY);
            assertThat(Datasets.detect(npyDir.resolve("x_train.npy"))).isEqualTo(DataFormat.NPY);
            try (LoadedData back = Datasets.load(npyDir.toString())) {
                assertThat(back.train().labels()).containsExactly(fashion.train().labels());
                assertThat(back.test()).isNull();
            }
        }
        Path csv = tmp.resolve("t.csv");
        Files.writeString(csv, "a,b,label\n1,2,x\n3,4,y\n");
        assertThat(Datasets.detect(csv)).isEqualTo(DataFormat.CSV);
        try (LoadedData d = Datasets.load(csv.toString())) {
            assertThat(d.train().classNames()).containsExactly("x", "y");
        }
    }

    @Test
    void explicitFormatWinsAndUnknownOnesAreExplained() throws Exception {
        Path odd = tmp.resolve("data.bin.weird");
        Files.writeString(odd, "1,2,0\n3,4,1\n");
        assertThatThrownBy(() -> Datasets.load(odd.toString())).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data.bin.weird").hasMessageContaining("--format");
        try (LoadedData d = Datasets.load(odd.toString(), LoadOptions.DEFAULTS.withFormat(DataFormat.CSV))) {
            assertThat(d.train().rows()).isEqualTo(2);
        }
        assertThatThrownBy(() -> Datasets.load(tmp.resolve("none").toString())).isInstanceOf(NoSuchFileException.class);
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        assertThatThrownBy(() -> Datasets.detect(empty)).hasMessageContaining("cannot tell");
        assertThatThrownBy(() -> DataFormat.parse("parquet")).hasMessageContaining("cifar10-python");
    }

    @Test
    void embeddedDigits() throws Exception {
        try (LoadedData d = Datasets.load("embedded:digits")) {
            assertThat(d.train().rows()).isEqualTo(1797);
            assertThat(d.train().imageShape()).contains(ImageShape.grey(8, 8));
        }
    }
}
