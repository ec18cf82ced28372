package io.vecml.cli.serve;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Standardizer;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** POST /grid/knn: the report of {@code vecml grid knn --json}, field for field, on a loaded dataset. */
final class KnnGrid {

    private KnnGrid() {
    }

    record Row(String metric, int k, String weights, double mean, double std, int rank, double[] foldScores) {
    }

    record TestScore(int rows, double accuracy, double balancedAccuracy) {
    }

    record Report(String source, int rows, int dims, int folds, boolean stratified, Long seed, String standardize,
            String scoring, int candidates, double seconds, List<Double> runSeconds, Row best, TestScore test,
            List<Row> results) {
    }

    static Report run(DatasetService datasets, JsonRequest r, int threads) {
        r.allow("dataset", "k", "metric", "weights", "folds", "seed", "stratified", "standardize", "scoring", "limit");
        int[] ks = parseKs(r.kSpec("k", "1..30"));
        List<Metric> ms = new ArrayList<>();
        for (String m : r.strings("metric", "l1,l2")) {
            Metric x = ModelService.metric(m, "metric");
            if (!ms.contains(x)) {
                ms.add(x);
            }
        }
        List<Weights> ws = new ArrayList<>();
        for (String w : r.strings("weights", "uniform")) {
            Weights x = ModelService.weights(w, "weights");
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
        CvSpec cv = new CvSpec(folds, stratified, seed, scaling, sc);
        try (Shared.Lease<DatasetEntry> l = datasets.acquire(r.string("dataset"), "dataset")) {
            DatasetEntry d = l.value();
            Dataset train = limit == null || limit >= d.train.rows() ? d.train : Transforms.first(d.train, limit);
            try {
                if (folds > train.rows()) {
                    throw ApiException.badRequest("field 'folds' = " + folds + " is more than the " + train.rows() + " rows");
                }
                KnnGridSearch.Result res;
                try {
                    res = KnnGridSearch.run(train, ks, ms, ws, cv, threads);
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest(e.getMessage());
                }
                List<Row> rows = new ArrayList<>();
                for (KnnGridSearch.Candidate c : res.candidates()) {
                    rows.add(row(c));
                }
                Dataset test = d.test();
                TestScore ts = test == null ? null : refitAndScore(train, test, res.best(), scaling, threads);
                return new Report(d.source, train.rows(), train.dims(), folds, stratified, seed,
                        scaling.name().toLowerCase(Locale.ROOT), sc.name().toLowerCase(Locale.ROOT), rows.size(),
                        res.seconds(), List.of(res.seconds()), row(res.best()), ts, rows);
            } finally {
                if (train != d.train) {
                    train.close();
                }
            }
        }
    }

    private static Row row(KnnGridSearch.Candidate c) {
        return new Row(c.metric().name(), c.k(), c.weights().name().toLowerCase(Locale.ROOT), c.mean(), c.std(),
                c.rank(), c.foldScores());
    }

    private static TestScore refitAndScore(Dataset train, Dataset test, KnnGridSearch.Candidate best,
            CvSpec.Scaling scaling, int threads) {
        Dataset tr = train;
        Dataset te = test;
        if (train.type() != test.type() && scaling == CvSpec.Scaling.NONE) {
            throw ApiException.badRequest("the training and test splits have different types");
        }
        if (scaling != CvSpec.Scaling.NONE) {
            Standardizer st = Standardizer.fit(train);
            tr = st.apply(train);
            te = st.apply(test);
        }
        try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(best.metric()).withWeights(best.weights())
                .withThreads(threads)).fit(tr)) {
            int[] p = knn.predict(te, best.k());
            return new TestScore(te.rows(), Metrics.accuracy(p, te.labels()),
                    Metrics.balancedAccuracy(p, te.labels(), train.numClasses()));
        } finally {
            if (tr != train) {
                tr.close();
                te.close();
            }
        }
    }

    /** "1..30", "1,3,5" or a mix; sorted, without duplicates, each in 1..1000. */
    static int[] parseKs(String s) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : s.split(",")) {
            String p = part.strip();
            try {
                if (p.contains("..")) {
                    String[] ab = p.split("\\.\\.", -1);
                    int a = Integer.parseInt(ab[0].strip());
                    int b = Integer.parseInt(ab[1].strip());
                    if (a > b || b - a > 1000) {
                        throw ApiException.badRequest("field 'k': bad range " + p);
                    }
                    for (int k = a; k <= b; k++) {
                        out.add(k);
                    }
                } else {
                    out.add(Integer.parseInt(p));
                }
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw ApiException.badRequest("field 'k': expected numbers or ranges like 1..30, got '" + p + "'");
            }
        }
        if (out.isEmpty() || out.first() < 1 || out.last() > 1000) {
            throw ApiException.badRequest("field 'k': values must be in 1..1000, got " + s);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
