/**
 * The vecml engine: kernels, GEMM, kNN, templates, linear models, regression, evaluation, data and the
 * application API ({@code io.vecml.engine.api}).
 *
 * <p>Exported: every package that the faces (CLI and server, benchmarks, Spark) or a library user call.
 * Not exported: {@code io.vecml.engine.concurrent} (the fork/join helper) and
 * {@code io.vecml.engine.data.random} (NumPy's random state, used only by the data splits).
 * {@code kernels} and {@code gemm} are exported to everyone, not only to the CLI and the benchmarks: the public
 * kNN, linear, distance and training classes take a {@code Kernels} or a {@code Gemm} (javac's
 * {@code -Xlint:exports} check fails the build otherwise). The Spark module stays on the class path (see its
 * pom), where module boundaries do not apply.
 */
module io.vecml.engine {
    requires transitive io.vecml.blas;
    requires jdk.incubator.vector;
    requires java.management;
    requires org.apache.commons.compress;

    exports io.vecml.engine;
    exports io.vecml.engine.api;
    exports io.vecml.engine.data;
    exports io.vecml.engine.distance;
    exports io.vecml.engine.eval;
    exports io.vecml.engine.knn;
    exports io.vecml.engine.linear;
    exports io.vecml.engine.progress;
    exports io.vecml.engine.regression;
    exports io.vecml.engine.template;
    exports io.vecml.engine.train;
    exports io.vecml.engine.kernels;
    exports io.vecml.engine.gemm;
}
