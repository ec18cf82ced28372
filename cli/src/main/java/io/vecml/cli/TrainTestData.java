package io.vecml.cli;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.data.Standardizer;
import io.vecml.engine.data.Transforms;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Training and test rows for the classifier commands (knn, template, linear), loaded the same way
 * everywhere: {@code --data PATH} (its test split, or a seeded holdout of {@code testFraction} when it
 * has none), or {@code --train PATH --test PATH}. Closing frees everything it loaded or copied.
 */
final class TrainTestData implements AutoCloseable {

    /** Which rows of a dataset a command reads (eval and predict). */
    enum Part {
        TRAIN, TEST, ALL;

        static Part parse(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "train" -> TRAIN;
                case "test" -> TEST;
                case "all" -> ALL;
                default -> throw new IllegalArgumentException("--split must be test, train or all, got '" + s + "'");
            };
        }
    }

    Dataset train;
    Dataset test;
    /** The data as named on the command line. */
    final String source;
    /** Format id of the (training) data. */
    final String format;
    /** Whether the test rows were held out of a dataset without a test split. */
    final boolean heldOut;
    /** How the test rows were held out ("held out 20%, seed 42"), when they were. */
    String heldOutText;
    private final List<AutoCloseable> owned;

    private TrainTestData(Dataset train, Dataset test, String source, String format, boolean heldOut,
            List<AutoCloseable> owned) {
        this.train = train;
        this.test = test;
        this.source = source;
        this.format = format;
        this.heldOut = heldOut;
        this.owned = owned;
    }

    /** The usual checks of {@code --data} against {@code --train/--test}, and of the holdout fraction. */
    static void validate(String data, String trainPath, String testPath, double testFraction) {
        if ((data == null) == (trainPath == null && testPath == null)) {
            throw new IllegalArgumentException("give either --data PATH, or --train PATH and --test PATH");
        }
        if (data == null && (trainPath == null || testPath == null)) {
            throw new IllegalArgumentException("--train and --test go together");
        }
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("--test-fraction must be in (0, 1), got " + testFraction);
        }
    }

    /**
     * Loads training and test rows; both have the same features, type and classes. {@code limit}
     * (may be null) keeps only the first test rows.
     */
    static TrainTestData load(String data, String trainPath, String testPath, DataSourceOptions options,
            double testFraction, long seed, Integer limit) throws IOException {
        return load(data, trainPath, testPath, options, testFraction, seed, limit, null);
    }

    /** As above; {@code split} (may be null: vecml's stream) chooses the holdout's stream or an explicit split file. */
    static TrainTestData load(String data, String trainPath, String testPath, DataSourceOptions options,
            double testFraction, long seed, Integer limit, SplitOptions split) throws IOException {
        return load(data, trainPath, testPath, options, testFraction, seed, limit, null, split);
    }

    /**
     * As above, with both row limits: {@code --limit} (the first test rows) and {@code --train-limit}
     * (the first training rows), each after any holdout.
     */
    static TrainTestData load(String data, String trainPath, String testPath, DataSourceOptions options,
            double testFraction, long seed, RowLimits limits, SplitOptions split) throws IOException {
        limits.validate();
        return load(data, trainPath, testPath, options, testFraction, seed, limits.limit, limits.trainLimit, split);
    }

    private static TrainTestData load(String data, String trainPath, String testPath, DataSourceOptions options,
            double testFraction, long seed, Integer limit, Integer trainLimit, SplitOptions split) throws IOException {
        validate(data, trainPath, testPath, testFraction);
        if (split != null) {
            split.rng(); // checks --split-rng before loading anything
            if (split.splitFile != null && data == null) {
                throw new IllegalArgumentException("--split-file goes with --data, not with --train/--test");
            }
        }
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            Dataset train;
            Dataset test;
            String src;
            String format;
            boolean heldOut = false;
            if (data != null) {
                LoadedData d = DataCommand.load(data, options);
                owned.add(d);
                src = d.source();
                format = d.format().id();
                if (d.hasTest()) {
                    if (split != null && split.splitFile != null) {
                        throw new IllegalArgumentException("--split-file: " + data + " has a test split already");
                    }
                    train = d.train();
                    test = d.test();
                } else {
                    Splits.Holdout h = split == null ? Splits.holdout(d.train().rows(), testFraction, seed)
                            : split.holdout(d.train().rows(), testFraction, seed);
                    train = own(owned, d.train().select(h.train()));
                    test = own(owned, d.train().select(h.test()));
                    heldOut = true;
                }
            } else {
                LoadedData a = own(owned, DataCommand.load(trainPath, options));
                LoadedData b = own(owned, DataCommand.load(testPath, options));
                train = a.train();
                test = b.hasTest() ? b.test() : b.train();
                src = trainPath + " + " + testPath;
                format = a.format().id();
                if (!train.classNames().equals(test.classNames())) {
                    throw new IllegalArgumentException("the training and test data have different classes: "
                            + train.classNames() + " vs " + test.classNames());
                }
            }
            if (train.dims() != test.dims()) {
                throw new IllegalArgumentException("training rows have " + train.dims() + " features, test rows "
                        + test.dims());
            }
            if (train.type() != test.type()) {
                train = own(owned, train.toFloat32());
                test = own(owned, test.toFloat32());
            }
            if (limit != null && limit < test.rows()) {
                test = own(owned, Transforms.first(test, limit));
            }
            if (trainLimit != null && trainLimit < train.rows()) {
                train = own(owned, Transforms.first(train, trainLimit));
            }
            TrainTestData t = new TrainTestData(train, test, src, format, heldOut, owned);
            t.heldOutText = split == null ? null : split.describe(testFraction, seed);
            return t;
        } catch (IOException | RuntimeException e) {
            closeAll(owned);
            throw e;
        }
    }

    /**
     * One part of {@code data}: TEST and TRAIN as {@link #load} splits it, ALL the whole of a dataset
     * without a test split. The returned object's {@link #test} holds the chosen rows.
     */
    static TrainTestData loadPart(String data, DataSourceOptions options, Part part, double testFraction, long seed)
            throws IOException {
        return loadPart(data, options, part, testFraction, seed, null);
    }

    /** As above, with the holdout made as {@code split} says (may be null). */
    static TrainTestData loadPart(String data, DataSourceOptions options, Part part, double testFraction, long seed,
            SplitOptions split) throws IOException {
        if (part != Part.ALL) {
            TrainTestData t = load(data, null, null, options, testFraction, seed, (Integer) null, split);
            if (part == Part.TEST) {
                return t;
            }
            TrainTestData r = new TrainTestData(t.train, t.train, t.source, t.format, t.heldOut, t.owned);
            r.heldOutText = t.heldOutText;
            return r;
        }
        List<AutoCloseable> owned = new ArrayList<>();
        LoadedData d = own(owned, DataCommand.load(data, options));
        if (d.hasTest()) {
            closeAll(owned);
            throw new IllegalArgumentException("--split all: " + data + " has separate train and test splits;"
                    + " choose --split test or --split train");
        }
        return new TrainTestData(d.train(), d.train(), d.source(), d.format().id(), false, owned);
    }

    /**
     * Replaces the training and test rows by their z-scores with the training rows' statistics
     * (float32 copies, freed with this object); returns this.
     */
    TrainTestData standardize() {
        Standardizer s = Standardizer.fit(train);
        unscaledTrain = train;
        Dataset a = own(owned, s.apply(train));
        Dataset b = own(owned, s.apply(test));
        train = a;
        test = b;
        standardized = true;
        return this;
    }

    /** Whether {@link #standardize} was applied. */
    boolean standardized;
    /** The training rows before {@link #standardize} (null before it). */
    Dataset unscaledTrain;

    private static <T extends AutoCloseable> T own(List<AutoCloseable> owned, T t) {
        owned.add(t);
        return t;
    }

    /** "data: SOURCE (FORMAT): 1438 training x 64 features uint8, 359 test rows (held out 20%, seed 42), 10 classes". */
    String describe(double testFraction, long seed) {
        return String.format(Locale.ROOT, "%s (%s): %d training x %d features %s, %d test rows%s, %d classes", source,
                format, train.rows(), train.dims(), train.type().name().toLowerCase(Locale.ROOT), test.rows(),
                !heldOut ? "" : heldOutText != null ? " (" + heldOutText + ")"
                        : String.format(Locale.ROOT, " (held out %.0f%%, seed %d)", testFraction * 100, seed),
                train.numClasses());
    }

    @Override
    public void close() {
        closeAll(owned);
    }

    private static void closeAll(List<AutoCloseable> owned) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                // closing native memory does not fail; nothing to report
            }
        }
        owned.clear();
    }
}
