package io.vecml.engine.linear;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Standardizer;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * Fitted preprocessing statistics, kept with a model so that prediction transforms rows exactly as
 * training did.
 *
 * <p>Each feature becomes {@code fma(a, x, b)} in float, with the coefficients of
 * {@link Standardizer#apply} ({@code a = 1/scale}, {@code b = -mean/scale}) or of
 * {@link Transforms#centre} ({@code a = 1}, {@code b = -mean}), so the values are bit-identical to
 * those transforms; they are applied while rows are copied into a batch instead of to a copy of the
 * whole dataset.
 *
 * @param kind  the preprocessing
 * @param mean  per-feature training mean (zeros for {@link Preprocessing#RAW})
 * @param scale per-feature population standard deviation, 1 where it was 0 (ones unless
 *              {@link Preprocessing#STANDARDIZE})
 */
public record FeatureScaling(Preprocessing kind, double[] mean, double[] scale) {

    public FeatureScaling {
        Objects.requireNonNull(kind, "kind");
        if (mean.length != scale.length) {
            throw new IllegalArgumentException(mean.length + " means but " + scale.length + " scales");
        }
        mean = mean.clone();
        scale = scale.clone();
        for (int c = 0; c < mean.length; c++) {
            if (!Double.isFinite(mean[c]) || !Double.isFinite(scale[c]) || scale[c] <= 0) {
                throw new IllegalArgumentException("feature " + c + ": mean " + mean[c] + " and scale " + scale[c]
                        + " must be finite with scale > 0");
            }
        }
    }

    /** Fits {@code kind} on the training rows. */
    public static FeatureScaling fit(Preprocessing kind, Dataset train) {
        int d = train.dims();
        double[] ones = new double[d];
        Arrays.fill(ones, 1);
        return switch (kind) {
            case RAW -> new FeatureScaling(kind, new double[d], ones);
            case CENTER -> new FeatureScaling(kind, Transforms.columnMeans(train), ones);
            case STANDARDIZE -> {
                Standardizer s = Standardizer.fit(train);
                yield new FeatureScaling(kind, s.mean(), s.scale());
            }
        };
    }

    /** No transform: the values as read. */
    public static FeatureScaling identity(int dims) {
        double[] ones = new double[dims];
        Arrays.fill(ones, 1);
        return new FeatureScaling(Preprocessing.RAW, new double[dims], ones);
    }

    public int dims() {
        return mean.length;
    }

    /**
     * A float32 copy of {@code data} with this transform applied, through {@link Standardizer#apply}
     * or {@link Transforms#centre} (the same values as {@link #writer()}).
     */
    public Dataset transform(Dataset data) {
        return switch (kind) {
            case RAW -> data.toFloat32();
            case CENTER -> Transforms.centre(data, mean);
            case STANDARDIZE -> new Standardizer(mean, scale).apply(data);
        };
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] scale() {
        return scale.clone();
    }

    /** Per-feature multipliers a, as float. */
    public float[] multipliers() {
        float[] a = new float[mean.length];
        for (int c = 0; c < a.length; c++) {
            a[c] = kind == Preprocessing.STANDARDIZE ? (float) (1 / scale[c]) : 1f;
        }
        return a;
    }

    /** Per-feature offsets b, as float. */
    public float[] offsets() {
        float[] b = new float[mean.length];
        for (int c = 0; c < b.length; c++) {
            b[c] = switch (kind) {
                case RAW -> 0f;
                case CENTER -> (float) -mean[c];
                case STANDARDIZE -> (float) (-mean[c] / scale[c]);
            };
        }
        return b;
    }

    /** The transformed value of feature {@code c} for a raw value {@code x}, in double (references, checks). */
    public double apply(int c, double x) {
        return (x - mean[c]) / scale[c];
    }

    /**
     * Writes rows into a contiguous float32 matrix with the bias trick: a transformed row of
     * {@code dims} values followed by 1, with the JVM's kernels ({@link KernelSelection}). One
     * instance per thread (it owns scratch arrays).
     */
    public Writer writer() {
        return writer(KernelSelection.current().kernels());
    }

    /** As {@link #writer()}, converting uint8 rows with {@code kernels}. */
    public Writer writer(Kernels kernels) {
        return new Writer(this, kernels);
    }

    /**
     * See {@link #writer()}. uint8 rows are converted straight from the dataset into the
     * destination by {@link Kernels#u8ToF32Fma} ({@code fma(a, x, b)} per element, the values of
     * {@link #transform}), so training never needs a float copy of a uint8 dataset.
     */
    public static final class Writer {
        private final Preprocessing kind;
        private final Kernels kernels;
        private final float[] a;
        private final float[] b;
        /** a and b off-heap, for the SIMD conversion (its vectors are loaded from native memory only). */
        private final MemorySegment aN;
        private final MemorySegment bN;
        private final float[] row;

        private Writer(FeatureScaling s, Kernels kernels) {
            this.kind = s.kind;
            this.kernels = Objects.requireNonNull(kernels, "kernels");
            this.a = s.multipliers();
            this.b = s.offsets();
            Arena arena = Arena.ofAuto();
            this.aN = arena.allocate(Math.max(1L, (long) a.length * Float.BYTES), 64);
            this.bN = arena.allocate(Math.max(1L, (long) b.length * Float.BYTES), 64);
            MemorySegment.copy(a, 0, aN, ValueLayout.JAVA_FLOAT, 0, a.length);
            MemorySegment.copy(b, 0, bN, ValueLayout.JAVA_FLOAT, 0, b.length);
            this.row = new float[s.dims() + 1];
            this.row[s.dims()] = 1f;
        }

        /**
         * Row {@code r} of {@code data}, transformed, then 1, to {@code dst} at element offset
         * {@code dstOff} ({@code dims + 1} floats).
         */
        public void write(Dataset data, int r, MemorySegment dst, long dstOff) {
            int d = a.length;
            if (data.dims() != d) {
                throw new IllegalArgumentException("the model was trained on " + d + " features, the data has "
                        + data.dims());
            }
            MemorySegment src = data.segment();
            long off = data.rowOffset(r);
            if (data.type() == Dataset.Type.UINT8) {
                // RAW: a = 1, b = 0, and fma(1, x, 0) = x exactly.
                kernels.u8ToF32Fma(src, off, aN, 0, bN, 0, dst, dstOff, d);
                dst.setAtIndex(ValueLayout.JAVA_FLOAT, dstOff + d, 1f);
                return;
            } else if (kind == Preprocessing.RAW) {
                MemorySegment.copy(src, off * Float.BYTES, dst, dstOff * Float.BYTES, (long) d * Float.BYTES);
                dst.setAtIndex(ValueLayout.JAVA_FLOAT, dstOff + d, 1f);
                return;
            } else {
                MemorySegment.copy(src, ValueLayout.JAVA_FLOAT, off * Float.BYTES, row, 0, d);
                for (int c = 0; c < d; c++) {
                    row[c] = Math.fma(a[c], row[c], b[c]);
                }
            }
            MemorySegment.copy(row, 0, dst, ValueLayout.JAVA_FLOAT, dstOff * Float.BYTES, d + 1);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureScaling f && f.kind == kind && Arrays.equals(f.mean, mean)
                && Arrays.equals(f.scale, scale);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, Arrays.hashCode(mean), Arrays.hashCode(scale));
    }

    @Override
    public String toString() {
        return kind.id() + " (" + mean.length + " features)";
    }
}
