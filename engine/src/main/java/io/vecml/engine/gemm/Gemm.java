package io.vecml.engine.gemm;

import java.lang.foreign.MemorySegment;

/**
 * Single-precision general matrix multiply, row-major:
 * {@code C = alpha * op(A) * op(B) + beta * C}, with op(X) = X or X^T.
 *
 * <p>op(A) is m x k, op(B) is k x n, C is m x n. Element (i, j) of a row-major matrix X with
 * leading dimension ldx lives at {@code xOff + i * ldx + j}; offsets and leading dimensions count
 * floats. When {@code beta == 0}, C is not read (NaN in C does not propagate), as in BLAS.
 *
 * <p>Implementations: {@link OpenBlasGemm} (OpenBLAS through FFM; needs native segments) and
 * {@link JavaGemm} (pure Java, blocked, SIMD). {@link GemmSelection#current()} picks one once
 * per JVM ({@code -Dvecml.gemm=auto|openblas|java}).
 */
public interface Gemm {

    /** Short name: {@code "openblas"} or {@code "java"}. */
    String name();

    /** Threads this instance uses for one call. */
    int threads();

    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               MemorySegment a, long aOff, int lda,
               MemorySegment b, long bOff, int ldb,
               float beta, MemorySegment c, long cOff, int ldc);
}
