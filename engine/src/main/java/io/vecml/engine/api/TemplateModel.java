package io.vecml.engine.api;

import io.vecml.engine.data.DataFormatException;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Standardizer;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.template.TemplateClassifier;
import io.vecml.engine.template.TemplateClassifier.Center;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** The template (nearest class mean or median) classifier behind {@link Classifier}. */
public final class TemplateModel implements Classifier {

    /**
     * @param center      mean (the lecture's template) or median
     * @param metric      the distance to the templates
     * @param standardize templates of z-scores fitted on the training rows (mean and population standard
     *                    deviation), applied to every row predicted; false: raw features
     */
    public record Params(Center center, Metric metric, boolean standardize) {
        public Params {
            Objects.requireNonNull(center, "center");
            Objects.requireNonNull(metric, "metric");
        }

        /** Raw features. */
        public Params(Center center, Metric metric) {
            this(center, metric, false);
        }

        /**
         * Class means, L2, raw features: the default of one model on every face (library, command line, server,
         * Spark). The lecture's template classifier is {@code defaults().withMetric(Metric.L1)}.
         */
        public static Params defaults() {
            return new Params(Center.MEAN, Metric.L2);
        }

        public Params withCenter(Center v) {
            return new Params(v, metric, standardize);
        }

        public Params withMetric(Metric v) {
            return new Params(center, v, standardize);
        }

        public Params withStandardize(boolean v) {
            return new Params(center, metric, v);
        }
    }

    private final Params params;
    private final RunOptions run;
    private volatile TemplateClassifier model;
    /** With {@link Params#standardize}: the scaler fitted on the training rows. */
    private volatile Standardizer scaler;

    public TemplateModel(Params params, RunOptions run) {
        this.params = Objects.requireNonNull(params, "params");
        this.run = Objects.requireNonNull(run, "run");
    }

    public Params params() {
        return params;
    }

    @Override
    public String kind() {
        return "template";
    }

    @Override
    public TemplateModel fit(Dataset train) {
        Objects.requireNonNull(train, "train");
        if (train.dims() == 0) {
            throw new IllegalArgumentException("cannot fit templates on data with 0 features");
        }
        Standardizer s = params.standardize() ? Standardizer.fit(train) : null;
        TemplateClassifier fitted;
        if (s != null) {
            try (Dataset z = s.apply(train)) {
                fitted = TemplateClassifier.fit(z, params.center(), run.progress());
            }
        } else {
            fitted = TemplateClassifier.fit(train, params.center(), run.progress());
        }
        synchronized (this) {
            scaler = s;
            model = fitted;
        }
        return this;
    }

    /** The fitted engine model (templates, counts, image shape). */
    public TemplateClassifier templates() {
        TemplateClassifier m = model;
        if (m == null) {
            throw new IllegalStateException("call fit(train) before using the template model");
        }
        return m;
    }

    @Override
    public int[] predict(Dataset data) {
        return predict(data, params.metric());
    }

    /** Predictions by {@code metric} with the same templates (the model's own metric by default). */
    public int[] predict(Dataset data, Metric metric) {
        TemplateClassifier m = templates();
        checkDims(data, m);
        Standardizer s = scaler;
        if (s == null) {
            return m.predict(data, metric, run.threads(), run.progress());
        }
        try (Dataset z = s.apply(data)) {
            return m.predict(z, metric, run.threads(), run.progress());
        }
    }

    /** The standardisation applied before the templates, if {@link Params#standardize}. */
    public java.util.Optional<Standardizer> standardizer() {
        return java.util.Optional.ofNullable(scaler);
    }

    private static void checkDims(Dataset data, TemplateClassifier m) {
        if (data.dims() != m.dims()) {
            throw new IllegalArgumentException("the data has " + data.dims() + " features but the model was fitted on "
                    + m.dims());
        }
    }

    /**
     * The distance from every row to every class template (L1, or Euclidean for L2), in double
     * precision; NaN for a class that had no training rows.
     */
    @Override
    public Scores scores(Dataset data) {
        TemplateClassifier m = templates();
        checkDims(data, m);
        int classes = m.numClasses();
        int d = m.dims();
        float[][] t = m.templates();
        double[] out = new double[data.rows() * classes];
        double[] row = new double[d];
        Standardizer s = scaler;
        Dataset rows = s == null ? data : s.apply(data);
        try {
            scoreRows(rows, m, t, out, row);
        } finally {
            if (rows != data) {
                rows.close();
            }
        }
        return new Scores(Scores.Kind.DISTANCES, data.rows(), classes, out);
    }

