package io.vecml.cli.serve;

import io.vecml.engine.api.Classifier;
import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.LinearModel;
import io.vecml.engine.api.Predict;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.data.DataFormat;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.Npy;
import io.vecml.engine.data.NpyDatasetReader;
import io.vecml.engine.eval.ClassificationReport;
import io.vecml.engine.eval.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Models: fit on a dataset's train split, load, save, list, delete, predict, evaluate. Requests are parsed by
 * {@link FitRequest} and {@link PredictRequest}; the work is the application API's ({@code io.vecml.engine.api}).
 */
final class ModelService {

    /** Predict bodies of at most this many bytes (with a Content-Length) are parsed in memory, larger ones from a file. */
    static final long IN_MEMORY_BODY = 8L << 20;

    private final ServeConfig config;
    private final DatasetService datasets;
    private final Path staging;
    private final SavedModels saved;
    /** Where predictions compute (not on the requests' virtual threads: see {@link ComputePool}); null: inline. */
    private final ComputePool compute;
    final ConcurrentHashMap<String, ModelEntry> models = new ConcurrentHashMap<>();

    ModelService(ServeConfig config, DatasetService datasets, Path staging) throws IOException {
        this.config = config;
        this.datasets = datasets;
        this.staging = staging;
        this.saved = new SavedModels(config.modelDir());
        // -Dvecml.serve.compute=inline computes on the request's thread as before the pool (to compare: BENCHMARKS.md)
        this.compute = "inline".equals(System.getProperty("vecml.serve.compute")) ? null
                : new ComputePool(config.threads());
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
        new TreeMap<>(models).forEach((k, v) -> out.add(v.info()));
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
        if (compute != null) {
            compute.close();
        }
    }

    private RunOptions run() {
        return new RunOptions(config.threads());
    }

    private String freeName(JsonRequest r) {
        String name = DatasetService.checkName(r.string("name"), "name");
        if (models.containsKey(name)) {
            throw ApiException.conflict("a model named '" + name + "' exists already (DELETE /models/" + name + " first)");
        }
        return name;
    }

    private ModelEntry register(ModelEntry entry) {
        if (models.putIfAbsent(entry.name, entry) != null) {
            entry.retire();
            throw ApiException.conflict("a model named '" + entry.name + "' exists already");
        }
        return entry;
    }

    // ---------------------------------------------------------------- fit, load, save

