package io.vecml.engine.api;

import io.vecml.engine.data.DataFormatException;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Standardizer;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Neighbors;
import io.vecml.engine.knn.Weights;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Exact k-nearest neighbours behind {@link Classifier}: neighbours ordered by (distance, training
 * index), vote ties to the smallest class, distance weights as scikit-learn's.
 */
public final class KnnModel implements Classifier {

    /**
     * @param k           neighbours that vote (scikit-learn's default is 5)
     * @param metric      L1 or L2
     * @param weights     uniform or distance
     * @param standardize search on z-scores fitted on the training rows (mean and population standard
     *                    deviation) and applied to every query; false: raw features
     */
    public record Params(int k, Metric metric, Weights weights, boolean standardize) {
        public Params {
            if (k < 1 || k > Parse.MAX_K) {
                throw new IllegalArgumentException("k must be in 1.." + Parse.MAX_K + ", got " + k);
            }
            Objects.requireNonNull(metric, "metric");
            Objects.requireNonNull(weights, "weights");
        }

        /** Raw features. */
        public Params(int k, Metric metric, Weights weights) {
            this(k, metric, weights, false);
        }

        /** k = 5, L2, uniform, raw features: scikit-learn's KNeighborsClassifier defaults. */
        public static Params defaults() {
            return new Params(5, Metric.L2, Weights.UNIFORM);
        }

        public Params withK(int v) {
            return new Params(v, metric, weights, standardize);
        }

        public Params withMetric(Metric v) {
            return new Params(k, v, weights, standardize);
        }

        public Params withWeights(Weights v) {
            return new Params(k, metric, v, standardize);
        }

        public Params withStandardize(boolean v) {
            return new Params(k, metric, weights, v);
        }
    }

    private final Params params;
    private final RunOptions run;
    private Dataset train;
    private boolean ownsTrain;
    /** With {@link Params#standardize}: the scaler fitted on the training rows and the scaled copy searched. */
    private Standardizer scaler;
    private Dataset scaledTrain;
    private KnnClassifier knn;
    /** For float queries that are not integers 0..255 against uint8 training data: a float32 copy. */
    private Dataset trainF32;
    private KnnClassifier knnF32;

    public KnnModel(Params params, RunOptions run) {
        this.params = Objects.requireNonNull(params, "params");
        this.run = Objects.requireNonNull(run, "run");
    }

    public Params params() {
        return params;
    }

    @Override
    public String kind() {
        return "knn";
    }

    /** Uses {@code train} as the training set (not copied: keep it open while the model is used). */
    @Override
    public synchronized KnnModel fit(Dataset train) {
        Objects.requireNonNull(train, "train");
        if (train.rows() == 0) {
            throw new IllegalArgumentException("cannot fit kNN on 0 rows");
        }
        if (train.dims() == 0) {
            throw new IllegalArgumentException("cannot fit kNN on data with 0 features");
        }
        release();
        this.train = train;
        this.ownsTrain = false;
        if (params.standardize()) {
            scaler = Standardizer.fit(train);
            scaledTrain = scaler.apply(train);
        }
        this.knn = new KnnClassifier(options()).fit(scaledTrain != null ? scaledTrain : train);
        return this;
    }

    private KnnOptions options() {
        return KnnOptions.of(params.metric()).withWeights(params.weights()).withThreads(run.threads());
    }

    private synchronized Dataset fitted() {
        if (train == null) {
            throw new IllegalStateException("call fit(train) before using the kNN model");
        }
        return train;
    }

    /** The training set the model was fitted on (raw features, also when it searches their z-scores). */
    public Dataset trainingSet() {
        return fitted();
    }

