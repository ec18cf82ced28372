package io.vecml.engine.data;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;

/**
 * N rows x D features, uint8 or float32, off-heap, each row starting on a 64-byte boundary
 * (so SIMD loads of a row never split a cache line at its start); int labels; class names.
 *
 * <p>Rows are {@link #stride()} elements apart (D rounded up to a multiple of 64 bytes); the
 * padding is zero. The memory belongs to a shared arena: {@link #close()} frees it, after which
 * the data must not be used. Instances are immutable once built, so any number of threads may read.
 */
public final class Dataset implements AutoCloseable {

    /** Element type of the features. */
    public enum Type {
        UINT8(1), FLOAT32(4);

        public final int bytes;

        Type(int bytes) {
            this.bytes = bytes;
        }
    }

    private static final int ROW_ALIGN = 64;

    private final Arena arena;
    private final MemorySegment data;
    private final Type type;
    private final int rows;
    private final int dims;
    private final long stride;
    private final int[] labels;
    private final List<String> classNames;
    private final ImageShape imageShape;
    private boolean closed;

    private Dataset(Type type, int rows, int dims, int[] labels, List<String> classNames) {
        this(type, rows, dims, labels, classNames, null, null, null);
    }

    private Dataset(Type type, int rows, int dims, int[] labels, List<String> classNames, ImageShape imageShape,
            Arena arena, MemorySegment data) {
        if (rows < 0 || dims < 0) {
            throw new IllegalArgumentException("rows and dims must be >= 0, got " + rows + " x " + dims);
        }
        if (imageShape != null && imageShape.dims() != dims) {
            throw new IllegalArgumentException("image shape " + imageShape + " has " + imageShape.dims()
                    + " values but rows have " + dims + " features");
        }
        if (labels.length != rows) {
            throw new IllegalArgumentException(rows + " rows but " + labels.length + " labels");
        }
        for (int i = 0; i < rows; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of row " + i + " is outside 0.."
                        + (classNames.size() - 1) + " (" + classNames.size() + " classes)");
            }
        }
        this.type = type;
        this.rows = rows;
        this.dims = dims;
        long rowBytes = strideOf(type, dims) * type.bytes;
        this.stride = rowBytes / type.bytes;
        this.labels = labels.clone();
        this.classNames = List.copyOf(classNames);
        this.imageShape = imageShape;
        if (arena == null) {
            this.arena = Arena.ofShared();
            this.data = this.arena.allocate(Math.max(1, rowBytes * rows), ROW_ALIGN);
        } else {
            this.arena = arena;
            this.data = data;
        }
    }

    private static long strideOf(Type type, int dims) {
        long rowBytes = ((long) dims * type.bytes + ROW_ALIGN - 1) / ROW_ALIGN * ROW_ALIGN;
        return rowBytes / type.bytes;
    }

    /**
     * Fills a dataset in place (readers write rows straight into the final memory, so the pixels
     * exist once), then {@link #build} checks the labels and hands the memory to the dataset.
     * Until built, {@link #close()} frees the memory (a reader that fails leaks nothing).
     */
    public static final class Builder implements AutoCloseable {
        private final Type type;
        private final int rows;
        private final int dims;
        private final long stride;
        private final int[] labels;
        private final Arena arena;
        private final MemorySegment data;
        private boolean built;

        private Builder(Type type, int rows, int dims) {
            if (rows < 0 || dims < 0) {
                throw new IllegalArgumentException("rows and dims must be >= 0, got " + rows + " x " + dims);
            }
            this.type = Objects.requireNonNull(type, "type");
            this.rows = rows;
            this.dims = dims;
            this.stride = strideOf(type, dims);
            this.labels = new int[rows];
            this.arena = Arena.ofShared();
            this.data = arena.allocate(Math.max(1, stride * type.bytes * rows), ROW_ALIGN);
        }

        public Type type() {
            return type;
        }

        public int rows() {
            return rows;
        }

        public int dims() {
            return dims;
        }

        /** Elements between row starts. */
        public long stride() {
            return stride;
        }

        /** Byte offset of row {@code r} in {@link #segment()}. */
        public long rowByteOffset(int r) {
            return Objects.checkIndex(r, rows) * stride * type.bytes;
        }

        /** The memory to fill (zeroed; keep the padding after each row zero). */
        public MemorySegment segment() {
            return data;
        }

        public void label(int r, int label) {
            labels[r] = label;
        }

        /** Checks labels against the class names; the builder must not be used afterwards. */
        public Dataset build(List<String> classNames, ImageShape imageShape) {
            if (built) {
                throw new IllegalStateException("already built");
            }
            Dataset d;
            try {
                d = new Dataset(type, rows, dims, labels, classNames, imageShape, arena, data);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
            built = true;
            return d;
        }

        @Override
        public void close() {
            if (!built) {
                built = true;
                arena.close();
            }
        }
    }

    /** Starts a dataset to be filled in place; see {@link Builder}. */
    public static Builder builder(Type type, int rows, int dims) {
        return new Builder(type, rows, dims);
    }

    /** A zero-filled dataset of images (see {@link #allocate(Type, int, int, int[], List)}). */
    public static Dataset allocate(Type type, int rows, int dims, int[] labels, List<String> classNames,
            ImageShape imageShape) {
        Objects.requireNonNull(type, "type");
        return new Dataset(type, rows, dims, labels, classNames, imageShape, null, null);
    }

    /** A zero-filled dataset, to be filled through {@link #segment()} / {@link #setU8}/{@link #setF32}. */
    public static Dataset allocate(Type type, int rows, int dims, int[] labels, List<String> classNames) {
        Objects.requireNonNull(type, "type");
        return new Dataset(type, rows, dims, labels, classNames);
    }

    public Type type() {
        return type;
    }

    public int rows() {
        return rows;
    }

    public int dims() {
        return dims;
    }

    /** Elements from the start of one row to the start of the next (>= dims). */
    public long stride() {
        return stride;
    }

    /** Element offset of row {@code r} within {@link #segment()}. */
    public long rowOffset(int r) {
        return r * stride;
    }

    /** The backing memory (64-byte aligned, native). */
    public MemorySegment segment() {
        return data;
    }

    public int label(int r) {
        return labels[r];
    }

    /** A copy of the labels. */
    public int[] labels() {
        return labels.clone();
    }

    public List<String> classNames() {
        return classNames;
    }

    public int numClasses() {
        return classNames.size();
    }

    /** The image shape when rows are images. */
    public java.util.Optional<ImageShape> imageShape() {
        return java.util.Optional.ofNullable(imageShape);
    }

    /** The same rows with another image shape (a copy; this dataset stays as it is). */
    public Dataset withImageShape(ImageShape shape) {
        Dataset out = new Dataset(type, rows, dims, labels, classNames, shape, null, null);
        MemorySegment.copy(data, 0, out.data, 0, (long) rows * stride * type.bytes);
        return out;
    }

    /** Number of rows per class, indexed by label. */
    public int[] classCounts() {
        int[] counts = new int[classNames.size()];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    /** Bytes of feature memory (including row padding). */
    public long byteSize() {
        return (long) rows * stride * type.bytes;
    }

    public int u8(int r, int c) {
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, rowOffset(r) + c));
    }

    public void setU8(int r, int c, int v) {
        if (v < 0 || v > 255) {
            throw new IllegalArgumentException("uint8 value out of range: " + v);
        }
        data.set(ValueLayout.JAVA_BYTE, rowOffset(r) + c, (byte) v);
    }

    public float f32(int r, int c) {
        return data.getAtIndex(ValueLayout.JAVA_FLOAT, rowOffset(r) + c);
    }

    public void setF32(int r, int c, float v) {
        data.setAtIndex(ValueLayout.JAVA_FLOAT, rowOffset(r) + c, v);
    }

    /** Feature value as a float, whatever the type. */
    public float value(int r, int c) {
        return type == Type.UINT8 ? u8(r, c) : f32(r, c);
    }

    /** A float32 copy (uint8 values become 0.0..255.0). */
    public Dataset toFloat32() {
        Dataset out = new Dataset(Type.FLOAT32, rows, dims, labels, classNames, imageShape, null, null);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                out.setF32(r, c, value(r, c));
            }
        }
        return out;
    }

    /** A new dataset with the given rows, in that order. */
    public Dataset select(int[] rowIndices) {
        int[] l = new int[rowIndices.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels[Objects.checkIndex(rowIndices[i], rows)];
        }
        Dataset out = new Dataset(type, rowIndices.length, dims, l, classNames, imageShape, null, null);
        long rowBytes = stride * type.bytes;
        for (int i = 0; i < rowIndices.length; i++) {
            MemorySegment.copy(data, rowIndices[i] * rowBytes, out.data, i * rowBytes, rowBytes);
        }
        return out;
    }

    @Override
    public void close() {
        // Idempotent: a LoadedData and its own datasets may both be closed by one try-with-resources.
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        arena.close();
    }

    @Override
    public String toString() {
        return rows + " x " + dims + " " + type.name().toLowerCase(java.util.Locale.ROOT) + ", " + classNames.size()
                + " classes" + (imageShape == null ? "" : ", images " + imageShape);
    }
}
