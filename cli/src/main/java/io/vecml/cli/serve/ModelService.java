package io.vecml.cli.serve;

import io.vecml.engine.data.DataFormat;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.Npy;
import io.vecml.engine.data.NpyDatasetReader;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.ClassificationReport;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.template.TemplateClassifier;
import io.vecml.engine.train.EpochStats;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import io.vecml.engine.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Models: fit on a dataset's train split, list, delete, predict, evaluate. */
final class ModelService {

    private final ServeConfig config;
    private final DatasetService datasets;
    private final Path staging;
    final ConcurrentHashMap<String, ModelEntry> models = new ConcurrentHashMap<>();

    ModelService(ServeConfig config, DatasetService datasets, Path staging) {
        this.config = config;
        this.datasets = datasets;
        this.staging = staging;
    }

    Shared.Lease<ModelEntry> acquire(String name) {
        ModelEntry e = models.get(name);
        if (e == null || !e.acquire()) {
            throw ApiException.notFound("no model named '" + name + "' (GET /models lists them)");
        }
        return new Shared.Lease<>(e);
    }

    List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        new java.util.TreeMap<>(models).forEach((k, v) -> out.add(v.info()));
        return out;
    }

    Map<String, Object> info(String name) {
        try (Shared.Lease<ModelEntry> l = acquire(name)) {
            return l.value().info();
        }
    }

    Map<String, Object> delete(String name) {
        ModelEntry e = models.remove(name);
        if (e == null) {
            throw ApiException.notFound("no model named '" + name + "'");
        }
        e.retire();
        return Map.of("deleted", name);
    }

    void retireAll() {
        for (String name : List.copyOf(models.keySet())) {
            ModelEntry e = models.remove(name);
            if (e != null) {
                e.retire();
            }
        }
    }

    static Metric metric(String s, String field) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "l1", "manhattan" -> Metric.L1;
            case "l2", "euclidean" -> Metric.L2;
            default -> throw ApiException.badRequest("field '" + field + "' must be l1 or l2, got '" + s + "'");
        };
    }

    static Weights weights(String s, String field) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "uniform" -> Weights.UNIFORM;
            case "distance" -> Weights.DISTANCE;
            default -> throw ApiException.badRequest("field '" + field + "' must be uniform or distance, got '" + s + "'");
        };
    }

    // ---------------------------------------------------------------- fit

    ModelEntry fit(JsonRequest r) {
        String type = r.string("type").strip().toLowerCase(Locale.ROOT);
        switch (type) {
            case "knn" -> r.allow("name", "dataset", "type", "metric", "k", "weights");
            case "template" -> r.allow("name", "dataset", "type", "metric", "center");
            case "linear" -> r.allow("name", "dataset", "type", "loss", "lr", "epochs", "batch", "lambda", "seed", "reg",
                    "l1Ratio", "preprocess", "momentum", "delta");
            default -> throw ApiException.badRequest("field 'type' must be knn, template or linear, got '" + type + "'");
        }
        String name = DatasetService.checkName(r.string("name"), "name");
        if (models.containsKey(name)) {
            throw ApiException.conflict("a model named '" + name + "' exists already (DELETE /models/" + name + " first)");
        }
        String dsName = r.string("dataset");
        ModelEntry entry;
        try (Shared.Lease<DatasetEntry> l = datasets.acquire(dsName, "dataset")) {
            DatasetEntry d = l.value();
            Dataset train = d.train;
            Map<String, Object> params = new LinkedHashMap<>();
            long t0 = System.nanoTime();
            entry = switch (type) {
                case "knn" -> fitKnn(r, name, d, train, params, t0);
                case "template" -> fitTemplate(r, name, d, train, params, t0);
                default -> fitLinear(r, name, d, train, params, t0);
            };
        }
        if (models.putIfAbsent(name, entry) != null) {
            entry.retire();
            throw ApiException.conflict("a model named '" + name + "' exists already");
        }
        return entry;
    }

    private ModelEntry fitKnn(JsonRequest r, String name, DatasetEntry d, Dataset train, Map<String, Object> params,
            long t0) {
        Metric m = metric(r.string("metric", "l2"), "metric");
        int k = r.integer("k", 1, 1, 1000);
        if (k > train.rows()) {
            throw ApiException.badRequest("field 'k' = " + k + " is more than the " + train.rows() + " training rows");
        }
        Weights w = weights(r.string("weights", "uniform"), "weights");
        params.put("metric", m.name());
        params.put("k", k);
        params.put("weights", w.name().toLowerCase(Locale.ROOT));
        KnnClassifier knn;
        try {
            knn = new KnnClassifier(KnnOptions.of(m).withWeights(w).withThreads(config.threads())).fit(train);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        // The classifier reads the training rows in place: the model holds the dataset until it is freed.
        if (!d.acquire()) {
            knn.close();
            throw ApiException.conflict("dataset '" + d.name + "' was deleted while the model was being fitted");
        }
        ModelEntry.Predictor p = new ModelEntry.Predictor() {
            @Override
            public int[] predict(Dataset q) {
                return knn.predict(q, k);
            }

            @Override
            public void close() {
                knn.close();
                d.release();
            }
        };
        return new ModelEntry(name, "knn", d.name, params, train, (System.nanoTime() - t0) / 1e9, null, p);
    }

    private ModelEntry fitTemplate(JsonRequest r, String name, DatasetEntry d, Dataset train,
            Map<String, Object> params, long t0) {
        Metric m = metric(r.string("metric", "l1"), "metric");
        TemplateClassifier.Center c = switch (r.string("center", "mean").strip().toLowerCase(Locale.ROOT)) {
            case "mean" -> TemplateClassifier.Center.MEAN;
            case "median" -> TemplateClassifier.Center.MEDIAN;
            default -> throw ApiException.badRequest("field 'center' must be mean or median");
        };
        params.put("metric", m.name());
        params.put("center", c.name().toLowerCase(Locale.ROOT));
        TemplateClassifier t;
        try {
            t = TemplateClassifier.fit(train, c);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        int threads = config.threads();
        ModelEntry.Predictor p = new ModelEntry.Predictor() {
            @Override
            public int[] predict(Dataset q) {
                return t.predict(q, m, threads);
            }

            @Override
            public void close() {
                // the templates live in an automatic arena
            }
        };
        return new ModelEntry(name, "template", d.name, params, train, (System.nanoTime() - t0) / 1e9, null, p);
    }

    private ModelEntry fitLinear(JsonRequest r, String name, DatasetEntry d, Dataset train,
            Map<String, Object> params, long t0) {
        LinearConfig base = LinearConfig.defaults();
        SgdConfig sgdBase = SgdConfig.defaults();
        Loss loss = switch (r.string("loss", base.loss().id()).strip().toLowerCase(Locale.ROOT)) {
            case "svm", "hinge" -> Loss.SVM;
            case "softmax", "cross-entropy" -> Loss.SOFTMAX;
            default -> throw ApiException.badRequest("field 'loss' must be svm or softmax");
        };
        double lr = r.number("lr", sgdBase.learningRate());
        int epochs = r.integer("epochs", sgdBase.epochs(), 1, 100_000);
        int batch = r.integer("batch", sgdBase.batchSize(), 1, 1 << 24);
        double lambda = r.number("lambda", base.regularizer().lambda());
        long seed = r.integer("seed", sgdBase.seed(), Long.MIN_VALUE, Long.MAX_VALUE);
        double l1Ratio = r.number("l1Ratio", 0.5);
        double momentum = r.number("momentum", sgdBase.momentum());
        double delta = r.number("delta", base.delta());
        String reg = r.string("reg", base.regularizer().kind().id());
        String pre = r.string("preprocess", base.preprocessing().id());
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw ApiException.badRequest("field 'lambda' must be finite and >= 0, got " + lambda);
        }
        if (!(l1Ratio >= 0 && l1Ratio <= 1)) {
            throw ApiException.badRequest("field 'l1Ratio' must be in [0, 1], got " + l1Ratio);
        }
        Regularizer rg = switch (reg.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> Regularizer.none();
            case "l2" -> Regularizer.l2(lambda);
            case "l1" -> Regularizer.l1(lambda);
            case "elastic", "elasticnet", "elastic-net" -> Regularizer.elasticNet(lambda, l1Ratio);
            default -> throw ApiException.badRequest("field 'reg' must be l2, l1, elastic or none, got '" + reg + "'");
        };
        LinearConfig cfg;
        SgdConfig sgd;
        try {
            cfg = base.withLoss(loss).withRegularizer(rg).withDelta(delta).withPreprocessing(Preprocessing.fromId(pre));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field '" + (e.getMessage().contains("preprocessing") ? "preprocess" : "delta")
                    + "': " + e.getMessage());
        }
        try {
            sgd = sgdBase.withLearningRate(lr).withEpochs(epochs).withBatchSize(batch).withSeed(seed)
                    .withMomentum(momentum).withThreads(config.threads());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field '" + (e.getMessage().contains("momentum") ? "momentum" : "lr") + "': "
                    + e.getMessage());
        }
        params.put("loss", loss.id());
        params.put("lr", lr);
        params.put("epochs", epochs);
        params.put("batch", batch);
        params.put("reg", rg.kind().id());
        params.put("lambda", lambda);
        params.put("seed", seed);
        params.put("preprocess", cfg.preprocessing().id());
        params.put("momentum", momentum);
        TrainingResult res;
        try {
            res = SgdTrainer.train(train, cfg, sgd, null);
        } catch (IllegalStateException e) {
            throw ApiException.badRequest("training failed: " + e.getMessage() + " (try a smaller 'lr')");
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        LinearClassifier model = res.model();
        Map<String, Object> training = new LinkedHashMap<>();
        List<EpochStats> h = res.history();
        EpochStats last = h.get(h.size() - 1);
        training.put("epochs", h.size());
        training.put("finalLoss", last.loss());
        training.put("finalTrainAccuracy", last.trainAccuracy());
        List<Double> losses = new ArrayList<>();
        for (EpochStats e : h) {
            losses.add(e.loss());
        }
        training.put("loss", losses);
        int threads = config.threads();
        ModelEntry.Predictor p = new ModelEntry.Predictor() {
            @Override
            public int[] predict(Dataset q) {
                return model.predict(q, threads);
            }

            @Override
            public void close() {
                // weights are on the heap
            }
        };
        return new ModelEntry(name, "linear", d.name, params, train, (System.nanoTime() - t0) / 1e9, training, p);
    }

    // ---------------------------------------------------------------- predict / evaluate

    /** The model's predictions for {@code q}, converting uint8 queries to float32 when the model needs it. */
    private static int[] run(ModelEntry m, Dataset q, String what) {
        if (q.dims() != m.dims) {
            throw ApiException.badRequest(what + ": rows have " + q.dims() + " features but model '" + m.name
                    + "' was fitted on " + m.dims);
        }
        Dataset use = q;
        if (m.type.equals("knn") && q.type() != m.dataType) {
            if (m.dataType != Dataset.Type.FLOAT32) {
                throw ApiException.badRequest(what + ": features are " + q.type().name().toLowerCase(Locale.ROOT)
                        + " but kNN model '" + m.name + "' was fitted on uint8 rows; send uint8 features");
            }
            use = q.toFloat32();
        }
        if (q.rows() == 0) {
            return new int[0]; // no queries: an empty answer (the models are not asked about nothing)
        }
        try {
            return m.predict(use);
        } finally {
            if (use != q) {
                use.close();
            }
        }
    }

    record Predictions(String model, int rows, double seconds, int[] predictions) {
    }

    /** Predicts the rows of a dataset split named in a JSON body. */
    Predictions predictSplit(String model, JsonRequest r) {
        r.allow("dataset", "split");
        try (Shared.Lease<ModelEntry> ml = acquire(model);
             Shared.Lease<DatasetEntry> dl = datasets.acquire(r.string("dataset"), "dataset")) {
            Dataset q = dl.value().split(r.string("split", "test"), "split");
            long t0 = System.nanoTime();
            int[] p = run(ml.value(), q, "dataset '" + dl.value().name + "'");
            return new Predictions(model, q.rows(), (System.nanoTime() - t0) / 1e9, p);
        }
    }

    /** Predicts the rows of an uploaded .npy feature array (in {@code file}). */
    Predictions predictNpy(String model, Path file) throws IOException {
        try (Shared.Lease<ModelEntry> ml = acquire(model)) {
            Npy.Header h;
            try {
                h = Npy.readHeader(file);
            } catch (IOException e) {
                throw ApiException.badRequest("features: not a valid .npy file: " + e.getMessage()
                        .replace(file.toString(), "body"));
            }
            long[] s = h.shape();
            if (s.length < 2 || s.length > 4) {
                throw ApiException.badRequest("features: expected shape (N, D), (N, H, W) or (N, H, W, C), got "
                        + h.shapeText());
            }
            if (s[0] > Integer.MAX_VALUE - 16) {
                throw ApiException.badRequest("features: too many rows: " + s[0]);
            }
            if (s[0] == 0) {
                // no queries: an empty answer, once the width is checked like any other query's
                long dims = 1;
                for (int i = 1; i < s.length; i++) {
                    dims = Math.multiplyExact(dims, s[i]);
                }
                ModelEntry m = ml.value();
                if (dims != m.dims) {
                    throw ApiException.badRequest("features: rows have " + dims + " features but model '" + m.name
                            + "' was fitted on " + m.dims);
                }
                return new Predictions(model, 0, 0.0, new int[0]);
            }
            // The reader wants labels: zeros, one per row, which nothing looks at.
            Path labels = Files.createTempFile(staging, ".labels-", ".npy");
            try {
                Npy.writeLabels(labels, new int[(int) s[0]]);
                Dataset q;
                try {
                    q = NpyDatasetReader.read(file, new LoadOptions(DataFormat.NPY, null, null, null, labels)).train();
                } catch (IOException | IllegalArgumentException e) {
                    throw ApiException.badRequest("features: " + e.getMessage().replace(file.toString(), "body"));
                }
                try (q) {
                    long t0 = System.nanoTime();
                    int[] p = run(ml.value(), q, "features");
                    return new Predictions(model, q.rows(), (System.nanoTime() - t0) / 1e9, p);
                }
            } finally {
                Files.deleteIfExists(labels);
            }
        }
    }

    Map<String, Object> evaluate(String model, JsonRequest r) {
        r.allow("dataset", "split");
        try (Shared.Lease<ModelEntry> ml = acquire(model);
             Shared.Lease<DatasetEntry> dl = datasets.acquire(r.string("dataset"), "dataset")) {
            ModelEntry m = ml.value();
            String split = r.string("split", "test");
            Dataset q = dl.value().split(split, "split");
            List<String> names = m.classNames;
            if (q.numClasses() > names.size() || !q.classNames().equals(names.subList(0, q.numClasses()))) {
                throw ApiException.badRequest("dataset '" + dl.value().name + "' has the classes " + q.classNames()
                        + " but model '" + m.name + "' knows " + names);
            }
            long t0 = System.nanoTime();
            int[] p = run(m, q, "dataset '" + dl.value().name + "'");
            double secs = (System.nanoTime() - t0) / 1e9;
            int[] truth = q.labels();
            ClassificationReport cr = ClassificationReport.of(p, truth, names);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", m.name);
            out.put("dataset", dl.value().name);
            out.put("split", split.strip().toLowerCase(Locale.ROOT));
            out.put("rows", q.rows());
            out.put("accuracy", cr.accuracy());
            out.put("balancedAccuracy", cr.balancedAccuracy());
            out.put("macroF1", cr.macroF1());
            out.put("classNames", names);
            out.put("confusion", Metrics.confusion(p, truth, names.size()));
            out.put("confusionLayout", "[true class][predicted class]");
            out.put("seconds", secs);
            return out;
        }
    }
}