    private void scoreRows(Dataset data, TemplateClassifier m, float[][] t, double[] out, double[] row) {
        int classes = m.numClasses();
        int d = m.dims();
        for (int r = 0; r < data.rows(); r++) {
            for (int f = 0; f < d; f++) {
                row[f] = data.value(r, f);
            }
            for (int c = 0; c < classes; c++) {
                double s = 0;
                for (int f = 0; f < d; f++) {
                    double x = row[f] - t[c][f];
                    s += params.metric() == Metric.L1 ? Math.abs(x) : x * x;
                }
                out[r * classes + c] = !m.hasTemplate(c) ? Double.NaN : params.metric() == Metric.L1 ? s : Math.sqrt(s);
            }
        }
    }

    @Override
    public Scores predictProba(Dataset data) {
        throw new UnsupportedOperationException("the template classifier gives distances to the class templates, not"
                + " probabilities: use scores()");
    }

    @Override
    public int dims() {
        return templates().dims();
    }

    @Override
    public int numClasses() {
        return templates().numClasses();
    }

    @Override
    public List<String> classNames() {
        return templates().classNames();
    }

    @Override
    public void save(Path file) throws IOException {
        TemplateClassifier m = templates();
        float[][] t = m.templates();
        ModelFile.write(file, kind(), out -> {
            out.writeInt(params.center().ordinal());
            out.writeInt(params.metric().ordinal());
            out.writeInt(m.dims());
            ModelFile.writeNames(out, m.classNames());
            ModelFile.writeShape(out, m.imageShape().orElse(null));
            ModelFile.writeScaler(out, scaler);
            for (int c = 0; c < m.numClasses(); c++) {
                out.writeInt(m.count(c));
                for (float v : t[c]) {
                    out.writeFloat(v);
                }
            }
        });
    }

    static TemplateModel read(ModelFile.Reader r, RunOptions run) throws DataFormatException {
        Center center = Center.values()[r.i32("center", 0, Center.values().length - 1)];
        Metric metric = Metric.values()[r.i32("metric", 0, Metric.values().length - 1)];
        int dims = r.i32("features", 1, Integer.MAX_VALUE);
        List<String> names = ModelFile.readNames(r);
        if ((long) names.size() * (4 + 4L * dims) > r.buf.remaining()) {
            throw r.error(names.size() + " templates of " + dims + " features need " + names.size() * (4 + 4L * dims)
                    + " bytes, the file has " + r.buf.remaining() + " left");
        }
        var shape = ModelFile.readShape(r, dims);
        Standardizer scaler = ModelFile.readScaler(r, dims);
        if ((long) names.size() * (4 + 4L * dims) > r.buf.remaining()) {
            throw r.error(names.size() + " templates of " + dims + " features need " + names.size() * (4 + 4L * dims)
                    + " bytes, the file has " + r.buf.remaining() + " left");
        }
        int[] counts = new int[names.size()];
        float[][] t = new float[names.size()][dims];
        boolean any = false;
        for (int c = 0; c < counts.length; c++) {
            counts[c] = r.i32("row count of class " + c, 0, Integer.MAX_VALUE);
            any |= counts[c] > 0;
            for (int f = 0; f < dims; f++) {
                float v = r.f32("template " + c + " feature " + f);
                if (!Float.isFinite(v)) {
                    throw r.error("template " + c + " feature " + f + " is " + v + " (templates are finite)");
                }
                t[c][f] = counts[c] > 0 ? v : 0f;
            }
        }
        if (!any) {
            throw r.error("no class has a template (every row count is 0)");
        }
        r.end();
        TemplateModel m = new TemplateModel(new Params(center, metric, scaler != null), run);
        m.model = TemplateClassifier.restore(center, t, counts, names, shape);
        m.scaler = scaler;
        return m;
    }

    @Override
    public void close() {
        // templates live in an automatic arena: nothing to free by hand
    }
}
