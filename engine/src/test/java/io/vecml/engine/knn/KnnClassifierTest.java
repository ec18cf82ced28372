package io.vecml.engine.knn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.knn.KnnOptions.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kNN engine against {@link ExactReference} on every kernel implementation, metric and path,
 * with 1 to 4 threads; uint8 and float32 L2 must match exactly, including near-ties built to
 * defeat the GEMM's float rounding.
 */
class KnnClassifierTest {

    static final List<String> CLASSES = List.of("a", "b", "c", "d", "e");

    /** (kernels, metric, path) for every implementation; GEMM only for L2; FILTER for both. */
    static Stream<Arguments> configs() {
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : KernelSelection.available()) {
            args.add(Arguments.of(Named.of(k.name(), k), Metric.L1, Path.DIRECT));
            args.add(Arguments.of(Named.of(k.name(), k), Metric.L2, Path.DIRECT));
            args.add(Arguments.of(Named.of(k.name(), k), Metric.L2, Path.GEMM));
            args.add(Arguments.of(Named.of(k.name(), k), Metric.L1, Path.FILTER));
            args.add(Arguments.of(Named.of(k.name(), k), Metric.L2, Path.FILTER));
        }
        return args.stream();
    }

    /** Every available kernel implementation (a provider of this class: one in another package is not accessible on the module path when this class runs alone). */
    static Stream<Named<Kernels>> kernelImpls() {
        return KernelSelection.available().stream().map(k -> Named.of(k.name(), k));
    }

    static Stream<Arguments> l2Configs() {
        return configs().filter(a -> a.get()[1] == Metric.L2);
    }

    // ---- data ----------------------------------------------------------------------------------

    /** Random uint8 rows with duplicates, a run of all-equal rows, and rows equal to some queries. */
    static Dataset u8Train(Random rnd, int rows, int dims) {
        Dataset ds = Dataset.allocate(Dataset.Type.UINT8, rows, dims, labels(rnd, rows), CLASSES);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                int v;
                if (r % 10 == 3) {
                    v = 7; // all-equal rows: identical distances to every query, ties by index
                } else if (r % 10 == 6 && r > 6) {
                    v = ds.u8(r - 5, c); // duplicate of an earlier row
                } else {
                    // Few values: many exactly equal distances.
                    v = rnd.nextInt(4) * 85;
                }
                ds.setU8(r, c, v);
            }
        }
        return ds;
    }

    static Dataset u8Queries(Random rnd, Dataset train, int rows) {
        int dims = train.dims();
        Dataset ds = Dataset.allocate(Dataset.Type.UINT8, rows, dims, labels(rnd, rows), CLASSES);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                // Some queries are training rows (distance 0).
                ds.setU8(r, c, r % 4 == 0 ? train.u8(r % train.rows(), c) : rnd.nextInt(4) * 85);
            }
        }
        return ds;
    }

    static Dataset f32(Random rnd, int rows, int dims, Dataset copyFrom) {
        Dataset ds = Dataset.allocate(Dataset.Type.FLOAT32, rows, dims, labels(rnd, rows), CLASSES);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                ds.setF32(r, c, copyFrom != null && r % 5 == 0 ? copyFrom.f32(r % copyFrom.rows(), c)
                        : (float) rnd.nextGaussian());
            }
        }
        if (copyFrom == null && rows > 20) {
            for (int c = 0; c < dims; c++) {
                ds.setF32(11, c, ds.f32(2, c)); // a duplicate
            }
        }
        return ds;
    }

    static int[] labels(Random rnd, int n) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = rnd.nextInt(CLASSES.size());
        }
        return l;
    }

    static KnnOptions options(Kernels k, Metric m, Path p, int threads) {
        return new KnnOptions(m, Weights.UNIFORM, threads, p, k);
    }

    static void assertSame(Neighbors got, Neighbors want, String what) {
        assertThat(got.k()).isEqualTo(want.k());
        for (int q = 0; q < want.queries(); q++) {
            for (int r = 0; r < want.k(); r++) {
                assertThat(got.index(q, r)).as("%s query %d rank %d index", what, q, r).isEqualTo(want.index(q, r));
                assertThat(got.distance(q, r)).as("%s query %d rank %d distance", what, q, r)
                        .isEqualTo(want.distance(q, r));
            }
        }
    }

    // ---- exact agreement -----------------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("configs")
    void uint8MatchesTheReferenceForEveryThreadCount(Kernels kern, Metric metric, Path path) {
        Random rnd = new Random(11);
        // d: below one vector, odd, and a real image size; 150 queries span several query blocks.
        for (int d : new int[] {5, 67, 784}) {
            try (Dataset train = u8Train(rnd, 97, d); Dataset queries = u8Queries(rnd, train, d == 784 ? 40 : 150)) {
                for (int k : new int[] {1, 5, 97}) {
                    Neighbors want = ExactReference.kneighbors(metric, train, queries, k);
                    for (int threads = 1; threads <= 4; threads++) {
                        try (KnnClassifier knn = new KnnClassifier(options(kern, metric, path, threads)).fit(train)) {
                            assertSame(knn.kneighbors(queries, k), want,
                                    "d=" + d + " k=" + k + " threads=" + threads);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("l2Configs")
    void float32L2MatchesTheDoubleReference(Kernels kern, Metric metric, Path path) {
        Random rnd = new Random(12);
        for (int d : new int[] {3, 64, 301}) {
            try (Dataset train = f32(rnd, 120, d, null); Dataset queries = f32(rnd, 70, d, train)) {
                for (int k : new int[] {1, 5, 120}) {
                    Neighbors want = ExactReference.kneighbors(metric, train, queries, k);
                    for (int threads : new int[] {1, 3}) {
                        try (KnnClassifier knn = new KnnClassifier(options(kern, metric, path, threads)).fit(train)) {
                            assertSame(knn.kneighbors(queries, k), want, "d=" + d + " k=" + k + " threads=" + threads);
                        }
                    }
                }
            }
        }
    }

    /**
     * Large-norm uint8 vectors (values 200..255, d = 3072: squared norms ~1.6e8, where a float
     * holds integers only to within 16) and training rows that differ from a query in one or two
     * elements by 1 or 2: exact squared distances 0..8, far below the GEMM's rounding. Only the
     * exact re-rank orders them.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("l2Configs")
    void uint8NearTiesAtLargeNormsAreExact(Kernels kern, Metric metric, Path path) {
        Random rnd = new Random(13);
        int d = 3072, nq = 3, perQuery = 40;
        try (Dataset queries = Dataset.allocate(Dataset.Type.UINT8, nq, d, new int[nq], CLASSES);
             Dataset train = Dataset.allocate(Dataset.Type.UINT8, nq * perQuery, d, new int[nq * perQuery], CLASSES)) {
            for (int q = 0; q < nq; q++) {
                for (int c = 0; c < d; c++) {
                    queries.setU8(q, c, 201 + rnd.nextInt(53));
                }
                for (int r = 0; r < perQuery; r++) {
                    int row = q * perQuery + r;
                    for (int c = 0; c < d; c++) {
                        train.setU8(row, c, queries.u8(q, c));
                    }
                    int changes = 1 + r % 2;
                    for (int ch = 0; ch < changes; ch++) {
                        int c = rnd.nextInt(d);
                        int delta = (r % 3 == 0 ? 2 : 1) * (rnd.nextBoolean() ? 1 : -1);
                        train.setU8(row, c, train.u8(row, c) + delta);
                    }
                }
            }
            for (int k : new int[] {1, 5, 37}) {
                Neighbors want = ExactReference.kneighbors(metric, train, queries, k);
                for (int threads : new int[] {1, 2, 4}) {
                    try (KnnClassifier knn = new KnnClassifier(options(kern, metric, path, threads)).fit(train)) {
                        assertSame(knn.kneighbors(queries, k), want, "k=" + k + " threads=" + threads);
                    }
                }
            }
        }
    }

    /** float32 near-ties: values ~1000 differing by a few float ulps in one element. */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("l2Configs")
    void float32NearTiesAtLargeNormsAreExact(Kernels kern, Metric metric, Path path) {
        Random rnd = new Random(14);
        int d = 515, nq = 2, perQuery = 30;
        try (Dataset queries = Dataset.allocate(Dataset.Type.FLOAT32, nq, d, new int[nq], CLASSES);
             Dataset train = Dataset.allocate(Dataset.Type.FLOAT32, nq * perQuery, d, new int[nq * perQuery], CLASSES)) {
            for (int q = 0; q < nq; q++) {
                for (int c = 0; c < d; c++) {
                    queries.setF32(q, c, 1000f + rnd.nextInt(1000) / 8f);
                }
                for (int r = 0; r < perQuery; r++) {
                    int row = q * perQuery + r;
                    for (int c = 0; c < d; c++) {
                        train.setF32(row, c, queries.f32(q, c));
                    }
                    int c = rnd.nextInt(d);
                    float v = train.f32(row, c);
                    for (int step = 0; step < 1 + r % 4; step++) {
                        v = rnd.nextBoolean() ? Math.nextUp(v) : Math.nextDown(v);
                    }
                    train.setF32(row, c, v);
                }
            }
            for (int k : new int[] {1, 7, 60}) {
                Neighbors want = ExactReference.kneighbors(metric, train, queries, k);
                for (int threads : new int[] {1, 2}) {
                    try (KnnClassifier knn = new KnnClassifier(options(kern, metric, path, threads)).fit(train)) {
                        assertSame(knn.kneighbors(queries, k), want, "k=" + k + " threads=" + threads);
                    }
                }
            }
        }
    }

    @Test
    void gemmAndDirectPathsAgreeAndAutoSwitches() {
        Random rnd = new Random(15);
        Kernels k = KernelSelection.current().kernels();
        // 200 queries x 784 dims = 156800 >= 128000: AUTO takes GEMM; fewer queries stay direct.
        try (Dataset train = u8Train(rnd, 300, 784); Dataset queries = u8Queries(rnd, train, 200)) {
            Neighbors direct = new KnnClassifier(options(k, Metric.L2, Path.DIRECT, 2)).fit(train).kneighbors(queries, 9);
            try (KnnClassifier gemm = new KnnClassifier(options(k, Metric.L2, Path.GEMM, 2)).fit(train);
                 KnnClassifier auto = new KnnClassifier(options(k, Metric.L2, Path.AUTO, 1)).fit(train)) {
                assertSame(gemm.kneighbors(queries, 9), direct, "gemm");
                assertSame(auto.kneighbors(queries, 9), direct, "auto");
            }
        }
    }

    // ---- float32 L1: float sums select candidates, exact double sums decide ----------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernelImpls")
    void float32L1EqualsTheReferenceForAnyKernelAndThreadCount(Kernels kern) {
        Random rnd = new Random(16);
        int d = 203;
        try (Dataset train = f32(rnd, 150, d, null); Dataset queries = f32(rnd, 90, d, train)) {
            int k = 10;
            Neighbors want = ExactReference.kneighbors(Metric.L1, train, queries, k);
            for (int threads = 1; threads <= 4; threads++) {
                Neighbors got = new KnnClassifier(options(kern, Metric.L1, Path.AUTO, threads)).fit(train)
                        .kneighbors(queries, k);
                assertSame(got, want, kern.name() + " threads=" + threads);
            }
        }
    }

    /**
     * Near-ties that float sums get wrong: training rows that are permutations of each other's
     * differences to the query (the same exact L1 distance up to double rounding, different float
     * sums in different orders) and rows one ulp apart. Scalar and SIMD kernels sum in different
     * orders; the exact re-rank makes both equal the reference.
     */
    @Test
    void float32L1NearTiesDoNotDependOnTheKernel() {
        Random rnd = new Random(99);
        int d = 301;
        int n = 120;
        int[] labels = new int[n];
        try (Dataset train = Dataset.allocate(Dataset.Type.FLOAT32, n, d, labels, CLASSES);
             Dataset query = Dataset.allocate(Dataset.Type.FLOAT32, 1, d, new int[1], CLASSES)) {
            float[] base = new float[d];
            for (int c = 0; c < d; c++) {
                base[c] = (float) (rnd.nextGaussian() * 1e3);
                query.setF32(0, c, 0f);
            }
            for (int r = 0; r < n; r++) {
                // every row: a random permutation of the same magnitudes with random signs, some nudged by an ulp
                int[] perm = new int[d];
                for (int c = 0; c < d; c++) {
                    perm[c] = c;
                }
                for (int c = d - 1; c > 0; c--) {
                    int x = rnd.nextInt(c + 1);
                    int t = perm[c];
                    perm[c] = perm[x];
                    perm[x] = t;
                }
                for (int c = 0; c < d; c++) {
                    float v = base[perm[c]] * (rnd.nextBoolean() ? 1 : -1);
                    if (r % 7 == 3 && c == 0) {
                        v = Math.nextUp(v);
                    }
                    train.setF32(r, c, v);
                }
            }
            Neighbors want = ExactReference.kneighbors(Metric.L1, train, query, 25);
            for (Kernels kern : new Kernels[] {io.vecml.engine.kernels.ScalarKernels.INSTANCE,
                io.vecml.engine.kernels.KernelSelection.current().kernels()}) {
                for (int threads = 1; threads <= 3; threads++) {
                    Neighbors got = new KnnClassifier(options(kern, Metric.L1, Path.AUTO, threads)).fit(train)
                            .kneighbors(query, 25);
                    assertSame(got, want, kern.name() + " threads=" + threads);
                }
            }
        }
    }

    // ---- voting ----------------------------------------------------------------------------------

    /** One-feature uint8 training set: (value, label) pairs. */
    static Dataset tiny(int[] values, int[] labels) {
        Dataset ds = Dataset.allocate(Dataset.Type.UINT8, values.length, 1, labels, CLASSES);
        for (int i = 0; i < values.length; i++) {
            ds.setU8(i, 0, values[i]);
        }
        return ds;
    }

    @Test
    void distanceWeightsGiveZeroDistancesAllTheWeight() {
        try (Dataset train = tiny(new int[] {0, 0, 5, 5, 5}, new int[] {2, 1, 0, 0, 0});
             Dataset query = tiny(new int[] {0}, new int[] {0})) {
            KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L1)).fit(train);
            Neighbors nb = knn.kneighbors(query, 5);
            // Uniform: three votes for 0. Distance: the two exact matches (labels 2 and 1) take all
            // the weight, one each, and the tie goes to the smaller label.
            assertThat(knn.predictAll(nb, new int[] {5}, Weights.UNIFORM)[0][0]).isZero();
            assertThat(knn.predictAll(nb, new int[] {5}, Weights.DISTANCE)[0][0]).isEqualTo(1);
            assertThat(knn.predictAll(nb, new int[] {1}, Weights.DISTANCE)[0][0]).isEqualTo(2);
        }
    }

    @Test
    void distanceWeightsAreInverseDistances() {
        // Distances 1 (label 3) vs 2 and 2 (label 4): weights 1 vs 0.5 + 0.5, a tie -> 3; with a
        // third label-4 row at 3: 1 vs 1.33 -> 4. Uniform with k = 3: 4.
        try (Dataset train = tiny(new int[] {11, 12, 8, 13}, new int[] {3, 4, 4, 4});
             Dataset query = tiny(new int[] {10}, new int[] {0})) {
            KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L2).withWeights(Weights.DISTANCE)).fit(train);
            Neighbors nb = knn.kneighbors(query, 4);
            assertThat(nb.indices()).containsExactly(0, 1, 2, 3);
            assertThat(nb.distances()).containsExactly(1, 2, 2, 3);
            int[][] p = knn.predictAll(nb, new int[] {1, 3, 4}, Weights.DISTANCE);
            assertThat(p[0][0]).isEqualTo(3);
            assertThat(p[1][0]).isEqualTo(3);
            assertThat(p[2][0]).isEqualTo(4);
            assertThat(knn.predict(query, 3)).containsExactly(3);
        }
    }

    @Test
    void voteTiesGoToTheSmallestLabelAndNeighbourTiesToTheSmallestIndex() {
        // Rows 0..3 all at distance 2 from the query; labels 4, 1, 3, 1.
        try (Dataset train = tiny(new int[] {12, 8, 12, 8}, new int[] {4, 1, 3, 4});
             Dataset query = tiny(new int[] {10}, new int[] {0})) {
            KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L1)).fit(train);
            Neighbors nb = knn.kneighbors(query, 4);
            assertThat(nb.indices()).containsExactly(0, 1, 2, 3);
            int[][] p = knn.predictAll(nb, new int[] {1, 2, 3, 4}, Weights.UNIFORM);
            assertThat(p[0][0]).isEqualTo(4);
            assertThat(p[1][0]).isEqualTo(1); // 4 vs 1
            assertThat(p[2][0]).isEqualTo(1); // 4, 1, 3
            assertThat(p[3][0]).isEqualTo(4); // 4 twice
        }
    }

    @Test
    void predictAllMatchesSeparatePredictions() {
        Random rnd = new Random(17);
        try (Dataset train = u8Train(rnd, 80, 20); Dataset queries = u8Queries(rnd, train, 30)) {
            int[] ks = {1, 3, 5, 8};
            for (Weights w : Weights.values()) {
                KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L2).withWeights(w)).fit(train);
                int[][] all = knn.predictAll(knn.kneighbors(queries, 8), ks, w);
                for (int i = 0; i < ks.length; i++) {
                    assertThat(all[i]).isEqualTo(knn.predict(queries, ks[i]));
                }
            }
        }
    }

    // ---- errors --------------------------------------------------------------------------------

    @Test
    void invalidArgumentsAreRejected() {
        Random rnd = new Random(18);
        try (Dataset train = u8Train(rnd, 10, 4); Dataset queries = u8Queries(rnd, train, 3);
             Dataset other = u8Train(rnd, 10, 5); Dataset floats = f32(rnd, 3, 4, null)) {
            KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L1));
            assertThatThrownBy(() -> knn.kneighbors(queries, 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("fit");
            knn.fit(train);
            assertThat(knn.kneighbors(queries, 10).k()).isEqualTo(10);
            assertThatThrownBy(() -> knn.kneighbors(queries, 11)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1..10");
            assertThatThrownBy(() -> knn.kneighbors(queries, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> knn.kneighbors(other, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("features");
            assertThatThrownBy(() -> knn.kneighbors(floats, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("FLOAT32");
            Neighbors nb = knn.kneighbors(queries, 3);
            assertThatThrownBy(() -> knn.predictAll(nb, new int[] {4}, Weights.UNIFORM))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> KnnOptions.of(Metric.L1).withPath(Path.GEMM))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> KnnOptions.of(Metric.L1).withThreads(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
