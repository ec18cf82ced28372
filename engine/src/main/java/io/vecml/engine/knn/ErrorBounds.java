package io.vecml.engine.knn;

/**
 * The proven rounding bounds of the kNN search, public for code that checks other computations against
 * the same bound (the demo's and bench's agreement checks): one definition, in {@link KnnSearch}.
 */
public final class ErrorBounds {

    private ErrorBounds() {
    }

    /** gamma_n = n u / (1 - n u), u = 2^-24: relative error bound of a float sum of n terms. */
    public static double gamma(long n) {
        return KnnSearch.gamma(n);
    }

    /**
     * Factor g of the kNN GEMM path: |approx - exact| <= g (||q||^2 + ||t||^2) for squared L2 distances
     * ||q||^2 + ||t||^2 - 2 fl(q.t) formed in double from a float GEMM of exactly representable inputs.
     */
    public static double gemmL2(int d) {
        return KnnSearch.gemmBound(d);
    }
}
