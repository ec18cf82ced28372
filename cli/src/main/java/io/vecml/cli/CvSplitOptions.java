package io.vecml.cli;

import io.vecml.engine.api.Experiments;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.Scoring;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The split options of the cross-validating commands (grid, cv): K folds (stratified, shuffled by
 * {@code --cv-seed}, or read from a folds file), the scoring, a holdout of the data for a test split
 * ({@code --test-fraction}, {@code --split-seed}, or {@code --split-file}) when it has none. The row limits
 * are the command's own mixin ({@link RowLimits} on grid, {@link TrainRowLimit} on cv, which has no test rows),
 * passed to {@link #validate} and {@link #prepare}.
 */
final class CvSplitOptions {

    /** The message of {@code --limit} on a run without test rows (grid/cv's --limit counted training rows before). */
    static final String LIMIT_WITHOUT_TEST = "--limit counts test rows and this run has none; use --train-limit N for"
            + " training rows (--limit meant training rows in grid/cv before)";

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    @Option(names = "--folds", paramLabel = "K", defaultValue = "5",
            description = "Number of cross-validation folds (>= 2). Default: ${DEFAULT-VALUE}.")
    int folds;

    @Option(names = "--cv-seed", paramLabel = "S",
            description = "Shuffle the rows with this seed before making folds (default: no shuffle, as scikit-learn).")
    Long cvSeed;

    @Option(names = "--seed", paramLabel = "S", hidden = true, description = "Old name of --cv-seed.")
    Long oldSeed;

    @Option(names = "--stratified", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Keep class proportions in every fold (scikit-learn's default for classifiers)."
                    + " Default: ${DEFAULT-VALUE}.")
    boolean stratified;

    @Option(names = "--scoring", defaultValue = "accuracy", paramLabel = "S",
            description = "accuracy or balanced (mean per-class recall). Default: ${DEFAULT-VALUE}.")
    String scoring;

    @Mixin
    SplitOptions split;

    @Option(names = "--test-fraction", paramLabel = "F",
            description = "Hold out this fraction of the rows as the test split first (data without a test split);"
                    + " cross-validation then runs on the rest, as GridSearchCV on train_test_split's X_train.")
    Double testFraction;

    @Option(names = "--split-seed", defaultValue = "42", paramLabel = "S",
            description = "Seed of that holdout. Default: ${DEFAULT-VALUE}.")
    long splitSeed;

    @Option(names = "--folds-file", paramLabel = "FILE",
            description = {"Explicit folds instead of --folds/--cv-seed/--stratified: a JSON list of "
                + "{\"train\":[...],\"test\":[...]} (train optional) or of test-index lists, indices into the "
                + "training rows (after any holdout)."})
    Path foldsFile;

    /** The fold shuffle's seed: --cv-seed, or the old --seed (with a warning), or null. */
    Long seed() {
        return RenamedOptions.useOld(command, "--seed", oldSeed, "--cv-seed") ? oldSeed : cvSeed;
    }

    /** The checks that need no data (usage errors before loading); {@code limits} are the command's. */
    void validate(TrainRowLimit limits) {
        if (folds < 2) {
            throw new IllegalArgumentException("--folds must be >= 2, got " + folds);
        }
        limits.validate();
        if (testFraction != null && !(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("--test-fraction must be in (0, 1), got " + testFraction);
        }
        split.rng();
        scoring();
    }

    Scoring scoring() {
        return switch (scoring.strip().toLowerCase(Locale.ROOT)) {
            case "accuracy" -> Scoring.ACCURACY;
            case "balanced", "balanced_accuracy", "balanced-accuracy" -> Scoring.BALANCED_ACCURACY;
            default -> throw new IllegalArgumentException("--scoring must be accuracy or balanced, got '" + scoring + "'");
        };
    }

    /** How the folds were made, for the text reports: " (no shuffle)", " (shuffled, sklearn stream, seed 42)", ... */
    String shuffle(Long seed) {
        if (foldsFile != null) {
            return " (folds from " + foldsFile + ")";
        }
        return seed == null ? " (no shuffle)" : " (shuffled, " + split.rng().id() + " stream, seed " + seed + ")";
    }

    /** The split to cross-validate on, and its folds. */
    record Prepared(Experiments.Split split, CvSpec cv) implements AutoCloseable {
        Dataset train() {
            return split.train();
        }

        Dataset test() {
            return split.test();
        }

        @Override
        public void close() {
            split.close();
        }
    }

    /**
     * Holds out the test rows if asked, applies the row limits (refusing --limit without test rows), reads
     * the folds file; {@code scaling} is the folds' standardisation.
     */
    Prepared prepare(LoadedData d, CvSpec.Scaling scaling, TrainRowLimit limits) throws IOException {
        validate(limits);
        CvSpec base = new CvSpec(folds, stratified, seed(), scaling, scoring()).withRng(split.rng());
        boolean holdout = testFraction != null || split.splitFile != null;
        if (holdout && d.hasTest()) {
            throw new IllegalArgumentException((testFraction != null ? "--test-fraction" : "--split-file") + ": "
                    + d.source() + " has a test split already");
        }
        if (limits.testLimit() != null && !holdout && !d.hasTest()) {
            throw new IllegalArgumentException(LIMIT_WITHOUT_TEST);
        }
        Experiments.Split s;
        if (holdout) {
            double f = testFraction == null ? 0.2 : testFraction;
            Splits.Holdout h = split.holdout(d.train().rows(), f, splitSeed);
            s = Experiments.Split.holdout(d.train(), h, split.describe(f, splitSeed));
        } else {
            s = Experiments.Split.given(d.train(), d.test());
        }
        try {
            Experiments.Split limited = s.limit(limits.trainLimit, limits.testLimit());
            s.close();
            s = limited;
            CvSpec cv = base;
            if (foldsFile != null) {
                cv = cv.withFolds(SplitOptions.readFolds(foldsFile, s.train().rows()));
            } else if (cv.folds() > s.train().rows()) {
                throw new IllegalArgumentException("--folds " + cv.folds() + " is more than the " + s.train().rows()
                        + " rows");
            }
            return new Prepared(s, cv);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}
