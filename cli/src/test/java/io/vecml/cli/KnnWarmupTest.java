package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.IdxWriter;
import io.vecml.engine.data.ImageShape;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.SyntheticData;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Neighbors;
import io.vecml.engine.knn.Weights;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnnWarmupTest {

    @TempDir
    Path tmp;

    private Path fashionLike(int train, int test) throws Exception {
        Path dir = tmp.resolve("fashion-mnist");
        try (LoadedData d = SyntheticData.generate(SyntheticData.Like.FASHION, train, test, 7)) {
            IdxWriter.write(d, dir);
        }
        return dir;
    }

    @Test
    void probeReadsTheIdxHeaderOnly() throws Exception {
        Path dir = fashionLike(1200, 50);
        Optional<KnnWarmup.Shape> s = KnnWarmup.probeIdx(dir.toString(), null, null);
        assertThat(s).isPresent();
        assertThat(s.get().rows()).isEqualTo(1200);
        assertThat(s.get().dims()).isEqualTo(784);
        assertThat(s.get().type()).isEqualTo(Dataset.Type.UINT8);
        assertThat(s.get().image()).contains(ImageShape.grey(28, 28));
        assertThat(KnnWarmup.probeIdx(dir.toString(), "idx", 300).orElseThrow().rows()).isEqualTo(300);
        // one images file names its own shape too
        assertThat(KnnWarmup.probeIdx(dir.resolve("train-images-idx3-ubyte.gz").toString(), null, null)).isPresent();
        // another format, a forced other format, a damaged header, a missing path: no warm-up
        assertThat(KnnWarmup.probeIdx("embedded:digits", null, null)).isEmpty();
        assertThat(KnnWarmup.probeIdx(dir.toString(), "npy", null)).isEmpty();
        assertThat(KnnWarmup.probeIdx(tmp.resolve("nothing-here").toString(), null, null)).isEmpty();
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        Files.write(bad.resolve("train-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0});
        assertThat(KnnWarmup.probeIdx(bad.toString(), null, null)).isEmpty();
    }

    @Test
    void onlyTheFilterPathIsWarmedUp() {
        Optional<ImageShape> img = Optional.of(ImageShape.grey(28, 28));
        assertThat(KnnWarmup.filterPath(new KnnWarmup.Shape(60000, 784, Dataset.Type.UINT8, img), 5)).isTrue();
        assertThat(KnnWarmup.filterPath(new KnnWarmup.Shape(999, 784, Dataset.Type.UINT8, img), 5)).isFalse();
        assertThat(KnnWarmup.filterPath(new KnnWarmup.Shape(60000, 784, Dataset.Type.FLOAT32, img), 5)).isFalse();
        KnnWarmup none = KnnWarmup.start(Optional.empty(), List.of(Metric.L2), 1, new int[] {1}, Weights.UNIFORM);
        assertThat(none.running()).isFalse();
        none.close();
    }

    @Test
    void synthesisedDataHasTheShapeAndClasses() {
        KnnWarmup.Shape s = new KnnWarmup.Shape(5000, 3 * 8 * 8, Dataset.Type.UINT8,
                Optional.of(new ImageShape(8, 8, 3, ImageShape.Layout.CHW)));
        try (Dataset d = KnnWarmup.synthetic(s, 100, 3)) {
            assertThat(d.rows()).isEqualTo(100);
            assertThat(d.dims()).isEqualTo(192);
            assertThat(d.type()).isEqualTo(Dataset.Type.UINT8);
            assertThat(d.imageShape()).isEqualTo(s.image());
            assertThat(d.numClasses()).isEqualTo(10);
            // the prototypes differ, so the rows are not all alike
            assertThat(d.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, d.rowOffset(0)))
                    .isNotEqualTo(d.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, d.rowOffset(1)));
        }
    }

    @Test
    void runsSilentlyBesideARealSearchWithoutChangingItAndStops() throws Exception {
        KnnWarmup.Shape shape = new KnnWarmup.Shape(60000, 784, Dataset.Type.UINT8,
                Optional.of(ImageShape.grey(28, 28)));
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        String old = System.getProperty(KnnWarmup.PROPERTY);
        System.setProperty(KnnWarmup.PROPERTY, "on");
        try (LoadedData d = SyntheticData.generate(SyntheticData.Like.FASHION, 1500, 100, 11);
             KnnClassifier ref = new KnnClassifier(KnnOptions.of(Metric.L2).withThreads(2)).fit(d.train())) {
            Neighbors expected = ref.kneighbors(d.test(), 3);
            System.setOut(new PrintStream(printed, true));
            System.setErr(new PrintStream(printed, true));
            KnnWarmup w = KnnWarmup.start(Optional.of(shape), List.of(Metric.L2, Metric.L1), 3, new int[] {1, 3},
                    Weights.UNIFORM);
            try {
                assertThat(w.running()).isTrue();
                // Functional deadline, not a timing threshold: a few searches of 16 queries, generous for a
                // loaded 2-core machine running them interpreted.
                long until = System.nanoTime() + 120_000_000_000L;
                while (w.searches() < 2 && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertThat(w.searches()).isGreaterThanOrEqualTo(2);
                try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L2).withThreads(2)).fit(d.train())) {
                    Neighbors got = knn.kneighbors(d.test(), 3);
                    for (int q = 0; q < d.test().rows(); q++) {
                        for (int r = 0; r < 3; r++) {
                            assertThat(got.index(q, r)).isEqualTo(expected.index(q, r));
                            assertThat(got.distance(q, r)).isEqualTo(expected.distance(q, r));
                        }
                    }
                }
            } finally {
                w.close();
                assertThat(w.awaitEnd(120_000)).isTrue();
                System.setOut(oldOut);
                System.setErr(oldErr);
                restore(old);
            }
            assertThat(w.running()).isFalse();
            assertThat(printed.toString()).isEmpty();
            assertThat(w.failure()).isEmpty();
            assertThat(w.failureNote("vecml knn")).isEmpty();
        }
    }

    @Test
    void aFailureIsKeptAndNamedNotSwallowed() throws Exception {
        KnnWarmup.Shape shape = new KnnWarmup.Shape(60000, 784, Dataset.Type.UINT8,
                Optional.of(ImageShape.grey(28, 28)));
        String old = System.getProperty(KnnWarmup.PROPERTY);
        System.setProperty(KnnWarmup.PROPERTY, "on");
        try {
            // A metric the warm-up cannot handle stands for a bug in it.
            KnnWarmup w = KnnWarmup.start(Optional.of(shape), java.util.Arrays.asList((Metric) null), 1, new int[] {1},
                    Weights.UNIFORM);
            assertThat(w.awaitEnd(120_000)).isTrue();
            assertThat(w.failure()).containsInstanceOf(NullPointerException.class);
            assertThat(w.failureNote("vecml knn")).hasValueSatisfying(n -> assertThat(n)
                    .startsWith("vecml knn: note: the warm-up of the search failed (java.lang.NullPointerException")
                    .contains("the results above are unaffected").contains("-Dvecml.warmup=off"));
            w.close();
        } finally {
            restore(old);
        }
    }

    @Test
    void knnPrintsTheSameWithAndWithoutTheWarmUp() throws Exception {
        Path dir = fashionLike(1100, 120);
        String[] args = {"knn", "--data", dir.toString(), "--metric", "l2,l1", "--k", "1,3", "--json", "--threads", "2"};
        JsonNode on;
        JsonNode off;
        String old = System.getProperty(KnnWarmup.PROPERTY);
        try {
            System.setProperty(KnnWarmup.PROPERTY, "off");
            CliTest.Run a = CliTest.run(args);
            assertThat(a.code()).as(a.err()).isZero();
            off = new ObjectMapper().readTree(a.out());
            System.setProperty(KnnWarmup.PROPERTY, "on");
            CliTest.Run b = CliTest.run(args);
            assertThat(b.code()).as(b.err()).isZero();
            on = new ObjectMapper().readTree(b.out());
            assertThat(b.err()).isEqualTo(a.err());
            System.setProperty(KnnWarmup.PROPERTY, "maybe");
            CliTest.Run c = CliTest.run(args);
            assertThat(c.code()).isEqualTo(2);
            assertThat(c.err()).contains("vecml.warmup", "on or off");
        } finally {
            restore(old);
        }
        for (int i = 0; i < 4; i++) {
            for (String f : new String[] {"metric", "k", "accuracy", "balancedAccuracy"}) {
                assertThat(on.get("results").get(i).get(f)).isEqualTo(off.get("results").get(i).get(f));
            }
        }
    }

    private static void restore(String old) {
        if (old == null) {
            System.clearProperty(KnnWarmup.PROPERTY);
        } else {
            System.setProperty(KnnWarmup.PROPERTY, old);
        }
    }

    @Test
    void offByDefault() {
        String old = System.getProperty(KnnWarmup.PROPERTY);
        try {
            System.clearProperty(KnnWarmup.PROPERTY);
            assertThat(KnnWarmup.enabled()).isFalse();
            System.setProperty(KnnWarmup.PROPERTY, "ON ");
            assertThat(KnnWarmup.enabled()).isTrue();
            System.setProperty(KnnWarmup.PROPERTY, "maybe");
            assertThatThrownBy(KnnWarmup::enabled).isInstanceOf(IllegalArgumentException.class);
        } finally {
            restore(old);
        }
    }
}