    /** The {@code k} nearest training rows of every query (k may differ from the model's own). */
    public Neighbors kneighbors(Dataset queries, int k) {
        Dataset t = fitted();
        Objects.requireNonNull(queries, "queries");
        if (queries.dims() != t.dims()) {
            throw new IllegalArgumentException("queries have " + queries.dims() + " features but the model was fitted on "
                    + t.dims());
        }
        if (queries.rows() == 0) {
            return new Neighbors(0, k, new int[0], new double[0]);
        }
        Standardizer s = scaler();
        if (s != null) {
            try (Dataset q = s.apply(queries)) {
                return knn.kneighbors(q, k);
            }
        }
        if (queries.type() == t.type()) {
            return knn.kneighbors(queries, k);
        }
        if (t.type() == Dataset.Type.FLOAT32) {
            try (Dataset q = queries.toFloat32()) {
                return knn.kneighbors(q, k);
            }
        }
        // uint8 training data, float32 queries: exact when every value is an integer 0..255
        try (Dataset q = exactU8(queries)) {
            if (q != null) {
                return knn.kneighbors(q, k);
            }
        }
        return floatSearch().kneighbors(queries, k);
    }

    private synchronized Standardizer scaler() {
        return scaler;
    }

    private synchronized KnnClassifier floatSearch() {
        if (knnF32 == null) {
            trainF32 = train.toFloat32();
            knnF32 = new KnnClassifier(options()).fit(trainF32);
        }
        return knnF32;
    }

