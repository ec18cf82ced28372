package io.vecml.engine.knn;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.kernels.Kernels;

/**
 * What every producer and consumer of one neighbour search shares: the training set, the queries,
 * the metric, the kernels and k. Distances are L1, or squared L2 (the ranking distance).
 */
record SearchContext(Dataset train, Dataset queries, Metric metric, Kernels kernels, int k) {

    int dims() {
        return train.dims();
    }

    boolean uint8() {
        return train.type() == Dataset.Type.UINT8;
    }

    boolean l2() {
        return metric == Metric.L2;
    }

    /** Training rows per tile of the direct producers: {@link KnnSearch#TRAIN_BLOCK_BYTES} of rows, 16..4096, even. */
    int trainBlock() {
        long rowBytes = train.stride() * train.type().bytes;
        return (int) Math.max(16, Math.min(KnnSearch.TRAIN_BLOCK_BYTES / Math.max(1, rowBytes), 4096)) & ~1;
    }
}
