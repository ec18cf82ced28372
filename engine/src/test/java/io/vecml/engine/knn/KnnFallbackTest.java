package io.vecml.engine.knn;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.knn.KnnOptions.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * When pooled bounds do not prune (random rows), the filter path stops starting filter units and
 * plans the queries not yet started again as brute force, with the brute-force producer of the
 * metric (GEMM for L2 when the query block is large enough, exact tiles otherwise): answers equal
 * the exact reference whatever the threads, and most queries went the brute-force way.
 */
class KnnFallbackTest {

    @Test
    void unstartedQueriesArePlannedAgainAsBruteForce() {
        Random rnd = new Random(31);
        Kernels kern = KernelSelection.current().kernels();
        // 700 queries: 11 filter units of 64 with one thread, so most units have not started when
        // the first 16 queries show that the bounds do not prune.
        try (Dataset train = KnnClassifierTest.u8Train(rnd, 400, 200);
             Dataset queries = KnnClassifierTest.u8Queries(rnd, train, 700)) {
            for (Metric m : Metric.values()) {
                for (int k : new int[] {1, 4}) {
                    Neighbors want = ExactReference.kneighbors(m, train, queries, k);
                    for (int threads : new int[] {1, 2, 3}) {
                        try (KnnClassifier knn = new KnnClassifier(
                                new KnnOptions(m, Weights.UNIFORM, threads, Path.FILTER, kern)).fit(train)) {
                            String what = m + " k=" + k + " threads=" + threads;
                            KnnClassifierTest.assertSame(knn.kneighbors(queries, k), want, what);
                            KnnSearch.FilterStats st = knn.lastFilterStats();
                            assertThat(st.useless).as(what + ": %s", st).isTrue();
                            // Every query is answered once: refined by the filter or by brute force.
                            assertThat(st.queries.get() + st.fallbackQueries.get()).as(what + ": %s", st)
                                    .isEqualTo(queries.rows());
                            assertThat(st.fallbackQueries.get()).as(what + ": %s", st)
                                    .isGreaterThan(queries.rows() / 2);
                            assertThat(knn.lastBruteForce()).as(what)
                                    .isEqualTo(m == Metric.L2
                                            ? KnnBf16Test.expectedProducer(io.vecml.engine.gemm.Bf16Selection.current())
                                            : "direct-tiles");
                        }
                    }
                }
            }
        }
    }
}
