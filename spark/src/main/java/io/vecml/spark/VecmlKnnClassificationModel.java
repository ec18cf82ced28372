package io.vecml.spark;

import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
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
import scala.Tuple2;

/**
 * A fitted {@link VecmlKnnClassifier}: the training shards cached in the executors. {@link #transform}
 * takes query blocks of {@code queryBlockSize} rows through the driver, broadcasts each block, has every
 * shard find its k nearest rows with the engine (filter-and-refine, GEMM + exact re-rank or direct, as
 * the engine chooses for the shard), merges the lists by (distance, global training index) and votes as
 * the engine does. Output columns: prediction (class index as a double), probability (vote shares,
 * an ML Vector), and optionally the neighbours' training indices and distances.
 *
 * <p>Saved with {@link #write()} as MLlib's metadata plus the training rows (Parquet), and read back
 * with {@link #load}.
 */
public final class VecmlKnnClassificationModel extends Model<VecmlKnnClassificationModel> implements MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final KnnParams p;
    private final transient TrainingShards shards;

    VecmlKnnClassificationModel(String uid, TrainingShards shards) {
        this.uid = uid;
        this.p = new KnnParams(this);
        this.shards = shards;
        p.defaults().forEach(this::setDefaultPair);
    }

    private <T> void setDefaultPair(org.apache.spark.ml.param.ParamPair<T> pair) {
        setDefault(pair.param(), pair.value());
    }

    @Override
    public String uid() {
        return uid;
    }

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

    public VecmlKnnClassificationModel setFeaturesCol(String v) {
        set(p.featuresCol, v);
        return this;
    }

    public VecmlKnnClassificationModel setPredictionCol(String v) {
        set(p.predictionCol, v);
        return this;
    }

    public VecmlKnnClassificationModel setProbabilityCol(String v) {
        set(p.probabilityCol, v);
        return this;
    }

    public VecmlKnnClassificationModel setNeighborsCol(String v) {
        set(p.neighborsCol, v);
        return this;
    }

    public VecmlKnnClassificationModel setDistancesCol(String v) {
        set(p.distancesCol, v);
        return this;
    }

    /** k per transform (1 .. training rows); the training shards do not change. */
    public VecmlKnnClassificationModel setK(int v) {
        set(p.k, v);
        return this;
    }

    public VecmlKnnClassificationModel setWeights(String v) {
        set(p.weights, v.toLowerCase(java.util.Locale.ROOT));
        return this;
    }

    public VecmlKnnClassificationModel setQueryBlockSize(int v) {
        set(p.queryBlockSize, v);
        return this;
    }

    public VecmlKnnClassificationModel setImageShape(String v) {
        set(p.imageShape, v);
        return this;
    }

    public int getK() {
        return (Integer) getOrDefault(p.k);
    }

    /** Training rows. */
    public long numTrainingRows() {
        return shards.rows();
    }

    /** Features per row. */
    public int numFeatures() {
        return shards.dims();
    }

    /** Classes (largest training label + 1). */
    public int numClasses() {
        return shards.classes();
    }

    /** Training shards (partitions). */
    public int numTrainingShards() {
        return shards.shards().getNumPartitions();
    }

    private String str(Param<String> param) {
        return getOrDefault(param);
    }

    static StructType outputSchema(StructType schema, Params owner, KnnParams p) {
        StructType out = schema;
        String[] cols = {owner.getOrDefault(p.predictionCol), owner.getOrDefault(p.probabilityCol),
            owner.getOrDefault(p.neighborsCol), owner.getOrDefault(p.distancesCol)};
        org.apache.spark.sql.types.DataType[] types = {DataTypes.DoubleType, SQLDataTypes.VectorType(),
            DataTypes.createArrayType(DataTypes.LongType, false), DataTypes.createArrayType(DataTypes.DoubleType, false)};
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].isEmpty()) {
                if (i == 0) {
                    throw new IllegalArgumentException("predictionCol must not be empty");
                }
                continue;
            }
            if (Arrays.asList(out.fieldNames()).contains(cols[i])) {
                throw new IllegalArgumentException("output column '" + cols[i] + "' already exists in the DataFrame");
            }
            out = out.add(new StructField(cols[i], types[i], false, org.apache.spark.sql.types.Metadata.empty()));
        }
        return out;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        FeatureKind.of(schema, str(p.featuresCol));
        return outputSchema(schema, this, p);
    }

    /** What one query block's search gave, per query. */
    private record Answers(double[] prediction, double[] shares, long[] neighbors, double[] distances)
            implements java.io.Serializable {
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType outSchema = transformSchema(dataset.schema());
        int k = getK();
        if (k > shards.rows()) {
            throw new IllegalArgumentException("k = " + k + " is more than the " + shards.rows() + " training rows");
        }
        String fc = str(p.featuresCol);
        FeatureKind kind = FeatureKind.of(dataset.schema(), fc);
        Dataset<Row> df = dataset.toDF();
        int fi = df.schema().fieldIndex(fc);
        JavaPairRDD<Row, Long> z = df.toJavaRDD().zipWithIndex();
        Metric metric = KnnParams.metric(str(p.metric));
        Weights weights = KnnParams.weights(str(p.weights));
        int blockSize = (Integer) getOrDefault(p.queryBlockSize);
        int[] shape = KnnParams.shape(str(p.imageShape), "imageShape");
        if (shape != null && KnnParams.toShape(shape).dims() != shards.dims()) {
            throw new IllegalArgumentException("imageShape " + str(p.imageShape) + " has " + KnnParams.toShape(shape).dims()
                    + " values but rows have " + shards.dims() + " features");
        }
        int classes = shards.classes();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());

        List<double[]> predictions = new ArrayList<>();
        List<double[]> shareList = new ArrayList<>();
        List<long[]> nbList = new ArrayList<>();
        List<double[]> distList = new ArrayList<>();
        List<Object> block = new ArrayList<>();
        Iterator<Tuple2<Object, Long>> it = z.map(t -> {
            // rows reach the driver as features only (byte[] or float[]), or as what is wrong with them
            try {
                Object f = kind.read(t._1(), fi, "query row " + t._2() + " (column '" + fc + "')");
                return new Tuple2<>(f, t._2());
            } catch (IllegalArgumentException e) {
                return new Tuple2<Object, Long>(e.getMessage(), t._2());
            }
        }).toLocalIterator();
        while (it.hasNext()) {
            Tuple2<Object, Long> t = it.next();
            if (t._1() instanceof String error) {
                throw new IllegalArgumentException(error);
            }
            if (t._1() == null) {
                throw new IllegalArgumentException("query row " + t._2() + " has a null in column '" + fc + "'");
            }
            int d = FeatureKind.length(t._1());
            if (d != shards.dims()) {
                throw new IllegalArgumentException("query row " + t._2() + " has " + d + " features but the model was"
                        + " fitted on " + shards.dims());
            }
            block.add(t._1());
            if (block.size() == blockSize || !it.hasNext()) {
                Answers a = search(jsc, block, kind.uint8(), k, metric, weights, classes, shape);
                predictions.add(a.prediction());
                shareList.add(a.shares());
                nbList.add(a.neighbors());
                distList.add(a.distances());
                block.clear();
            }
        }
        double[] pred = concat(predictions);
        double[] shares = concat(shareList);
        long[] nb = concatLong(nbList);
        double[] dist = concat(distList);
        boolean withProb = !str(p.probabilityCol).isEmpty();
        boolean withNb = !str(p.neighborsCol).isEmpty();
        boolean withDist = !str(p.distancesCol).isEmpty();
        Broadcast<Answers> answers = jsc.broadcast(new Answers(pred, withProb ? shares : null, withNb ? nb : null,
                withDist ? dist : null));
        JavaRDD<Row> out = z.map(t -> {
            Answers a = answers.value();
            int q = Math.toIntExact(t._2());
            Row r = t._1();
            List<Object> v = new ArrayList<>(r.size() + 4);
            for (int i = 0; i < r.size(); i++) {
                v.add(r.get(i));
            }
            v.add(a.prediction()[q]);
            if (a.shares() != null) {
                v.add(Vectors.dense(Arrays.copyOfRange(a.shares(), q * classes, (q + 1) * classes)));
            }
            if (a.neighbors() != null) {
                v.add(Arrays.stream(Arrays.copyOfRange(a.neighbors(), q * k, (q + 1) * k)).boxed().toArray(Long[]::new));
            }
            if (a.distances() != null) {
                v.add(Arrays.stream(Arrays.copyOfRange(a.distances(), q * k, (q + 1) * k)).boxed()
                        .toArray(Double[]::new));
            }
            return RowFactory.create(v.toArray());
        });
        return df.sparkSession().createDataFrame(out, outSchema);
    }

    /** One query block: broadcast, every shard searched by its task, merged and voted on the driver. */
    private Answers search(JavaSparkContext jsc, List<Object> feats, boolean uint8, int k, Metric metric,
            Weights weights, int classes, int[] shape) {
        int n = feats.size();
        Block qb = Block.of(feats, shards.dims(), uint8, new int[n], null);
        Broadcast<Block> bq = jsc.broadcast(qb);
        try {
            List<KnnShards.Partial> parts = shards.shards().map(s -> KnnShards.search(s, bq.value(), k, metric,
                    Math.max(1, TaskContext.get().cpus()), shape)).collect();
            KnnShards.Merged m = KnnShards.merge(parts, n, k);
            double[] shares = KnnShards.voteShares(m, classes, weights);
            double[] pred = new double[n];
            for (int q = 0; q < n; q++) {
                pred[q] = KnnShards.argmax(shares, q, classes);
            }
            return new Answers(pred, shares, m.index(), m.distance());
        } finally {
            bq.destroy();
        }
    }

    private static double[] concat(List<double[]> parts) {
        int n = 0;
        for (double[] a : parts) {
            n += a.length;
        }
        double[] out = new double[n];
        int o = 0;
        for (double[] a : parts) {
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }

    private static long[] concatLong(List<long[]> parts) {
        int n = 0;
        for (long[] a : parts) {
            n += a.length;
        }
        long[] out = new long[n];
        int o = 0;
        for (long[] a : parts) {
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }

    @Override
    public VecmlKnnClassificationModel copy(ParamMap extra) {
        VecmlKnnClassificationModel m = new VecmlKnnClassificationModel(uid, shards);
        copyValues(m, extra);
        m.setParent(parent());
        return m;
    }

    /** Frees the training shards cached in the executors. */
    public void release() {
        shards.release();
    }

    // --- persistence ---

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<VecmlKnnClassificationModel> read() {
        return new Reader();
    }

    public static VecmlKnnClassificationModel load(String path) {
        return read().load(path);
    }

    private static final class Writer extends MLWriter {
        private final VecmlKnnClassificationModel m;

        Writer(VecmlKnnClassificationModel m) {
            this.m = m;
        }

        @Override
        public void saveImpl(String path) {
            SparkSession spark = sparkSession();
            DefaultParamsWriter.saveMetadata(m, path, spark);
            TrainingShards ts = m.shards;
            StructType info = new StructType().add("rows", DataTypes.LongType).add("dims", DataTypes.IntegerType)
                    .add("uint8", DataTypes.BooleanType).add("classes", DataTypes.IntegerType)
                    .add("shards", DataTypes.IntegerType);
            spark.createDataFrame(List.of(RowFactory.create(ts.rows(), ts.dims(), ts.uint8(), ts.classes(),
                    ts.shards().getNumPartitions())), info).coalesce(1).write().parquet(path + "/info");
            boolean u8 = ts.uint8();
            StructType schema = new StructType().add("index", DataTypes.LongType, false)
                    .add("label", DataTypes.IntegerType, false)
                    .add("features", u8 ? DataTypes.BinaryType : DataTypes.createArrayType(DataTypes.FloatType, false),
                            false);
            JavaRDD<Row> rows = ts.shards().flatMap(b -> {
                List<Row> out = new ArrayList<>(b.rows);
                for (int r = 0; r < b.rows; r++) {
                    Object f;
                    if (b.uint8()) {
                        f = Arrays.copyOfRange(b.u8, r * b.dims, (r + 1) * b.dims);
                    } else {
                        Float[] v = new Float[b.dims];
                        for (int c = 0; c < b.dims; c++) {
                            v[c] = b.f32[r * b.dims + c];
                        }
                        f = v;
                    }
                    out.add(RowFactory.create(b.index[r], b.labels[r], f));
                }
                return out.iterator();
            });
            spark.createDataFrame(rows, schema).write().parquet(path + "/data");
        }
    }

    private static final class Reader extends MLReader<VecmlKnnClassificationModel> {
        @Override
        public VecmlKnnClassificationModel load(String path) {
            SparkSession spark = sparkSession();
            DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, spark,
                    VecmlKnnClassificationModel.class.getName());
            Row info = spark.read().parquet(path + "/info").first();
            long rows = info.getLong(0);
            int shards = info.getInt(4);
            Dataset<Row> data = spark.read().parquet(path + "/data");
            FeatureKind kind = FeatureKind.of(data.schema(), "features");
            JavaPairRDD<Long, TrainingShards.Item> items = data.select("features", "label", "index").toJavaRDD()
                    .mapToPair(r -> new Tuple2<>(r.getLong(2), TrainingShards.item(r, kind, "features", "label",
                            r.getLong(2))));
            TrainingShards ts = TrainingShards.build(items, rows, shards, kind.uint8(), "the saved model at " + path);
            if (ts.dims() != info.getInt(1) || ts.classes() > info.getInt(3)) {
                ts.release();
                throw new IllegalArgumentException("the saved model at " + path + " is inconsistent: its info says "
                        + info.getInt(1) + " features and " + info.getInt(3) + " classes, its rows have " + ts.dims()
                        + " features and " + ts.classes() + " classes");
            }
            TrainingShards fixed = new TrainingShards(ts.shards(), ts.rows(), ts.dims(), ts.uint8(), info.getInt(3));
            VecmlKnnClassificationModel m = new VecmlKnnClassificationModel(meta.uid(), fixed);
            meta.getAndSetParams(m, scala.Option.empty());
            return m;
        }
    }

    /** A fresh uid, for models made outside {@link VecmlKnnClassifier#fit}. */
    static String newUid() {
        return Identifiable.randomUID("vecmlKnn");
    }
}
