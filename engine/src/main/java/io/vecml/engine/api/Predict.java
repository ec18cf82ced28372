package io.vecml.engine.api;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.knn.Neighbors;
import java.util.Locale;
import java.util.Objects;

/**
 * One prediction request of any {@link Classifier}, as the server, the command line and library users
 * make it: the classes, and optionally per-class probabilities or scores and (kNN) the nearest training
 * rows, from one search.
 */
public final class Predict {

    private Predict() {
    }

    /**
     * What is asked besides the classes.
     *
     * @param k             kNN: neighbours that vote (null: the model's own k)
     * @param probabilities class probabilities (kNN vote shares, softmax probabilities)
     * @param scores        per-class scores of any model ({@link Scores.Kind})
     * @param neighbors     kNN: this many nearest training rows per query, or null
     */
    public record Ask(Integer k, boolean probabilities, boolean scores, Integer neighbors) {
        public static final Ask PLAIN = new Ask(null, false, false, null);

        public Ask {
            if (k != null && (k < 1 || k > Parse.MAX_K)) {
                throw new IllegalArgumentException("k must be in 1.." + Parse.MAX_K + ", got " + k);
            }
            if (neighbors != null && (neighbors < 1 || neighbors > Parse.MAX_K)) {
                throw new IllegalArgumentException("neighbors must be in 1.." + Parse.MAX_K + ", got " + neighbors);
            }
            if (probabilities && scores) {
                throw new IllegalArgumentException("ask for 'probabilities' or 'scores', not both");
            }
        }
    }

    /**
     * The answer.
     *
     * @param predictions the class of every row
     * @param scores      probabilities or scores as asked (rows x classes), or null
     * @param neighbors   the nearest training rows (kNN, when asked), or null
     */
    public record Answer(int[] predictions, Scores scores, Neighbors neighbors) {
        public Answer {
            Objects.requireNonNull(predictions, "predictions");
        }
    }

    /**
     * Answers {@code ask} for the rows of {@code data}.
     *
     * @throws IllegalArgumentException      for a kNN-only field on another model, a k or neighbour count above
     *                                       the training rows, or rows of the wrong width (message names the field)
     * @throws UnsupportedOperationException for probabilities of a model that has none (SVM, template)
     */
    public static Answer run(Classifier model, Dataset data, Ask ask) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(ask, "ask");
        if (data.dims() != model.dims()) {
            throw new IllegalArgumentException("rows have " + data.dims() + " features but the model was fitted on "
                    + model.dims());
        }
        if (!(model instanceof KnnModel knn)) {
            if (ask.k() != null || ask.neighbors() != null) {
                throw new IllegalArgumentException("'" + (ask.k() != null ? "k" : "neighbors")
                        + "' applies to kNN models only; this is a " + model.kind() + " model");
            }
            if (data.rows() == 0) {
                return new Answer(new int[0], ask.probabilities() || ask.scores() ? empty(model, ask) : null, null);
            }
            Scores s = ask.probabilities() ? model.predictProba(data) : ask.scores() ? model.scores(data) : null;
            return new Answer(model.predict(data), s, null);
        }
        int trainRows = knn.trainingSet().rows();
        int k = ask.k() == null ? knn.params().k() : ask.k();
        for (String f : new String[] {"k", "neighbors"}) {
            Integer v = f.equals("k") ? Integer.valueOf(k) : ask.neighbors();
            if (v != null && v > trainRows) {
                throw new IllegalArgumentException("'" + f + "' = " + v + " is more than the " + trainRows
                        + " training rows");
            }
        }
        // one search for the votes and the neighbours asked: the first k of the nearest K are the k nearest
        int searchK = ask.neighbors() == null ? k : Math.max(k, ask.neighbors());
        Neighbors all = knn.kneighbors(data, searchK);
        Scores votes = knn.voteShares(all, k);
        Neighbors shown = ask.neighbors() == null ? null : first(all, ask.neighbors());
        return new Answer(argmax(votes), ask.probabilities() || ask.scores() ? votes : null, shown);
    }

    /** The first {@code k} neighbours of each query in {@code n}. */
    static Neighbors first(Neighbors n, int k) {
        if (k == n.k()) {
            return n;
        }
        int[] idx = new int[n.queries() * k];
        double[] dist = new double[n.queries() * k];
        for (int q = 0; q < n.queries(); q++) {
            for (int j = 0; j < k; j++) {
                idx[q * k + j] = n.index(q, j);
                dist[q * k + j] = n.distance(q, j);
            }
        }
        return new Neighbors(n.queries(), k, idx, dist);
    }

    /** The highest-scoring class of every row; a tie goes to the smallest class. */
    static int[] argmax(Scores s) {
        int[] out = new int[s.rows()];
        for (int r = 0; r < out.length; r++) {
            int best = 0;
            for (int c = 1; c < s.classes(); c++) {
                if (s.get(r, c) > s.get(r, best)) {
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }

    /** No rows of template or linear scores (the models are not asked about nothing), refused as they would be. */
    private static Scores empty(Classifier c, Ask ask) {
        Scores.Kind kind = switch (c) {
            case TemplateModel t -> Scores.Kind.DISTANCES;
            case LinearModel l -> l.classifier().loss() == io.vecml.engine.linear.Loss.SOFTMAX
                    ? Scores.Kind.PROBABILITIES : Scores.Kind.MARGINS;
            case KnnModel k -> Scores.Kind.VOTE_SHARES;
        };
        if (ask.probabilities() && kind != Scores.Kind.PROBABILITIES && kind != Scores.Kind.VOTE_SHARES) {
            throw new UnsupportedOperationException("a " + c.kind() + (c instanceof LinearModel l ? " "
                    + l.classifier().loss().id() : "") + " model gives " + kind.name().toLowerCase(Locale.ROOT)
                    + ", not probabilities");
        }
        return new Scores(kind, 0, c.numClasses(), new double[0]);
    }
}
