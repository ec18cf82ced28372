package io.vecml.engine.knn;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.ImageShape;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.knn.KnnOptions.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProjectionDrillTest {

    @Test
    void appliesExactlyWhereThePrincipalLevelCanBeBuilt() {
        assertThat(ProjectionDrill.applies(Metric.L2, 784)).isTrue();
        assertThat(ProjectionDrill.applies(Metric.L2, PooledBounds.PCA_MAX_DIMS)).isTrue();
        assertThat(ProjectionDrill.applies(Metric.L2, PooledBounds.PCA_MAX_DIMS + 1)).isFalse();
        assertThat(ProjectionDrill.applies(Metric.L2, 3072)).isFalse();
        assertThat(ProjectionDrill.applies(Metric.L2, 2 * PooledBounds.PCA_COMPONENTS)).isFalse();
        assertThat(ProjectionDrill.applies(Metric.L2, 2 * PooledBounds.PCA_COMPONENTS + 1)).isTrue();
        assertThat(ProjectionDrill.applies(Metric.L1, 784)).isFalse();
        Kernels k = KernelSelection.current().kernels();
        assertThat(ProjectionDrill.run(k, Metric.L2, 784, 50, () -> false)).isEqualTo(50);
        assertThat(ProjectionDrill.run(k, Metric.L1, 784, 50, () -> false)).isZero();
        assertThat(ProjectionDrill.run(k, Metric.L2, 3072, 50, () -> false)).isZero();
        // stops when told, checked before every call
        assertThat(ProjectionDrill.run(k, Metric.L2, 784, 50, () -> true)).isZero();
        AtomicInteger asked = new AtomicInteger();
        assertThat(ProjectionDrill.run(k, Metric.L2, 784, 50, () -> asked.incrementAndGet() > 7)).isEqualTo(7);
    }

    /** Every kernel set: a principal-level search gives the same neighbours before and after the drill. */
    @Test
    void leavesTheSearchUnchanged() {
        ImageShape grey = ImageShape.grey(28, 28);
        Dataset[] d = KnnFilterTest.data(grey, 600, 40, 4, 4, 13);
        try (Dataset train = d[0]; Dataset queries = d[1]) {
            Neighbors want = ExactReference.kneighbors(Metric.L2, train, queries, 3);
            for (Kernels k : KernelSelection.available()) {
                Neighbors before;
                try (KnnClassifier knn = new KnnClassifier(
                        new KnnOptions(Metric.L2, Weights.UNIFORM, 2, Path.FILTER, k)).fit(train)) {
                    before = knn.kneighbors(queries, 3);
                    assertThat(knn.pooledBoundsIfBuilt().principalIfBuilt()).as(k.name()).isNotNull();
                }
                KnnClassifierTest.assertSame(before, want, k.name());
                assertThat(ProjectionDrill.run(k, Metric.L2, grey.dims(), 300, () -> false)).isEqualTo(300);
                try (KnnClassifier knn = new KnnClassifier(
                        new KnnOptions(Metric.L2, Weights.UNIFORM, 2, Path.FILTER, k)).fit(train)) {
                    KnnClassifierTest.assertSame(knn.kneighbors(queries, 3), before, k.name() + " after the drill");
                }
            }
        }
    }
}
