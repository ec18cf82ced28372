package io.vecml.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Exact k-nearest-neighbour classification on Spark with the vecml engine: the training rows are
 * sharded across partitions, each task searches its shard with the engine, and the shards' top-k
 * lists are merged by (distance, training index), so neighbours, predictions and vote ties equal a
 * single-node {@code vecml knn} on the same rows, for any number of shards. See
 * {@link VecmlKnnClassificationModel}.
 *
 * <p>Training rows are indexed in DataFrame order (0-based); labels are class indices 0, 1, 2, ...
 */
public final class VecmlKnnClassifier extends Estimator<VecmlKnnClassificationModel>
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final KnnParams p;

    public VecmlKnnClassifier() {
        this(Identifiable.randomUID("vecmlKnn"));
    }

    public VecmlKnnClassifier(String uid) {
        this.uid = uid;
        this.p = new KnnParams(this);
        p.defaults().forEach(this::setDefaultPair);
    }

    private <T> void setDefaultPair(org.apache.spark.ml.param.ParamPair<T> pair) {
        setDefault(pair.param(), pair.value());
    }

    @Override
    public String uid() {
        return uid;
    }

    // --- parameters (public no-argument methods returning a Param: MLlib finds them by reflection) ---
    public Param<String> featuresCol() {
        return p.featuresCol;
    }

    public Param<String> labelCol() {
        return p.labelCol;
    }

    public Param<String> predictionCol() {
        return p.predictionCol;
    }

    public Param<String> probabilityCol() {
        return p.probabilityCol;
    }

    public Param<String> neighborsCol() {
        return p.neighborsCol;
    }

    public Param<String> distancesCol() {
        return p.distancesCol;
    }

    public IntParam k() {
        return p.k;
    }

    public Param<String> metric() {
        return p.metric;
    }

    public Param<String> weights() {
        return p.weights;
    }

    public IntParam numShards() {
        return p.numShards;
    }

    public IntParam queryBlockSize() {
        return p.queryBlockSize;
    }

    public Param<String> imageShape() {
        return p.imageShape;
    }

    public VecmlKnnClassifier setFeaturesCol(String v) {
        set(p.featuresCol, v);
        return this;
    }

    public VecmlKnnClassifier setLabelCol(String v) {
        set(p.labelCol, v);
        return this;
    }

    public VecmlKnnClassifier setPredictionCol(String v) {
        set(p.predictionCol, v);
        return this;
    }

    public VecmlKnnClassifier setProbabilityCol(String v) {
        set(p.probabilityCol, v);
        return this;
    }

    public VecmlKnnClassifier setNeighborsCol(String v) {
        set(p.neighborsCol, v);
        return this;
    }

    public VecmlKnnClassifier setDistancesCol(String v) {
        set(p.distancesCol, v);
        return this;
    }

    public VecmlKnnClassifier setK(int v) {
        set(p.k, v);
        return this;
    }

    public VecmlKnnClassifier setMetric(String v) {
        set(p.metric, v.toLowerCase(java.util.Locale.ROOT));
        return this;
    }

    public VecmlKnnClassifier setWeights(String v) {
        set(p.weights, v.toLowerCase(java.util.Locale.ROOT));
        return this;
    }

    public VecmlKnnClassifier setNumShards(int v) {
        set(p.numShards, v);
        return this;
    }

    public VecmlKnnClassifier setQueryBlockSize(int v) {
        set(p.queryBlockSize, v);
        return this;
    }

    public VecmlKnnClassifier setImageShape(String v) {
        set(p.imageShape, v);
        return this;
    }

    public int getK() {
        return (Integer) getOrDefault(p.k);
    }

    String str(Param<String> param) {
        return getOrDefault(param);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        FeatureKind.of(schema, str(p.featuresCol));
        TrainingShards.requireNumeric(schema, str(p.labelCol));
        return VecmlKnnClassificationModel.outputSchema(schema, this, p);
    }

    @Override
    public VecmlKnnClassificationModel fit(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        transformSchema(schema);
        String fc = str(p.featuresCol);
        String lc = str(p.labelCol);
        FeatureKind kind = FeatureKind.of(schema, fc);
        JavaRDD<Row> rows = dataset.select(fc, lc).toJavaRDD();
        int shards = (Integer) getOrDefault(p.numShards);
        JavaPairRDD<Row, Long> z = rows.zipWithIndex();
        JavaPairRDD<Long, TrainingShards.Item> items = z.mapToPair(
                t -> new Tuple2<>(t._2(), TrainingShards.item(t._1(), kind, fc, lc, t._2())));
        // numShards 0: the input's partitions are the shards (zipWithIndex numbers each one consecutively)
        boolean keep = shards == 0 || shards == rows.getNumPartitions();
        long count = keep ? -1 : z.count();
        TrainingShards ts = TrainingShards.build(items, count, keep ? 0 : shards, kind.uint8(),
                "the training DataFrame");
        if (getK() > ts.rows()) {
            ts.release();
            throw new IllegalArgumentException("k = " + getK() + " is more than the " + ts.rows() + " training rows");
        }
        VecmlKnnClassificationModel m = new VecmlKnnClassificationModel(uid, ts);
        copyValues(m, ParamMap.empty());
        m.setParent(this);
        return m;
    }

    @Override
    public VecmlKnnClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<VecmlKnnClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static VecmlKnnClassifier load(String path) {
        return read().load(path);
    }
}
