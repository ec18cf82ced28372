package io.vecml.engine.gemm;

import io.vecml.blas.Layout;
import io.vecml.blas.SgemmArgs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@link Bf16Gemm} by widening A and B to float32 (exact) and running the {@link Gemm} it wraps: the
 * same float32 accumulation as sbgemm, on any machine. It exists so that the bfloat16 path (operand
 * conversion, the bound, the selection) is exercised where no {@code cblas_sbgemm} is available;
 * it is slower than plain sgemm (a copy per call) and never chosen automatically.
 */
public final class JavaBf16Gemm implements Bf16Gemm {

    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private final Gemm gemm;

    public JavaBf16Gemm(Gemm gemm) {
        this.gemm = gemm;
    }

    @Override
    public String name() {
        return "java-bf16";
    }

    @Override
    public void sbgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                       float beta, MemorySegment c, long cOff, int ldc) {
        SgemmArgs.checkBf16(Layout.ROW_MAJOR, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        int aRows = transA ? k : m;
        int bRows = transB ? n : k;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fa = widen(arena, a, aOff, lda, aRows, transA ? m : k);
            MemorySegment fb = widen(arena, b, bOff, ldb, bRows, transB ? k : n);
            gemm.sgemm(transA, transB, m, n, k, alpha, fa, 0, Math.max(1, lda), fb, 0, Math.max(1, ldb), beta, c, cOff,
                    ldc);
        }
    }

    /** rows x cols bfloat16 values (leading dimension ld) as floats with the same leading dimension. */
    private static MemorySegment widen(Arena arena, MemorySegment src, long off, int ld, int rows, int cols) {
        long len = Math.max(1, (long) rows * Math.max(1, ld));
        MemorySegment dst = arena.allocate(len * Float.BYTES, 64);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                long at = (long) r * ld + c;
                dst.setAtIndex(ValueLayout.JAVA_FLOAT, at, Bf16Gemm.fromBf16(src.getAtIndex(BF16, off + at)));
            }
        }
        return dst;
    }

    @Override
    public String toString() {
        return "java-bf16(" + gemm + ")";
    }
}
