package io.vecml.blas;

import java.lang.foreign.MemorySegment;

/**
 * Argument checks for an sgemm (or sbgemm) call, shared by every GEMM implementation so that all of
 * them refuse the same inputs with the same messages. Offsets and leading dimensions count elements:
 * floats for sgemm; for sbgemm, bfloat16 values (2 bytes) in A and B and floats in C.
 */
public final class SgemmArgs {

    private SgemmArgs() {
    }

    /**
     * Checks dimensions, leading dimensions and that each segment holds the floats the call reads
     * or writes. Throws {@link IllegalArgumentException} naming the argument otherwise.
     */
    public static void check(Layout layout, boolean transA, boolean transB, int m, int n, int k,
                             MemorySegment a, long aOff, int lda,
                             MemorySegment b, long bOff, int ldb,
                             MemorySegment c, long cOff, int ldc) {
        check("sgemm", Float.BYTES, layout, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }

    /** As {@link #check} for {@code cblas_sbgemm}: A and B hold bfloat16 values (2 bytes each), C floats. */
    public static void checkBf16(Layout layout, boolean transA, boolean transB, int m, int n, int k,
                                 MemorySegment a, long aOff, int lda,
                                 MemorySegment b, long bOff, int ldb,
                                 MemorySegment c, long cOff, int ldc) {
        check("sbgemm", 2, layout, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }

    private static void check(String fn, int abBytes, Layout layout, boolean transA, boolean transB, int m, int n,
                              int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                              MemorySegment c, long cOff, int ldc) {
        if (layout == null) {
            throw new IllegalArgumentException(fn + ": layout is null");
        }
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(fn + ": dimensions must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        // Stored shape of each operand (rows x cols in its own storage order).
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        checkMatrix(fn, abBytes, "A", layout, a, aOff, lda, aRows, aCols, m > 0 && k > 0);
        checkMatrix(fn, abBytes, "B", layout, b, bOff, ldb, bRows, bCols, k > 0 && n > 0);
        checkMatrix(fn, Float.BYTES, "C", layout, c, cOff, ldc, m, n, m > 0 && n > 0);
    }

    private static void checkMatrix(String fn, int bytes, String name, Layout layout, MemorySegment seg, long off,
                                    int ld, int rows, int cols, boolean used) {
        boolean row = layout == Layout.ROW_MAJOR;
        int minLd = Math.max(1, row ? cols : rows);
        if (ld < minLd) {
            throw new IllegalArgumentException(fn + ": ld" + name.toLowerCase() + "=" + ld + " is too small for "
                    + name + " stored " + rows + "x" + cols + " " + (row ? "row" : "column")
                    + "-major; it must be >= " + minLd);
        }
        if (off < 0) {
            throw new IllegalArgumentException(fn + ": offset of " + name + " is negative: " + off);
        }
        if (!used) {
            return;
        }
        if (seg == null) {
            throw new IllegalArgumentException(fn + ": matrix " + name + " is null");
        }
        long lines = row ? rows : cols;   // number of leading-dimension strides
        long len = row ? cols : rows;     // contiguous run in the last one
        long needed = off + (lines - 1) * (long) ld + len;
        long have = seg.byteSize() / bytes;
        if (needed > have) {
            throw new IllegalArgumentException(fn + ": matrix " + name + " (" + rows + "x" + cols + ", ld=" + ld
                    + ", offset " + off + ") needs " + needed + (bytes == Float.BYTES ? " floats" : " bfloat16 values") + " but its segment holds " + have);
        }
    }
}