    /** The uint8 copy of float32 {@code d} when every value is an integer in 0..255, else null. */
    static Dataset exactU8(Dataset d) {
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < d.dims(); c++) {
                float v = d.f32(r, c);
                if (!(v >= 0 && v <= 255 && v == Math.rint(v))) {
                    return null;
                }
            }
        }
        Dataset u = Dataset.allocate(Dataset.Type.UINT8, d.rows(), d.dims(), d.labels(), d.classNames(),
                d.imageShape().orElse(null));
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < d.dims(); c++) {
                u.setU8(r, c, (int) d.f32(r, c));
            }
        }
        return u;
    }

    @Override
    public int[] predict(Dataset data) {
        return predict(data, params.k());
    }

    /** Predictions with {@code k} neighbours (per request; the model's own k by default). */
    public int[] predict(Dataset data, int k) {
        Scores s = voteShares(kneighbors(data, k), k);
        int[] out = new int[s.rows()];
        for (int r = 0; r < out.length; r++) {
            int best = 0;
            for (int c = 1; c < s.classes(); c++) {
                if (s.get(r, c) > s.get(r, best)) {
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }

    @Override
    public Scores scores(Dataset data) {
        return predictProba(data);
    }

    @Override
    public Scores predictProba(Dataset data) {
        return predictProba(data, params.k());
    }

    /** Vote shares with {@code k} neighbours. */
    public Scores predictProba(Dataset data, int k) {
        return voteShares(kneighbors(data, k), k);
    }

    /**
     * Each class's share of the first {@code k} neighbours' votes: uniform weights count 1 each,
     * distance weights 1/d, and when a neighbour is at distance 0 only those at distance 0 vote
     * (scikit-learn's rule). The highest share wins; ties go to the smallest class.
     */
    Scores voteShares(Neighbors nb, int k) {
        Dataset t = fitted();
        int classes = t.numClasses();
        int nq = nb.queries();
        double[] v = new double[nq * classes];
        for (int q = 0; q < nq; q++) {
            boolean zero = false;
            if (params.weights() == Weights.DISTANCE) {
                for (int r = 0; r < k; r++) {
                    zero |= nb.distance(q, r) == 0;
                }
            }
            double sum = 0;
            for (int r = 0; r < k; r++) {
                double d = nb.distance(q, r);
                double w = params.weights() == Weights.UNIFORM ? 1 : zero ? (d == 0 ? 1 : 0) : 1 / d;
                v[q * classes + t.label(nb.index(q, r))] += w;
                sum += w;
            }
            for (int c = 0; c < classes; c++) {
                v[q * classes + c] /= sum;
            }
        }
        return new Scores(Scores.Kind.VOTE_SHARES, nq, classes, v);
    }

    @Override
    public int dims() {
        return fitted().dims();
    }

    @Override
    public int numClasses() {
        return fitted().numClasses();
    }

    @Override
    public List<String> classNames() {
        return fitted().classNames();
    }

    /** Saves the parameters and the whole training set (a kNN model is its training set). */
    @Override
    public void save(Path file) throws IOException {
        Dataset t = fitted();
        ModelFile.write(file, kind(), out -> {
            out.writeInt(params.k());
            out.writeInt(params.metric().ordinal());
            out.writeInt(params.weights().ordinal());
            out.writeInt(params.standardize() ? 1 : 0);
            out.writeInt(t.type().ordinal());
            out.writeInt(t.rows());
            out.writeInt(t.dims());
            ModelFile.writeNames(out, t.classNames());
            ModelFile.writeShape(out, t.imageShape().orElse(null));
            for (int r = 0; r < t.rows(); r++) {
                out.writeInt(t.label(r));
            }
            writeRows(out, t);
        });
    }

    private static void writeRows(DataOutputStream out, Dataset t) throws IOException {
        int rowBytes = t.dims() * t.type().bytes;
        byte[] row = new byte[rowBytes];
        MemorySegment seg = t.segment();
        for (int r = 0; r < t.rows(); r++) {
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, t.rowOffset(r), row, 0, rowBytes);
            if (t.type() == Dataset.Type.FLOAT32) {
                // the segment is native order; the file is big-endian like every other field
                for (int c = 0; c < t.dims(); c++) {
                    out.writeFloat(t.f32(r, c));
                }
            } else {
                out.write(row);
            }
        }
    }

    static KnnModel read(ModelFile.Reader r, RunOptions run) throws DataFormatException {
        int k = r.i32("k", 1, Parse.MAX_K);
        Metric metric = Metric.values()[r.i32("metric", 0, Metric.values().length - 1)];
        Weights weights = Weights.values()[r.i32("weights", 0, Weights.values().length - 1)];
        // version 2: whether the search runs on z-scores (refitted on the saved training rows: the same scaler)
        boolean standardize = r.version >= 2 && r.i32("standardize", 0, 1) == 1;
        Dataset.Type type = Dataset.Type.values()[r.i32("data type", 0, Dataset.Type.values().length - 1)];
        int rows = r.i32("rows", 1, Integer.MAX_VALUE);
        int dims = r.i32("features", 1, Integer.MAX_VALUE);
        if ((long) rows * dims * type.bytes > r.buf.remaining()) {
            throw r.error(rows + " rows x " + dims + " " + type + " features need " + (long) rows * dims * type.bytes
                    + " bytes, the file has " + r.buf.remaining() + " left");
        }
        List<String> names = ModelFile.readNames(r);
        var shape = ModelFile.readShape(r, dims);
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = r.i32("label of row " + i, 0, names.size() - 1);
        }
        Dataset d = Dataset.allocate(type, rows, dims, labels, names, shape);
        try {
            byte[] row = new byte[dims * type.bytes];
            for (int i = 0; i < rows; i++) {
                r.bytes(row, "row " + i);
                if (type == Dataset.Type.UINT8) {
                    MemorySegment.copy(row, 0, d.segment(), ValueLayout.JAVA_BYTE, d.rowOffset(i), row.length);
                } else {
                    var bb = java.nio.ByteBuffer.wrap(row);
                    for (int c = 0; c < dims; c++) {
                        float v = bb.getFloat();
                        if (!Float.isFinite(v)) {
                            throw r.error("row " + i + " feature " + c + " is " + v + " (kNN needs finite values)");
                        }
                        d.setF32(i, c, v);
                    }
                }
            }
            r.end();
            KnnModel m = new KnnModel(new Params(k, metric, weights, standardize), run);
            m.fit(d);
            m.ownsTrain = true;
            return m;
        } catch (DataFormatException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private void release() {
        if (knn != null) {
            knn.close();
            knn = null;
        }
        if (scaledTrain != null) {
            scaledTrain.close();
            scaledTrain = null;
        }
        scaler = null;
        if (knnF32 != null) {
            knnF32.close();
            knnF32 = null;
            trainF32.close();
            trainF32 = null;
        }
        if (ownsTrain && train != null) {
            train.close();
        }
        train = null;
        ownsTrain = false;
    }

    @Override
    public synchronized void close() {
        release();
    }
}