    /** {@code POST /models}: fits a model on a dataset's train split, or loads a saved one ({@code path}). */
    ModelEntry fit(JsonRequest r) {
        if (r.has("path")) {
            r.allow("name", "path");
            String name = freeName(r);
            String rel = r.string("path");
            long t0 = System.nanoTime();
            Classifier c = saved.load(rel, run());
            Dataset train = c instanceof KnnModel k ? k.trainingSet() : null;
            return register(new ModelEntry(name, null, rel, FitRequest.describe(c), train == null ? null : train.type(),
                    train == null ? -1 : train.rows(), (System.nanoTime() - t0) / 1e9, null, c, null));
        }
        String type = r.string("type").strip().toLowerCase(Locale.ROOT);
        FitRequest.check(r, type);
        String name = freeName(r);
        try (Shared.Lease<DatasetEntry> l = datasets.acquire(r.string("dataset"), "dataset")) {
            DatasetEntry d = l.value();
            Dataset train = d.train;
            Map<String, Object> params = new LinkedHashMap<>();
            Classifier model = FitRequest.model(r, type, train.rows(), run(), params);
            long t0 = System.nanoTime();
            try {
                model.fit(train);
            } catch (IllegalStateException e) {
                model.close();
                throw ApiException.badRequest("training failed: " + e.getMessage() + " (try a smaller 'lr')");
            } catch (IllegalArgumentException e) {
                model.close();
                throw ApiException.badRequest(e.getMessage());
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            Runnable onFree = null;
            if (model instanceof KnnModel) {
                // The model reads the training rows in place: it holds the dataset until it is freed.
                if (!d.acquire()) {
                    model.close();
                    throw ApiException.conflict("dataset '" + d.name + "' was deleted while the model was being fitted");
                }
                onFree = d::release;
            }
            Map<String, Object> training = model instanceof LinearModel lm ? FitRequest.training(lm) : null;
            return register(new ModelEntry(name, d.name, null, params, train.type(), train.rows(), secs, training,
                    model, onFree));
        }
    }

    /** {@code POST /models/NAME/save}: writes {@code NAME.vecml} in --model-dir. */
    Map<String, Object> save(String name, JsonRequest r) throws IOException {
        r.allow("overwrite");
        boolean overwrite = r.bool("overwrite", false);
        try (Shared.Lease<ModelEntry> l = acquire(name)) {
            return saved.save(name, l.value().model, overwrite);
        }
    }

    /** {@code GET /saved-models}. */
    Map<String, Object> listSaved() throws IOException {
        return saved.list();
    }

    // ---------------------------------------------------------------- predict / evaluate

    /** The model's answer for {@code q} (uint8 or float32 rows, whatever the model was fitted on), as JSON. */
    private Map<String, Object> answer(ModelEntry m, Dataset q, String what, PredictRequest ask) {
        if (q.dims() != m.dims) {
            throw ApiException.badRequest(what + ": rows have " + q.dims() + " features but model '" + m.name
                    + "' was fitted on " + m.dims);
        }
        boolean knn = m.model instanceof KnnModel;
        if (!knn && ask.metric() != null) {
            throw ApiException.badRequest("'metric' applies to kNN models only; model '" + m.name + "' is a " + m.type
                    + " model");
        }
        // the model's own time: measured on the compute thread, without the wait for one
        long[] nanos = new long[1];
        Predict.Answer a;
        try {
            java.util.function.Supplier<Predict.Answer> task = () -> {
                long t0 = System.nanoTime();
                try {
                    return Predict.run(knn ? m.knn(ask.metric(), run()) : m.model, q, ask.ask());
                } finally {
                    nanos[0] = System.nanoTime() - t0;
                }
            };
            a = compute == null ? task.get() : compute.call(task);
        } catch (UnsupportedOperationException e) {
            throw ApiException.badRequest("'probabilities': model '" + m.name + "': " + e.getMessage()
                    + " (ask for \"scores\" instead)");
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(what + ": model '" + m.name + "': " + e.getMessage());
        }
        return ask.json(m.name, nanos[0] / 1e9, a);
    }

    /** Predicts the rows of a dataset split named in a JSON body. */
    Map<String, Object> predictSplit(String model, JsonRequest r) {
        List<String> fields = new ArrayList<>(List.of("dataset", "split"));
        fields.addAll(List.of(PredictRequest.FIELDS));
        r.allow(fields.toArray(String[]::new));
        PredictRequest ask = PredictRequest.of(r);
        try (Shared.Lease<ModelEntry> ml = acquire(model);
             Shared.Lease<DatasetEntry> dl = datasets.acquire(r.string("dataset"), "dataset")) {
            Dataset q = dl.value().split(r.string("split", "test"), "split");
            return answer(ml.value(), q, "dataset '" + dl.value().name + "'", ask);
        }
    }

    /** Predicts the rows of the raw .npy body of {@code ex}: in memory when small, else through a temporary file. */
    Map<String, Object> predictBody(String model, Exchange ex, PredictRequest ask) throws IOException {
        long declared = Http.checkLength(ex, config.maxBody());
        if (declared >= 0 && declared <= IN_MEMORY_BODY) {
            // small bodies (a few rows: the latency path) are parsed in memory, with no temporary file
            byte[] b = Http.readBody(ex, Math.min(config.maxBody(), IN_MEMORY_BODY));
            if (b.length == 0) {
                throw ApiException.badRequest("the body is empty: send the .npy feature array as the body");
            }
            return predictNpy(model, b, ask);
        }
        Path body = Files.createTempFile(staging, ".predict-", ".npy");
        try {
            if (Http.copyBody(ex, body, config.maxBody()) == 0) {
                throw ApiException.badRequest("the body is empty: send the .npy feature array as the body");
            }
            return predictNpy(model, body, ask);
        } finally {
            Files.deleteIfExists(body);
        }
    }

    /** Predicts the rows of an uploaded .npy feature array held in memory (a small body: no file is written). */
    Map<String, Object> predictNpy(String model, byte[] body, PredictRequest ask) {
        try (Shared.Lease<ModelEntry> ml = acquire(model)) {
            Dataset q;
            try {
                q = NpyDatasetReader.readFeatures(body, Path.of("body"));
            } catch (IOException | IllegalArgumentException e) {
                String m = e.getMessage() == null ? e.toString() : e.getMessage();
                throw ApiException.badRequest("features: " + (m.startsWith("body") ? m.substring(4).replaceFirst(
                        "^[:,]?\\s*", "") : m));
            }
            try (q) {
                return answer(ml.value(), q, "features", ask);
            }
        }
    }

    /** Predicts the rows of an uploaded .npy feature array (in {@code file}). */
    Map<String, Object> predictNpy(String model, Path file, PredictRequest ask) throws IOException {
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
                // (ask about the empty rows all the same, so a bad k or a probability of an SVM is still refused)
                try (Dataset empty = Dataset.allocate(m.dataType == null ? Dataset.Type.FLOAT32 : m.dataType, 0,
                        (int) dims, new int[0], m.classNames, null)) {
                    return answer(m, empty, "features", ask);
                }
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
                    return answer(ml.value(), q, "features", ask);
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
            int[] p = (int[]) answer(m, q, "dataset '" + dl.value().name + "'", PredictRequest.PLAIN).get("predictions");
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
