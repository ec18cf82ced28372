package io.vecml.cli;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.eval.CvSpec;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The split options of the cross-validating commands (grid, cv): the stream of shuffled folds, an explicit
 * folds file, and a holdout of the training data ({@code --test-fraction}, {@code --split-seed}, or
 * {@code --split-file}) for data without a test split.
 */
final class CvSplitOptions {

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
            description = {"Explicit folds instead of --folds/--seed/--stratified: a JSON list of "
                + "{\"train\":[...],\"test\":[...]} (train optional) or of test-index lists, indices into the "
                + "training rows (after any holdout)."})
    Path foldsFile;

    /** Training rows (owned), test rows (held out and owned, or the data's own test split, or null), folds. */
    record Prepared(Dataset train, Dataset test, boolean ownsTest, CvSpec cv, String holdout) implements AutoCloseable {
        @Override
        public void close() {
            train.close();
            if (ownsTest && test != null) {
                test.close();
            }
        }
    }

    /** How the folds were made, for the text reports: " (no shuffle)", " (shuffled, sklearn stream, seed 42)", ... */
    String shuffle(Long seed) {
        if (foldsFile != null) {
            return " (folds from " + foldsFile + ")";
        }
        return seed == null ? " (no shuffle)" : " (shuffled, " + split.rng().id() + " stream, seed " + seed + ")";
    }

    /** Takes the first {@code limit} rows (if set), holds out the test rows if asked, reads the folds file. */
    Prepared prepare(LoadedData d, Integer limit, CvSpec base) throws IOException {
        split.rng(); // checks --split-rng before any work
        boolean holdout = testFraction != null || split.splitFile != null;
        if (testFraction != null && !(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("--test-fraction must be in (0, 1), got " + testFraction);
        }
        if (holdout && d.hasTest()) {
            throw new IllegalArgumentException((testFraction != null ? "--test-fraction" : "--split-file") + ": "
                    + d.source() + " has a test split already");
        }
        Dataset all = limit == null ? d.train().select(GridCommand.Knn.all(d.train().rows()))
                : Transforms.first(d.train(), limit);
        Dataset train = all;
        Dataset test = d.hasTest() ? d.test() : null;
        String what = null;
        try {
            if (holdout) {
                double f = testFraction == null ? 0.2 : testFraction;
                Splits.Holdout h = split.holdout(all.rows(), f, splitSeed);
                test = all.select(h.test());
                train = all.select(h.train());
                all.close();
                what = split.describe(f, splitSeed);
            }
            CvSpec cv = base.withRng(split.rng());
            if (foldsFile != null) {
                cv = cv.withFolds(SplitOptions.readFolds(foldsFile, train.rows()));
            } else if (cv.folds() > train.rows()) {
                throw new IllegalArgumentException("--folds " + cv.folds() + " is more than the " + train.rows() + " rows");
            }
            return new Prepared(train, test, holdout, cv, what);
        } catch (IOException | RuntimeException e) {
            if (train != all) {
                train.close();
                if (test != null && holdout) {
                    test.close();
                }
            } else {
                all.close();
            }
            throw e;
        }
    }
}
