package io.vecml.spark;

import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.LoadedData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Between the engine's datasets (CIFAR, IDX, NPY, CSV files read by vecml's own readers) and Spark
 * DataFrames with a {@code features} column and a {@code label} column (the class index, a double as
 * MLlib wants). Row order is kept both ways: row i of the file is row i of the DataFrame, which is the
 * training index the kNN estimators report.
 */
public final class VecmlFrames {

    /** How the features column holds a row. */
    public enum Format {
        /** binary: one byte per feature (uint8 data only; the most compact, and exact). */
        BINARY,
        /** array&lt;float&gt;. */
        FLOAT_ARRAY,
        /** an ML dense Vector (doubles). */
        VECTOR,
        /** {@link #BINARY} for uint8 data, {@link #FLOAT_ARRAY} otherwise. */
        BINARY_IF_UINT8
    }

    /** A file's training and (when it has one) test split as DataFrames, with its class names. */
    public record Frames(Dataset<Row> train, Dataset<Row> test, List<String> classNames, String imageShape) {
    }

    /** The {@code imageShape} parameter value for an engine dataset ("" when its rows are not images). */
    public static String imageShape(io.vecml.engine.data.Dataset d) {
        return d.imageShape().map(s -> s.height() + "x" + s.width() + "x" + s.channels()
                + (s.layout() == io.vecml.engine.data.ImageShape.Layout.HWC ? ":hwc" : "")).orElse("");
    }

    private VecmlFrames() {
    }

    /**
     * Reads {@code source} with the engine (any format vecml reads) and returns its splits as DataFrames
     * of {@code partitions} partitions each (consecutive rows per partition). The rows pass through the
     * driver once.
     */
    public static Frames load(SparkSession spark, String source, Format format, int partitions) throws IOException {
        try (LoadedData d = Datasets.load(source, LoadOptions.DEFAULTS)) {
            Dataset<Row> train = toFrame(spark, d.train(), format, partitions);
            Dataset<Row> test = d.test() == null ? null : toFrame(spark, d.test(), format, partitions);
            return new Frames(train, test, d.train().classNames(), imageShape(d.train()));
        }
    }

    /** The schema of a frame: {@code features} in {@code format}, {@code label} double. */
    public static StructType schema(Format format) {
        DataType f = switch (format) {
            case BINARY -> DataTypes.BinaryType;
            case FLOAT_ARRAY -> DataTypes.createArrayType(DataTypes.FloatType, false);
            case VECTOR -> SQLDataTypes.VectorType();
            case BINARY_IF_UINT8 -> throw new IllegalArgumentException("binary or float array: which depends on the data");
        };
        return new StructType().add("features", f, false).add("label", DataTypes.DoubleType, false);
    }

    /** The rows of an engine dataset as a DataFrame (copied to the heap; the dataset may be closed afterwards). */
    public static Dataset<Row> toFrame(SparkSession spark, io.vecml.engine.data.Dataset d, Format format,
            int partitions) {
        if (format == Format.BINARY_IF_UINT8) {
            format = d.type() == io.vecml.engine.data.Dataset.Type.UINT8 ? Format.BINARY : Format.FLOAT_ARRAY;
        }
        if (format == Format.BINARY && d.type() != io.vecml.engine.data.Dataset.Type.UINT8) {
            throw new IllegalArgumentException("the binary format holds uint8 features; this dataset is " + d.type());
        }
        Block b = Block.fromDataset(d);
        List<Row> rows = new ArrayList<>(b.rows);
        for (int r = 0; r < b.rows; r++) {
            Object f;
            switch (format) {
                case BINARY -> f = java.util.Arrays.copyOfRange(b.u8, r * b.dims, (r + 1) * b.dims);
                case FLOAT_ARRAY -> {
                    Float[] v = new Float[b.dims];
                    for (int c = 0; c < b.dims; c++) {
                        v[c] = value(b, r, c);
                    }
                    f = v;
                }
                default -> {
                    double[] v = new double[b.dims];
                    for (int c = 0; c < b.dims; c++) {
                        v[c] = value(b, r, c);
                    }
                    f = Vectors.dense(v);
                }
            }
            rows.add(RowFactory.create(f, (double) b.labels[r]));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataFrame(jsc.parallelize(rows, Math.max(1, partitions)), schema(format));
    }

    private static float value(Block b, int r, int c) {
        return b.uint8() ? Byte.toUnsignedInt(b.u8[r * b.dims + c]) : b.f32[r * b.dims + c];
    }

    /**
     * Collects a DataFrame's features and labels to the driver as an engine dataset (uint8 for a binary
     * column, float32 otherwise), with class names "0", "1", ...; the caller closes it.
     */
    public static io.vecml.engine.data.Dataset toEngine(Dataset<?> df, String featuresCol, String labelCol) {
        FeatureKind kind = FeatureKind.of(df.schema(), featuresCol);
        TrainingShards.requireNumeric(df.schema(), labelCol);
        List<Object> feats = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int dims = -1;
        long i = 0;
        Iterator<Row> it = df.select(featuresCol, labelCol).toLocalIterator();
        while (it.hasNext()) {
            TrainingShards.Item item = TrainingShards.item(it.next(), kind, featuresCol, labelCol, i);
            if (item.error() != null) {
                throw new IllegalArgumentException(item.error());
            }
            int d = FeatureKind.length(item.features());
            if (dims >= 0 && d != dims) {
                throw new IllegalArgumentException("row " + i + " has " + d + " features but row 0 has " + dims);
            }
            dims = d;
            feats.add(item.features());
            labels.add(item.label());
            i++;
        }
        if (feats.isEmpty()) {
            throw new IllegalArgumentException("the DataFrame has no rows");
        }
        int[] lab = labels.stream().mapToInt(Integer::intValue).toArray();
        int classes = java.util.Arrays.stream(lab).max().orElse(0) + 1;
        return Block.of(feats, dims, kind.uint8(), lab, null).toDataset(Block.classNames(classes));
    }
}
