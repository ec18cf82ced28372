package io.vecml.bench;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Neighbors;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End-to-end exact kNN search ({@code kneighbors}) on random uint8 data, queries x train x dims:
 * the Fashion-MNIST shape (60000 x 784) and the CIFAR-10 shape (50000 x 3072), 1000 queries (the
 * 10000-query time is 10x: the work is linear in the queries). G element-ops/s = q n d / time.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-Xmx4g"})
@State(Scope.Benchmark)
public class KnnBench {

    @Param({"L1", "L2"})
    public String metric;

    /** queries x train x dims. */
    @Param({"1000x60000x784", "1000x50000x3072"})
    public String shape;

    @Param({"2"})
    public int threads;

    @Param({"10"})
    public int k;

    private Dataset train;
    private Dataset queries;
    private KnnClassifier knn;

    @Setup(Level.Trial)
    public void setup() {
        int[] s = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
        queries = random(s[0], s[2], 2);
        train = random(s[1], s[2], 1);
        Metric m = Metric.valueOf(metric);
        knn = new KnnClassifier(KnnOptions.of(m).withThreads(threads)).fit(train);
        // Refuse to measure a search that disagrees with the plain reference: 300 queries (enough
        // for the GEMM path at these dimensions) against the first 3000 training rows.
        try (Dataset q = queries.select(IntStream.range(0, Math.min(300, s[0])).toArray());
             Dataset t = train.select(IntStream.range(0, Math.min(3000, s[1])).toArray());
             KnnClassifier small = new KnnClassifier(KnnOptions.of(m).withThreads(threads)).fit(t)) {
            Neighbors got = small.kneighbors(q, k);
            for (int i = 0; i < q.rows(); i++) {
                long[] d = new long[t.rows()];
                for (int j = 0; j < t.rows(); j++) {
                    long sum = 0;
                    for (int c = 0; c < t.dims(); c++) {
                        long diff = q.u8(i, c) - t.u8(j, c);
                        sum += m == Metric.L1 ? Math.abs(diff) : diff * diff;
                    }
                    d[j] = sum;
                }
                Integer[] order = IntStream.range(0, t.rows()).boxed().toArray(Integer[]::new);
                Arrays.sort(order, Comparator.<Integer>comparingLong(j -> d[j]).thenComparingInt(j -> j));
                for (int r = 0; r < k; r++) {
                    double want = m == Metric.L1 ? d[order[r]] : Math.sqrt(d[order[r]]);
                    if (got.index(i, r) != order[r] || got.distance(i, r) != want) {
                        throw new IllegalStateException("kNN " + metric + " query " + i + " rank " + r + ": got "
                                + got.index(i, r) + " at " + got.distance(i, r) + ", reference " + order[r] + " at "
                                + want);
                    }
                }
            }
        }
    }

    static Dataset random(int rows, int dims, long seed) {
        Dataset ds = Dataset.allocate(Dataset.Type.UINT8, rows, dims, new int[rows], List.of("0", "1"));
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] row = new byte[dims];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                row[c] = (byte) rnd.nextInt(256);
            }
            MemorySegment.copy(MemorySegment.ofArray(row), 0, ds.segment(), ds.rowOffset(r), dims);
        }
        return ds;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        knn.close();
        queries.close();
        train.close();
    }

    @Benchmark
    public Neighbors kneighbors() {
        return knn.kneighbors(queries, k);
    }
}
