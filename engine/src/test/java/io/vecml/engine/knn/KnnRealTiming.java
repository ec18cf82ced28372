package io.vecml.engine.knn;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.distance.Metric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Not a test: end-to-end kneighbors timing on a real dataset (its test split as queries), several
 * paths alternated in one run so that their times are measured under the same load, and their
 * neighbours compared. Run (from the repository root):
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp CLASSPATH
 * io.vecml.engine.knn.KnnRealTiming DATA METRIC QUERIES THREADS K REPEATS PATH[,PATH...]
 * (DATA: a folder or file Datasets.load reads, e.g. /usr/share/datasets/fashion-mnist or
 * /tmp/refdata; PATH: a {@link KnnOptions.Path} name.) With {@code -Dfresh=true} every timed search
 * uses a new classifier, so building the training-set caches (the pooled copy, the float copy and
 * the norms) is timed too, as in one {@code vecml knn} run.
 */
public final class KnnRealTiming {

    private KnnRealTiming() {
    }

    /** CPU time of this process (all threads), ns: less disturbed than wall time on a shared machine. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    public static void main(String[] args) throws Exception {
        String source = args[0];
        Metric metric = Metric.valueOf(args[1]);
        int nq = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int k = Integer.parseInt(args[4]);
        int reps = Integer.parseInt(args[5]);
        List<KnnOptions.Path> paths = new ArrayList<>();
        for (String p : args[6].split(",")) {
            paths.add(KnnOptions.Path.valueOf(p));
        }
        try (LoadedData data = Datasets.load(source)) {
            Dataset train = data.train();
            Dataset all = data.test();
            System.out.printf("%s: train %d x %d, shape %s; %s k=%d threads=%d queries=%d%n", source, train.rows(),
                    train.dims(), train.imageShape().map(Object::toString).orElse("-"), metric, k, threads, nq);
            try (Dataset queries = all.select(IntStream.range(0, Math.min(nq, all.rows())).toArray());
                 Dataset warmQ = all.select(IntStream.range(all.rows() - 300, all.rows()).toArray())) {
                KnnClassifier[] knn = new KnnClassifier[paths.size()];
                for (int p = 0; p < knn.length; p++) {
                    knn[p] = new KnnClassifier(KnnOptions.of(metric).withThreads(threads).withPath(paths.get(p)))
                            .fit(train);
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 2; i++) {
                        knn[p].kneighbors(warmQ, k);
                    }
                    System.out.printf("warm-up %s %.2f s%n", paths.get(p), (System.nanoTime() - t0) / 1e9);
                }
                double[][] times = new double[knn.length][reps];
                Neighbors[] first = new Neighbors[knn.length];
                for (int r = 0; r < reps; r++) {
                    for (int p = 0; p < knn.length; p++) {
                        
                        long s = System.nanoTime();
                        long cpu0 = cpuNanos();
                        if (Boolean.getBoolean("fresh")) {
                            knn[p].close();
                            knn[p] = new KnnClassifier(KnnOptions.of(metric).withThreads(threads)
                                    .withPath(paths.get(p))).fit(train);
                        }
                        Neighbors nb = knn[p].kneighbors(queries, k);
                        times[p][r] = (System.nanoTime() - s) / 1e9;
                        first[p] = nb;
                        if (knn[p].lastFilterStats() != null && r >= 0) {
                            System.out.println("    " + knn[p].lastFilterStats());

                        }
                        System.out.printf("  %-7s %.3f s, process CPU %.3f s  (load %.2f)%n", paths.get(p), times[p][r],
                                (cpuNanos() - cpu0) / 1e9,
                                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
                    }
                }
                for (int p = 0; p < knn.length; p++) {
                    double[] t = times[p].clone();
                    Arrays.sort(t);
                    boolean same = Arrays.equals(first[p].indices(), first[0].indices())
                            && Arrays.equals(first[p].distances(), first[0].distances());
                    System.out.printf("%s %s median %.3f s (min %.3f) for %d queries = %.2f s per 10000; same as %s: %s%n",
                            metric, paths.get(p), t[reps / 2], t[0], queries.rows(), t[reps / 2] * 10000 / queries.rows(),
                            paths.get(0), same);
                    knn[p].close();
                }
            }
        }
    }
}
