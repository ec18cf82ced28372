package io.vecml.engine.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks every model and loader shares, so that no face can skip them: data without features,
 * training data of fewer than two classes, and label indices that leave classes without rows.
 *
 * <p>Labels are class indices {@code 0..C-1}. C is the number the format declares (CIFAR's meta
 * files, Fashion-MNIST's ten names, the class names of a scikit-learn style CSV header; labels at or
 * above it are refused by the readers), otherwise the largest label + 1 (IDX: at least 10, the MNIST
 * digits). Indices are not renumbered, because a training file and a test file loaded separately must
 * agree on what label 5 means without seeing each other. Classes that end up without a single row are
 * reported by {@link #labelWarnings} (an all-"1" file has classes 0 and 1, class 0 empty; an IDX label
 * of 200 makes 201 classes of which most are empty), and a classifier refuses to train on rows of
 * fewer than two classes ({@link #requireTrainable}), except kNN: its neighbours mean something
 * whatever the labels, so it only needs features.
 */
public final class DataChecks {

    /** At most this many empty class names are listed in a warning. */
    private static final int MAX_LISTED = 10;

    private DataChecks() {
    }

    /**
     * Refuses rows without features: no distance, template or weight means anything on them.
     *
     * @param what names the data in the message (a file, "the training data", ...)
     */
    public static void requireFeatures(Dataset d, String what) {
        if (d.dims() == 0) {
            throw new IllegalArgumentException(what + ": the rows have 0 features (" + d.rows() + " rows x 0 columns);"
                    + " a model needs at least one feature per row");
        }
    }

    /**
     * What a classifier needs of its training rows: at least one row, at least one feature and rows of
     * at least two classes (with one class there is nothing to tell apart: every prediction would be that
     * class, whatever the input).
     *
     * @param model the model's name for the message ("kNN", "the template classifier", ...)
     */
    public static void requireTrainable(Dataset train, String model) {
        if (train.rows() == 0) {
            throw new IllegalArgumentException("cannot fit " + model + " on 0 rows (the training data is empty)");
        }
        requireFeatures(train, "the training data");
        int[] counts = train.classCounts();
        int present = 0;
        int only = -1;
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > 0) {
                present++;
                only = c;
            }
        }
        if (present < 2) {
            throw new IllegalArgumentException("the training data has rows of only one class ('"
                    + train.classNames().get(only) + "', label " + only + ", " + counts[only] + " rows); " + model
                    + " needs rows of at least two classes");
        }
    }

    /** How many classes have at least one row in {@code d}. */
    public static int classesWithRows(Dataset d) {
        int n = 0;
        for (int c : d.classCounts()) {
            n += c > 0 ? 1 : 0;
        }
        return n;
    }

    /**
     * Warnings about classes without rows in all of {@code splits} together (null splits are skipped):
     * empty when every class has a row. The line names {@code source}.
     */
    public static List<String> labelWarnings(String source, Dataset... splits) {
        int classes = 0;
        List<String> names = null;
        for (Dataset d : splits) {
            if (d != null && d.numClasses() > classes) {
                classes = d.numClasses();
                names = d.classNames();
            }
        }
        boolean[] seen = new boolean[classes];
        int distinct = 0;
        for (Dataset d : splits) {
            if (d == null) {
                continue;
            }
            for (int c = 0; c < d.rows(); c++) {
                int l = d.label(c);
                if (!seen[l]) {
                    seen[l] = true;
                    distinct++;
                }
            }
        }
        List<String> out = new ArrayList<>();
        if (distinct == classes || distinct == 0) {
            return out;
        }
        List<String> empty = new ArrayList<>();
        for (int c = 0; c < classes && empty.size() < MAX_LISTED; c++) {
            if (!seen[c]) {
                empty.add(names.get(c).equals(Integer.toString(c)) ? names.get(c) : c + " '" + names.get(c) + "'");
            }
        }
        int missing = classes - distinct;
        out.add(source + ": " + missing + " of " + classes + " classes have no rows (labels are class indices 0.."
                + (classes - 1) + ", only " + distinct + " of them occur; empty: " + String.join(", ", empty)
                + (missing > empty.size() ? ", ..." : "") + ")");
        return out;
    }
}
