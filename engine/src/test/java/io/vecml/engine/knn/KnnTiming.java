package io.vecml.engine.knn;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Not a test: end-to-end kneighbors timing on random uint8 data. Run (from the repository root):
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp CLASSPATH
 * io.vecml.engine.knn.KnnTiming METRIC QUERIES TRAIN DIMS THREADS K REPEATS
 */
public final class KnnTiming {

    private KnnTiming() {
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

    public static void main(String[] args) {
        Metric metric = Metric.valueOf(args[0]);
        int nq = Integer.parseInt(args[1]);
        int nt = Integer.parseInt(args[2]);
        int d = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        int k = Integer.parseInt(args[5]);
        int reps = Integer.parseInt(args[6]);
        try (Dataset train = random(nt, d, 1); Dataset queries = random(nq, d, 2);
             Dataset warmQ = random(Math.min(nq, 300), d, 3)) {
            KnnClassifier knn = new KnnClassifier(KnnOptions.of(metric).withThreads(threads)).fit(train);
            long t0 = System.nanoTime();
            // Warm-up: C2 compiles the kernels (Vector API code is ~1000x slower before), builds caches.
            Dataset warmT = train.select(java.util.stream.IntStream.range(0, Math.min(nt, 4000)).toArray());
            KnnClassifier small = new KnnClassifier(KnnOptions.of(metric).withThreads(threads)).fit(warmT);
            for (int i = 0; i < 3; i++) {
                small.kneighbors(warmQ, k);
            }
            knn.kneighbors(warmQ, k);
            System.out.printf("warm-up (incl. fit caches) %.2f s%n", (System.nanoTime() - t0) / 1e9);
            double[] times = new double[reps];
            for (int r = 0; r < reps; r++) {
                long s = System.nanoTime();
                Neighbors nb = knn.kneighbors(queries, k);
                times[r] = (System.nanoTime() - s) / 1e9;
                System.out.printf("%s %d x %d x %d threads=%d k=%d: %.3f s (first index %d)%n", metric, nq, nt, d,
                        threads, k, times[r], nb.index(0, 0));
            }
            java.util.Arrays.sort(times);
            double med = times[reps / 2];
            System.out.printf("median %.3f s, %.1f G element-ops/s%n", med, (double) nq * nt * d / med / 1e9);
        }
    }
}
