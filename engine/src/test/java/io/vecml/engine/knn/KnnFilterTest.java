package io.vecml.engine.knn;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.ImageShape;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.knn.KnnOptions.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The filter-and-refine path ({@link Path#FILTER}) against {@link ExactReference} on data where the
 * pooled bounds do prune (smooth images), mixed with rows built to sit exactly on, or far below,
 * their bounds: copies of a query with pixels permuted inside every fine block (every bound 0,
 * exact distance > 0), block-constant shifts (L1 bound equal to the exact distance), exact
 * duplicates and one-pixel changes (ties broken by index inside the k-th distance).
 */
class KnnFilterTest {

    static final List<String> CLASSES = List.of("a", "b", "c");

    static Stream<Arguments> configs() {
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : KernelSelection.available()) {
            for (Metric m : Metric.values()) {
                args.add(Arguments.of(Named.of(k.name(), k), m));
            }
        }
        return args.stream();
    }

    /** Smooth random images: a few Gaussian bumps per channel plus +-2 noise, values 20..235. */
    static void smooth(Dataset ds, int r, ImageShape s, Random rnd) {
        double[][] bumps = new double[4][];
        for (int b = 0; b < bumps.length; b++) {
            bumps[b] = new double[] {rnd.nextDouble() * s.height(), rnd.nextDouble() * s.width(),
                2 + rnd.nextDouble() * s.width() / 2.0, rnd.nextDouble() * 160 - 80};
        }
        for (int c = 0; c < s.channels(); c++) {
            double base = 90 + rnd.nextInt(60);
            for (int y = 0; y < s.height(); y++) {
                for (int x = 0; x < s.width(); x++) {
                    double v = base;
                    for (double[] b : bumps) {
                        double dy = y - b[0], dx = x - b[1];
                        v += b[3] * Math.exp(-(dy * dy + dx * dx) / (b[2] * b[2]));
                    }
                    v += rnd.nextInt(5) - 2;
                    ds.setU8(r, s.index(y, x, c), (int) Math.max(20, Math.min(235, Math.round(v))));
                }
            }
        }
    }

    /**
     * Training rows: smooth images, and for some queries adversarial rows next to them. Returns
     * {train, queries}.
     */
    static Dataset[] data(ImageShape s, int nTrain, int nq, int coarseBlock, int fineBlock, long seed) {
        Random rnd = new Random(seed);
        int d = s.dims();
        Dataset queries = Dataset.allocate(Dataset.Type.UINT8, nq, d, new int[nq], CLASSES, s);
        for (int q = 0; q < nq; q++) {
            smooth(queries, q, s, rnd);
        }
        int[] labels = new int[nTrain];
        for (int i = 0; i < nTrain; i++) {
            labels[i] = rnd.nextInt(CLASSES.size());
        }
        Dataset train = Dataset.allocate(Dataset.Type.UINT8, nTrain, d, labels, CLASSES, s);
        int r = 0;
        int q = 0;
        while (r < nTrain) {
            int kind = rnd.nextInt(8);
            if (kind >= 4 || q >= nq) {
                smooth(train, r++, s, rnd);
                continue;
            }
            int src = q++;
            if (kind == 0) {
                // A trap: 30 copies with pixels permuted inside every fine block (same block sums and
                // residual norms at both levels: every bound ~0, so they take all the seeds, while
                // their distances are large); then B, one coarse block shifted by +20 (its L1 bound
                // equals its distance, its L2 bound is that minus the rounding margin), then 12 rows
                // A with the same block changed by +-20 in checkerboards (the same distance as B,
                // bounds ~0). B has the smallest index of them, so it must win the tie: that needs B
                // collected (bound <= U, not < U) and measured (stop only at a bound > U) after the
                // A rows, visited first, have set U to their distance. With 20 copies instead of 30,
                // some A rows are seeds, so the first threshold already equals B's bound.
                int copies = src % 2 == 0 ? 30 : 20;
                for (int t = 0; t < copies && r < nTrain; t++) {
                    permuted(queries, src, train, r++, s, fineBlock, rnd);
                }
                int by = Math.min(coarseBlock, s.height());
                int y0 = rnd.nextInt(s.height() / by) * by;
                int x0 = rnd.nextInt(s.width() / coarseBlock) * coarseBlock;
                for (int t = 0; t < 13 && r < nTrain; t++) {
                    copy(queries, src, train, r);
                    for (int y = y0; y < y0 + by; y++) {
                        for (int x = x0; x < x0 + coarseBlock; x++) {
                            int i = s.index(y, x, 0);
                            int delta = t == 0 || (x + y + t) % 2 == 0 ? 20 : -20;
                            train.setU8(r, i, train.u8(r, i) + delta);
                        }
                    }
                    r++;
                }
            } else if (kind == 1) {
                // Duplicates of the query at several indices: distance 0 ties.
                for (int t = 0; t < 3 && r < nTrain; t++) {
                    copy(queries, src, train, r++);
                }
            } else if (kind == 2) {
                // One pixel +-1 or +-2 at several places: ties at distances 1, 2 (L1) and 1, 4 (L2).
                for (int t = 0; t < 4 && r < nTrain; t++) {
                    copy(queries, src, train, r);
                    int i = rnd.nextInt(d);
                    train.setU8(r, i, train.u8(r, i) + (t % 2 == 0 ? 1 : -2));
                    r++;
                }
            } else if (kind == 3) {
                // Whole coarse-scale region shifted by a constant: for L1 the block-sum bound equals
                // the exact distance (the bound is tight; only <= U, not < U, keeps these rows).
                for (int t = 0; t < 2 && r < nTrain; t++) {
                    copy(queries, src, train, r);
                    int delta = t == 0 ? 3 : -3;
                    for (int y = 0; y < s.height() / 2; y++) {
                        for (int x = 0; x < s.width() / 2; x++) {
                            int i = s.index(y, x, 0);
                            train.setU8(r, i, train.u8(r, i) + delta);
                        }
                    }
                    r++;
                }
            }
        }
        return new Dataset[] {train, queries};
    }

    /** Row r of from, pixels permuted inside every fine block, into row of to. */
    static void permuted(Dataset from, int r, Dataset to, int row, ImageShape s, int fineBlock, Random rnd) {
        copy(from, r, to, row);
        for (int c = 0; c < s.channels(); c++) {
            for (int y0 = 0; y0 < s.height(); y0 += fineBlock) {
                for (int x0 = 0; x0 < s.width(); x0 += fineBlock) {
                    List<Integer> idx = new ArrayList<>();
                    for (int y = y0; y < Math.min(s.height(), y0 + fineBlock); y++) {
                        for (int x = x0; x < Math.min(s.width(), x0 + fineBlock); x++) {
                            idx.add(s.index(y, x, c));
                        }
                    }
                    List<Integer> vals = new ArrayList<>();
                    for (int i : idx) {
                        vals.add(to.u8(row, i));
                    }
                    java.util.Collections.shuffle(vals, rnd);
                    for (int i = 0; i < idx.size(); i++) {
                        to.setU8(row, idx.get(i), vals.get(i));
                    }
                }
            }
        }
    }

    static void copy(Dataset from, int r, Dataset to, int row) {
        for (int c = 0; c < from.dims(); c++) {
            to.setU8(row, c, from.u8(r, c));
        }
    }

    /**
     * One-row searches, as a server makes them, reuse the previous search's buffers on their thread:
     * searches of two training sets with the same row count, interleaved row by row on one thread, each
     * equal to the exact reference; after each the thread holds its buffers, and a search of many rows
     * does not leave bounds above the kept size.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configs")
    void oneRowSearchesReuseTheirThreadsBuffersAndStayExact(Kernels kern, Metric metric) {
        ImageShape grey = ImageShape.grey(28, 28);
        Dataset[] a = data(grey, 1200, 12, 4, 4, 21);
        Dataset[] b = data(grey, 1200, 12, 4, 4, 22);
        try (Dataset trainA = a[0]; Dataset qa = a[1]; Dataset trainB = b[0]; Dataset qb = b[1];
             KnnClassifier knnA = new KnnClassifier(new KnnOptions(metric, Weights.UNIFORM, 1, Path.FILTER, kern)).fit(trainA);
             KnnClassifier knnB = new KnnClassifier(new KnnOptions(metric, Weights.UNIFORM, 1, Path.FILTER, kern)).fit(trainB)) {
            Neighbors wantA = ExactReference.kneighbors(metric, trainA, qa, 3);
            Neighbors wantB = ExactReference.kneighbors(metric, trainB, qb, 3);
            for (int q = 0; q < qa.rows(); q++) {
                for (int which = 0; which < 2; which++) {
                    Dataset queries = which == 0 ? qa : qb;
                    Neighbors want = which == 0 ? wantA : wantB;
                    try (Dataset one = queries.select(new int[] {q})) {
                        Neighbors got = (which == 0 ? knnA : knnB).kneighbors(one, 3);
                        for (int r = 0; r < 3; r++) {
                            assertThat(got.index(0, r)).as("%s set %d query %d rank %d", metric, which, q, r)
                                    .isEqualTo(want.index(q, r));
                            assertThat(got.distance(0, r)).isEqualTo(want.distance(q, r));
                        }
                    }
                    assertThat(FilterRefine.spareBounds()).isBetween(1, FilterRefine.SPARE_MAX_BOUNDS);
                }
            }
        }
        // A unit of 64 queries against 5,000 rows has more bounds than are kept: they are not kept.
        Dataset[] c = data(grey, 5000, 64, 4, 4, 23);
        try (Dataset train = c[0]; Dataset queries = c[1];
             KnnClassifier knn = new KnnClassifier(new KnnOptions(metric, Weights.UNIFORM, 1, Path.FILTER, kern)).fit(train)) {
            assertThat(64L * train.rows()).isGreaterThan(FilterRefine.SPARE_MAX_BOUNDS);
            KnnClassifierTest.assertSame(knn.kneighbors(queries, 3), ExactReference.kneighbors(metric, train, queries, 3),
                    "64 rows");
            assertThat(FilterRefine.spareBounds()).isLessThanOrEqualTo(FilterRefine.SPARE_MAX_BOUNDS);
        }
    }

    static void check(Kernels kern, Metric metric, Dataset train, Dataset queries, boolean expectPruning) {
        for (int k : new int[] {1, 2, 5, 9}) {
            Neighbors want = ExactReference.kneighbors(metric, train, queries, k);
            for (int threads : new int[] {1, 2, 3}) {
                try (KnnClassifier knn = new KnnClassifier(
                        new KnnOptions(metric, Weights.UNIFORM, threads, Path.FILTER, kern)).fit(train)) {
                    KnnClassifierTest.assertSame(knn.kneighbors(queries, k), want,
                            metric + " k=" + k + " threads=" + threads);
                    KnnSearch.FilterStats st = knn.lastFilterStats();
                    assertThat(st).isNotNull();
                    if (expectPruning) {
                        // The refinement ran (no brute-force fallback) and skipped most rows.
                        assertThat(st.fallbackQueries.get()).as("%s", st).isZero();
                        assertThat(st.exact.get()).as("%s", st).isLessThan(st.queries.get() * train.rows() / 4);
                    }
                }
            }
        }
    }

    /** 32x32x3 like CIFAR: coarse 8x8 blocks and a fine 4x4 level. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configs")
    void colourImagesWithFineLevel(Kernels kern, Metric metric) {
        ImageShape s = new ImageShape(32, 32, 3, ImageShape.Layout.CHW);
        PooledBounds.Level[] lv = PooledBounds.levels(s.dims(), Optional.of(s), metric);
        assertThat(lv[0].blocks).isEqualTo(48);
        assertThat(lv[1]).isNotNull();
        assertThat(lv[1].blocks).isEqualTo(192);
        Dataset[] d = data(s, 600, 40, 8, 4, 1);
        try (Dataset train = d[0]; Dataset queries = d[1]) {
            check(kern, metric, train, queries, true);
        }
    }

    /** 28x28 grey like Fashion-MNIST (4x4 blocks, no fine level), interleaved HWC colour, odd sizes. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configs")
    void greyAndInterleavedImages(Kernels kern, Metric metric) {
        ImageShape grey = ImageShape.grey(28, 28);
        assertThat(PooledBounds.levels(784, Optional.of(grey), metric)[1]).isNull();
        Dataset[] d = data(grey, 600, 40, 4, 4, 2);
        try (Dataset train = d[0]; Dataset queries = d[1]) {
            check(kern, metric, train, queries, true);
        }
        // 13x11x3 interleaved: edge blocks smaller than the others.
        ImageShape odd = new ImageShape(13, 11, 3, ImageShape.Layout.HWC);
        Dataset[] e = data(odd, 400, 30, 3, 3, 3);
        try (Dataset train = e[0]; Dataset queries = e[1]) {
            check(kern, metric, train, queries, false);
        }
    }

    /** Rows without an image shape: runs of consecutive features (a smooth signal along the index). */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configs")
    void featureRunsWithoutImageShape(Kernels kern, Metric metric) {
        ImageShape s = new ImageShape(1, 3072, 1, ImageShape.Layout.CHW);
        Dataset[] d = data(s, 400, 25, 64, 16, 4);
        try (Dataset train = d[0].select(java.util.stream.IntStream.range(0, 400).toArray());
             Dataset queries = d[1].select(java.util.stream.IntStream.range(0, 25).toArray())) {
            d[0].close();
            d[1].close();
            // select keeps the image shape; drop it to take the feature-run partition.
            try (Dataset t = Dataset.allocate(Dataset.Type.UINT8, train.rows(), train.dims(), train.labels(), CLASSES);
                 Dataset q = Dataset.allocate(Dataset.Type.UINT8, queries.rows(), queries.dims(), queries.labels(),
                         CLASSES)) {
                for (int r = 0; r < t.rows(); r++) {
                    copy(train, r, t, r);
                }
                for (int r = 0; r < q.rows(); r++) {
                    copy(queries, r, q, r);
                }
                assertThat(PooledBounds.levels(3072, t.imageShape(), metric)[1]).isNotNull();
                check(kern, metric, t, q, true);
            }
        }
    }

    /** Random rows: the bounds do not prune, the queries fall back to brute force, answers stay exact. */
    @Test
    void randomDataFallsBackToBruteForce() {
        Random rnd = new Random(5);
        Kernels kern = KernelSelection.current().kernels();
        try (Dataset train = KnnClassifierTest.u8Train(rnd, 400, 200);
             Dataset queries = KnnClassifierTest.u8Queries(rnd, train, 100)) {
            for (Metric m : Metric.values()) {
                Neighbors want = ExactReference.kneighbors(m, train, queries, 4);
                for (int threads : new int[] {1, 2}) {
                    try (KnnClassifier knn = new KnnClassifier(
                            new KnnOptions(m, Weights.UNIFORM, threads, Path.FILTER, kern)).fit(train)) {
                        KnnClassifierTest.assertSame(knn.kneighbors(queries, 4), want, m + " threads=" + threads);
                        assertThat(knn.lastFilterStats().fallbackQueries.get()).isPositive();
                    }
                }
            }
        }
    }

    /** The proven L2 bound holds on the pooled vectors of extreme rows (0 against 255, constant blocks). */
    @Test
    void l2BoundIsBelowTheExactDistanceOnExtremes() {
        ImageShape s = new ImageShape(32, 32, 3, ImageShape.Layout.CHW);
        PooledBounds.Level lv = PooledBounds.levels(s.dims(), Optional.of(s), Metric.L2)[0];
        Random rnd = new Random(6);
        int d = s.dims();
        for (int trial = 0; trial < 200; trial++) {
            byte[] a = new byte[d];
            byte[] b = new byte[d];
            for (int i = 0; i < d; i++) {
                int mode = trial % 4;
                a[i] = (byte) (mode == 0 ? 255 : mode == 1 ? rnd.nextInt(256) : (i / 64) % 2 * 255);
                b[i] = (byte) (mode == 0 ? 254 + rnd.nextInt(2) : mode == 1 ? rnd.nextInt(256) : (i / 64 + trial) % 2 * 255);
            }
            float[] pa = new float[lv.features];
            float[] pb = new float[lv.features];
            int[] sums = new int[lv.blocks];
            long na = lv.pool(a, sums, pa, 0);
            long nb = lv.pool(b, sums, pb, 0);
            float sum = 0;
            for (int f = 0; f < lv.features; f++) {
                float diff = pa[f] - pb[f];
                sum += diff * diff;
            }
            long exact = 0;
            for (int i = 0; i < d; i++) {
                long diff = Byte.toUnsignedInt(a[i]) - Byte.toUnsignedInt(b[i]);
                exact += diff * diff;
            }
            assertThat(sum - lv.g * (na + nb)).as("trial %d", trial).isLessThanOrEqualTo(exact);
        }
    }

    /**
     * L2 on images up to {@link PooledBounds#PCA_MAX_DIMS} dimensions takes the principal-direction
     * level (L1 keeps the blocks); its basis is orthonormal within a tiny proven epsilon, the same
     * whatever the thread count, and its proven bound is below the exact squared distance for
     * training rows, extremes (all 0 against all 255, stripes, random bytes) and near-duplicates.
     */
    @Test
    void principalDirectionLevelBoundHolds() {
        ImageShape grey = ImageShape.grey(28, 28);
        Dataset[] data = data(grey, 600, 40, 4, 4, 8);
        data[1].close();
        try (Dataset train = data[0]) {
            PooledBounds blocks = PooledBounds.build(train, Metric.L2, 2);
            PooledBounds l1 = PooledBounds.build(train, Metric.L1, 2);
            try {
                // Built as blocks; the principal level only on request (after a probe that prunes).
                assertThat(blocks.coarse.basis).isNull();
                assertThat(blocks.principalPossible()).isTrue();
                assertThat(l1.principalPossible()).isFalse();
                assertThat(l1.principal(2)).isNull();
                PooledBounds l2 = blocks.principal(2);
                assertThat(blocks.principal(1)).isSameAs(l2);
                assertThat(l2.coarse.basis).isNotNull();
                assertThat(l2.coarse.features).isEqualTo(PooledBounds.PCA_COMPONENTS + 1);
                assertThat(l1.coarse.basis).isNull();
                PcaBasis b = l2.coarse.basis;
                assertThat(b.epsilon).isLessThan(1e-10);
                assertThat(PcaBasis.compute(train, PooledBounds.PCA_COMPONENTS, 1).wt).isEqualTo(b.wt);
                assertThat(PcaBasis.compute(train, PooledBounds.PCA_COMPONENTS, 3).wt).isEqualTo(b.wt);
                PooledBounds.Level lv = l2.coarse;
                int d = train.dims();
                Random rnd = new Random(9);
                List<byte[]> rows = new ArrayList<>();
                for (int r = 0; r < 60; r++) {
                    byte[] a = new byte[d];
                    for (int i = 0; i < d; i++) {
                        a[i] = (byte) train.u8(r, i);
                    }
                    rows.add(a);
                    byte[] near = a.clone();
                    int i = rnd.nextInt(d);
                    near[i] = (byte) Math.max(0, Math.min(255, (near[i] & 0xFF) + (r % 2 == 0 ? 1 : -1)));
                    rows.add(near);
                }
                for (int trial = 0; trial < 40; trial++) {
                    byte[] a = new byte[d];
                    for (int i = 0; i < d; i++) {
                        int mode = trial % 4;
                        a[i] = (byte) (mode == 0 ? 255 * (trial / 4 % 2) : mode == 1 ? rnd.nextInt(256)
                                : mode == 2 ? (i / 28 + trial) % 2 * 255 : (i % 28 < 14 ? 255 : 0));
                    }
                    rows.add(a);
                }
                float[] pa = new float[lv.features];
                float[] pb = new float[lv.features];
                int[] sums = new int[lv.blocks];
                for (int x = 0; x < rows.size(); x++) {
                    for (int y = 0; y < rows.size(); y += 3) {
                        byte[] a = rows.get(x);
                        byte[] c = rows.get(y);
                        long na = lv.pool(a, sums, pa, 0);
                        long nb = lv.pool(c, sums, pb, 0);
                        float sum = 0;
                        for (int f = 0; f < lv.features; f++) {
                            float diff = pa[f] - pb[f];
                            sum += diff * diff;
                        }
                        long exact = 0;
                        for (int i = 0; i < d; i++) {
                            long diff = Byte.toUnsignedInt(a[i]) - Byte.toUnsignedInt(c[i]);
                            exact += diff * diff;
                        }
                        assertThat(sum - lv.g * (na + nb)).as("rows %d, %d", x, y).isLessThanOrEqualTo(exact);
                    }
                }
            } finally {
                blocks.close();
                l1.close();
            }
        }
    }

    /**
     * The principal-direction level is built only after a block-level probe that prunes: on smooth
     * images (Fashion-like) a search of more queries than the probe builds and takes it (answers
     * exact, no brute force); a search of at most the probe's queries does not, but its evidence
     * counts for the next search. On random images the probe fails: the level is never built and
     * the queries go to brute force, answers exact.
     */
    @Test
    void principalLevelOnlyAfterABlockProbeThatPrunes() {
        Kernels kern = KernelSelection.current().kernels();
        ImageShape grey = ImageShape.grey(28, 28);
        Dataset[] d = data(grey, 600, 40, 4, 4, 11);
        try (Dataset train = d[0]; Dataset queries = d[1];
             Dataset few = queries.select(java.util.stream.IntStream.range(0, 10).toArray())) {
            Neighbors want = ExactReference.kneighbors(Metric.L2, train, queries, 5);
            Neighbors wantFew = ExactReference.kneighbors(Metric.L2, train, few, 5);
            for (int threads : new int[] {1, 2}) {
                try (KnnClassifier knn = new KnnClassifier(
                        new KnnOptions(Metric.L2, Weights.UNIFORM, threads, Path.FILTER, kern)).fit(train)) {
                    KnnClassifierTest.assertSame(knn.kneighbors(few, 5), wantFew, "few, threads=" + threads);
                    PooledBounds pb = knn.pooledBoundsIfBuilt();
                    assertThat(pb.coarse.basis).isNull();
                    assertThat(pb.principalIfBuilt()).as("10 probe queries are not enough evidence").isNull();
                    KnnClassifierTest.assertSame(knn.kneighbors(queries, 5), want, "threads=" + threads);
                    assertThat(pb.principalIfBuilt()).isNotNull();
                    assertThat(pb.principalIfBuilt().coarse.basis).isNotNull();
                    KnnSearch.FilterStats st = knn.lastFilterStats();
                    assertThat(st.queries.get()).as("%s", st).isEqualTo(queries.rows());
                    assertThat(st.fallbackQueries.get()).as("%s", st).isZero();
                    // A later search takes the principal level at once (no probe), still exact.
                    KnnClassifierTest.assertSame(knn.kneighbors(queries, 5), want, "again, threads=" + threads);
                    assertThat(knn.pooledBoundsIfBuilt()).isSameAs(pb);
                }
            }
        }
        Random rnd = new Random(12);
        int d2 = grey.dims();
        try (Dataset train = Dataset.allocate(Dataset.Type.UINT8, 500, d2, new int[500], CLASSES, grey);
             Dataset queries = Dataset.allocate(Dataset.Type.UINT8, 90, d2, new int[90], CLASSES, grey)) {
            for (Dataset ds : new Dataset[] {train, queries}) {
                for (int r = 0; r < ds.rows(); r++) {
                    for (int c = 0; c < d2; c++) {
                        ds.setU8(r, c, rnd.nextInt(256));
                    }
                }
            }
            Neighbors want = ExactReference.kneighbors(Metric.L2, train, queries, 3);
            for (int threads : new int[] {1, 2}) {
                try (KnnClassifier knn = new KnnClassifier(
                        new KnnOptions(Metric.L2, Weights.UNIFORM, threads, Path.FILTER, kern)).fit(train)) {
                    KnnClassifierTest.assertSame(knn.kneighbors(queries, 3), want, "noise, threads=" + threads);
                    assertThat(knn.pooledBoundsIfBuilt().principalIfBuilt()).isNull();
                    KnnSearch.FilterStats st = knn.lastFilterStats();
                    assertThat(st.useless).as("%s", st).isTrue();
                    assertThat(st.queries.get() + st.fallbackQueries.get()).as("%s", st).isEqualTo(queries.rows());
                    assertThat(st.fallbackQueries.get()).as("%s", st).isGreaterThan(queries.rows() / 2);
                }
            }
        }
    }
}
