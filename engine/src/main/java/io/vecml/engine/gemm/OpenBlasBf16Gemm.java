package io.vecml.engine.gemm;

import io.vecml.blas.Layout;
import io.vecml.blas.OpenBlas;
import java.lang.foreign.MemorySegment;

/**
 * {@link Bf16Gemm} on OpenBLAS's {@code cblas_sbgemm} (only when the loaded library exports it, see
 * {@link Bf16Selection}). Threads as {@link OpenBlasGemm}: set to {@code threads} before a call
 * when they differ.
 */
public final class OpenBlasBf16Gemm implements Bf16Gemm {

    private final OpenBlas blas;
    private final int threads;

    public OpenBlasBf16Gemm(OpenBlas blas, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (!blas.hasSbgemm()) {
            throw new IllegalArgumentException("cblas_sbgemm is not exported by " + blas.path());
        }
        this.blas = blas;
        this.threads = threads;
    }

    @Override
    public String name() {
        return "openblas-sbgemm";
    }

    @Override
    public void sbgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                       float beta, MemorySegment c, long cOff, int ldc) {
        if (blas.numThreads() != threads) {
            blas.setNumThreads(threads);
        }
        blas.sbgemm(Layout.ROW_MAJOR, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public String toString() {
        return "openblas-sbgemm(" + threads + " threads)";
    }
}
