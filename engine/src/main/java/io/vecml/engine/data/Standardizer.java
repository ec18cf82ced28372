package io.vecml.engine.data;

/**
 * Per-feature z-scores with statistics fitted on the training rows only: mean and population
 * standard deviation (as scikit-learn's StandardScaler), accumulated in double; a feature with
 * zero deviation keeps scale 1 (it becomes 0 after centring, instead of NaN). The same statistics
 * are then applied to any split.
 *
 * @param mean  per-feature mean
 * @param scale per-feature population standard deviation (1 where it was 0)
 */
public record Standardizer(double[] mean, double[] scale) {

    public Standardizer {
        if (mean.length != scale.length) {
            throw new IllegalArgumentException(mean.length + " means but " + scale.length + " scales");
        }
        mean = mean.clone();
        scale = scale.clone();
    }

    /** Fits on {@code train}. */
    public static Standardizer fit(Dataset train) {
        if (train.rows() == 0) {
            throw new IllegalArgumentException("cannot fit standardisation on 0 rows");
        }
        double[] mean = Transforms.columnMeans(train);
        int d = train.dims();
        double[] m2 = new double[d];
        double[] row = new double[d];
        for (int r = 0; r < train.rows(); r++) {
            Transforms.readRow(train, r, row);
            for (int c = 0; c < d; c++) {
                double x = row[c] - mean[c];
                m2[c] += x * x;
            }
        }
        double[] scale = new double[d];
        for (int c = 0; c < d; c++) {
            double sd = Math.sqrt(m2[c] / train.rows());
            scale[c] = sd == 0 ? 1 : sd;
        }
        return new Standardizer(mean, scale);
    }

    public int dims() {
        return mean.length;
    }

    /** A float32 copy of {@code data} with {@code (x - mean) / scale} per feature. */
    public Dataset apply(Dataset data) {
        if (data.dims() != mean.length) {
            throw new IllegalArgumentException("standardisation was fitted on " + mean.length + " features, data has "
                    + data.dims());
        }
        float[] a = new float[mean.length];
        float[] b = new float[mean.length];
        for (int c = 0; c < a.length; c++) {
            a[c] = (float) (1 / scale[c]);
            b[c] = (float) (-mean[c] / scale[c]);
        }
        return Transforms.affine(data, a, b);
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] scale() {
        return scale.clone();
    }
}
