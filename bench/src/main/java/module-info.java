/**
 * JMH benchmarks of the kernels, GEMM, kNN and softmax, and the report writer. Exports nothing; the
 * benchmark packages are opened to JMH, which instantiates the generated classes by reflection.
 *
 * <p>jmh-core has no module descriptor (it is the automatic module {@code jmh.core}), hence the suppressed
 * {@code requires-automatic} lint.
 */
@SuppressWarnings("requires-automatic")
module io.vecml.bench {
    requires io.vecml.engine;
    requires jmh.core;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;
    requires jdk.incubator.vector;

    opens io.vecml.bench to jmh.core;
    opens io.vecml.bench.jmh_generated to jmh.core;
}
