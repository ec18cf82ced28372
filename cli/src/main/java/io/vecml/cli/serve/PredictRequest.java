package io.vecml.cli.serve;

import io.vecml.engine.api.Parse;
import io.vecml.engine.api.Predict;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.Neighbors;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A predict request's extras ({@code k}, {@code metric}, {@code probabilities}, {@code scores},
 * {@code neighbors}) from JSON fields or query parameters, and the answer as JSON. The work is
 * {@link Predict#run}'s.
 *
 * @param ask    what the application API is asked
 * @param metric kNN: the distance (null: the model's own)
 */
record PredictRequest(Predict.Ask ask, Metric metric) {

    static final PredictRequest PLAIN = new PredictRequest(Predict.Ask.PLAIN, null);

    /** The fields of a JSON predict request. */
    static final String[] FIELDS = {"k", "metric", "probabilities", "scores", "neighbors"};

    /** From the JSON body's fields. */
    static PredictRequest of(JsonRequest r) {
        Integer k = r.has("k") ? r.integer("k", 1, 1, Parse.MAX_K) : null;
        Metric m = r.has("metric") ? FitRequest.parsed(() -> Parse.metric(r.string("metric"), "field 'metric'")) : null;
        Integer nb = r.has("neighbors") ? r.integer("neighbors", 1, 1, Parse.MAX_K) : null;
        return make(k, m, r.bool("probabilities", false), r.bool("scores", false), nb);
    }

    /** From query parameters ({@code ?k=5&probabilities=true}). */
    static PredictRequest of(Map<String, String> q) {
        Integer k = q.containsKey("k") ? count(q, "k") : null;
        Metric m = q.containsKey("metric")
                ? FitRequest.parsed(() -> Parse.metric(q.get("metric"), "query parameter 'metric'")) : null;
        Integer nb = q.containsKey("neighbors") ? count(q, "neighbors") : null;
        return make(k, m, flag(q, "probabilities"), flag(q, "scores"), nb);
    }

    private static PredictRequest make(Integer k, Metric m, boolean probabilities, boolean scores, Integer nb) {
        return new PredictRequest(FitRequest.parsed(() -> new Predict.Ask(k, probabilities, scores, nb)), m);
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

    /** The JSON answer: model, rows, seconds, predictions, and what else was asked. */
    Map<String, Object> json(String model, double seconds, Predict.Answer a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("rows", a.predictions().length);
        m.put("seconds", seconds);
        m.put("predictions", a.predictions());
        if (a.scores() != null) {
            m.put(ask.probabilities() ? "probabilities" : "scores", a.scores().toArrays());
            m.put("scoresKind", a.scores().kind().name().toLowerCase(Locale.ROOT));
        }
        if (a.neighbors() != null) {
            Neighbors n = a.neighbors();
            int[][] idx = new int[n.queries()][n.k()];
            double[][] dist = new double[n.queries()][n.k()];
            for (int i = 0; i < n.queries(); i++) {
                for (int j = 0; j < n.k(); j++) {
                    idx[i][j] = n.index(i, j);
                    dist[i][j] = n.distance(i, j);
                }
            }
            Map<String, Object> nb = new LinkedHashMap<>();
            nb.put("k", n.k());
            nb.put("indices", idx);
            nb.put("distances", dist);
            m.put("neighbors", nb);
        }
        return m;
    }
}
