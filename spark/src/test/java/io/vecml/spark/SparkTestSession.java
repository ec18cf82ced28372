package io.vecml.spark;

import io.vecml.engine.data.Dataset;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** One local Spark for every test class of the module (starting one costs seconds). */
final class SparkTestSession {
    private static SparkSession spark;

    private SparkTestSession() {
    }

    /**
     * local[2,4]: local mode with 2 task threads, and up to 4 attempts per task (plain local[2] never
     * retries a task, so the retry test could not run).
     */
    static synchronized SparkSession get() {
        if (spark == null) {
            SparkConf conf = VecmlSpark.configure(new SparkConf().setMaster("local[2,4]").setAppName("vecml-spark-tests")
                    .set("spark.ui.enabled", "false").set("spark.sql.shuffle.partitions", "4")
                    .set("spark.driver.bindAddress", "127.0.0.1").set("spark.driver.host", "127.0.0.1"));
            spark = SparkSession.builder().config(conf).getOrCreate();
            spark.sparkContext().setLogLevel("ERROR");
        }
        return spark;
    }

    /**
     * Random rows with many exact and near ties: uint8 values 0..3 or float32 values on a 0.5 grid, the
     * second half of the rows copying the first half (exact ties at every distance), and for float32 a
     * third of the rows nudged by one float ulp at 1.0 in one feature (distances that differ only in
     * their last bits).
     */
    static Dataset data(boolean uint8, int rows, int dims, int classes, long seed) {
        Random rnd = new Random(seed);
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = rnd.nextInt(classes);
        }
        Dataset d = Dataset.allocate(uint8 ? Dataset.Type.UINT8 : Dataset.Type.FLOAT32, rows, dims, labels,
                Block.classNames(classes));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                if (r >= rows / 2 && r - rows / 2 < rows / 2) {
                    if (uint8) {
                        d.setU8(r, c, d.u8(r - rows / 2, c));
                    } else {
                        d.setF32(r, c, d.f32(r - rows / 2, c));
                    }
                } else if (uint8) {
                    d.setU8(r, c, rnd.nextInt(4));
                } else {
                    d.setF32(r, c, rnd.nextInt(4) * 0.5f);
                }
            }
            if (!uint8 && r % 3 == 0) {
                int c = rnd.nextInt(dims);
                d.setF32(r, c, Math.nextUp(d.f32(r, c) + 1f) - 1f);
            }
        }
        return d;
    }

    static List<String> names(int classes) {
        return Block.classNames(classes);
    }
}
