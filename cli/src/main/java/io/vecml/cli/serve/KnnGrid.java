package io.vecml.cli.serve;

import io.vecml.engine.api.Experiments;
import io.vecml.engine.api.Parse;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridReports.Report;
import io.vecml.engine.knn.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** POST /grid/knn: the report of {@code vecml grid knn --json}, field for field, on a loaded dataset. */
final class KnnGrid {

    private KnnGrid() {
    }

    /** The grid's {@code standardize}: none, train (z-scores fitted on each training fold; alias fold) or all. */
    static CvSpec.Scaling scaling(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> CvSpec.Scaling.NONE;
            case "train", "fold" -> CvSpec.Scaling.FOLD;
            case "all" -> CvSpec.Scaling.ALL;
            default -> throw ApiException.badRequest("field 'standardize' must be none, train or all, got '" + s + "'");
        };
    }

    static Report run(DatasetService datasets, JsonRequest r, int threads) {
        GridRequest g = GridRequest.of(r, "k", "metric", "weights");
        int[] ks = FitRequest.parsed(() -> Parse.ks(r.kSpec("k", "1..30"), "field 'k'"));
        List<Metric> ms = new ArrayList<>();
        for (String m : r.strings("metric", "l1,l2")) {
            Metric x = FitRequest.parsed(() -> Parse.metric(m, "field 'metric'"));
            if (!ms.contains(x)) {
                ms.add(x);
            }
        }
        List<Weights> ws = new ArrayList<>();
        for (String w : r.strings("weights", "uniform")) {
            Weights x = FitRequest.parsed(() -> Parse.weights(w, "field 'weights'"));
            if (!ws.contains(x)) {
                ws.add(x);
            }
        }
        CvSpec.Scaling scaling = scaling(r.string("standardize", "none"));
        CvSpec cv = g.cv(scaling);
        try (Shared.Lease<DatasetEntry> l = datasets.acquire(r.string("dataset"), "dataset");
             GridRequest.Rows rows = g.rows(l.value())) {
            try (Experiments.Split split = Experiments.Split.given(rows.train(), rows.test())) {
                return Experiments.knnGrid(l.value().source, split, new Experiments.KnnGrid(ks, ms, ws), cv, 1,
                        new RunOptions(threads));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        }
    }
}
