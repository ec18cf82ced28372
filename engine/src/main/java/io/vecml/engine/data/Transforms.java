package io.vecml.engine.data;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Feature transforms and subsets. Statistics are fitted on the rows given (the training rows) and
 * applied unchanged to other splits; see {@link Standardizer} for z-scores.
 */
public final class Transforms {

    private Transforms() {
    }

    /** Per-feature means in double. */
    public static double[] columnMeans(Dataset data) {
        int d = data.dims();
        double[] sum = new double[d];
        double[] row = new double[d];
        for (int r = 0; r < data.rows(); r++) {
            readRow(data, r, row);
            for (int c = 0; c < d; c++) {
                sum[c] += row[c];
            }
        }
        if (data.rows() > 0) {
            for (int c = 0; c < d; c++) {
                sum[c] /= data.rows();
            }
        }
        return sum;
    }

    /**
     * Mean-image centring: a float32 copy of {@code data} minus {@code mean} (the training mean image,
     * from {@link #columnMeans}).
     */
    public static Dataset centre(Dataset data, double[] mean) {
        if (mean.length != data.dims()) {
            throw new IllegalArgumentException("mean has " + mean.length + " features, data has " + data.dims());
        }
        float[] a = new float[mean.length];
        float[] b = new float[mean.length];
        for (int c = 0; c < a.length; c++) {
            a[c] = 1;
            b[c] = (float) -mean[c];
        }
        return affine(data, a, b);
    }

    /** The first {@code n} rows (all of them if there are fewer). */
    public static Dataset first(Dataset data, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("subset size must be >= 0, got " + n);
        }
        int m = Math.min(n, data.rows());
        int[] idx = new int[m];
        for (int i = 0; i < m; i++) {
            idx[i] = i;
        }
        return data.select(idx);
    }

    /** {@code n} rows chosen by a seeded shuffle, kept in their original order. */
    public static Dataset random(Dataset data, int n, long seed) {
        if (n < 0 || n > data.rows()) {
            throw new IllegalArgumentException("cannot choose " + n + " of " + data.rows() + " rows");
        }
        int[] idx = Arrays.copyOf(Splits.permutation(data.rows(), seed), n);
        Arrays.sort(idx);
        return data.select(idx);
    }

    /** A float32 copy with {@code a[c] * x + b[c]} per feature, computed in float with one FMA. */
    static Dataset affine(Dataset data, float[] a, float[] b) {
        int d = data.dims();
        try (Dataset.Builder out = Dataset.builder(Dataset.Type.FLOAT32, data.rows(), d)) {
            MemorySegment src = data.segment();
            MemorySegment dst = out.segment();
            float[] row = new float[d];
            for (int r = 0; r < data.rows(); r++) {
                long off = data.rowOffset(r);
                if (data.type() == Dataset.Type.UINT8) {
                    for (int c = 0; c < d; c++) {
                        row[c] = Byte.toUnsignedInt(src.get(ValueLayout.JAVA_BYTE, off + c));
                    }
                } else {
                    MemorySegment.copy(src, ValueLayout.JAVA_FLOAT, off * 4, row, 0, d);
                }
                for (int c = 0; c < d; c++) {
                    row[c] = Math.fma(a[c], row[c], b[c]);
                }
                MemorySegment.copy(row, 0, dst, ValueLayout.JAVA_FLOAT, out.rowByteOffset(r), d);
            }
            for (int r = 0; r < data.rows(); r++) {
                out.label(r, data.label(r));
            }
            return out.build(data.classNames(), data.imageShape().orElse(null));
        }
    }

    static void readRow(Dataset data, int r, double[] row) {
        MemorySegment s = data.segment();
        long off = data.rowOffset(r);
        int d = data.dims();
        if (data.type() == Dataset.Type.UINT8) {
            for (int c = 0; c < d; c++) {
                row[c] = Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, off + c));
            }
        } else {
            for (int c = 0; c < d; c++) {
                row[c] = s.getAtIndex(ValueLayout.JAVA_FLOAT, off + c);
            }
        }
    }
}
