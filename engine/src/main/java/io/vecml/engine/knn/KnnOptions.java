package io.vecml.engine.knn;

import io.vecml.engine.distance.Metric;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import java.util.Objects;

/**
 * Settings of a {@link KnnClassifier}. None of them changes the neighbours found (except
 * {@code kernels} for float32 L1 data, whose float sums depend on the summation order: see
 * {@link KnnClassifier}); they only change how fast they are found.
 *
 * @param metric  L1 or L2
 * @param weights how neighbours vote in {@link KnnClassifier#predict}
 * @param threads Java threads (and OpenBLAS threads when a single Java thread runs a GEMM), >= 1
 * @param path    {@link Path#AUTO}, or force the direct kernels or the GEMM path (L2 only)
 * @param kernels the distance kernels
 */
public record KnnOptions(Metric metric, Weights weights, int threads, Path path, Kernels kernels) {

    /**
     * How distances are computed; every path finds the same exact neighbours.
     * <ul>
     *   <li>{@code DIRECT}: brute force with the distance kernels.</li>
     *   <li>{@code GEMM} (L2 only): brute force, approximate distances from a matrix product,
     *       candidates within a proven error bound re-ranked exactly.</li>
     *   <li>{@code FILTER} (uint8 data, L1 or L2): exact filter and refine. Lower bounds from block
     *       sums (spatial blocks of images, runs of features otherwise; for L2 up to 1024 dimensions,
     *       48 principal directions of the training set plus the residual norm) for every pair, exact
     *       distances only for rows whose bound does not rule them out. Fast on images and other
     *       data whose neighbouring features are correlated; when the bounds turn out not to prune,
     *       the remaining queries take brute force. On float32 data it means {@code AUTO}.</li>
     *   <li>{@code AUTO}: {@code FILTER} for uint8 data with at least {@link #FILTER_MIN_ROWS}
     *       training rows; otherwise, for L2, {@code GEMM} when queries x dimensions >=
     *       {@link KnnOptions#GEMM_MIN_WORK} (the switch point FAISS uses), else {@code DIRECT}.</li>
     * </ul>
     */
    public enum Path {
        AUTO, DIRECT, GEMM, FILTER
    }

    /** Training rows from which {@link Path#AUTO} takes the filter path for uint8 data. */
    public static final int FILTER_MIN_ROWS = 1000;

    /** Queries x dimensions from which {@link Path#AUTO} takes the GEMM path for L2. */
    public static final long GEMM_MIN_WORK = 128_000;

    public KnnOptions {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(kernels, "kernels");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (path == Path.GEMM && metric != Metric.L2) {
            throw new IllegalArgumentException("the GEMM path computes L2 distances only, metric is " + metric);
        }
    }

    /** The defaults for a metric: uniform weights, every available processor, AUTO path, the selected kernels. */
    public static KnnOptions of(Metric metric) {
        return new KnnOptions(metric, Weights.UNIFORM, Runtime.getRuntime().availableProcessors(), Path.AUTO,
                KernelSelection.current().kernels());
    }

    public KnnOptions withWeights(Weights w) {
        return new KnnOptions(metric, w, threads, path, kernels);
    }

    public KnnOptions withThreads(int t) {
        return new KnnOptions(metric, weights, t, path, kernels);
    }

    public KnnOptions withPath(Path p) {
        return new KnnOptions(metric, weights, threads, p, kernels);
    }

    public KnnOptions withKernels(Kernels k) {
        return new KnnOptions(metric, weights, threads, path, k);
    }
}
