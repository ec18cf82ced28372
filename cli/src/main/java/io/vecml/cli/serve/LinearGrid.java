package io.vecml.cli.serve;

import io.vecml.engine.eval.LinearGridReports.Report;

import com.fasterxml.jackson.databind.JsonNode;
import io.vecml.engine.api.Experiments;
import io.vecml.engine.api.Parse;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.Standardize;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.LinearGridSearch;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.train.SgdConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /grid/linear}: the cross-validated grid search of {@code vecml grid linear --json}
 * (loss x penalty x learning rate x lambda), with the same fields and the same report.
 */
final class LinearGrid {

    private LinearGrid() {
    }

    static Report run(DatasetService datasets, JsonRequest r, int threads) {
        GridRequest g = GridRequest.of(r, "lr", "lambda", "loss", "reg", "l1Ratio", "epochs", "batch", "momentum",
                "trainSeed");
        double[] lrs = numbers(r, "lr", new double[] {0.01, 0.1});
        double[] lambdas = numbers(r, "lambda", new double[] {1e-4, 1e-3});
        for (double v : lrs) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw ApiException.badRequest("field 'lr' values must be finite and > 0, got " + v);
            }
        }
        for (double v : lambdas) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw ApiException.badRequest("field 'lambda' values must be finite and >= 0, got " + v);
            }
        }
        double l1Ratio = r.number("l1Ratio", 0.5);
        List<Loss> losses = new ArrayList<>();
        for (String l : r.strings("loss", "svm,softmax")) {
            Loss x = FitRequest.parsed(() -> Parse.loss(l, "field 'loss'"));
            if (!losses.contains(x)) {
                losses.add(x);
            }
        }
        List<Regularizer.Kind> kinds = new ArrayList<>();
        for (String k : r.strings("reg", "l2")) {
            Regularizer.Kind x = FitRequest.parsed(() -> Parse.penalty(k, 0, l1Ratio, false, "field 'reg'")).kind();
            if (!kinds.contains(x)) {
                kinds.add(x);
            }
        }
        int epochs = r.integer("epochs", 10, 1, 100_000);
        int batch = r.integer("batch", 256, 1, 1 << 24);
        double momentum = r.number("momentum", 0);
        if (!(momentum >= 0 && momentum < 1)) {
            throw ApiException.badRequest("field 'momentum' must be in [0, 1), got " + momentum);
        }
        long trainSeed = r.integer("trainSeed", 0L, Long.MIN_VALUE, Long.MAX_VALUE);
        String standardize = r.string("standardize", "train").strip().toLowerCase(Locale.ROOT);
        // as vecml grid linear --standardize: train (alias fold) is the model's own z-scores (fitted on each training fold),
        // all standardises every row before the split, none keeps the raw features
        CvSpec.Scaling cvScaling;
        Preprocessing pre;
        switch (standardize) {
            case "train", "fold" -> {
                standardize = "train";
                cvScaling = CvSpec.Scaling.NONE;
                pre = Preprocessing.STANDARDIZE;
            }
            case "all" -> {
                cvScaling = CvSpec.Scaling.ALL;
                pre = Preprocessing.RAW;
            }
            case "none" -> {
                cvScaling = CvSpec.Scaling.NONE;
                pre = Preprocessing.RAW;
            }
            default -> throw ApiException.badRequest("field 'standardize' must be train, all or none, got '" + standardize
                    + "'");
        }
        CvSpec cv = g.cv(cvScaling);
        LinearConfig base = LinearConfig.defaults().withPreprocessing(pre)
                .withRegularizer(Regularizer.elasticNet(0, l1Ratio));
        SgdConfig sgd = SgdConfig.defaults().withEpochs(epochs).withBatchSize(batch).withMomentum(momentum)
                .withSeed(trainSeed).withThreads(threads);
        LinearGridSearch.Grid grid = new LinearGridSearch.Grid(losses, kinds, distinct(lrs), distinct(lambdas));
        try (Shared.Lease<DatasetEntry> l = datasets.acquire(r.string("dataset"), "dataset");
             GridRequest.Rows rows = g.rows(l.value())) {
            return Experiments.linearGrid(l.value().source, rows.train(), rows.test(), grid, base, sgd, cv,
                    Standardize.parse(standardize, "field 'standardize'"), new RunOptions(threads), "'lr'");
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** Numbers from a JSON number, an array of numbers or a comma-separated string. */
    private static double[] numbers(JsonRequest r, String field, double[] def) {
        if (!r.has(field)) {
            return def;
        }
        JsonNode v = r.node(field);
        List<Double> out = new ArrayList<>();
        if (v.isNumber()) {
            out.add(v.asDouble());
        } else if (v.isArray() && !v.isEmpty()) {
            for (JsonNode e : v) {
                if (!e.isNumber()) {
                    throw ApiException.badRequest("field '" + field + "' must hold numbers, got " + e);
                }
                out.add(e.asDouble());
            }
        } else if (v.isTextual()) {
            for (String s : v.asText().split(",", -1)) {
                try {
                    out.add(Double.parseDouble(s.strip()));
                } catch (NumberFormatException e) {
                    throw ApiException.badRequest("field '" + field + "': '" + s.strip() + "' is not a number");
                }
            }
        } else {
            throw ApiException.badRequest("field '" + field + "' must be a number, a list of numbers or \"0.01,0.1\","
                    + " got " + v);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] distinct(double[] v) {
        return java.util.Arrays.stream(v).distinct().toArray();
    }
}
