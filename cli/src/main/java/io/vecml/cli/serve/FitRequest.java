package io.vecml.cli.serve;

import io.vecml.engine.api.Classifier;
import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.LinearModel;
import io.vecml.engine.api.Parse;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.Standardize;
import io.vecml.engine.api.TemplateModel;
import io.vecml.engine.distance.Metric;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code POST /models} with a {@code type}: the JSON fields, in the one vocabulary (README), turned into an
 * application-API model; the fitting itself is the model's.
 */
final class FitRequest {

    private FitRequest() {
    }

    /** Runs a {@link Parse} call, turning its bad-input error into a 400 (its message names the field). */
    static <T> T parsed(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** Accepts the old field names (with a warning) and refuses unknown fields, for {@code type}. */
    static void check(JsonRequest r, String type) {
        switch (type) {
            case "knn" -> r.allow("name", "dataset", "type", "metric", "k", "weights", "standardize");
            case "template" -> r.allow("name", "dataset", "type", "metric", "center", "standardize");
            case "linear" -> r.renamed("seed", "trainSeed").renamed("preprocess", "standardize")
                    .allow("name", "dataset", "type", "loss", "lr", "epochs", "batch", "lambda", "trainSeed", "reg",
                            "l1Ratio", "standardize", "momentum", "delta", "schedule");
            default -> throw ApiException.badRequest("field 'type' must be knn, template or linear, got '" + type + "'");
        }
    }

    /** The model {@code r} asks for, not yet fitted; its parameters go into {@code params} (for the model's info). */
    static Classifier model(JsonRequest r, String type, int trainRows, RunOptions run, Map<String, Object> params) {
        return switch (type) {
            case "knn" -> knn(r, trainRows, run, params);
            case "template" -> template(r, run, params);
            default -> linear(r, run, params);
        };
    }

    /**
     * The metric of a kNN or template fit: the field, or the library's default ({@code Params.defaults()}, the
     * vocabulary's: the same on every face).
     */
    private static Metric metric(JsonRequest r, Metric byDefault) {
        return r.has("metric") ? parsed(() -> Parse.metric(r.string("metric"), "field 'metric'")) : byDefault;
    }

    /** The scaling of a kNN or template fit: none or train, as {@code --standardize} of vecml knn and template. */
    private static boolean standardize(JsonRequest r, boolean byDefault) {
        return r.has("standardize") ? parsed(() -> Standardize.oneModel(r.string("standardize"), "field 'standardize'"))
                : byDefault;
    }

    private static KnnModel knn(JsonRequest r, int trainRows, RunOptions run, Map<String, Object> params) {
        KnnModel.Params d = KnnModel.Params.defaults();
        Metric m = metric(r, d.metric());
        int k = r.integer("k", d.k(), 1, Parse.MAX_K);
        if (k > trainRows) {
            throw ApiException.badRequest("field 'k' = " + k + " is more than the " + trainRows + " training rows");
        }
        Weights w = r.has("weights") ? parsed(() -> Parse.weights(r.string("weights"), "field 'weights'")) : d.weights();
        KnnModel model = new KnnModel(new KnnModel.Params(k, m, w, standardize(r, d.standardize())), run);
        params.putAll(describe(model));
        return model;
    }

    private static TemplateModel template(JsonRequest r, RunOptions run, Map<String, Object> params) {
        TemplateModel.Params d = TemplateModel.Params.defaults();
        Metric m = metric(r, d.metric());
        String center = r.has("center") ? r.string("center") : d.center().name();
        TemplateClassifier.Center c = switch (center.strip().toLowerCase(Locale.ROOT)) {
            case "mean" -> TemplateClassifier.Center.MEAN;
            case "median" -> TemplateClassifier.Center.MEDIAN;
            default -> throw ApiException.badRequest("field 'center': expected mean or median");
        };
        TemplateModel model = new TemplateModel(new TemplateModel.Params(c, m, standardize(r, d.standardize())), run);
        params.putAll(describe(model));
        return model;
    }

    /** A linear model's {@code standardize}: train (z-scores of the training rows), center or none. */
    static Preprocessing standardize(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "train", "fold", "standardize", "standardise", "zscore" -> Preprocessing.STANDARDIZE;
            case "center", "centre" -> Preprocessing.CENTER;
            case "none", "raw" -> Preprocessing.RAW;
            case "all" -> throw ApiException.badRequest("field 'standardize': 'all' (fitted on every row before the"
                    + " split) applies to /grid only; a model is standardised with its training rows ('train')");
            default -> throw ApiException.badRequest("field 'standardize': expected train, center or none, got '" + s
                    + "'");
        };
    }

    static String standardizeName(Preprocessing p) {
        return switch (p) {
            case STANDARDIZE -> "train";
            case CENTER -> "center";
            case RAW -> "none";
        };
    }

    private static LinearModel linear(JsonRequest r, RunOptions run, Map<String, Object> params) {
        LinearConfig base = LinearConfig.defaults();
        SgdConfig sgdBase = SgdConfig.defaults();
        Loss loss = parsed(() -> Parse.loss(r.string("loss", base.loss().id()), "field 'loss'"));
        double lr = r.number("lr", sgdBase.learningRate());
        int epochs = r.integer("epochs", sgdBase.epochs(), 1, 100_000);
        int batch = r.integer("batch", sgdBase.batchSize(), 1, 1 << 24);
        double lambda = r.number("lambda", base.regularizer().lambda());
        long seed = r.integer("trainSeed", sgdBase.seed(), Long.MIN_VALUE, Long.MAX_VALUE);
        double l1Ratio = r.number("l1Ratio", 0.5);
        double momentum = r.number("momentum", sgdBase.momentum());
        double delta = r.number("delta", base.delta());
        Regularizer rg = parsed(() -> Parse.penalty(r.string("reg", base.regularizer().kind().id()), lambda, l1Ratio,
                base.regularizer().includeBias(), "field 'reg'"));
        Preprocessing pre = r.has("standardize") ? standardize(r.string("standardize")) : base.preprocessing();
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
        params.put("trainSeed", seed);
        params.put("standardize", standardizeName(cfg.preprocessing()));
        params.put("momentum", momentum);
        if (r.has("schedule")) {
            params.put("schedule", r.string("schedule").strip().toLowerCase(Locale.ROOT));
        }
        return new LinearModel(new LinearModel.Params(cfg, sgd), run);
    }

    /** What a fitted or loaded model is, for its info ({@code params}). */
    static Map<String, Object> describe(Classifier c) {
        Map<String, Object> params = new LinkedHashMap<>();
        switch (c) {
            case KnnModel k -> {
                params.put("metric", k.params().metric().name());
                params.put("k", k.params().k());
                params.put("weights", k.params().weights().name().toLowerCase(Locale.ROOT));
                params.put("standardize", k.params().standardize() ? "train" : "none");
            }
            case TemplateModel t -> {
                params.put("metric", t.params().metric().name());
                params.put("center", t.params().center().name().toLowerCase(Locale.ROOT));
                params.put("standardize", t.params().standardize() ? "train" : "none");
            }
            case LinearModel m -> {
                params.put("loss", m.classifier().loss().id());
                params.put("standardize", standardizeName(m.classifier().config().preprocessing()));
            }
        }
        return params;
    }

    /** A linear model's training, for its info: epochs, final loss and accuracy, the loss per epoch. */
    static Map<String, Object> training(LinearModel model) {
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
        return training;
    }
}
