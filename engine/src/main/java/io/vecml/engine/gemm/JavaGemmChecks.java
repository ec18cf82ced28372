package io.vecml.engine.gemm;

import io.vecml.blas.Layout;
import io.vecml.blas.SgemmArgs;

import java.lang.foreign.MemorySegment;

/**
 * Argument checks for a row-major {@link Gemm#sgemm} call. They delegate to the checks the
 * OpenBLAS wrapper uses ({@link SgemmArgs}) so that every {@link Gemm} refuses the same inputs
 * with the same messages, whichever implementation was selected.
 */
final class JavaGemmChecks {

    private JavaGemmChecks() {
    }

    /**
     * Throws {@link IllegalArgumentException} naming the argument when a dimension is negative, a
     * leading dimension is smaller than the row-major shape needs (A is m x k, or k x m when
     * transposed, so {@code lda >= max(1, transA ? m : k)}; likewise B and {@code ldc >= max(1, n)}),
     * an offset is negative, or a segment holds fewer than {@code off + (rows - 1) * ld + cols}
     * floats. Operands that the call does not touch (for example A and B when k == 0) are not
     * required to be large enough, as in BLAS.
     */
    static void check(boolean transA, boolean transB, int m, int n, int k,
                      MemorySegment a, long aOff, int lda,
                      MemorySegment b, long bOff, int ldb,
                      MemorySegment c, long cOff, int ldc) {
        SgemmArgs.check(Layout.ROW_MAJOR, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }
}
