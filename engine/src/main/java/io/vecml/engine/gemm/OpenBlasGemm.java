package io.vecml.engine.gemm;

import io.vecml.blas.Layout;
import io.vecml.blas.OpenBlas;
import java.lang.foreign.MemorySegment;

/**
 * GEMM on OpenBLAS's {@code cblas_sgemm} through FFM. Matrices must be native segments.
 *
 * <p>OpenBLAS's thread count is process-wide; this instance sets it to {@link #threads()} before
 * each call when it differs. Callers that run several GEMMs from their own Java threads must use an
 * instance with one thread (vecml never runs OpenBLAS threads and Java threads at once).
 */
public final class OpenBlasGemm implements Gemm {

    private final OpenBlas blas;
    private final int threads;

    public OpenBlasGemm(OpenBlas blas, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.blas = blas;
        this.threads = threads;
    }

    public OpenBlas blas() {
        return blas;
    }

    @Override
    public String name() {
        return "openblas";
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                      float beta, MemorySegment c, long cOff, int ldc) {
        if (blas.numThreads() != threads) {
            blas.setNumThreads(threads);
        }
        blas.sgemm(Layout.ROW_MAJOR, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public String toString() {
        return "openblas(" + threads + " threads)";
    }
}
