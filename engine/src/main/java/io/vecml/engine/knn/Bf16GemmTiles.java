package io.vecml.engine.knn;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.gemm.Bf16Gemm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@link GemmTiles} for uint8 data multiplied in bfloat16 ({@code cblas_sbgemm}): every value 0..255
 * is exact in bfloat16 and every product exact in float32, so the dot products differ from the
 * exact ones only by the float32 sums, within {@link KnnSearch#bf16GemmBound}; the consumer re-ranks
 * exactly as on the sgemm path, and the answers are the same. Operands take half the bytes of the
 * float32 copies (the training copy is {@link KnnSearch.TrainCache#bf16()}).
 */
final class Bf16GemmTiles extends GemmTiles {

    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** The bfloat16 bits of 0..255 (exact). */
    private static final short[] U8_TO_BF16 = new short[256];

    static {
        for (int v = 0; v < 256; v++) {
            U8_TO_BF16[v] = Bf16Gemm.toBf16(v);
        }
    }

    private final Bf16Gemm gemm;
    private MemorySegment qBf16;
    private short[] row;

    Bf16GemmTiles(SearchContext ctx, BoundedConsumer sink, KnnSearch.TrainCache cache, Bf16Gemm gemm) {
        super(ctx, sink, cache, null);
        if (!ctx.uint8()) {
            throw new IllegalArgumentException("bfloat16 GEMM tiles take uint8 data");
        }
        if (cache.bf16() == null) {
            throw new IllegalArgumentException("bfloat16 GEMM tiles need the bfloat16 training copy");
        }
        this.gemm = gemm;
    }

    /** The bfloat16 bits of a uint8 value (exact). */
    static short bf16(int u8) {
        return U8_TO_BF16[u8];
    }

    @Override
    double bound() {
        return KnnSearch.bf16GemmBound(ctx.dims());
    }

    @Override
    void prepareQueries(int q0, int m) {
        Dataset queries = ctx.queries();
        int d = ctx.dims();
        int ldq = cache.ld();
        if (qBf16 == null) {
            qBf16 = arena.allocate((long) KnnSearch.QB_GEMM * ldq * 2, 64);
            row = new short[d];
        }
        byte[] bytes = new byte[d];
        MemorySegment qs = queries.segment();
        for (int i = 0; i < m; i++) {
            MemorySegment.copy(qs, ValueLayout.JAVA_BYTE, queries.rowOffset(q0 + i), bytes, 0, d);
            for (int c = 0; c < d; c++) {
                row[c] = U8_TO_BF16[bytes[c] & 0xFF];
            }
            MemorySegment.copy(row, 0, qBf16, BF16, (long) i * ldq * 2, d);
        }
    }

    @Override
    void multiply(int q0, int m, int tb, int n, MemorySegment c) {
        int ld = cache.ld();
        gemm.sbgemm(false, true, m, n, ctx.dims(), 1f, qBf16, 0, ld, cache.bf16(), (long) tb * ld, ld, 0f, c, 0, n);
    }
}
