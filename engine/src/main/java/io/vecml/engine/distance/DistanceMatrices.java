package io.vecml.engine.distance;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Full query x train distance matrices (row-major, queries.rows() x train.rows()), by the direct
 * kernels or through GEMM. These are the building blocks (and the references) of the kNN paths.
 */
public final class DistanceMatrices {

    private DistanceMatrices() {
    }

    /** Exact integer distances of uint8 data (L1, or squared L2) with the given kernels. */
    public static long[] exactU8(Kernels k, Metric metric, Dataset queries, Dataset train) {
        requireSameDims(queries, train);
        require(queries, Dataset.Type.UINT8);
        require(train, Dataset.Type.UINT8);
        int nq = queries.rows(), nt = train.rows(), d = train.dims();
        long[] out = new long[Math.multiplyExact(nq, nt)];
        for (int i = 0; i < nq; i++) {
            long q = queries.rowOffset(i);
            if (metric == Metric.L1) {
                k.l1U8Rows(queries.segment(), q, train.segment(), 0, train.stride(), nt, d, out, i * nt);
            } else {
                k.l2sqU8Rows(queries.segment(), q, train.segment(), 0, train.stride(), nt, d, out, i * nt);
            }
        }
        return out;
    }

    /** float32 distances (L1, or squared L2) with the given kernels. */
    public static float[] directF32(Kernels k, Metric metric, Dataset queries, Dataset train) {
        requireSameDims(queries, train);
        require(queries, Dataset.Type.FLOAT32);
        require(train, Dataset.Type.FLOAT32);
        int nq = queries.rows(), nt = train.rows(), d = train.dims();
        float[] out = new float[Math.multiplyExact(nq, nt)];
        for (int i = 0; i < nq; i++) {
            long q = queries.rowOffset(i);
            if (metric == Metric.L1) {
                k.l1F32Rows(queries.segment(), q, train.segment(), 0, train.stride(), nt, d, out, i * nt);
            } else {
                k.l2sqF32Rows(queries.segment(), q, train.segment(), 0, train.stride(), nt, d, out, i * nt);
            }
        }
        return out;
    }

    /**
     * Squared L2 distances of float32 data through one GEMM: ||q||^2 + ||t||^2 - 2 q.t, clamped at
     * 0 (cancellation can make it slightly negative). Its rounding error grows with the norms:
     * callers needing exact rankings re-rank near-ties with direct distances.
     */
    public static float[] l2sqGemm(Gemm gemm, Kernels k, Dataset queries, Dataset train) {
        requireSameDims(queries, train);
        require(queries, Dataset.Type.FLOAT32);
        require(train, Dataset.Type.FLOAT32);
        int nq = queries.rows(), nt = train.rows(), d = train.dims();
        float[] qn = norms(k, queries), tn = norms(k, train);
        float[] out = new float[Math.multiplyExact(nq, nt)];
        if (nq == 0 || nt == 0) {
            return out;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = arena.allocate((long) nq * nt * Float.BYTES, 64);
            gemm.sgemm(false, true, nq, nt, d, -2f, queries.segment(), 0, (int) queries.stride(),
                    train.segment(), 0, (int) train.stride(), 0f, c, 0, nt);
            MemorySegment.copy(c, ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
        }
        for (int i = 0; i < nq; i++) {
            int base = i * nt;
            for (int j = 0; j < nt; j++) {
                float v = out[base + j] + qn[i] + tn[j];
                out[base + j] = v > 0 ? v : 0f;
            }
        }
        return out;
    }

    /** Squared L2 norm of every row. */
    public static float[] norms(Kernels k, Dataset ds) {
        float[] n = new float[ds.rows()];
        for (int i = 0; i < n.length; i++) {
            long o = ds.rowOffset(i);
            n[i] = k.dotF32(ds.segment(), o, ds.segment(), o, ds.dims());
        }
        return n;
    }

    /** Index of the nearest row for each query: smallest distance, ties to the smallest index. */
    public static int[] nearest(long[] dist, int nq, int nt) {
        int[] out = new int[nq];
        for (int i = 0; i < nq; i++) {
            int best = 0;
            for (int j = 1; j < nt; j++) {
                if (dist[i * nt + j] < dist[i * nt + best]) {
                    best = j;
                }
            }
            out[i] = nt == 0 ? -1 : best;
        }
        return out;
    }

    /** As {@link #nearest(long[], int, int)} for float distances. */
    public static int[] nearest(float[] dist, int nq, int nt) {
        int[] out = new int[nq];
        for (int i = 0; i < nq; i++) {
            int best = 0;
            for (int j = 1; j < nt; j++) {
                if (dist[i * nt + j] < dist[i * nt + best]) {
                    best = j;
                }
            }
            out[i] = nt == 0 ? -1 : best;
        }
        return out;
    }

    private static void requireSameDims(Dataset q, Dataset t) {
        if (q.dims() != t.dims()) {
            throw new IllegalArgumentException("queries have " + q.dims() + " features but the training set has " + t.dims());
        }
    }

    private static void require(Dataset ds, Dataset.Type type) {
        if (ds.type() != type) {
            throw new IllegalArgumentException("expected " + type + " data, got " + ds.type());
        }
    }
}
