package io.vecml.blas;

import java.lang.foreign.MemorySegment;

/**
 * Argument checks for an sgemm call, shared by every GEMM implementation so that all of them
 * refuse the same inputs with the same messages. Offsets and leading dimensions count floats.
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
        if (layout == null) {
            throw new IllegalArgumentException("sgemm: layout is null");
        }
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: dimensions must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        // Stored shape of each operand (rows x cols in its own storage order).
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        checkMatrix("A", layout, a, aOff, lda, aRows, aCols, m > 0 && k > 0);
        checkMatrix("B", layout, b, bOff, ldb, bRows, bCols, k > 0 && n > 0);
        checkMatrix("C", layout, c, cOff, ldc, m, n, m > 0 && n > 0);
    }

    private static void checkMatrix(String name, Layout layout, MemorySegment seg, long off, int ld,
                                    int rows, int cols, boolean used) {
        boolean row = layout == Layout.ROW_MAJOR;
        int minLd = Math.max(1, row ? cols : rows);
        if (ld < minLd) {
            throw new IllegalArgumentException("sgemm: ld" + name.toLowerCase() + "=" + ld + " is too small for "
                    + name + " stored " + rows + "x" + cols + " " + (row ? "row" : "column")
                    + "-major; it must be >= " + minLd);
        }
        if (off < 0) {
            throw new IllegalArgumentException("sgemm: offset of " + name + " is negative: " + off);
        }
        if (!used) {
            return;
        }
        if (seg == null) {
            throw new IllegalArgumentException("sgemm: matrix " + name + " is null");
        }
        long lines = row ? rows : cols;   // number of leading-dimension strides
        long len = row ? cols : rows;     // contiguous run in the last one
        long needed = off + (lines - 1) * (long) ld + len;
        long have = seg.byteSize() / Float.BYTES;
        if (needed > have) {
            throw new IllegalArgumentException("sgemm: matrix " + name + " (" + rows + "x" + cols + ", ld=" + ld
                    + ", offset " + off + ") needs " + needed + " floats but its segment holds " + have);
        }
    }
}
