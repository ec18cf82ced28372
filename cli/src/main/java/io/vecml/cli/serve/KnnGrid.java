package io.vecml.cli.serve;

import io.vecml.engine.api.Parse;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.api.Experiments;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.eval.KnnGridReports.Report;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** POST /grid/knn: the report of {@code vecml grid knn --json}, field for field, on a loaded dataset. */
final class KnnGrid {

    private KnnGrid() {
    }

    static Report run(DatasetService datasets, JsonRequest r, int threads) {
        r.allow("dataset", "k", "metric", "weights", "folds", "seed", "stratified", "standardize", "scoring", "limit", "splitRng");
        int[] ks = ModelService.parsed(() -> Parse.ks(r.kSpec("k", "1..30"), "field 'k'"));
        List<Metric> ms = new ArrayList<>();
        for (String m : r.strings("metric", "l1,l2")) {
            Metric x = ModelService.parsed(() -> Parse.metric(m, "field 'metric'"));
            if (!ms.contains(x)) {
                ms.add(x);
            }
        }
        List<Weights> ws = new ArrayList<>();
        for (String w : r.strings("weights", "uniform")) {
            Weights x = ModelService.parsed(() -> Parse.weights(w, "field 'weights'"));
            if (!ws.contains(x)) {
                ws.add(x);
            }
        }
        int folds = r.integer("folds", 5, 2, 1000);
        Long seed = r.optionalLong("seed");
        boolean stratified = r.bool("stratified", true);
        CvSpec.Scaling scaling = switch (r.string("standardize", "none").strip().toLowerCase(Locale.ROOT)) {
            case "none" -> CvSpec.Scaling.NONE;
            case "fold" -> CvSpec.Scaling.FOLD;
            case "all" -> CvSpec.Scaling.ALL;
            default -> throw ApiException.badRequest("field 'standardize' must be none, fold or all");
        };
        Scoring sc = switch (r.string("scoring", "accuracy").strip().toLowerCase(Locale.ROOT)) {
            case "accuracy" -> Scoring.ACCURACY;
            case "balanced", "balanced_accuracy", "balanced-accuracy" -> Scoring.BALANCED_ACCURACY;
            default -> throw ApiException.badRequest("field 'scoring' must be accuracy or balanced");
        };
        Integer limit = r.has("limit") ? r.integer("limit", 0, 1, Integer.MAX_VALUE) : null;
        io.vecml.engine.data.SplitRng rng;
        try {
            rng = io.vecml.engine.data.SplitRng.parse(r.string("splitRng", "vecml"), "field 'splitRng'");
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        CvSpec cv = new CvSpec(folds, stratified, seed, scaling, sc).withRng(rng);
        try (Shared.Lease<DatasetEntry> l = datasets.acquire(r.string("dataset"), "dataset")) {
            DatasetEntry d = l.value();
            Dataset train = limit == null || limit >= d.train.rows() ? d.train : Transforms.first(d.train, limit);
            try {
                if (folds > train.rows()) {
                    throw ApiException.badRequest("field 'folds' = " + folds + " is more than the " + train.rows() + " rows");
                }
                try (Experiments.Split split = Experiments.Split.given(train, d.test())) {
                    return Experiments.knnGrid(d.source, split, new Experiments.KnnGrid(ks, ms, ws), cv, 1,
                            new RunOptions(threads));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest(e.getMessage());
                }
            } finally {
                if (train != d.train) {
                    train.close();
                }
            }
        }
    }

}
