package io.vecml.engine.gemm;

import java.lang.foreign.MemorySegment;

/**
 * GEMM with bfloat16 inputs and float32 results and accumulation, row-major, as
 * {@code cblas_sbgemm}: {@code C = alpha * op(A) * op(B) + beta * C}. A and B hold bfloat16 values
 * (the upper 16 bits of a float32; offsets and leading dimensions count them), C floats.
 *
 * <p>Used for uint8 data only: every value 0..255 is exact in bfloat16 (8 significant bits), every
 * product of two of them is exact in float32 (16 bits), and only the float32 sums round, so the
 * kNN GEMM bound still holds (see {@code KnnSearch.bf16GemmBound}). Implementations:
 * {@link OpenBlasBf16Gemm} (OpenBLAS's {@code cblas_sbgemm}) and {@link JavaBf16Gemm} (widens to
 * float32 and runs the Java GEMM: a reference that runs anywhere, not a fast path). Chosen by
 * {@link Bf16Selection}.
 */
public interface Bf16Gemm {

    /** Short name: {@code "openblas-sbgemm"} or {@code "java-bf16"}. */
    String name();

    void sbgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                MemorySegment a, long aOff, int lda,
                MemorySegment b, long bOff, int ldb,
                float beta, MemorySegment c, long cOff, int ldc);

    /** The bfloat16 bits of v, rounded to nearest even (exact for integers 0..256). */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /** The float32 value of bfloat16 bits. */
    static float fromBf16(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }
}
