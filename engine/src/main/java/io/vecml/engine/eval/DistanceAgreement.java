package io.vecml.engine.eval;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.DistanceMatrices;
import io.vecml.engine.knn.ErrorBounds;
import java.util.Locale;

/**
 * Whether distance matrices computed by other paths (SIMD kernels, GEMM) agree with the scalar
 * reference: exactly for integer (uint8) data, within the engine's proven rounding bounds otherwise.
 * Used by the demo to check every path it times.
 */
public final class DistanceAgreement {

    /**
     * @param same   within the allowed error
     * @param maxRel largest |got - ref| / max(1, |ref|)
     * @param text   "exact", "within float rounding (max rel ...)" or "DIFFERS (max rel ...)"
     */
    public record Check(boolean same, double maxRel, String text) {
        static Check of(boolean same, double maxRel) {
            return new Check(same, maxRel, same ? (maxRel == 0 ? "exact" : String.format(Locale.ROOT,
                    "within float rounding (max rel %.1e)", maxRel))
                    : String.format(Locale.ROOT, "DIFFERS (max rel %.2e)", maxRel));
        }
    }

    private DistanceAgreement() {
    }

    /**
     * Two direct computations of the same matrix (e.g. SIMD against scalar kernels): integers must be equal;
     * float sums in another order may differ by a few ulps per term, a relative 4e-7 x d allows it.
     */
    public static Check direct(double[] ref, double[] got, boolean integer, int dims) {
        double e = maxRel(ref, got);
        return Check.of(integer ? e == 0 : e <= 4e-7 * dims, e);
    }

    /**
     * Squared L2 distances from {@link DistanceMatrices#l2sqGemm} against the exact ones ({@code refL2}) of
     * {@code q} x {@code t}. Uint8 data whose dot products stay below 2^24 is exact in float, so any difference
     * is a bug. Otherwise the bound is the kNN GEMM path's ({@link ErrorBounds#gemmL2}) plus what forming the
     * result in float adds: float norms (gamma_d each) and two float additions (u times at most
     * 2 (||q||^2 + ||t||^2) each), all times ||q||^2 + ||t||^2.
     */
    public static Check gemmL2(double[] refL2, float[] got, Dataset q, Dataset t) {
        int d = q.dims();
        boolean exactInFloat = q.type() == Dataset.Type.UINT8 && t.type() == Dataset.Type.UINT8
                && (double) d * 255 * 255 < (1 << 24);
        double g = ErrorBounds.gemmL2(d) + ErrorBounds.gamma(d) + 6 * 0x1p-24;
        double[] nq = squaredNorms(q);
        double[] nt = squaredNorms(t);
        int cols = t.rows();
        boolean same = true;
        double e = 0;
        for (int i = 0; i < q.rows(); i++) {
            for (int j = 0; j < cols; j++) {
                double ref = refL2[i * cols + j];
                double diff = Math.abs(got[i * cols + j] - ref);
                same &= diff <= (exactInFloat ? 0 : g * (nq[i] + nt[j]));
                e = Math.max(e, diff / Math.max(1.0, ref));
            }
        }
        return Check.of(same, e);
    }

    /** Accuracy of the 1-nearest-neighbour rule given by a test x train distance matrix. */
    public static double nn1Accuracy(long[] dist, Dataset train, Dataset test) {
        return Metrics.accuracy(labels(DistanceMatrices.nearest(dist, test.rows(), train.rows()), train),
                test.labels());
    }

    /** As {@link #nn1Accuracy(long[], Dataset, Dataset)} for float distances. */
    public static double nn1Accuracy(float[] dist, Dataset train, Dataset test) {
        return Metrics.accuracy(labels(DistanceMatrices.nearest(dist, test.rows(), train.rows()), train),
                test.labels());
    }

    private static int[] labels(int[] rows, Dataset train) {
        int[] l = new int[rows.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = train.label(rows[i]);
        }
        return l;
    }

    private static double maxRel(double[] ref, double[] got) {
        double e = 0;
        for (int i = 0; i < ref.length; i++) {
            e = Math.max(e, Math.abs(got[i] - ref[i]) / Math.max(1.0, Math.abs(ref[i])));
        }
        return e;
    }

    private static double[] squaredNorms(Dataset d) {
        double[] n = new double[d.rows()];
        for (int r = 0; r < d.rows(); r++) {
            double s = 0;
            for (int c = 0; c < d.dims(); c++) {
                double v = d.value(r, c);
                s += v * v;
            }
            n[r] = s;
        }
        return n;
    }
}
