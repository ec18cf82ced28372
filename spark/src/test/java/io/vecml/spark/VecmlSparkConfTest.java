package io.vecml.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The engine's JVM flags reach the executors' (and later drivers') options without losing the user's. */
class VecmlSparkConfTest {

    @Test
    void addsTheEngineFlagsOnceAndKeepsExistingOptions() {
        SparkConf conf = new SparkConf(false).set("spark.executor.extraJavaOptions", "-Xss8m -Dfoo=bar");
        VecmlSpark.configure(conf);
        VecmlSpark.configure(conf);
        assertThat(conf.get("spark.executor.extraJavaOptions"))
                .isEqualTo("-Xss8m -Dfoo=bar --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED");
        assertThat(conf.get("spark.driver.extraJavaOptions"))
                .isEqualTo("--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED");
    }

    @Test
    void anExistingVectorModuleFlagInTheOtherSpellingIsNotRepeated() {
        assertThat(VecmlSpark.withEngineFlags("--add-modules jdk.incubator.vector"))
                .isEqualTo("--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED");
    }

    @Test
    void theTestJvmHasTheVectorModule() {
        // surefire's argLine passes the engine's flags, as spark-submit must for a real driver
        assertThat(VecmlSpark.vectorApiPresent()).isTrue();
    }
}
