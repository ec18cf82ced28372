package io.vecml.engine.knn;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.concurrent.Fork;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

/**
 * An orthonormal basis of the m leading principal directions of a uint8 training set, for the
 * coarse L2 lower bound of {@link PooledBounds} (the "pooled" vector of a row x is its m
 * coordinates in the basis plus the norm of the rest). On Fashion-MNIST, 48 principal directions
 * leave 4x fewer rows to measure exactly than 4x4 block means with the same number of values
 * (k = 5: 552 against 2161 rows per query whose bound is below the final 5th distance).
 *
 * <p>The basis only has to be good, not exact: the bound is proven for whatever rows W holds,
 * from a rigorous bound {@link #epsilon} on how far W W^T is from the identity (see
 * {@link #l2Factor}). It is estimated from at most {@link #SAMPLE} evenly spaced rows (exact
 * integer second moments), by {@link #ITERATIONS} steps of subspace iteration from a fixed random
 * start, then orthonormalised twice by modified Gram-Schmidt in double; all of it in a fixed
 * order, so the basis (and the pruning counts) do not depend on the thread count.
 */
final class PcaBasis {

    /** Rows sampled for the covariance. */
    static final int SAMPLE = 2000;
    /** Sampled rows whose second moments are added together (see compute). */
    private static final int MOM_BLOCK = 32;
    /** Subspace iterations: 4 give 97% of the pruning of the exact eigenvectors on Fashion-MNIST. */
    static final int ITERATIONS = 4;
    /** Largest accepted {@link #epsilon}: beyond it the basis is rejected (never seen: it is ~1e-13). */
    static final double MAX_EPSILON = 0x1p-30;

    final int d;
    final int m;
    /** Feature-major: the m coordinates of feature j at [j * m, j * m + m). */
    final double[] wt;
    /** A proven bound on the largest |eigenvalue of W W^T - 1|. */
    final double epsilon;

    private PcaBasis(int d, int m, double[] wt, double epsilon, Kernels kernels) {
        this.d = d;
        this.m = m;
        this.wt = wt;
        this.epsilon = epsilon;
        this.kernels = kernels;
        this.nonZero = ThreadLocal.withInitial(() -> new int[d]);
        this.values = ThreadLocal.withInitial(() -> new double[d]);
    }

    /** The basis of m directions for the training set, or null if it could not be made orthonormal enough. */
    static PcaBasis compute(Dataset train, int m) {
        return compute(train, m, 1);
    }

    /** As {@link #compute(Dataset, int, int, Kernels)} with the JVM's kernels. */
    static PcaBasis compute(Dataset train, int m, int threads) {
        return compute(train, m, threads, KernelSelection.current().kernels());
    }

