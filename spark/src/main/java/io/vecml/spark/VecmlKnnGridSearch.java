package io.vecml.spark;

import io.vecml.engine.data.DataChecks;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Splits;
import io.vecml.engine.data.Standardizer;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CrossValidation;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Neighbors;
import io.vecml.engine.knn.Weights;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * The cross-validated kNN grid search of {@code vecml grid knn} with its (fold, metric) pairs as Spark
 * tasks: each task prepares its fold as the engine does (standardised per the spec), finds the neighbours
 * of the held-out rows once up to the largest k and scores every k and weighting from that one list.
 * The driver assembles the fold scores, means, standard deviations and ranks with the engine's rules, so
 * the {@link KnnGridSearch.Result} equals {@link KnnGridSearch#run} on the same data and spec (folds
 * from the spec: vecml's or scikit-learn's shuffles, stratified or not, or explicit folds).
 *
 * <p>The data set is broadcast whole (every task needs a fold's training rows): this distributes the
 * grid, not a data set that does not fit one executor; for that, use {@link VecmlKnnClassifier}.
 */
public final class VecmlKnnGridSearch {

    private VecmlKnnGridSearch() {
    }

    /** What every task reads: the rows, the folds and the grid. */
    private record Input(Block data, List<String> classNames, int[][] train, int[][] test, CvSpec.Scaling scaling,
            Scoring scoring, int[] ks, List<Weights> weights) implements Serializable {
    }

    /** Collects a DataFrame (features, label) to the driver and runs the grid on it. */
    public static KnnGridSearch.Result run(SparkSession spark, org.apache.spark.sql.Dataset<?> df, String featuresCol,
            String labelCol, int[] ks, List<Metric> metrics, List<Weights> weights, CvSpec cv) {
        try (Dataset d = VecmlFrames.toEngine(df, featuresCol, labelCol)) {
            return run(spark, d, ks, metrics, weights, cv);
        }
    }

    /** The grid over {@code data} (an engine dataset on the driver), one Spark task per fold and metric. */
    public static KnnGridSearch.Result run(SparkSession spark, Dataset data, int[] ks, List<Metric> metrics,
            List<Weights> weights, CvSpec cv) {
        DataChecks.requireTrainable(data, "the kNN grid search");
        if (ks.length == 0 || metrics.isEmpty() || weights.isEmpty()) {
            throw new IllegalArgumentException("the grid needs at least one k, one metric and one weighting");
        }
        for (int k : ks) {
            if (k < 1) {
                throw new IllegalArgumentException("k must be >= 1, got " + k);
            }
        }
        int kMax = Arrays.stream(ks).max().orElseThrow();
        long t0 = System.nanoTime();
        Splits.Fold[] folds = CrossValidation.folds(data, cv);
        int nf = folds.length;
        int[][] train = new int[nf][];
        int[][] test = new int[nf][];
        for (int f = 0; f < nf; f++) {
            train[f] = folds[f].train();
            test[f] = folds[f].test();
            if (kMax > train[f].length) {
                throw new IllegalArgumentException("k = " + kMax + " is more than the " + train[f].length
                        + " training rows of fold " + (f + 1));
            }
        }
        int nm = metrics.size();
        int nw = weights.size();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Input> in = jsc.broadcast(new Input(Block.fromDataset(data), data.classNames(), train, test,
                cv.scaling(), cv.scoring(), ks.clone(), List.copyOf(weights)));
        List<int[]> tasks = new ArrayList<>();
        for (int f = 0; f < nf; f++) {
            for (int m = 0; m < nm; m++) {
                tasks.add(new int[] {f, m});
            }
        }
        List<Metric> ms = List.copyOf(metrics);
        List<double[][]> got;
        try {
            got = jsc.parallelize(tasks, tasks.size())
                    .map(t -> evaluate(in.value(), t[0], ms.get(t[1]), Math.max(1, TaskContext.get().cpus())))
                    .collect();
        } finally {
            in.destroy();
        }
        double[][][][] fold = new double[nm][ks.length][nw][nf];
        for (int i = 0; i < tasks.size(); i++) {
            int f = tasks.get(i)[0];
            int m = tasks.get(i)[1];
            for (int a = 0; a < ks.length; a++) {
                for (int w = 0; w < nw; w++) {
                    fold[m][a][w][f] = got.get(i)[a][w];
                }
            }
        }
        // from here on, KnnGridSearch.run's assembly, rule for rule
        List<double[]> all = new ArrayList<>();
        for (int m = 0; m < nm; m++) {
            for (int a = 0; a < ks.length; a++) {
                for (int w = 0; w < nw; w++) {
                    all.add(fold[m][a][w]);
                }
            }
        }
        double[] means = new double[all.size()];
        for (int i = 0; i < means.length; i++) {
            means[i] = CrossValidation.mean(all.get(i));
        }
        List<KnnGridSearch.Candidate> out = new ArrayList<>();
        KnnGridSearch.Candidate best = null;
        int i = 0;
        for (int m = 0; m < nm; m++) {
            for (int a = 0; a < ks.length; a++) {
                for (int w = 0; w < nw; w++, i++) {
                    int rank = 1;
                    for (double other : means) {
                        rank += other > means[i] ? 1 : 0;
                    }
                    KnnGridSearch.Candidate c = new KnnGridSearch.Candidate(metrics.get(m), ks[a], weights.get(w),
                            all.get(i).clone(), means[i], CrossValidation.std(all.get(i)), rank);
                    out.add(c);
                    if (best == null && rank == 1) {
                        best = c;
                    }
                }
            }
        }
        return new KnnGridSearch.Result(List.copyOf(out), best, nf, (System.nanoTime() - t0) / 1e9);
    }

    /** One (fold, metric) task: scores[k index][weighting]. */
    private static double[][] evaluate(Input in, int f, Metric metric, int threads) {
        try (Dataset all = in.data().toDataset(in.classNames())) {
            Dataset base = in.scaling() == CvSpec.Scaling.ALL ? Standardizer.fit(all).apply(all) : all;
            try (Dataset rawTrain = base.select(in.train()[f]); Dataset rawTest = base.select(in.test()[f])) {
                if (in.scaling() == CvSpec.Scaling.FOLD) {
                    Standardizer st = Standardizer.fit(rawTrain);
                    try (Dataset tr = st.apply(rawTrain); Dataset te = st.apply(rawTest)) {
                        return score(in, tr, te, metric, threads, all.numClasses());
                    }
                }
                return score(in, rawTrain, rawTest, metric, threads, all.numClasses());
            } finally {
                if (base != all) {
                    base.close();
                }
            }
        }
    }

    private static double[][] score(Input in, Dataset train, Dataset test, Metric metric, int threads, int classes) {
        int[] ks = in.ks();
        int kMax = Arrays.stream(ks).max().orElseThrow();
        int[] truth = test.labels();
        double[][] s = new double[ks.length][in.weights().size()];
        try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(metric).withThreads(threads)).fit(train)) {
            Neighbors nb = knn.kneighbors(test, kMax);
            for (int w = 0; w < in.weights().size(); w++) {
                int[][] p = knn.predictAll(nb, ks, in.weights().get(w));
                for (int a = 0; a < ks.length; a++) {
                    s[a][w] = in.scoring().score(p[a], truth, classes);
                }
            }
        }
        return s;
    }
}
