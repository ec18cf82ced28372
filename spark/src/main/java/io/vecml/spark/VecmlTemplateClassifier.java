package io.vecml.spark;

import io.vecml.engine.api.TemplateModel;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * The template classifier (one template per class = the class mean; predict the class of the nearest
 * template, L1 by default as in the lecture, or L2) fitted with one aggregation: each partition sums
 * its rows per class (in double), the sums are added up and divided by the counts. For uint8 features
 * the sums are exact integers, so the templates, and the predictions, equal the single-node engine's
 * bit for bit; for float32 features the sums may differ from the engine's row-order sums in the last
 * bits of a double (the float32 templates almost always agree).
 */
public final class VecmlTemplateClassifier extends Estimator<VecmlTemplateClassificationModel>
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    final Param<String> featuresCol;
    final Param<String> labelCol;
    final Param<String> predictionCol;
    final Param<String> metric;

    public VecmlTemplateClassifier() {
        this(Identifiable.randomUID("vecmlTemplate"));
    }

    public VecmlTemplateClassifier(String uid) {
        this.uid = uid;
        featuresCol = new Param<>(this, "featuresCol", "features column: ML Vector, array<float>/array<double> or"
                + " binary (uint8)");
        labelCol = new Param<>(this, "labelCol", "label column (class indices 0, 1, 2, ...)");
        predictionCol = new Param<>(this, "predictionCol", "prediction column name");
        metric = new Param<>(this, "metric", "distance to the templates: l1 or l2",
                ParamValidators.inArray(new String[] {"l1", "l2"}));
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(metric, defaultMetric());
    }

    /** The default {@code metric}: the library's ({@link TemplateModel.Params#defaults()}), as on every face. */
    static String defaultMetric() {
        return TemplateModel.Params.defaults().metric().name().toLowerCase(java.util.Locale.ROOT);
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

    public VecmlTemplateClassifier setFeaturesCol(String v) {
        set(featuresCol, v);
        return this;
    }

    public VecmlTemplateClassifier setLabelCol(String v) {
        set(labelCol, v);
        return this;
    }

    public VecmlTemplateClassifier setPredictionCol(String v) {
        set(predictionCol, v);
        return this;
    }

    public VecmlTemplateClassifier setMetric(String v) {
        set(metric, v.toLowerCase(java.util.Locale.ROOT));
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        FeatureKind.of(schema, getOrDefault(featuresCol));
        TrainingShards.requireNumeric(schema, getOrDefault(labelCol));
        return VecmlTemplateClassificationModel.outputSchema(schema, getOrDefault(predictionCol));
    }

    /** Per-class sums and counts of one partition, or the first problem met (by row index). */
    static final class Sums implements Serializable {
        private static final long serialVersionUID = 1L;
        final TreeMap<Integer, double[]> sum = new TreeMap<>();
        final TreeMap<Integer, Integer> count = new TreeMap<>();
        int dims = -1;
        long dimsRow = -1;
        String error;
        long errorRow = Long.MAX_VALUE;

        void fail(String what, long row) {
            if (row < errorRow) {
                error = what;
                errorRow = row;
            }
        }

        Sums merge(Sums o) {
            if (o.error != null) {
                fail(o.error, o.errorRow);
            }
            if (o.dims >= 0 && dims >= 0 && o.dims != dims) {
                long late = Math.max(o.dimsRow, dimsRow);
                long early = Math.min(o.dimsRow, dimsRow);
                fail("row " + late + " has " + (late == o.dimsRow ? o.dims : dims) + " features but row " + early
                        + " has " + (late == o.dimsRow ? dims : o.dims), late);
                return this;
            }
            if (dims < 0 || (o.dims >= 0 && o.dimsRow < dimsRow)) {
                dims = o.dims;
                dimsRow = o.dimsRow;
            }
            o.sum.forEach((c, s) -> {
                double[] mine = sum.computeIfAbsent(c, x -> new double[s.length]);
                for (int f = 0; f < s.length; f++) {
                    mine[f] += s[f];
                }
            });
            o.count.forEach((c, n) -> count.merge(c, n, Integer::sum));
            return this;
        }
    }

    private static Iterator<Sums> partitionSums(Iterator<Tuple2<Long, TrainingShards.Item>> it) {
        Sums s = new Sums();
        while (it.hasNext()) {
            Tuple2<Long, TrainingShards.Item> t = it.next();
            TrainingShards.Item item = t._2();
            if (item.error() != null) {
                s.fail(item.error(), t._1());
                break;
            }
            int d = FeatureKind.length(item.features());
            if (s.dims < 0) {
                s.dims = d;
                s.dimsRow = t._1();
            } else if (d != s.dims) {
                s.fail("row " + t._1() + " has " + d + " features but row " + s.dimsRow + " has " + s.dims, t._1());
                break;
            }
            double[] acc = s.sum.computeIfAbsent(item.label(), x -> new double[d]);
            if (item.features() instanceof byte[] b) {
                for (int f = 0; f < d; f++) {
                    acc[f] += Byte.toUnsignedInt(b[f]);
                }
            } else {
                float[] v = (float[]) item.features();
                for (int f = 0; f < d; f++) {
                    acc[f] += v[f];
                }
            }
            s.count.merge(item.label(), 1, Integer::sum);
        }
        return List.of(s).iterator();
    }

    @Override
    public VecmlTemplateClassificationModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        String fc = getOrDefault(featuresCol);
        String lc = getOrDefault(labelCol);
        FeatureKind kind = FeatureKind.of(dataset.schema(), fc);
        Sums total = dataset.select(fc, lc).toJavaRDD().zipWithIndex()
                .mapToPair(t -> new Tuple2<>(t._2(), TrainingShards.item(t._1(), kind, fc, lc, t._2())))
                .mapPartitions(VecmlTemplateClassifier::partitionSums)
                .reduce(Sums::merge);
        if (total.error != null) {
            throw new IllegalArgumentException("the training DataFrame: " + total.error);
        }
        if (total.count.isEmpty()) {
            throw new IllegalArgumentException("cannot fit the template classifier on 0 rows (the training DataFrame is"
                    + " empty)");
        }
        if (total.count.size() < 2) {
            int only = total.count.firstKey();
            throw new IllegalArgumentException("the training DataFrame has rows of only one class (label " + only + ", "
                    + total.count.get(only) + " rows); the template classifier needs rows of at least two classes");
        }
        int classes = total.count.lastKey() + 1;
        int[] counts = new int[classes];
        float[][] templates = new float[classes][total.dims];
        for (int c = 0; c < classes; c++) {
            counts[c] = total.count.getOrDefault(c, 0);
            double[] s = total.sum.get(c);
            for (int f = 0; f < total.dims && counts[c] > 0; f++) {
                // the engine's mean: the double sum divided by the count, then stored as float32
                templates[c][f] = (float) (s[f] / counts[c]);
            }
        }
        VecmlTemplateClassificationModel m = new VecmlTemplateClassificationModel(uid, templates, counts);
        copyValues(m, ParamMap.empty());
        m.setParent(this);
        return m;
    }

    @Override
    public VecmlTemplateClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<VecmlTemplateClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static VecmlTemplateClassifier load(String path) {
        return read().load(path);
    }

    static List<String> names(int classes) {
        return new ArrayList<>(Block.classNames(classes));
    }
}
