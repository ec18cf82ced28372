package io.vecml.engine.knn;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The plain exact kNN the engine is tested against: every distance in long (uint8) or double
 * (float32, summed in index order), a full sort by (distance, index), the first k.
 */
final class ExactReference {

    private ExactReference() {
    }

    /** Squared L2 or L1 "ranking" distance of query row i to training row j. */
    static double rank(Metric metric, Dataset q, int i, Dataset t, int j) {
        if (q.type() == Dataset.Type.UINT8) {
            long s = 0;
            for (int c = 0; c < q.dims(); c++) {
                long diff = q.u8(i, c) - t.u8(j, c);
                s += metric == Metric.L1 ? Math.abs(diff) : diff * diff;
            }
            return s;
        }
        double s = 0;
        for (int c = 0; c < q.dims(); c++) {
            double diff = (double) q.f32(i, c) - t.f32(j, c);
            s += metric == Metric.L1 ? Math.abs(diff) : diff * diff;
        }
        return s;
    }

    static Neighbors kneighbors(Metric metric, Dataset train, Dataset queries, int k) {
        int nq = queries.rows();
        int nt = train.rows();
        int[] idx = new int[nq * k];
        double[] dist = new double[nq * k];
        for (int i = 0; i < nq; i++) {
            double[] d = new double[nt];
            Integer[] order = new Integer[nt];
            for (int j = 0; j < nt; j++) {
                d[j] = rank(metric, queries, i, train, j);
                order[j] = j;
            }
            Arrays.sort(order, Comparator.<Integer>comparingDouble(j -> d[j]).thenComparingInt(j -> j));
            for (int r = 0; r < k; r++) {
                idx[i * k + r] = order[r];
                dist[i * k + r] = metric == Metric.L2 ? Math.sqrt(d[order[r]]) : d[order[r]];
            }
        }
        return new Neighbors(nq, k, idx, dist);
    }
}
