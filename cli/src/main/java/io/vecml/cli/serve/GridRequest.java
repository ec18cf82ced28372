package io.vecml.cli.serve;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.SplitRng;
import io.vecml.engine.data.Splits;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.Scoring;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fields {@code /grid/knn} and {@code /grid/linear} share, in the one vocabulary (README): folds
 * ({@code folds}, {@code cvSeed}, {@code stratified}, {@code splitRng}, {@code scoring}), a holdout for a
 * dataset without a test split ({@code testFraction}, {@code splitSeed}) and row limits ({@code trainLimit}:
 * training rows; {@code limit}: test rows). Old names ({@code seed}) are accepted with a warning.
 */
final class GridRequest {

    /** The shared field names. */
    static final List<String> FIELDS = List.of("dataset", "folds", "cvSeed", "stratified", "scoring", "splitRng",
            "testFraction", "splitSeed", "limit", "trainLimit", "standardize");

    final int folds;
    final Long cvSeed;
    final boolean stratified;
    final Scoring scoring;
    final SplitRng rng;
    final Double testFraction;
    final long splitSeed;
    final Integer limit;
    final Integer trainLimit;

    private GridRequest(JsonRequest r) {
        folds = r.integer("folds", 5, 2, 1000);
        cvSeed = r.optionalLong("cvSeed");
        stratified = r.bool("stratified", true);
        scoring = switch (r.string("scoring", "accuracy").strip().toLowerCase(Locale.ROOT)) {
            case "accuracy" -> Scoring.ACCURACY;
            case "balanced", "balanced_accuracy", "balanced-accuracy" -> Scoring.BALANCED_ACCURACY;
            default -> throw ApiException.badRequest("field 'scoring' must be accuracy or balanced");
        };
        rng = FitRequest.parsed(() -> SplitRng.parse(r.string("splitRng", "vecml"), "field 'splitRng'"));
        if (r.has("testFraction")) {
            double f = r.number("testFraction", 0);
            if (!(f > 0 && f < 1)) {
                throw ApiException.badRequest("field 'testFraction' must be in (0, 1), got " + f);
            }
            testFraction = f;
        } else {
            testFraction = null;
        }
        if (r.has("splitSeed") && testFraction == null) {
            throw ApiException.badRequest("field 'splitSeed' is the seed of a holdout: send it with 'testFraction'");
        }
        splitSeed = r.integer("splitSeed", 42L, Long.MIN_VALUE, Long.MAX_VALUE);
        limit = r.has("limit") ? r.integer("limit", 0, 1, Integer.MAX_VALUE) : null;
        trainLimit = r.has("trainLimit") ? r.integer("trainLimit", 0, 1, Integer.MAX_VALUE) : null;
    }

    /** Renames the old fields, refuses unknown ones ({@link #FIELDS} plus {@code own}), parses the shared ones. */
    static GridRequest of(JsonRequest r, String... own) {
        r.renamed("seed", "cvSeed");
        List<String> ok = new ArrayList<>(FIELDS);
        ok.addAll(List.of(own));
        r.allow(ok.toArray(String[]::new));
        return new GridRequest(r);
    }

    /** The folds, as the engine's grid searches take them. */
    CvSpec cv(CvSpec.Scaling scaling) {
        return new CvSpec(folds, stratified, cvSeed, scaling, scoring).withRng(rng);
    }

    /**
     * The rows to search and to score on, as the command line's grid makes them: the dataset's train split
     * (or what the holdout leaves), its first {@code trainLimit} rows; the test split (or the holdout), its
     * first {@code limit} rows, or null.
     */
    record Rows(Dataset train, Dataset test, List<Dataset> owned) implements AutoCloseable {
        @Override
        public void close() {
            owned.forEach(Dataset::close);
        }
    }

    Rows rows(DatasetEntry d) {
        List<Dataset> owned = new ArrayList<>();
        try {
            Dataset train = d.train;
            Dataset test = d.test();
            if (testFraction != null) {
                if (test != null) {
                    throw ApiException.badRequest("field 'testFraction': dataset '" + d.name + "' has a test split"
                            + " already");
                }
                Splits.Holdout h = rng.holdout(train.rows(), testFraction, splitSeed);
                Dataset all = train;
                train = keep(owned, all.select(h.train()));
                test = keep(owned, all.select(h.test()));
            }
            if (limit != null && test == null) {
                throw ApiException.badRequest("field 'limit' counts test rows and dataset '" + d.name + "' has none;"
                        + " use 'trainLimit' for training rows ('limit' meant training rows in /grid before)");
            }
            if (trainLimit != null && trainLimit < train.rows()) {
                train = keep(owned, Transforms.first(train, trainLimit));
            }
            if (limit != null && limit < test.rows()) {
                test = keep(owned, Transforms.first(test, limit));
            }
            if (folds > train.rows()) {
                throw ApiException.badRequest("field 'folds' = " + folds + " is more than the " + train.rows()
                        + " training rows");
            }
            return new Rows(train, test, owned);
        } catch (RuntimeException e) {
            owned.forEach(Dataset::close);
            throw e;
        }
    }

    private static Dataset keep(List<Dataset> owned, Dataset d) {
        owned.add(d);
        return d;
    }
}