    /**
     * As {@link #compute(Dataset, int)} with up to {@code threads} threads: each thread sums its own
     * fixed rows of the sample (integers, exact in any order) and computes fixed rows of each
     * product, so the basis does not depend on the thread count. Rows are projected with
     * {@code kernels} ({@link Kernels#accumulateRowsF64}).
     */
    static PcaBasis compute(Dataset train, int m, int threads, Kernels kernels) {
        int d = train.dims();
        int n = train.rows();
        if (n == 0 || m < 1 || m >= d) {
            return null;
        }
        int ns = Math.min(n, SAMPLE);
        int workers = Math.max(1, Math.min(threads, ns / 100));
        // Exact integer second moments of the sampled rows (upper triangle): ns * 255^2 < 2^31 for ns <= 2000.
        int[][] moms = new int[workers][];
        long[][] sums = new long[workers][];
        Fork.run(workers, "vecml-pca", w -> {
            int[] mom = new int[d * d];
            long[] sum = new long[d];
            byte[] row = new byte[d];
            // MOM_BLOCK rows at a time, so each row of mom (d ints) is loaded once per block rather than
            // once per sampled row: mom (d^2 ints, 2.4 MB at d = 784) does not fit in L2.
            int[][] xb = new int[MOM_BLOCK][d];
            int s0 = (int) ((long) ns * w / workers);
            int s1 = (int) ((long) ns * (w + 1) / workers);
            for (int b0 = s0; b0 < s1; b0 += MOM_BLOCK) {
                int nb = Math.min(MOM_BLOCK, s1 - b0);
                for (int t = 0; t < nb; t++) {
                    int r = (int) ((long) (b0 + t) * n / ns);
                    MemorySegment.copy(train.segment(), ValueLayout.JAVA_BYTE, train.rowOffset(r), row, 0, d);
                    int[] x = xb[t];
                    for (int j = 0; j < d; j++) {
                        x[j] = row[j] & 0xFF;
                        sum[j] += x[j];
                    }
                }
                for (int i = 0; i < d; i++) {
                    int o = i * d;
                    for (int t = 0; t < nb; t++) {
                        int[] x = xb[t];
                        int xi = x[i];
                        if (xi == 0) {
                            continue;
                        }
                        for (int j = i; j < d; j++) {
                            mom[o + j] += xi * x[j];
                        }
                    }
                }
            }
            moms[w] = mom;
            sums[w] = sum;
        });
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) {
            long t = 0;
            for (long[] sum : sums) {
                t += sum[j];
            }
            mean[j] = (double) t / ns;
        }
        double[] cov = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                long t = 0;
                for (int[] mom : moms) {
                    t += mom[i * d + j];
                }
                double c = (double) t / ns - mean[i] * mean[j];
                cov[i * d + j] = c;
                cov[j * d + i] = c;
            }
        }
        // Subspace iteration: V (d x m, row-major) <- orth(C V); rows of C V split over the threads.
        Random rnd = new Random(0x5EED);
        double[] v = new double[d * m];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
        double[] cols = new double[m * d];
        double[] z = new double[d * m];
        int mw = Math.max(1, Math.min(threads, d / 64));
        for (int it = 0; it < ITERATIONS; it++) {
            double[] vv = v;
            Fork.run(mw, "vecml-pca", w -> {
                int[] nzj = new int[d];
                double[] cj = new double[d];
                double[] zi = new double[m];
                for (int i = d * w / mw; i < d * (w + 1) / mw; i++) {
                    int c = 0;
                    for (int j = 0; j < d; j++) {
                        double cv = cov[i * d + j];
                        nzj[c] = j;
                        cj[c] = cv;
                        c += cv != 0 ? 1 : 0;
                    }
                    // Row i of C V: the same sparse-row kernel as the projection (a fixed order per row,
                    // so the basis does not depend on the thread count).
                    Arrays.fill(zi, 0);
                    kernels.accumulateRowsF64(vv, m, nzj, cj, c, zi);
                    System.arraycopy(zi, 0, z, i * m, m);
                }
            });
            transpose(z, d, m, cols);
            orthonormalise(cols, m, d, rnd);
            transpose(cols, m, d, v);
        }
        orthonormalise(cols, m, d, rnd);
        double eps = epsilon(cols, m, d);
        if (!(eps <= MAX_EPSILON)) {
            return null;
        }
        double[] wt = new double[d * m];
        transpose(cols, m, d, wt);
        return new PcaBasis(d, m, wt, eps, kernels);
    }

    private static void transpose(double[] a, int rows, int cols, double[] out) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[j * rows + i] = a[i * cols + j];
            }
        }
    }

    /** Modified Gram-Schmidt on the m vectors of length d in v (row i at i * d); a null vector is replaced by a random one. */
    private static void orthonormalise(double[] v, int m, int d, Random rnd) {
        for (int i = 0; i < m; i++) {
            int o = i * d;
            for (int attempt = 0; ; attempt++) {
                for (int p = 0; p < i; p++) {
                    int po = p * d;
                    double dot = 0;
                    for (int j = 0; j < d; j++) {
                        dot += v[o + j] * v[po + j];
                    }
                    for (int j = 0; j < d; j++) {
                        v[o + j] -= dot * v[po + j];
                    }
                }
                double nn = 0;
                for (int j = 0; j < d; j++) {
                    nn += v[o + j] * v[o + j];
                }
                if (nn > 1e-20 || attempt > 3) {
                    double inv = 1 / Math.sqrt(nn);
                    for (int j = 0; j < d; j++) {
                        v[o + j] *= inv;
                    }
                    break;
                }
                for (int j = 0; j < d; j++) {
                    v[o + j] = rnd.nextGaussian();
                }
            }
        }
    }

    /**
     * A proven bound on max |lambda - 1| over the eigenvalues lambda of G = W W^T (Gershgorin on
     * G - I): the computed entries are double dot products of d terms, each within
     * gamma_d ||w_i|| ||w_j|| of the exact one (Higham 3.1, products and sums in double), and the
     * row sums are doubled to cover their own rounding.
     */
    static double epsilon(double[] w, int m, int d) {
        double[] g = new double[m * m];
        double gmax = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int l = 0; l < d; l++) {
                    s += w[i * d + l] * w[j * d + l];
                }
                g[i * m + j] = s;
            }
            gmax = Math.max(gmax, g[i * m + i]);
        }
        double gd = gamma53(d);
        // ||w_i||^2 <= computed G_ii / (1 - gamma_d).
        double normBound = gmax / (1 - gd);
        double worst = 0;
        for (int i = 0; i < m; i++) {
            double r = Math.abs(g[i * m + i] - 1);
            for (int j = 0; j < m; j++) {
                if (j != i) {
                    r += Math.abs(g[i * m + j]);
                }
            }
            worst = Math.max(worst, r);
        }
        return 2 * worst + 2 * (m + 1) * gd * normBound + 0x1p-60;
    }

    /** gamma_n for double arithmetic: n 2^-53 / (1 - n 2^-53). */
    static double gamma53(long n) {
        double nu = n * 0x1p-53;
        return nu >= 1 ? Double.POSITIVE_INFINITY : nu / (1 - nu);
    }

    /**
     * The factor g of the bound: for the pooled float vectors p(q), p(t) of {@link PooledBounds.Level#pool}
     * (m coordinates and the residual norm, each rounded to float) and S their squared distance summed
     * in float over n = m + 1 values (any order, fused or not), S - g (||q||^2 + ||t||^2) <= ||q - t||^2.
     *
     * <p>Proof. Let U = (W W^T)^(-1/2) W (the polar factor: orthonormal rows, the row space of W);
     * ||W - U||_2 = max |sqrt(lambda) - 1| <= epsilon. Let P(x) = (U x, rho(x)) with
     * rho(x) = ||x - U^T U x||; then ||P(x)|| = ||x|| and ||P(q) - P(t)||^2 = ||U(q - t)||^2 +
     * (rho(q) - rho(t))^2 <= ||q - t||^2 (Pythagoras and the reverse triangle inequality). The row
     * is pooled as a = fl(W x) in double (x integer, |fl - exact| <= gamma_(d+1) ||w_i|| ||x||
     * per coordinate, ||w_i|| <= 1 + epsilon), so ||a - U x|| <= eta ||x|| with
     * eta = epsilon + sqrt(m) gamma_(d+1) (1 + epsilon); the residual r = sqrt(max(0, ||x||^2 - fl||a||^2))
     * (||x||^2 exact) has |r^2 - rho^2| <= tau ||x||^2 with tau = eta (2 + eta) + (gamma_m + 2u53)(1 + eta)^2,
     * so |r - rho| <= (sqrt(tau) + u53) ||x|| (|sqrt A - sqrt B| <= sqrt |A - B|). Hence the double
     * vector (a, r) is within kappa ||x|| of P(x), kappa = eta + sqrt(tau) + u53, and its float
     * rounding p(x) within lambda ||x|| of P(x), lambda = kappa + u (1 + kappa) with u = 2^-24 (plus
     * 2^-90 for values flushed to zero: a non-zero uint8 row has ||x|| >= 1). With
     * D = ||p(q) - p(t)||^2 (exact arithmetic on the floats): sqrt D <= ||P(q) - P(t)|| +
     * lambda (||q|| + ||t||), so D <= ||q - t||^2 + (2 lambda + lambda^2) (||q|| + ||t||)^2
     * (||P(q) - P(t)|| <= ||q - t|| <= ||q|| + ||t||). The float sum S of the n terms, each a rounded
     * difference squared (rounded or fused), is within (gamma_n + 4u) D of D, and
     * D <= 2 (1 + lambda)^2 (||q||^2 + ||t||^2). With (||q|| + ||t||)^2 <= 2 (||q||^2 + ||t||^2):
     * g = 2 (gamma_n + 4u)(1 + lambda)^2 + 2 (2 lambda + lambda^2), raised by 1% and 2^-40 to cover the
     * few double operations that form the bound from S.
     */
    double l2Factor() {
        int n = m + 1;
        double u53 = 0x1p-53;
        double eta = epsilon + Math.sqrt(m) * gamma53(d + 1L) * (1 + epsilon);
        double tau = eta * (2 + eta) + (gamma53(m) + 2 * u53) * (1 + eta) * (1 + eta);
        double kappa = eta + Math.sqrt(tau) + u53;
        double u = 0x1p-24 + 0x1p-90;
        double lambda = kappa + u * (1 + kappa);
        double g = 2 * (KnnSearch.gamma(n) + 4 * 0x1p-24) * (1 + lambda) * (1 + lambda)
                + 2 * (2 * lambda + lambda * lambda);
        return g * 1.01 + 0x1p-40;
    }

    /**
     * Pools one uint8 row: its m coordinates into dst[off, off + m) and the residual norm at
     * dst[off + m], floats; {@code acc} is scratch of m doubles. Returns ||x||^2.
     */
    long pool(byte[] row, double[] acc, float[] dst, int off) {
        Arrays.fill(acc, 0, m, 0);
        long norm = 0;
        int[] nz = nonZero.get();
        double[] xs = values.get();
        int c = 0;
        for (int j = 0; j < d; j++) {
            int v = row[j] & 0xFF;
            norm += v * v;
            nz[c] = j;
            xs[c] = v;
            c += v != 0 ? 1 : 0;
        }
        // acc = W x over the non-zero features, each coordinate a double sum of c <= d products in
        // some order (fused or not): within the gamma_(d+1) of the bound (l2Factor).
        kernels.accumulateRowsF64(wt, m, nz, xs, c, acc);
        double an = 0;
        for (int k = 0; k < m; k++) {
            double x = acc[k];
            an += x * x;
            dst[off + k] = Math.abs(x) < 0x1p-90 ? 0f : (float) x;
        }
        double r2 = norm - an;
        dst[off + m] = r2 > 0 ? (float) Math.sqrt(r2) : 0f;
        return norm;
    }

    private final Kernels kernels;
    private final ThreadLocal<int[]> nonZero;
    private final ThreadLocal<double[]> values;
}
