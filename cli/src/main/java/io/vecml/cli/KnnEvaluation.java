package io.vecml.cli;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Neighbors;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.progress.ProgressListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The work of {@code vecml knn} for one metric: one neighbour search up to the largest k in blocks
 * of test rows (so progress and the lecture-style running accuracy can be shown), every k voted from
 * it, repeated R times with a check that every run predicts the same.
 *
 * @param ks          neighbour counts, ascending
 * @param weights     vote weights
 * @param threads     search threads
 * @param repeats     runs (fit included)
 * @param block       test rows per block
 * @param progress    told the test rows done (stage "kNN METRIC")
 * @param runningLine given "METRIC done/n:  k=1 accuracy ..." after every block when not null
 */
record KnnEvaluation(int[] ks, Weights weights, int threads, int repeats, int block, ProgressListener progress,
        Consumer<String> runningLine) {

    /** Predictions per k ({@code [k index][test row]}) and the seconds of every run. */
    record Outcome(int[][] predictions, List<Double> runSeconds) {

        /** The median of runs 2..R (JIT-warm), or the only run. */
        double seconds() {
            return runSeconds.size() == 1 ? runSeconds.getFirst() : median(runSeconds.subList(1, runSeconds.size()));
        }
    }

    Outcome run(Dataset train, Dataset test, Metric metric) {
        int nq = test.rows();
        int kMax = ks[ks.length - 1];
        int[] truth = test.labels();
        KnnOptions opts = KnnOptions.of(metric).withThreads(threads).withWeights(weights);
        int[][] p = new int[ks.length][nq];
        int[][] previous = null;
        List<Double> runs = new ArrayList<>();
        String stage = "kNN " + metric;
        for (int run = 0; run < repeats; run++) {
            long t0 = System.nanoTime();
            try (KnnClassifier knn = new KnnClassifier(opts).fit(train)) {
                if (nq > 0) {
                    progress.update(stage, 0, nq);
                }
                for (int from = 0; from < nq; from += block) {
                    int to = Math.min(nq, from + block);
                    searchBlock(knn, test, from, to, kMax, p);
                    progress.update(stage, to, nq);
                    if (runningLine != null) {
                        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s %d/%d:", metric, to, nq));
                        for (int a = 0; a < ks.length; a++) {
                            b.append(String.format(Locale.ROOT, "  k=%d accuracy %.4f", ks[a],
                                    Metrics.accuracy(Arrays.copyOf(p[a], to), Arrays.copyOf(truth, to))));
                        }
                        runningLine.accept(b.toString());
                    }
                }
            }
            runs.add((System.nanoTime() - t0) / 1e9);
            if (previous != null && !Arrays.deepEquals(previous, p)) {
                throw new IllegalStateException("run " + (run + 1) + " of " + metric
                        + " predicted differently from the run before it: a determinism bug, please report it");
            }
            previous = new int[ks.length][];
            for (int a = 0; a < ks.length; a++) {
                previous[a] = p[a].clone();
            }
        }
        return new Outcome(p, List.copyOf(runs));
    }

    private void searchBlock(KnnClassifier knn, Dataset test, int from, int to, int kMax, int[][] p) {
        int nq = test.rows();
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        Dataset part = from == 0 && to == nq ? test : test.select(rows);
        try {
            Neighbors nb = knn.kneighbors(part, kMax);
            int[][] pp = knn.predictAll(nb, ks, weights);
            for (int a = 0; a < ks.length; a++) {
                System.arraycopy(pp[a], 0, p[a], from, to - from);
            }
        } finally {
            if (part != test) {
                part.close();
            }
        }
    }

    static double median(List<Double> x) {
        double[] v = x.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
