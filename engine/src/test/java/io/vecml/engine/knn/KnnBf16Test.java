package io.vecml.engine.knn;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.gemm.Bf16Selection;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.knn.KnnOptions.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * uint8 L2 through the bfloat16 GEMM producer ({@link Bf16GemmTiles}): neighbour lists identical to
 * the float32 sgemm path, the direct integer path and the exact reference, including near-ties far
 * below the GEMM's rounding. Runs with this machine's own choice (OpenBLAS's cblas_sbgemm where the
 * library exports it and the CPU has avx512_bf16; otherwise sgemm, and the test says so) and with
 * the portable Java bfloat16 GEMM, so the bfloat16 producer runs on every machine.
 */
class KnnBf16Test {

    static Stream<Arguments> choices() {
        GemmSelection g = GemmSelection.current();
        List<Arguments> a = new ArrayList<>();
        a.add(Arguments.of(Named.of("this machine: " + Bf16Selection.current().choice(), Bf16Selection.current())));
        a.add(Arguments.of(Named.of("java-bf16", Bf16Selection.decide("java", g.choice(), null, false, false))));
        a.add(Arguments.of(Named.of("off", Bf16Selection.decide("off", g.choice(), null, false, false))));
        return a.stream();
    }

    /** The producer a choice must run: bfloat16 tiles when active, else sgemm tiles of the JVM's GEMM. */
    static String expectedProducer(Bf16Selection s) {
        return switch (s.choice()) {
            case "openblas" -> "gemm-bf16:openblas-sbgemm";
            case "java" -> "gemm-bf16:java-bf16";
            default -> "gemm:" + GemmSelection.current().choice();
        };
    }

    static Neighbors search(Bf16Selection s, Dataset train, Dataset queries, int k, int threads, Path path) {
        Kernels kern = KernelSelection.current().kernels();
        try (KnnClassifier knn = new KnnClassifier(new KnnOptions(Metric.L2, Weights.UNIFORM, threads, path, kern))) {
            knn.fit(train);
            knn.useBf16(s);
            Neighbors nb = knn.kneighbors(queries, k);
            if (path == Path.GEMM) {
                assertThat(knn.lastBruteForce()).as("the producer that ran").isEqualTo(expectedProducer(s));
            }
            return nb;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("choices")
    void sameNeighboursAsSgemmDirectAndTheReference(Bf16Selection s) {
        System.out.println("uint8 L2 GEMM producer with bfloat16 choice " + s.choice() + ": " + expectedProducer(s)
                + " (" + s.reason() + ")");
        Random rnd = new Random(21);
        for (int d : new int[] {5, 67, 784}) {
            try (Dataset train = KnnClassifierTest.u8Train(rnd, 301, d);
                 Dataset queries = KnnClassifierTest.u8Queries(rnd, train, 300)) {
                for (int k : new int[] {1, 5, 40}) {
                    Neighbors want = ExactReference.kneighbors(Metric.L2, train, queries, k);
                    Bf16Selection off = Bf16Selection.decide("off", "java", null, false, false);
                    for (int threads : new int[] {1, 2, 3}) {
                        String what = "d=" + d + " k=" + k + " threads=" + threads;
                        Neighbors got = search(s, train, queries, k, threads, Path.GEMM);
                        KnnClassifierTest.assertSame(got, want, what + " vs reference");
                        KnnClassifierTest.assertSame(got, search(off, train, queries, k, threads, Path.GEMM),
                                what + " vs sgemm");
                        KnnClassifierTest.assertSame(got, search(off, train, queries, k, threads, Path.DIRECT),
                                what + " vs direct");
                    }
                }
            }
        }
    }

    /**
     * Large norms (values 201..253, d = 3072) and training rows one or two units away from a query
     * in one or two elements: exact squared distances 1..8 against float32 sums that hold integers
     * only to within 16. Only the exact re-rank orders them; the bfloat16 bound must keep them all.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("choices")
    void nearTiesAtLargeNormsAreExact(Bf16Selection s) {
        Random rnd = new Random(22);
        int d = 3072, nq = 3, perQuery = 40;
        try (Dataset queries = Dataset.allocate(Dataset.Type.UINT8, nq, d, new int[nq], KnnClassifierTest.CLASSES);
             Dataset train = Dataset.allocate(Dataset.Type.UINT8, nq * perQuery, d, new int[nq * perQuery],
                     KnnClassifierTest.CLASSES)) {
            for (int q = 0; q < nq; q++) {
                for (int c = 0; c < d; c++) {
                    queries.setU8(q, c, 201 + rnd.nextInt(53));
                }
                for (int r = 0; r < perQuery; r++) {
                    int row = q * perQuery + r;
                    for (int c = 0; c < d; c++) {
                        train.setU8(row, c, queries.u8(q, c));
                    }
                    for (int ch = 0; ch < 1 + r % 2; ch++) {
                        int c = rnd.nextInt(d);
                        train.setU8(row, c, train.u8(row, c) + (r % 3 == 0 ? 2 : 1) * (rnd.nextBoolean() ? 1 : -1));
                    }
                }
            }
            for (int k : new int[] {1, 5, 37}) {
                Neighbors want = ExactReference.kneighbors(Metric.L2, train, queries, k);
                for (int threads : new int[] {1, 2}) {
                    KnnClassifierTest.assertSame(search(s, train, queries, k, threads, Path.GEMM), want,
                            "k=" + k + " threads=" + threads);
                }
            }
        }
    }

    /** The bound of the bfloat16 path is never below the sgemm path's (it allows any float32 summation). */
    @org.junit.jupiter.api.Test
    void bf16BoundCoversTheSgemmBound() {
        for (int d : new int[] {1, 2, 784, 3072, 66052}) {
            assertThat(KnnSearch.bf16GemmBound(d)).isGreaterThanOrEqualTo(KnnSearch.gemmBound(d));
        }
    }
}
