package io.vecml.cli;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.linear.FeatureScaling;
import io.vecml.engine.linear.Preprocessing;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * The data section of {@code vecml demo}: the train/test split (or the data's own test split), the row
 * limits, and the features the kNN and template sections use (raw, or z-scores fitted on the training rows
 * with {@code --standardize train}).
 */
final class DemoData implements AutoCloseable {

    record DataInfo(String source, String format, int trainRows, int testRows, int dims, String type, int classes,
            List<String> classNames, boolean heldOut, double testFraction, long splitSeed, String split, Integer limit,
            Integer trainLimit, String standardize) {
    }

    private final TrainTestData tt;
    private final Dataset trainOwned;
    private final Dataset knnTrainOwned;
    private final Dataset knnTestOwned;
    /** The training and test rows as loaded (after the limits). */
    final Dataset train;
    final Dataset test;
    /** The rows of the kNN and template sections: {@link #train}/{@link #test}, or their standardised copies. */
    final Dataset knnTrain;
    final Dataset knnTest;
    final DataInfo info;

    private DemoData(TrainTestData tt, Integer trainLimit, boolean standardize, DataInfo partial) {
        this.tt = tt;
        trainOwned = trainLimit != null && trainLimit < tt.train.rows() ? Transforms.first(tt.train, trainLimit) : null;
        train = trainOwned != null ? trainOwned : tt.train;
        test = tt.test;
        if (standardize) {
            FeatureScaling s = FeatureScaling.fit(Preprocessing.STANDARDIZE, train);
            knnTrainOwned = s.transform(train);
            knnTestOwned = s.transform(test);
        } else {
            knnTrainOwned = null;
            knnTestOwned = null;
        }
        knnTrain = standardize ? knnTrainOwned : train;
        knnTest = standardize ? knnTestOwned : test;
        info = new DataInfo(tt.source, tt.format, train.rows(), test.rows(), train.dims(),
                train.type().name().toLowerCase(Locale.ROOT), train.numClasses(), train.classNames(), tt.heldOut,
                partial.testFraction(), partial.splitSeed(), partial.split(), partial.limit(), partial.trainLimit(),
                partial.standardize());
    }

    /**
     * Loads {@code data}; {@code standardize} is "none" or "train" ({@link #standardize(String)}).
     */
    static DemoData load(String data, DataSourceOptions source, SplitOptions split, double testFraction, long seed,
            RowLimits rows, String standardize) throws IOException {
        TrainTestData tt = TrainTestData.load(data, null, null, source, testFraction, seed, rows.limit, split);
        try {
            if (rows.trainLimit != null && rows.trainLimit < 2) {
                throw new IllegalArgumentException("--train-limit must be >= 2, got " + rows.trainLimit);
            }
            DataInfo partial = new DataInfo(null, null, 0, 0, 0, null, 0, null, false, testFraction, seed,
                    tt.heldOut ? split.describe(testFraction, seed) : "the data's own test split", rows.limit,
                    rows.trainLimit, standardize);
            return new DemoData(tt, rows.trainLimit, standardize.equals("train"), partial);
        } catch (RuntimeException e) {
            tt.close();
            throw e;
        }
    }

    /**
     * The demo's {@code --standardize}: none (raw features, the kNN default) or train (z-scores fitted on the
     * training rows; in cross-validation on each training fold); {@code fold} is an alias of train. {@code all}
     * (fitted before splitting) would leak the test rows into the scores the demo reports, so it is refused.
     */
    static String standardize(String s) {
        String v = s.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "none", "raw" -> "none";
            case "train", "fold" -> "train";
            case "all" -> throw new IllegalArgumentException("--standardize all fits the scaling on the test rows too,"
                    + " so the demo's test scores would leak; use none or train (grid and cv accept all)");
            default -> throw new IllegalArgumentException("--standardize: expected none or train, got '" + s + "'");
        };
    }

    @Override
    public void close() {
        for (Dataset d : new Dataset[] {knnTestOwned, knnTrainOwned, trainOwned}) {
            if (d != null) {
                d.close();
            }
        }
        tt.close();
    }
}
