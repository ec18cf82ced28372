package io.vecml.engine.knn;

import io.vecml.engine.distance.Metric;
import io.vecml.engine.kernels.Kernels;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * Calls the projection kernel of the principal-direction level ({@link Kernels#accumulateRowsF64}, used
 * by {@link PcaBasis} for its subspace iteration and for every pooled row) on small scratch arrays with
 * the real number of directions, for a warm-up (issue 13, cold runs). A warm-up search on a small
 * synthetic set never builds that level (the probe needs more queries, and a PCA of its own cost
 * more than the loading time it has), so until now the kernel first ran, boxed, in the real search;
 * calling it directly is cheap and asks for its compilation while the data loads.
 *
 * <p>It writes only its own arrays and returns nothing a search uses: it cannot change a result.
 */
public final class ProjectionDrill {

    private ProjectionDrill() {
    }

    /**
     * Whether a search with this metric on uint8 rows of {@code dims} features can build the
     * principal-direction level (the same test as {@link PooledBounds#build}).
     */
    public static boolean applies(Metric metric, int dims) {
        return metric == Metric.L2 && dims <= PooledBounds.PCA_MAX_DIMS && dims > 2 * PooledBounds.PCA_COMPONENTS;
    }

    /**
     * Up to {@code calls} calls of the kernel (sparse rows of 8 to 64 non-zeros over {@code dims}
     * features, {@link PooledBounds#PCA_COMPONENTS} directions), stopping early when {@code stop}
     * says so; none when the level does not apply. Returns the calls made.
     */
    public static int run(Kernels kernels, Metric metric, int dims, int calls, BooleanSupplier stop) {
        if (!applies(metric, dims)) {
            return 0;
        }
        int m = PooledBounds.PCA_COMPONENTS;
        double[] w = new double[dims * m];
        for (int i = 0; i < w.length; i++) {
            w[i] = ((i * 37) % 101 - 50) / 64.0;
        }
        int[] rows = new int[dims];
        double[] x = new double[dims];
        for (int i = 0; i < dims; i++) {
            rows[i] = (i * 7) % dims;
            x[i] = i % 256;
        }
        double[] acc = new double[m];
        int c = 0;
        for (; c < calls && !stop.getAsBoolean(); c++) {
            Arrays.fill(acc, 0);
            kernels.accumulateRowsF64(w, m, rows, x, 8 + (c * 13) % 57, acc);
        }
        return c;
    }
}
