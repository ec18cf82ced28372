package io.vecml.engine.regression;

/**
 * Least squares by Householder QR, in double: min ||A b - y|| for a tall n x p matrix A (n >= p).
 * The rank is checked on R's diagonal against the column norms of A, so a column that is (within
 * rounding) a combination of earlier ones is reported instead of solved.
 */
final class HouseholderQr {

    /** Relative size below which R's diagonal counts as zero (numpy's lstsq uses eps * max(n, p)). */
    static double tolerance(int n, int p) {
        return Math.ulp(1.0) * Math.max(n, p) * 10;
    }

    /** Thrown when column {@code column} depends linearly on the columns before it. */
    static final class RankDeficient extends Exception {
        private static final long serialVersionUID = 1L;
        final int column;

        RankDeficient(int column) {
            super("column " + column + " is linearly dependent on the columns before it", null, false, false);
            this.column = column;
        }
    }

    private HouseholderQr() {
    }

    /**
     * Solves the least-squares problem; {@code a} (n rows of p) and {@code y} are not changed.
     *
     * @throws RankDeficient when A does not have full column rank
     */
    static double[] solve(double[][] a, double[] y) throws RankDeficient {
        int n = a.length;
        int p = a[0].length;
        if (n < p) {
            throw new IllegalArgumentException(n + " rows for " + p + " unknowns");
        }
        // Column-major copy: the reflections work down columns.
        double[][] q = new double[p][n];
        double[] norms = new double[p];
        for (int j = 0; j < p; j++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                q[j][i] = a[i][j];
                s += a[i][j] * a[i][j];
            }
            norms[j] = Math.sqrt(s);
        }
        double[] b = y.clone();
        double[] diag = new double[p];
        double tol = tolerance(n, p);
        for (int k = 0; k < p; k++) {
            double[] col = q[k];
            double alpha = 0;
            for (int i = k; i < n; i++) {
                alpha += col[i] * col[i];
            }
            alpha = Math.sqrt(alpha);
            // |R_kk| is the part of column k not explained by columns 0..k-1.
            if (alpha <= tol * Math.max(norms[k], Double.MIN_NORMAL)) {
                throw new RankDeficient(k);
            }
            if (col[k] > 0) {
                alpha = -alpha; // reflect away from the sign of col[k]: no cancellation
            }
            diag[k] = alpha;
            col[k] -= alpha; // v = x - alpha e1, stored in place
            double vv = 0;
            for (int i = k; i < n; i++) {
                vv += col[i] * col[i];
            }
            for (int j = k + 1; j < p; j++) {
                reflect(col, q[j], k, n, vv);
            }
            reflect(col, b, k, n, vv);
        }
        // Back substitution: R b = Q^T y, with R above the diagonal in q and its diagonal in diag.
        double[] beta = new double[p];
        for (int k = p - 1; k >= 0; k--) {
            double s = b[k];
            for (int j = k + 1; j < p; j++) {
                s -= q[j][k] * beta[j];
            }
            beta[k] = s / diag[k];
        }
        return beta;
    }

    /** x -= 2 v (v.x) / (v.v) over rows k..n-1. */
    private static void reflect(double[] v, double[] x, int k, int n, double vv) {
        double dot = 0;
        for (int i = k; i < n; i++) {
            dot += v[i] * x[i];
        }
        double f = 2 * dot / vv;
        for (int i = k; i < n; i++) {
            x[i] -= f * v[i];
        }
    }
}
