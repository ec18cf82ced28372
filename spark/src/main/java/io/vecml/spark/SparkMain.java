package io.vecml.spark;

import io.vecml.engine.api.Parse;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridReports;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.Weights;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The application jar's entry point, for {@code spark-submit} (see the README):
 *
 * <pre>
 * knn  --data PATH [--k 5] [--metric l2] [--weights uniform] [--shards N] [--block 1024] [--limit N] [--train-limit N]
 *      [--partitions N] [--stage DIR]
 * grid --data PATH [--k 1..30] [--metric l1,l2] [--weights uniform] [--folds 5] [--seed S]
 * </pre>
 *
 * PATH is anything {@code vecml} reads (CIFAR, IDX, NPY, CSV). {@code knn} fits on the training split,
 * classifies the test split and prints accuracy and throughput; {@code grid} cross-validates on the
 * training split. {@code --stage DIR} writes the DataFrames to Parquet there and reads them back first
 * (rows made on the driver otherwise travel inside every task that recomputes them, as with any
 * parallelised collection). Exit codes: 0 done, 2 bad input, 1 internal failure.
 */
public final class SparkMain {
    private SparkMain() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("vecml-spark: " + e.getMessage());
            System.exit(2);
        } catch (java.io.IOException e) {
            System.err.println("vecml-spark: cannot read the data: " + e.getMessage());
            System.exit(2);
        }
    }

    static Map<String, String> options(String[] args, int from, List<String> known) {
        Map<String, String> o = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !known.contains(a.substring(2))) {
                throw new IllegalArgumentException("unknown option '" + a + "'; expected one of --" + String.join(", --",
                        known));
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            o.put(a.substring(2), args[++i]);
        }
        return o;
    }

    static int run(String[] args) throws java.io.IOException {
        if (args.length == 0 || !(args[0].equals("knn") || args[0].equals("grid"))) {
            throw new IllegalArgumentException("usage: knn|grid --data PATH [options] (see the README's Spark section)");
        }
        boolean knn = args[0].equals("knn");
        Map<String, String> o = options(args, 1, knn
                ? List.of("data", "k", "metric", "weights", "shards", "block", "limit", "train-limit", "partitions",
                        "stage")
                : List.of("data", "k", "metric", "weights", "folds", "seed"));
        String data = o.get("data");
        if (data == null) {
            throw new IllegalArgumentException("--data PATH is required");
        }
        SparkConf conf = VecmlSpark.configure(new SparkConf().setAppName("vecml-spark " + args[0]));
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            int partitions = Integer.parseInt(o.getOrDefault("partitions",
                    Integer.toString(spark.sparkContext().defaultParallelism())));
            VecmlFrames.Frames f = VecmlFrames.load(spark, data, VecmlFrames.Format.BINARY_IF_UINT8, partitions);
            if (knn) {
                return knn(spark, f, o);
            }
            return grid(spark, data, o);
        } finally {
            spark.stop();
        }
    }

    private static Dataset<Row> limit(Dataset<Row> df, String n) {
        return n == null ? df : df.limit(Integer.parseInt(n));
    }

    private static int knn(SparkSession spark, VecmlFrames.Frames f, Map<String, String> o) {
        if (f.test() == null) {
            throw new IllegalArgumentException("the data has no test split to classify");
        }
        Dataset<Row> train = limit(f.train(), o.get("train-limit"));
        Dataset<Row> test = limit(f.test(), o.get("limit"));
        if (o.containsKey("stage")) {
            train.write().mode("overwrite").parquet(o.get("stage") + "/train");
            test.write().mode("overwrite").parquet(o.get("stage") + "/test");
            train = spark.read().parquet(o.get("stage") + "/train");
            test = spark.read().parquet(o.get("stage") + "/test");
        }
        train = train.cache();
        test = test.cache();
        long nq = test.count();
        train.count();
        VecmlKnnClassifier est = new VecmlKnnClassifier().setK(Integer.parseInt(o.getOrDefault("k", "5")))
                .setMetric(o.getOrDefault("metric", "l2")).setWeights(o.getOrDefault("weights", "uniform"))
                .setNumShards(Integer.parseInt(o.getOrDefault("shards", "0")))
                .setQueryBlockSize(Integer.parseInt(o.getOrDefault("block", "1024"))).setImageShape(f.imageShape());
        long t0 = System.nanoTime();
        VecmlKnnClassificationModel m = est.fit(train);
        long t1 = System.nanoTime();
        Dataset<Row> out = m.transform(test);
        long t2 = System.nanoTime();
        long right = out.filter("prediction = label").count();
        double search = (t2 - t1) / 1e9;
        System.out.printf(Locale.ROOT, "train %d rows x %d features in %d shards, fit %.2f s%n", m.numTrainingRows(),
                m.numFeatures(), m.numTrainingShards(), (t1 - t0) / 1e9);
        System.out.printf(Locale.ROOT, "%d queries, k = %d, %s: search %.2f s (%.0f queries/s), accuracy %.4f%n", nq,
                m.getK(), est.getOrDefault(est.metric()), search, nq / search, (double) right / nq);
        m.release();
        return 0;
    }

    private static int grid(SparkSession spark, String data, Map<String, String> o) throws java.io.IOException {
        int[] ks = Parse.ks(o.getOrDefault("k", "1..30"), "--k");
        List<Metric> metrics = Parse.metrics(o.getOrDefault("metric", "l1,l2"), "--metric");
        List<Weights> weights = Parse.weightsList(o.getOrDefault("weights", "uniform"), "--weights");
        Long seed = o.containsKey("seed") ? Long.valueOf(o.get("seed")) : null;
        CvSpec cv = new CvSpec(Integer.parseInt(o.getOrDefault("folds", "5")), true, seed, CvSpec.Scaling.NONE,
                Scoring.ACCURACY);
        try (io.vecml.engine.data.LoadedData d = io.vecml.engine.data.Datasets.load(data)) {
            KnnGridSearch.Result r = VecmlKnnGridSearch.run(spark, d.train(), ks, metrics, weights, cv);
            for (KnnGridSearch.Candidate c : r.candidates()) {
                KnnGridReports.Row row = KnnGridReports.row(c);
                System.out.printf(Locale.ROOT, "%s k=%d %s mean %.4f std %.4f rank %d%n", row.metric(), row.k(),
                        row.weights(), row.mean(), row.std(), row.rank());
            }
            System.out.printf(Locale.ROOT, "best: %s k=%d %s, %.4f (%d folds, %.2f s)%n", r.best().metric(),
                    r.best().k(), r.best().weights().name().toLowerCase(Locale.ROOT), r.best().mean(), r.folds(),
                    r.seconds());
        }
        return 0;
    }
}
