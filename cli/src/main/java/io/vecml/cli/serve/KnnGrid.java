package io.vecml.cli.serve;

import io.vecml.engine.api.Parse;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridReports;
import io.vecml.engine.eval.KnnGridReports.Report;
import io.vecml.engine.eval.KnnGridReports.Row;
import io.vecml.engine.eval.KnnGridReports.TestScore;
import io.vecml.engine.eval.KnnGridSearch;
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
            KnnGridSearch.Result res;
            try {
                res = KnnGridSearch.run(rows.train(), ks, ms, ws, cv, threads);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
            List<Row> out = new ArrayList<>();
            for (KnnGridSearch.Candidate c : res.candidates()) {
                out.add(KnnGridReports.row(c));
            }
            TestScore ts = rows.test() == null ? null
                    : KnnGridReports.refitAndScore(rows.train(), rows.test(), res.best(), scaling, threads);
            String standardize = scaling == CvSpec.Scaling.FOLD ? "train" : scaling.name().toLowerCase(Locale.ROOT);
            return new Report(l.value().source, rows.train().rows(), rows.train().dims(), g.folds, g.stratified,
                    g.cvSeed, standardize, g.scoring.name().toLowerCase(Locale.ROOT), out.size(), res.seconds(),
                    List.of(res.seconds()), KnnGridReports.row(res.best()), ts, out);
        }
    }
}
