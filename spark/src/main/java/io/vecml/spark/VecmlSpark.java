package io.vecml.spark;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The JVM flags the vecml engine needs in every Spark JVM, and sessions that carry them.
 *
 * <p>The engine's SIMD kernels use the Vector API ({@code --add-modules jdk.incubator.vector}) and
 * OpenBLAS is called through java.lang.foreign ({@code --enable-native-access=ALL-UNNAMED}). Executors
 * are started after the session exists, so {@link #configure(SparkConf)} (and {@link #session}) add the
 * flags to {@code spark.executor.extraJavaOptions}, keeping whatever the user set. The driver JVM is
 * already running by then: spark-submit must pass them ({@code --driver-java-options}, see the README);
 * without them the engine still runs, with its scalar kernels and one warning.
 */
public final class VecmlSpark {

    /** What the engine needs. */
    public static final String ENGINE_FLAGS = "--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED";

    private VecmlSpark() {
    }

    /** {@code existing} with every flag of {@link #ENGINE_FLAGS} appended that it does not already have. */
    static String withEngineFlags(String existing) {
        String base = existing == null ? "" : existing.trim();
        Set<String> have = new LinkedHashSet<>(Arrays.asList(base.isEmpty() ? new String[0] : base.split("\\s+")));
        StringBuilder out = new StringBuilder(base);
        for (String f : ENGINE_FLAGS.split(" ")) {
            if (!have.contains(f) && !(f.startsWith("--add-modules") && base.contains("jdk.incubator.vector"))) {
                out.append(out.isEmpty() ? "" : " ").append(f);
            }
        }
        return out.toString();
    }

    /** Adds the engine's flags to the executors' and the driver's extra Java options (for drivers launched later). */
    public static SparkConf configure(SparkConf conf) {
        for (String key : new String[] {"spark.executor.extraJavaOptions", "spark.driver.extraJavaOptions"}) {
            conf.set(key, withEngineFlags(conf.get(key, "")));
        }
        return conf;
    }

    /** A session on {@code master} (e.g. {@code local[2]}) with the engine's flags set. */
    public static SparkSession session(String master, String appName) {
        SparkConf conf = configure(new SparkConf().setMaster(master).setAppName(appName));
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** Whether the engine's SIMD kernels can run in this JVM (the Vector API module is present). */
    public static boolean vectorApiPresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }
}
