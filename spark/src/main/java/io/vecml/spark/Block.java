package io.vecml.spark;

import io.vecml.engine.data.Dataset;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Rows on the JVM heap, serialisable, that become an engine {@link Dataset} where they are used: a
 * training shard (rows sorted by their global index), a block of queries, or a whole grid-search set.
 * Exactly one of {@code u8} and {@code f32} is set (rows x dims, row-major).
 */
final class Block implements Serializable {
    private static final long serialVersionUID = 1L;

    final int rows;
    final int dims;
    final byte[] u8;
    final float[] f32;
    /** Label of each row (0 for queries). */
    final int[] labels;
    /** Global training index of each row, ascending (null for queries). */
    final long[] index;
    /** A shard that could not be built: what was wrong, and at which global row (else null and -1). */
    String error;
    long errorIndex = -1;

    Block(int rows, int dims, byte[] u8, float[] f32, int[] labels, long[] index) {
        if ((u8 == null) == (f32 == null)) {
            throw new IllegalArgumentException("a block holds uint8 or float32 rows");
        }
        long n = (long) rows * dims;
        if ((u8 != null ? u8.length : f32.length) != n || labels.length != rows || (index != null && index.length != rows)) {
            throw new IllegalArgumentException("block sizes disagree: " + rows + " x " + dims);
        }
        this.rows = rows;
        this.dims = dims;
        this.u8 = u8;
        this.f32 = f32;
        this.labels = labels;
        this.index = index;
    }

    Block withError(String what, long row) {
        this.error = what;
        this.errorIndex = row;
        return this;
    }

    boolean uint8() {
        return u8 != null;
    }

    /** Gathers rows (byte[] or float[] each, all of {@code dims} features, all of one type). */
    static Block of(List<Object> features, int dims, boolean uint8, int[] labels, long[] index) {
        int n = features.size();
        if ((long) n * dims > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(n + " rows x " + dims + " features do not fit one block (2^31 values):"
                    + " use more partitions");
        }
        if (uint8) {
            byte[] all = new byte[n * dims];
            for (int r = 0; r < n; r++) {
                System.arraycopy((byte[]) features.get(r), 0, all, r * dims, dims);
            }
            return new Block(n, dims, all, null, labels, index);
        }
        float[] all = new float[n * dims];
        for (int r = 0; r < n; r++) {
            Object f = features.get(r);
            if (f instanceof byte[] b) {
                for (int c = 0; c < dims; c++) {
                    all[r * dims + c] = Byte.toUnsignedInt(b[c]);
                }
            } else {
                System.arraycopy((float[]) f, 0, all, r * dims, dims);
            }
        }
        return new Block(n, dims, null, all, labels, index);
    }

    /** An engine dataset of these rows (the caller closes it). */
    Dataset toDataset(List<String> classNames) {
        return toDataset(classNames, null);
    }

    /** The same, with an image shape (or null). */
    Dataset toDataset(List<String> classNames, io.vecml.engine.data.ImageShape shape) {
        Dataset.Type type = uint8() ? Dataset.Type.UINT8 : Dataset.Type.FLOAT32;
        Dataset.Builder b = Dataset.builder(type, rows, dims);
        try {
            MemorySegment seg = b.segment();
            for (int r = 0; r < rows; r++) {
                if (uint8()) {
                    MemorySegment.copy(u8, r * dims, seg, ValueLayout.JAVA_BYTE, b.rowByteOffset(r), dims);
                } else {
                    MemorySegment.copy(f32, r * dims, seg, ValueLayout.JAVA_FLOAT, b.rowByteOffset(r), dims);
                }
                b.label(r, labels[r]);
            }
            return b.build(classNames, shape);
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    /** A block of the rows of an engine dataset (labels kept, global index 0..rows-1). */
    static Block fromDataset(Dataset d) {
        int n = d.rows();
        int dims = d.dims();
        long[] index = new long[n];
        for (int r = 0; r < n; r++) {
            index[r] = r;
        }
        if (d.type() == Dataset.Type.UINT8) {
            byte[] all = new byte[Math.multiplyExact(n, dims)];
            for (int r = 0; r < n; r++) {
                MemorySegment.copy(d.segment(), ValueLayout.JAVA_BYTE, d.rowOffset(r), all, r * dims, dims);
            }
            return new Block(n, dims, all, null, d.labels(), index);
        }
        float[] all = new float[Math.multiplyExact(n, dims)];
        for (int r = 0; r < n; r++) {
            MemorySegment.copy(d.segment(), ValueLayout.JAVA_FLOAT, d.rowOffset(r) * Float.BYTES, all, r * dims, dims);
        }
        return new Block(n, dims, null, all, d.labels(), index);
    }

    /** Class names "0", "1", ... for labels 0..classes-1 (Spark ML labels are class indices). */
    static List<String> classNames(int classes) {
        String[] n = new String[classes];
        for (int c = 0; c < classes; c++) {
            n[c] = Integer.toString(c);
        }
        return List.of(n);
    }
}
