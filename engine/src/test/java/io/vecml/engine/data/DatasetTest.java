package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetTest {

    @Test
    void embeddedDigitsHaveTheDocumentedShape() {
        try (Dataset d = EmbeddedData.digits()) {
            assertThat(d.rows()).isEqualTo(1797);
            assertThat(d.dims()).isEqualTo(64);
            assertThat(d.numClasses()).isEqualTo(10);
            assertThat(d.stride()).isEqualTo(64);
            assertThat(d.segment().address() % 64).isZero();
            // First row of scikit-learn's load_digits(): 0,0,5,13,9,1,0,0 ... label 0.
            assertThat(d.u8(0, 2)).isEqualTo(5);
            assertThat(d.u8(0, 3)).isEqualTo(13);
            assertThat(d.label(0)).isZero();
            int[] counts = new int[10];
            for (int i = 0; i < d.rows(); i++) {
                counts[d.label(i)]++;
                for (int c = 0; c < 64; c++) {
                    assertThat(d.u8(i, c)).isBetween(0, 16);
                }
            }
            // Class sizes of load_digits().
            assertThat(counts).containsExactly(178, 182, 177, 183, 181, 182, 181, 179, 174, 180);
        }
    }

    @Test
    void rowsAreAlignedAndPaddedWithZeros() {
        try (Dataset d = Dataset.allocate(Dataset.Type.FLOAT32, 3, 17, new int[3], List.of("a"))) {
            assertThat(d.stride()).isEqualTo(32);
            for (int r = 0; r < 3; r++) {
                assertThat((d.segment().address() + d.rowOffset(r) * 4) % 64).isZero();
            }
            d.setF32(1, 16, 2.5f);
            try (Dataset sel = d.select(new int[] {1, 1, 0}); Dataset f = sel.toFloat32()) {
                assertThat(sel.f32(0, 16)).isEqualTo(2.5f);
                assertThat(sel.f32(1, 16)).isEqualTo(2.5f);
                assertThat(sel.f32(2, 16)).isZero();
                assertThat(f.f32(0, 16)).isEqualTo(2.5f);
            }
        }
    }

    @Test
    void refusesLabelsOutOfRange() {
        assertThatThrownBy(() -> Dataset.allocate(Dataset.Type.UINT8, 2, 4, new int[] {0, 3}, List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 3 of row 1");
    }

    @Test
    void csvErrorsNameTheSourceLineAndColumn() {
        String bad = "1,2,0\n1,x,1\n";
        assertThatThrownBy(() -> EmbeddedData.parseUint8Csv(new ByteArrayInputStream(bad.getBytes(StandardCharsets.UTF_8)), "t.csv", 2, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("t.csv: line 2, column 2: expected an integer, found 'x'");
        String wide = "1,2,3,0\n";
        assertThatThrownBy(() -> EmbeddedData.parseUint8Csv(new ByteArrayInputStream(wide.getBytes(StandardCharsets.UTF_8)), "t.csv", 2, 2))
                .hasMessageContaining("line 1: expected 3 comma-separated values, found 4");
        String range = "1,256,0\n";
        assertThatThrownBy(() -> EmbeddedData.parseUint8Csv(new ByteArrayInputStream(range.getBytes(StandardCharsets.UTF_8)), "t.csv", 2, 2))
                .hasMessageContaining("value 256 is outside 0..255");
    }

    @Test
    void holdoutIsASeededPartition() {
        Splits.Holdout h = Splits.holdout(1797, 0.2, 42);
        assertThat(h.test()).hasSize(359);
        assertThat(h.train()).hasSize(1438);
        int[] all = new int[1797];
        System.arraycopy(h.train(), 0, all, 0, h.train().length);
        System.arraycopy(h.test(), 0, all, h.train().length, h.test().length);
        Arrays.sort(all);
        for (int i = 0; i < all.length; i++) {
            assertThat(all[i]).isEqualTo(i);
        }
        assertThat(Splits.holdout(1797, 0.2, 42).test()).isEqualTo(h.test());
        assertThat(Splits.holdout(1797, 0.2, 43).test()).isNotEqualTo(h.test());
        assertThatThrownBy(() -> Splits.holdout(10, 1.0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @org.junit.jupiter.api.Test
    void builderFillsInPlaceAndChecksLabels() {
        try (Dataset.Builder b = Dataset.builder(Dataset.Type.UINT8, 3, 12)) {
            for (int r = 0; r < 3; r++) {
                b.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, b.rowByteOffset(r) + 5, (byte) (200 + r));
                b.label(r, r % 2);
            }
            try (Dataset d = b.build(java.util.List.of("a", "b"), new ImageShape(2, 2, 3, ImageShape.Layout.CHW))) {
                org.assertj.core.api.Assertions.assertThat(d.u8(2, 5)).isEqualTo(202);
                org.assertj.core.api.Assertions.assertThat(d.labels()).containsExactly(0, 1, 0);
                org.assertj.core.api.Assertions.assertThat(d.classCounts()).containsExactly(2, 1);
                org.assertj.core.api.Assertions.assertThat(d.imageShape()).isPresent();
                org.assertj.core.api.Assertions.assertThat(d.select(new int[] {2}).imageShape()).isPresent();
            }
        }
        Dataset.Builder bad = Dataset.builder(Dataset.Type.UINT8, 1, 4);
        bad.label(0, 2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> bad.build(java.util.List.of("a", "b"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 2 of row 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> Dataset.builder(Dataset.Type.UINT8, 1, 5).build(java.util.List.of("a"), ImageShape.grey(2, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image shape");
    }

    @org.junit.jupiter.api.Test
    void imageShapeIndexesBothLayouts() {
        ImageShape chw = new ImageShape(32, 32, 3, ImageShape.Layout.CHW);
        ImageShape hwc = new ImageShape(32, 32, 3, ImageShape.Layout.HWC);
        org.assertj.core.api.Assertions.assertThat(chw.index(0, 0, 1)).isEqualTo(1024);
        org.assertj.core.api.Assertions.assertThat(hwc.index(0, 0, 1)).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThat(hwc.index(1, 2, 2)).isEqualTo((32 + 2) * 3 + 2);
        org.assertj.core.api.Assertions.assertThat(chw.dims()).isEqualTo(3072);
    }
}
