package io.vecml.engine.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything about one set of predictions, as scikit-learn's {@code classification_report} (with
 * {@code zero_division=0}) plus balanced accuracy and the confusion matrix.
 *
 * @param classes          one line per class, in label order (every class, present or not)
 * @param rows             number of predictions
 * @param accuracy         fraction correct
 * @param balancedAccuracy mean recall over the classes present in the truth
 * @param macroPrecision   unweighted means over the classes present in the truth or the predictions
 * @param macroRecall      (scikit-learn's "macro avg"; a class that never occurs counts in neither)
 * @param macroF1          see {@link Metrics.PerClass#macroF1()}
 * @param weightedPrecision means weighted by support ("weighted avg")
 * @param weightedRecall   see {@link Metrics.PerClass#weightedRecall()}
 * @param weightedF1       see {@link Metrics.PerClass#weightedF1()}
 * @param confusion        {@code [true][predicted]} counts
 */
public record ClassificationReport(List<ClassLine> classes, int rows, double accuracy, double balancedAccuracy,
        double macroPrecision, double macroRecall, double macroF1, double weightedPrecision, double weightedRecall,
        double weightedF1, long[][] confusion) {

    /** One class: its name, precision, recall, F1 and support (true rows). */
    public record ClassLine(int label, String name, double precision, double recall, double f1, long support) {
    }

    public ClassificationReport {
        classes = List.copyOf(classes);
    }

    /** The report of {@code predicted} against {@code truth}, labels 0..names.size()-1. */
    public static ClassificationReport of(int[] predicted, int[] truth, List<String> names) {
        Objects.requireNonNull(names, "names");
        int k = names.size();
        long[][] cm = Metrics.confusion(predicted, truth, k);
        Metrics.PerClass pc = Metrics.perClass(cm);
        List<ClassLine> lines = new ArrayList<>(k);
        for (int c = 0; c < k; c++) {
            lines.add(new ClassLine(c, names.get(c), pc.precision()[c], pc.recall()[c], pc.f1()[c], pc.support()[c]));
        }
        return new ClassificationReport(lines, truth.length, Metrics.accuracy(predicted, truth),
                Metrics.balancedAccuracy(predicted, truth, k), pc.macroPrecision(), pc.macroRecall(), pc.macroF1(),
                pc.weightedPrecision(), pc.weightedRecall(), pc.weightedF1(), cm);
    }

    /** Class names in label order. */
    public List<String> classNames() {
        return classes.stream().map(ClassLine::name).toList();
    }
}
