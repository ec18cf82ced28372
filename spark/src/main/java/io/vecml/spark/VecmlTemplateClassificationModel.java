package io.vecml.spark;

import io.vecml.engine.distance.Metric;
import io.vecml.engine.template.TemplateClassifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link VecmlTemplateClassifier}: the class templates (float32, as the engine stores them)
 * and row counts. {@link #transform} predicts each partition with the engine's template classifier.
 */
public final class VecmlTemplateClassificationModel extends Model<VecmlTemplateClassificationModel>
        implements MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final float[][] templates;
    private final int[] counts;
    final Param<String> featuresCol;
    final Param<String> labelCol;
    final Param<String> predictionCol;
    final Param<String> metric;

    VecmlTemplateClassificationModel(String uid, float[][] templates, int[] counts) {
        this.uid = uid;
        this.templates = templates;
        this.counts = counts;
        featuresCol = new Param<>(this, "featuresCol", "features column");
        labelCol = new Param<>(this, "labelCol", "label column (class indices 0, 1, 2, ...)");
        predictionCol = new Param<>(this, "predictionCol", "prediction column name");
        metric = new Param<>(this, "metric", "distance to the templates: l1 or l2",
                ParamValidators.inArray(new String[] {"l1", "l2"}));
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(metric, VecmlTemplateClassifier.defaultMetric());
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> metric() {
        return metric;
    }

    public VecmlTemplateClassificationModel setMetric(String v) {
        set(metric, v.toLowerCase(java.util.Locale.ROOT));
        return this;
    }

    /** The template of class {@code c} (a copy; zeros for a class without training rows). */
    public float[] template(int c) {
        return templates[c].clone();
    }

    /** Training rows of class {@code c}. */
    public int count(int c) {
        return counts[c];
    }

    public int numClasses() {
        return counts.length;
    }

    /** The engine's classifier for these templates (class names "0", "1", ...). */
    public TemplateClassifier engineModel() {
        return TemplateClassifier.restore(TemplateClassifier.Center.MEAN, templates, counts,
                VecmlTemplateClassifier.names(counts.length), null);
    }

    static StructType outputSchema(StructType schema, String predictionCol) {
        if (Arrays.asList(schema.fieldNames()).contains(predictionCol)) {
            throw new IllegalArgumentException("output column '" + predictionCol + "' already exists in the DataFrame");
        }
        return schema.add(new StructField(predictionCol, DataTypes.DoubleType, false,
                org.apache.spark.sql.types.Metadata.empty()));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        FeatureKind.of(schema, getOrDefault(featuresCol));
        return outputSchema(schema, getOrDefault(predictionCol));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        String fc = getOrDefault(featuresCol);
        FeatureKind kind = FeatureKind.of(dataset.schema(), fc);
        Dataset<Row> df = dataset.toDF();
        int fi = df.schema().fieldIndex(fc);
        Metric m = KnnParams.metric(getOrDefault(metric));
        float[][] t = templates;
        int[] n = counts;
        int dims = t[0].length;
        JavaRDD<Row> rows = df.toJavaRDD().mapPartitionsWithIndex((part, it) -> predict(it, part, kind, fi, fc, t, n,
                dims, m), true);
        return df.sparkSession().createDataFrame(rows, out);
    }

    private static Iterator<Row> predict(Iterator<Row> it, int part, FeatureKind kind, int fi, String fc,
            float[][] t, int[] n, int dims, Metric m) {
        List<Row> rows = new ArrayList<>();
        List<Object> feats = new ArrayList<>();
        while (it.hasNext()) {
            Row r = it.next();
            String what = "row " + rows.size() + " of partition " + part + " (column '" + fc + "')";
            Object f = kind.read(r, fi, what);
            if (f == null) {
                throw new IllegalArgumentException(what + " is null");
            }
            if (FeatureKind.length(f) != dims) {
                throw new IllegalArgumentException(what + " has " + FeatureKind.length(f) + " features but the templates"
                        + " have " + dims);
            }
            rows.add(r);
            feats.add(f);
        }
        if (rows.isEmpty()) {
            return rows.iterator();
        }
        TemplateClassifier tc = TemplateClassifier.restore(TemplateClassifier.Center.MEAN, t, n,
                VecmlTemplateClassifier.names(n.length), null);
        int[] p;
        try (io.vecml.engine.data.Dataset d = Block.of(feats, dims, kind.uint8(), new int[feats.size()], null)
                .toDataset(List.of("query"))) {
            p = tc.predict(d, m, 1);
        }
        List<Row> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            Object[] v = new Object[r.size() + 1];
            for (int c = 0; c < r.size(); c++) {
                v[c] = r.get(c);
            }
            v[r.size()] = (double) p[i];
            out.add(RowFactory.create(v));
        }
        return out.iterator();
    }

    @Override
    public VecmlTemplateClassificationModel copy(ParamMap extra) {
        VecmlTemplateClassificationModel c = new VecmlTemplateClassificationModel(uid, templates, counts);
        copyValues(c, extra);
        c.setParent(parent());
        return c;
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<VecmlTemplateClassificationModel> read() {
        return new Reader();
    }

    public static VecmlTemplateClassificationModel load(String path) {
        return read().load(path);
    }

    private static final class Writer extends MLWriter {
        private final VecmlTemplateClassificationModel m;

        Writer(VecmlTemplateClassificationModel m) {
            this.m = m;
        }

        @Override
        public void saveImpl(String path) {
            SparkSession spark = sparkSession();
            DefaultParamsWriter.saveMetadata(m, path, spark);
            StructType schema = new StructType().add("class", DataTypes.IntegerType, false)
                    .add("count", DataTypes.IntegerType, false)
                    .add("template", DataTypes.createArrayType(DataTypes.FloatType, false), false);
            List<Row> rows = new ArrayList<>();
            for (int c = 0; c < m.counts.length; c++) {
                Float[] v = new Float[m.templates[c].length];
                for (int f = 0; f < v.length; f++) {
                    v[f] = m.templates[c][f];
                }
                rows.add(RowFactory.create(c, m.counts[c], v));
            }
            spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path + "/data");
        }
    }

    private static final class Reader extends MLReader<VecmlTemplateClassificationModel> {
        @Override
        public VecmlTemplateClassificationModel load(String path) {
            SparkSession spark = sparkSession();
            DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, spark,
                    VecmlTemplateClassificationModel.class.getName());
            List<Row> rows = spark.read().parquet(path + "/data").orderBy("class").collectAsList();
            int classes = rows.size();
            float[][] t = new float[classes][];
            int[] n = new int[classes];
            for (int c = 0; c < classes; c++) {
                Row r = rows.get(c);
                if (r.getInt(0) != c) {
                    throw new IllegalArgumentException("the saved model at " + path + " lacks class " + c);
                }
                n[c] = r.getInt(1);
                List<Float> v = r.getList(2);
                t[c] = new float[v.size()];
                for (int f = 0; f < t[c].length; f++) {
                    t[c][f] = v.get(f);
                }
            }
            VecmlTemplateClassificationModel m = new VecmlTemplateClassificationModel(meta.uid(), t, n);
            meta.getAndSetParams(m, scala.Option.empty());
            return m;
        }
    }
}
