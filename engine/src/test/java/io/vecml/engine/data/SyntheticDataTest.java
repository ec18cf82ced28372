package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.data.SyntheticData.Like;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SyntheticDataTest {

    @TempDir
    Path dir;

    private static LoadedData generateIn(int threads, Like like, int nTrain, int nTest, long seed) throws Exception {
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            // a parallel stream started inside a pool's task runs on that pool
            return pool.submit(() -> SyntheticData.generate(like, nTrain, nTest, seed)).get();
        } finally {
            pool.shutdown();
        }
    }

    @ParameterizedTest
    @EnumSource(Like.class)
    void sameSeedGivesTheSameBytesWhateverTheThreadCount(Like like) throws Exception {
        try (LoadedData one = generateIn(1, like, 700, 90, 42); LoadedData three = generateIn(3, like, 700, 90, 42);
             LoadedData other = SyntheticData.generate(like, 700, 90, 43)) {
            CifarBinaryReaderTest.assertSameData(three.train(), one.train());
            CifarBinaryReaderTest.assertSameData(three.test(), one.test());
            assertThat(other.train().segment().mismatch(one.train().segment())).isNotEqualTo(-1L);
            assertThat(other.train().labels()).isNotEqualTo(one.train().labels());
        }
    }

    @Test
    void shapesNamesAndBalancedClasses() {
        try (LoadedData c = SyntheticData.generate(Like.CIFAR10, 1000, 23, 1);
             LoadedData f = SyntheticData.generate(Like.FASHION, 600, 0, 1)) {
            assertThat(c.format()).isEqualTo(DataFormat.CIFAR10_BINARY);
            assertThat(c.train().imageShape()).contains(new ImageShape(32, 32, 3, ImageShape.Layout.CHW));
            assertThat(c.train().classNames()).isEqualTo(CifarBinaryReader.CIFAR10_CLASSES);
            assertThat(c.train().classCounts()).containsOnly(100);
            assertThat(c.test().classCounts()).containsExactly(3, 3, 3, 2, 2, 2, 2, 2, 2, 2);
            assertThat(f.format()).isEqualTo(DataFormat.IDX);
            assertThat(f.train().imageShape()).contains(ImageShape.grey(28, 28));
            assertThat(f.train().classNames()).isEqualTo(IdxReader.FASHION_CLASSES);
            assertThat(f.train().classCounts()).containsOnly(60);
            assertThat(f.test().rows()).isZero();
            // the values use the byte range without piling up at its ends
            for (Dataset d : new Dataset[] {c.train(), f.train()}) {
                long sum = 0;
                long ends = 0;
                long n = 0;
                for (int r = 0; r < 200; r++) {
                    for (int k = 0; k < d.dims(); k++) {
                        int v = d.u8(r, k);
                        sum += v;
                        ends += v == 0 || v == 255 ? 1 : 0;
                        n++;
                    }
                }
                assertThat((double) sum / n).as(d.toString()).isBetween(60.0, 190.0);
                // Fashion-like images are dark around the object, like the real ones (about half zeros there)
                assertThat((double) ends / n).as(d.toString()).isLessThan(d.dims() == 784 ? 0.3 : 0.05);
            }
        }
    }

    /** 1-NN accuracy with exact integer squared L2 distances (ties to the smaller training index). */
    private static double oneNnAccuracy(Dataset train, Dataset test) {
        int dims = train.dims();
        byte[][] tr = new byte[train.rows()][];
        for (int i = 0; i < tr.length; i++) {
            tr[i] = train.segment().asSlice(train.rowOffset(i), dims).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
        int correct = 0;
        for (int q = 0; q < test.rows(); q++) {
            byte[] x = test.segment().asSlice(test.rowOffset(q), dims).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            long best = Long.MAX_VALUE;
            int arg = -1;
            for (int i = 0; i < tr.length; i++) {
                byte[] t = tr[i];
                long s = 0;
                for (int k = 0; k < dims; k++) {
                    int d = (x[k] & 0xff) - (t[k] & 0xff);
                    s += d * d;
                }
                if (s < best) {
                    best = s;
                    arg = i;
                }
            }
            correct += train.label(arg) == test.label(q) ? 1 : 0;
        }
        return (double) correct / test.rows();
    }

    /** Nearest class mean (squared L2) accuracy: cheap, so it can use many test images. */
    private static double nearestMeanAccuracy(Dataset train, Dataset test) {
        int dims = train.dims();
        double[][] mean = new double[train.numClasses()][dims];
        int[] counts = train.classCounts();
        for (int r = 0; r < train.rows(); r++) {
            double[] m = mean[train.label(r)];
            for (int k = 0; k < dims; k++) {
                m[k] += train.u8(r, k);
            }
        }
        int correct = 0;
        for (int q = 0; q < test.rows(); q++) {
            double best = Double.MAX_VALUE;
            int arg = -1;
            for (int c = 0; c < mean.length; c++) {
                double s = 0;
                for (int k = 0; k < dims; k++) {
                    double d = test.u8(q, k) - mean[c][k] / counts[c];
                    s += d * d;
                }
                if (s < best) {
                    best = s;
                    arg = c;
                }
            }
            correct += arg == test.label(q) ? 1 : 0;
        }
        return (double) correct / test.rows();
    }

    @Test
    void classStructureIsLearnableButNotTrivial() {
        // Small sizes keep the test quick but lower 1-NN accuracy (it needs many images); measured at full
        // size with numpy: CIFAR-like 1-NN 0.61, class mean 0.44; Fashion-like 0.84 and 0.67 (chance 0.10).
        try (LoadedData c = SyntheticData.generate(Like.CIFAR10, 2000, 1000, 11);
             LoadedData f = SyntheticData.generate(Like.FASHION, 2000, 1000, 11);
             Dataset cq = c.test().select(java.util.stream.IntStream.range(0, 300).toArray());
             Dataset fq = f.test().select(java.util.stream.IntStream.range(0, 300).toArray())) {
            double nc = oneNnAccuracy(c.train(), cq);
            double nf = oneNnAccuracy(f.train(), fq);
            double mc = nearestMeanAccuracy(c.train(), c.test());
            double mf = nearestMeanAccuracy(f.train(), f.test());
            System.out.printf("synthetic at 2000 train: cifar-like 1-NN %.3f (300 queries), class mean %.3f (1000); "
                    + "fashion-like 1-NN %.3f, class mean %.3f%n", nc, mc, nf, mf);
            // 1000 queries at chance (0.10) would score above 0.14 with probability below 1e-4
            assertThat(mc).isBetween(0.25, 0.70);
            assertThat(mf).isBetween(0.45, 0.90);
            assertThat(nc).isBetween(0.15, 0.60);
            assertThat(nf).isBetween(0.50, 0.95);
        }
    }

    @ParameterizedTest
    @EnumSource(Like.class)
    void writesFilesThatTheReadersReadBack(Like like) throws IOException {
        try (LoadedData d = SyntheticData.generate(like, 120, 30, 5)) {
            Path written = SyntheticData.write(d, like, dir);
            assertThat(written).isEqualTo(dir.resolve(like == Like.CIFAR10 ? "cifar-10-batches-bin" : "fashion-mnist"));
            try (LoadedData back = like == Like.CIFAR10 ? CifarBinaryReader.read(written, LoadOptions.DEFAULTS)
                    : IdxReader.read(written, LoadOptions.DEFAULTS)) {
                CifarBinaryReaderTest.assertSameData(back.train(), d.train());
                CifarBinaryReaderTest.assertSameData(back.test(), d.test());
            }
        }
    }
}
