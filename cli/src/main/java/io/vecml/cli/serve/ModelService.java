package io.vecml.cli.serve;

import io.vecml.engine.api.Classifier;
import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.LinearModel;
import io.vecml.engine.api.Models;
import io.vecml.engine.api.Parse;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.Scores;
import io.vecml.engine.api.TemplateModel;
import io.vecml.engine.data.DataFormat;
import io.vecml.engine.data.DataFormatException;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.Npy;
import io.vecml.engine.data.NpyDatasetReader;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.ClassificationReport;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.knn.Neighbors;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.template.TemplateClassifier;
import io.vecml.engine.train.EpochStats;
import io.vecml.engine.train.Schedule;
import io.vecml.engine.train.SgdConfig;
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
    /** --model-dir, resolved (links followed), or null. */
    private final Path modelRoot;
    final ConcurrentHashMap<String, ModelEntry> models = new ConcurrentHashMap<>();

    /** Saved models are {@code NAME.vecml} files in --model-dir. */
    static final String SAVED_SUFFIX = ".vecml";

    ModelService(ServeConfig config, DatasetService datasets, Path staging) throws IOException {
        this.config = config;
        this.datasets = datasets;
        this.staging = staging;
        if (config.modelDir() == null) {
            modelRoot = null;
        } else {
            if (!Files.isDirectory(config.modelDir())) {
                throw new IllegalArgumentException("--model-dir " + config.modelDir() + " is not a folder");
            }
            modelRoot = config.modelDir().toRealPath();
        }
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

    /** Runs a {@link Parse} call, turning its bad-input error into a 400 (its message names the field). */
    static <T> T parsed(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private RunOptions run() {
        return new RunOptions(config.threads());
    }

    // ---------------------------------------------------------------- fit

    ModelEntry fit(JsonRequest r) {
        if (r.has("path")) {
            return load(r);
        }
        String type = r.string("type").strip().toLowerCase(Locale.ROOT);
        switch (type) {
            case "knn" -> r.allow("name", "dataset", "type", "metric", "k", "weights");
            case "template" -> r.allow("name", "dataset", "type", "metric", "center");
            case "linear" -> r.allow("name", "dataset", "type", "loss", "lr", "epochs", "batch", "lambda", "seed", "reg",
                    "l1Ratio", "preprocess", "momentum", "delta", "schedule");
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
        return register(entry);
    }

    private ModelEntry register(ModelEntry entry) {
        if (models.putIfAbsent(entry.name, entry) != null) {
            entry.retire();
            throw ApiException.conflict("a model named '" + entry.name + "' exists already");
        }
        return entry;
    }

    private ModelEntry fitKnn(JsonRequest r, String name, DatasetEntry d, Dataset train, Map<String, Object> params,
            long t0) {
        Metric m = parsed(() -> Parse.metric(r.string("metric", "l2"), "field 'metric'"));
        int k = r.integer("k", 1, 1, Parse.MAX_K);
        if (k > train.rows()) {
            throw ApiException.badRequest("field 'k' = " + k + " is more than the " + train.rows() + " training rows");
        }
        Weights w = parsed(() -> Parse.weights(r.string("weights", "uniform"), "field 'weights'"));
        params.put("metric", m.name());
        params.put("k", k);
        params.put("weights", w.name().toLowerCase(Locale.ROOT));
        KnnModel knn;
        try {
            knn = new KnnModel(new KnnModel.Params(k, m, w), run()).fit(train);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        // The model reads the training rows in place: it holds the dataset until it is freed.
        if (!d.acquire()) {
            knn.close();
            throw ApiException.conflict("dataset '" + d.name + "' was deleted while the model was being fitted");
        }
        return new ModelEntry(name, d.name, null, params, train.type(), train.rows(), (System.nanoTime() - t0) / 1e9,
                null, knn, d::release);
    }

    private ModelEntry fitTemplate(JsonRequest r, String name, DatasetEntry d, Dataset train,
            Map<String, Object> params, long t0) {
        Metric m = parsed(() -> Parse.metric(r.string("metric", "l1"), "field 'metric'"));
        TemplateClassifier.Center c = switch (r.string("center", "mean").strip().toLowerCase(Locale.ROOT)) {
            case "mean" -> TemplateClassifier.Center.MEAN;
            case "median" -> TemplateClassifier.Center.MEDIAN;
            default -> throw ApiException.badRequest("field 'center': expected mean or median");
        };
        params.put("metric", m.name());
        params.put("center", c.name().toLowerCase(Locale.ROOT));
        TemplateModel t;
        try {
            t = new TemplateModel(new TemplateModel.Params(c, m), run()).fit(train);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        return new ModelEntry(name, d.name, null, params, train.type(), train.rows(), (System.nanoTime() - t0) / 1e9,
                null, t, null);
    }

    private ModelEntry fitLinear(JsonRequest r, String name, DatasetEntry d, Dataset train,
            Map<String, Object> params, long t0) {
        LinearConfig base = LinearConfig.defaults();
        SgdConfig sgdBase = SgdConfig.defaults();
        Loss loss = parsed(() -> Parse.loss(r.string("loss", base.loss().id()), "field 'loss'"));
        double lr = r.number("lr", sgdBase.learningRate());
        int epochs = r.integer("epochs", sgdBase.epochs(), 1, 100_000);
        int batch = r.integer("batch", sgdBase.batchSize(), 1, 1 << 24);
        double lambda = r.number("lambda", base.regularizer().lambda());
        long seed = r.integer("seed", sgdBase.seed(), Long.MIN_VALUE, Long.MAX_VALUE);
        double l1Ratio = r.number("l1Ratio", 0.5);
        double momentum = r.number("momentum", sgdBase.momentum());
        double delta = r.number("delta", base.delta());
        Regularizer rg = parsed(() -> Parse.penalty(r.string("reg", base.regularizer().kind().id()), lambda, l1Ratio,
                base.regularizer().includeBias(), "field 'reg'"));
        Preprocessing pre = parsed(() -> Parse.preprocessing(r.string("preprocess", base.preprocessing().id()),
                "field 'preprocess'"));
        Schedule schedule = r.has("schedule") ? parsed(() -> Parse.schedule(r.string("schedule"), "field 'schedule'"))
                : sgdBase.schedule();
        LinearConfig cfg;
        SgdConfig sgd;
        try {
            cfg = base.withLoss(loss).withRegularizer(rg).withDelta(delta).withPreprocessing(pre);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field 'delta': " + e.getMessage());
        }
        try {
            sgd = sgdBase.withLearningRate(lr).withEpochs(epochs).withBatchSize(batch).withSeed(seed)
                    .withMomentum(momentum).withSchedule(schedule);
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
        if (r.has("schedule")) {
            params.put("schedule", r.string("schedule").strip().toLowerCase(Locale.ROOT));
        }
        LinearModel model = new LinearModel(new LinearModel.Params(cfg, sgd), run());
        try {
            model.fit(train);
        } catch (IllegalStateException e) {
            throw ApiException.badRequest("training failed: " + e.getMessage() + " (try a smaller 'lr')");
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        TrainingResult res = model.training().orElseThrow();
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
        return new ModelEntry(name, d.name, null, params, train.type(), train.rows(), (System.nanoTime() - t0) / 1e9,
                training, model, null);
    }

    // ---------------------------------------------------------------- saved models (--model-dir)

    private Path modelDir(String what) {
        if (modelRoot == null) {
            throw ApiException.badRequest(what + ": this server was started without --model-dir, so models cannot be"
                    + " saved or loaded (restart it with vecml serve --model-dir DIR)");
        }
        return modelRoot;
    }

    /** Writes model {@code name} to {@code NAME.vecml} in --model-dir (atomically, by the model's own save). */
    Map<String, Object> save(String name, JsonRequest r) throws IOException {
        r.allow("overwrite");
        boolean overwrite = r.bool("overwrite", false);
        Path dir = modelDir("POST /models/" + name + "/save");
        try (Shared.Lease<ModelEntry> l = acquire(name)) {
            String fileName = name + SAVED_SUFFIX;
            Path file = dir.resolve(fileName);
            if (!overwrite && Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw ApiException.conflict("'" + fileName + "' exists already in the model folder (send"
                        + " {\"overwrite\": true} to replace it)");
            }
            long t0 = System.nanoTime();
            l.value().model.save(file);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", name);
            out.put("file", fileName);
            out.put("bytes", Files.size(file));
            out.put("seconds", (System.nanoTime() - t0) / 1e9);
            return out;
        }
    }

    /** The saved model files in --model-dir (name, size), sorted. */
    Map<String, Object> listSaved() throws IOException {
        Path dir = modelDir("GET /saved-models");
        List<Map<String, Object>> files = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String f = p.getFileName().toString();
                if (f.endsWith(SAVED_SUFFIX) && !f.startsWith(".") && Files.isRegularFile(p) && inside(p)) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", f);
                    m.put("bytes", Files.size(p));
                    files.add(m);
                }
            }
        }
        return Map.of("savedModels", files);
    }

    /** Whether {@code p}, links followed, lies in --model-dir (a link to elsewhere is not listed). */
    private boolean inside(Path p) {
        try {
            return p.toRealPath().startsWith(modelRoot);
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code POST /models} with {@code path}: reads a saved model from --model-dir. */
    private ModelEntry load(JsonRequest r) {
        r.allow("name", "path");
        String name = DatasetService.checkName(r.string("name"), "name");
        String rel = r.string("path");
        Path root = modelDir("field 'path'");
        if (models.containsKey(name)) {
            throw ApiException.conflict("a model named '" + name + "' exists already (DELETE /models/" + name + " first)");
        }
        Path file = confined(root, rel);
        long t0 = System.nanoTime();
        Classifier c;
        try {
            c = Models.load(file, run());
        } catch (DataFormatException e) {
            throw new ApiException(422, "path '" + rel + "': not a valid vecml model: " + hide(e.getMessage(), file, rel));
        } catch (IOException e) {
            throw ApiException.badRequest("path '" + rel + "': cannot read it: " + hide(e.getMessage(), file, rel));
        }
        Map<String, Object> params = new LinkedHashMap<>();
        Dataset.Type dataType = null;
        int rows = -1;
        switch (c) {
            case KnnModel k -> {
                params.put("metric", k.params().metric().name());
                params.put("k", k.params().k());
                params.put("weights", k.params().weights().name().toLowerCase(Locale.ROOT));
                dataType = k.trainingSet().type();
                rows = k.trainingSet().rows();
            }
            case TemplateModel t -> {
                params.put("metric", t.params().metric().name());
                params.put("center", t.params().center().name().toLowerCase(Locale.ROOT));
            }
            case LinearModel m -> {
                params.put("loss", m.classifier().loss().id());
                params.put("preprocess", m.classifier().config().preprocessing().id());
            }
        }
        return register(new ModelEntry(name, null, rel, params, dataType, rows, (System.nanoTime() - t0) / 1e9, null, c,
                null));
    }

    private static String hide(String message, Path file, String rel) {
        return message == null ? "" : message.replace(file.toString() + ": ", "").replace(file.toString(), rel);
    }

    /** {@code rel} resolved under {@code root}, links followed, refused (403) when it is or leads outside. */
    private static Path confined(Path root, String rel) {
        Path q;
        try {
            q = Path.of(rel);
        } catch (java.nio.file.InvalidPathException e) {
            throw ApiException.badRequest("field 'path': not a valid path: '" + rel + "'");
        }
        if (q.isAbsolute()) {
            throw ApiException.forbidden("field 'path' must be a path relative to the model folder, got the absolute"
                    + " path '" + rel + "'");
        }
        Path c = root.resolve(q).normalize();
        if (!c.startsWith(root)) {
            throw ApiException.forbidden("field 'path': '" + rel + "' lies outside the model folder");
        }
        Path real;
        try {
            real = c.toRealPath();
        } catch (IOException e) {
            throw ApiException.notFound("field 'path': no saved model '" + rel + "' in the model folder"
                    + " (GET /saved-models lists them)");
        }
        if (!real.startsWith(root)) {
            throw ApiException.forbidden("field 'path': '" + rel + "' leads outside the model folder (a link)");
        }
        if (!Files.isRegularFile(real)) {
            throw ApiException.badRequest("field 'path': '" + rel + "' is not a file");
        }
        return real;
    }

    // ---------------------------------------------------------------- predict / evaluate

    /**
     * What a predict request asks for besides the classes.
     *
     * @param k             kNN: neighbours that vote (null: the model's own)
     * @param metric        kNN: the distance (null: the model's own)
     * @param probabilities class probabilities (kNN vote shares, softmax probabilities)
     * @param scores        per-class scores of any model, with their kind
     * @param neighbors     kNN: this many nearest training rows per query (indices, distances), or null
     */
    record Ask(Integer k, Metric metric, boolean probabilities, boolean scores, Integer neighbors) {
        static final Ask PLAIN = new Ask(null, null, false, false, null);

        boolean plain() {
            return k == null && metric == null && !probabilities && !scores && neighbors == null;
        }

        /** From the JSON body's fields. */
        static Ask of(JsonRequest r) {
            return new Ask(r.has("k") ? r.integer("k", 1, 1, Parse.MAX_K) : null,
                    r.has("metric") ? parsed(() -> Parse.metric(r.string("metric"), "field 'metric'")) : null,
                    r.bool("probabilities", false), r.bool("scores", false),
                    r.has("neighbors") ? r.integer("neighbors", 1, 1, Parse.MAX_K) : null);
        }

        /** From query parameters ({@code ?k=5&probabilities=true}). */
        static Ask of(Map<String, String> q) {
            return new Ask(q.containsKey("k") ? count(q, "k") : null,
                    q.containsKey("metric") ? parsed(() -> Parse.metric(q.get("metric"), "query parameter 'metric'"))
                            : null,
                    flag(q, "probabilities"), flag(q, "scores"),
                    q.containsKey("neighbors") ? count(q, "neighbors") : null);
        }

        private static int count(Map<String, String> q, String key) {
            try {
                int v = Integer.parseInt(q.get(key).strip());
                if (v >= 1 && v <= Parse.MAX_K) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw ApiException.badRequest("query parameter '" + key + "' must be an integer in 1.." + Parse.MAX_K
                    + ", got '" + q.get(key) + "'");
        }

        private static boolean flag(Map<String, String> q, String key) {
            String v = q.get(key);
            if (v == null) {
                return false;
            }
            return switch (v.strip().toLowerCase(Locale.ROOT)) {
                case "true", "1", "" -> true;
                case "false", "0" -> false;
                default -> throw ApiException.badRequest("query parameter '" + key + "' must be true or false, got '"
                        + v + "'");
            };
        }
    }

    /**
     * Predictions and what else was asked, as the JSON answer gives them.
     *
     * @param scores     per-class probabilities or scores (rows x classes), or null
     * @param scoresKind what they are ({@link Scores.Kind}, lower case), or null
     * @param scoresField the field they go in: {@code probabilities} or {@code scores}, as asked
     * @param neighbors  kNN neighbours ({@code indices}, {@code distances}: rows x K), or null
     */
    record Predictions(String model, int rows, double seconds, int[] predictions, double[][] scores, String scoresKind,
            String scoresField, Map<String, Object> neighbors) {

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("rows", rows);
            m.put("seconds", seconds);
            m.put("predictions", predictions);
            if (scores != null) {
                m.put(scoresField, scores);
                m.put("scoresKind", scoresKind);
            }
            if (neighbors != null) {
                m.put("neighbors", neighbors);
            }
            return m;
        }
    }

    /** The model's answer for {@code q} (uint8 or float32 rows, whatever the model was fitted on). */
    private Predictions answer(ModelEntry m, Dataset q, String what, Ask ask) {
        if (q.dims() != m.dims) {
            throw ApiException.badRequest(what + ": rows have " + q.dims() + " features but model '" + m.name
                    + "' was fitted on " + m.dims);
        }
        boolean knn = m.model instanceof KnnModel;
        if (!knn && (ask.k() != null || ask.metric() != null || ask.neighbors() != null)) {
            String f = ask.k() != null ? "k" : ask.metric() != null ? "metric" : "neighbors";
            throw ApiException.badRequest("'" + f + "' applies to kNN models only; model '" + m.name + "' is a "
                    + m.type + " model");
        }
        if (ask.probabilities() && ask.scores()) {
            throw ApiException.badRequest("ask for 'probabilities' or 'scores', not both");
        }
        int trainRows = knn ? ((KnnModel) m.model).trainingSet().rows() : -1;
        for (Integer v : new Integer[] {ask.k(), ask.neighbors()}) {
            if (v != null && v > trainRows) {
                throw ApiException.badRequest("'" + (v == ask.k() ? "k" : "neighbors") + "' = " + v + " is more than the "
                        + trainRows + " training rows of model '" + m.name + "'");
            }
        }
        long t0 = System.nanoTime();
        int[] p;
        Scores sc = null;
        Map<String, Object> nb = null;
        try {
            if (knn) {
                KnnModel km = m.knn(ask.metric(), run());
                int k = ask.k() == null ? km.params().k() : ask.k();
                p = q.rows() == 0 ? new int[0] : km.predict(q, k);
                if (ask.probabilities() || ask.scores()) {
                    sc = km.predictProba(q, k);
                }
                if (ask.neighbors() != null) {
                    Neighbors n = km.kneighbors(q, ask.neighbors());
                    int[][] idx = new int[n.queries()][n.k()];
                    double[][] dist = new double[n.queries()][n.k()];
                    for (int i = 0; i < n.queries(); i++) {
                        for (int j = 0; j < n.k(); j++) {
                            idx[i][j] = n.index(i, j);
                            dist[i][j] = n.distance(i, j);
                        }
                    }
                    nb = new LinkedHashMap<>();
                    nb.put("k", n.k());
                    nb.put("indices", idx);
                    nb.put("distances", dist);
                }
            } else if (q.rows() == 0) {
                p = new int[0];
                if (ask.probabilities() || ask.scores()) {
                    sc = emptyScores(m.model, ask.probabilities());
                }
            } else {
                p = m.model.predict(q);
                if (ask.probabilities()) {
                    sc = m.model.predictProba(q);
                } else if (ask.scores()) {
                    sc = m.model.scores(q);
                }
            }
        } catch (UnsupportedOperationException e) {
            throw ApiException.badRequest("'probabilities': model '" + m.name + "': " + e.getMessage()
                    + " (ask for \"scores\" instead)");
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(what + ": " + e.getMessage());
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Predictions(m.name, q.rows(), secs, p, sc == null ? null : sc.toArrays(),
                sc == null ? null : sc.kind().name().toLowerCase(Locale.ROOT),
                ask.probabilities() ? "probabilities" : "scores", nb);
    }

    /** No rows of template or linear scores (the models are not asked about nothing), refused as they would be. */
    private static Scores emptyScores(Classifier c, boolean probabilities) {
        Scores.Kind kind = switch (c) {
            case TemplateModel t -> Scores.Kind.DISTANCES;
            case LinearModel l -> l.classifier().loss() == Loss.SOFTMAX ? Scores.Kind.PROBABILITIES : Scores.Kind.MARGINS;
            case KnnModel k -> Scores.Kind.VOTE_SHARES;
        };
        if (probabilities && kind != Scores.Kind.PROBABILITIES && kind != Scores.Kind.VOTE_SHARES) {
            throw new UnsupportedOperationException("a " + c.kind() + (c instanceof LinearModel l ? " "
                    + l.classifier().loss().id() : "") + " model gives " + kind.name().toLowerCase(Locale.ROOT)
                    + ", not probabilities");
        }
        return new Scores(kind, 0, c.numClasses(), new double[0]);
    }

    private int[] run(ModelEntry m, Dataset q, String what) {
        return answer(m, q, what, Ask.PLAIN).predictions();
    }

    /** Predicts the rows of a dataset split named in a JSON body. */
    Predictions predictSplit(String model, JsonRequest r) {
        r.allow("dataset", "split", "k", "metric", "probabilities", "scores", "neighbors");
        Ask ask = Ask.of(r);
        try (Shared.Lease<ModelEntry> ml = acquire(model);
             Shared.Lease<DatasetEntry> dl = datasets.acquire(r.string("dataset"), "dataset")) {
            Dataset q = dl.value().split(r.string("split", "test"), "split");
            return answer(ml.value(), q, "dataset '" + dl.value().name + "'", ask);
        }
    }

    /** Predicts the rows of an uploaded .npy feature array (in {@code file}). */
    Predictions predictNpy(String model, Path file, Ask ask) throws IOException {
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
