package io.vecml.spark;

import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.Neighbors;
import io.vecml.engine.knn.Weights;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The exact distributed kNN, in three pure steps: each shard's top-k with the engine
 * ({@link #search}), the merge of the shards' lists by (distance, global training index)
 * ({@link #merge}) and the vote ({@link #voteShares}).
 *
 * <p>Why the answer equals the single-node engine's for any sharding: the engine's distance of one
 * (query, training row) pair does not depend on the other rows (uint8 distances are exact integers,
 * float32 L2 is summed in double in feature order, float32 L1 in one fixed order per pair), and within a
 * shard rows keep the order of their global index, so a shard's top-k by (distance, local index) is its
 * top-k by (distance, global index). The global top-k is the top-k of the union of the shards' top-k
 * lists; sorting the union by (rank key, global index) gives the engine's list (the rank key is the
 * reported distance for L1 and the squared distance for L2, see {@link #squaredL2}), and the vote below is
 * the engine's vote, operation for operation.
 */
final class KnnShards {

    private KnnShards() {
    }

    /** One shard's nearest rows of every query of a block: {@code queries x k} global indices and distances. */
    record Partial(int queries, int k, long[] index, double[] distance, double[] key, int[] label)
            implements Serializable {
    }

    /** For tests: the number of shard searches that fail on their first attempt (retry injection). */
    static final AtomicInteger FAIL_FIRST_ATTEMPTS = new AtomicInteger();

    /** Searches {@code shard} for the {@code min(k, shard rows)} nearest rows of every query. */
    static Partial search(Block shard, Block queries, int k, Metric metric, int threads, int[] shape) {
        org.apache.spark.TaskContext tc = org.apache.spark.TaskContext.get();
        if (tc != null && tc.attemptNumber() == 0 && FAIL_FIRST_ATTEMPTS.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("injected failure of the first attempt of a shard search (test hook)");
        }
        int kk = Math.min(k, shard.rows);
        if (kk == 0 || queries.rows == 0) {
            return new Partial(queries.rows, 0, new long[0], new double[0], new double[0], new int[0]);
        }
        List<String> names = Block.classNames(max(shard.labels) + 1);
        try (Dataset train = shard.toDataset(names, KnnParams.toShape(shape)); Dataset q = queries.toDataset(List.of("query"));
                KnnModel m = new KnnModel(new KnnModel.Params(1, metric, Weights.UNIFORM), new RunOptions(threads))) {
            m.fit(train);
            Neighbors nb = m.kneighbors(q, kk);
            long[] idx = new long[nb.indices().length];
            int[] lab = new int[idx.length];
            double[] key = metric == Metric.L2 ? new double[idx.length] : nb.distances();
            for (int i = 0; i < idx.length; i++) {
                int local = nb.indices()[i];
                idx[i] = shard.index[local];
                lab[i] = shard.labels[local];
                if (metric == Metric.L2) {
                    key[i] = squaredL2(queries, i / kk, shard, local);
                }
            }
            return new Partial(queries.rows, kk, idx, nb.distances(), key, lab);
        }
    }

    /**
     * The engine's L2 rank key: the squared distance as a double sum of squared differences in feature
     * order (exact integers for uint8 rows). The engine reports its square root, and two keys one ulp
     * apart can have the same square root; merging by the reported distance would then order such a
     * near-tie by index where the engine orders it by key.
     */
    static double squaredL2(Block q, int qi, Block t, int ti) {
        int d = q.dims;
        double s = 0;
        for (int c = 0; c < d; c++) {
            double diff = (double) value(q, qi * d + c) - value(t, ti * d + c);
            s += diff * diff;
        }
        return s;
    }

    private static float value(Block b, int i) {
        return b.uint8() ? Byte.toUnsignedInt(b.u8[i]) : b.f32[i];
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** The {@code k} nearest of every query over all shards, ordered by (distance, global index). */
    static Merged merge(List<Partial> parts, int queries, int k) {
        long[] idx = new long[queries * k];
        double[] dist = new double[queries * k];
        int[] lab = new int[queries * k];
        int[] pos = new int[parts.size()];
        for (int q = 0; q < queries; q++) {
            java.util.Arrays.fill(pos, 0);
            for (int r = 0; r < k; r++) {
                int best = -1;
                for (int p = 0; p < parts.size(); p++) {
                    Partial s = parts.get(p);
                    if (pos[p] >= s.k()) {
                        continue;
                    }
                    if (best < 0 || before(s, q, pos[p], parts.get(best), pos[best])) {
                        best = p;
                    }
                }
                if (best < 0) {
                    throw new IllegalStateException("the shards found fewer than k = " + k + " neighbours");
                }
                Partial s = parts.get(best);
                idx[q * k + r] = s.index()[q * s.k() + pos[best]];
                dist[q * k + r] = s.distance()[q * s.k() + pos[best]];
                lab[q * k + r] = s.label()[q * s.k() + pos[best]];
                pos[best]++;
            }
        }
        return new Merged(queries, k, idx, dist, lab);
    }

    private static boolean before(Partial a, int q, int ia, Partial b, int ib) {
        double da = a.key()[q * a.k() + ia];
        double db = b.key()[q * b.k() + ib];
        if (da != db) {
            return da < db;
        }
        return a.index()[q * a.k() + ia] < b.index()[q * b.k() + ib];
    }

    /** Merged neighbour lists (global indices; row-major like the engine's {@link Neighbors}). */
    record Merged(int queries, int k, long[] index, double[] distance, int[] label) implements Serializable {
    }

    /**
     * Vote shares of every query, as {@code KnnModel.predictProba}: uniform weights count 1 each,
     * distance weights 1/d, and when a neighbour is at distance 0 only those at distance 0 vote.
     */
    static double[] voteShares(Merged nb, int classes, Weights weights) {
        int[] labelOf = nb.label();
        int k = nb.k();
        double[] v = new double[nb.queries() * classes];
        for (int q = 0; q < nb.queries(); q++) {
            boolean zero = false;
            if (weights == Weights.DISTANCE) {
                for (int r = 0; r < k; r++) {
                    zero |= nb.distance()[q * k + r] == 0;
                }
            }
            double sum = 0;
            for (int r = 0; r < k; r++) {
                double d = nb.distance()[q * k + r];
                double w = weights == Weights.UNIFORM ? 1 : zero ? (d == 0 ? 1 : 0) : 1 / d;
                v[q * classes + labelOf[q * k + r]] += w;
                sum += w;
            }
            for (int c = 0; c < classes; c++) {
                v[q * classes + c] /= sum;
            }
        }
        return v;
    }

    /** The class with the highest share, ties to the smallest class (as the engine). */
    static int argmax(double[] shares, int q, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (shares[q * classes + c] > shares[q * classes + best]) {
                best = c;
            }
        }
        return best;
    }
}
