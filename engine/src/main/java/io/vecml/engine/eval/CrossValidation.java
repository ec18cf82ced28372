package io.vecml.engine.eval;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Splits;
import io.vecml.engine.data.Standardizer;
import io.vecml.engine.progress.ProgressListener;

/**
 * K-fold cross-validation of any model: for each fold, the preprocessing is fitted on the
 * training rows only (unless {@link CvSpec.Scaling#ALL} asks for the lecture's recipe), the model
 * is fitted on them and scores the held-out rows.
 */
public final class CrossValidation {

    private CrossValidation() {
    }

    /** A model as cross-validation sees it: fit on one dataset, predict labels of another. */
    @FunctionalInterface
    public interface Model {
        int[] fitPredict(Dataset train, Dataset test);
    }

    /** Receives each fold's prepared (scaled) training and held-out rows; both are closed afterwards. */
    @FunctionalInterface
    public interface FoldVisitor {
        void visit(int fold, Dataset train, Dataset test);
    }

    /** The folds of {@code data} for this spec. */
    public static Splits.Fold[] folds(Dataset data, CvSpec spec) {
        if (spec.given() != null) {
            Splits.Fold[] f = spec.given().toArray(new Splits.Fold[0]);
            for (int i = 0; i < f.length; i++) {
                Splits.explicit(f[i].train(), f[i].test(), data.rows(), "fold " + (i + 1));
            }
            return f;
        }
        return spec.stratified() ? spec.rng().stratifiedKFold(data.labels(), spec.folds(), spec.seed())
                : spec.rng().kFold(data.rows(), spec.folds(), spec.seed());
    }

    /** One score per fold, in fold order. */
    public static double[] scores(Dataset data, CvSpec spec, Model model) {
        return scores(data, spec, model, ProgressListener.NONE);
    }

    /** As above; {@code progress} hears the folds done (stage {@code "cross-validation"}). */
    public static double[] scores(Dataset data, CvSpec spec, Model model, ProgressListener progress) {
        double[] s = new double[spec.folds()];
        forEachFold(data, spec, (f, train, test) -> {
            s[f] = spec.scoring().score(model.fitPredict(train, test), test.labels(), data.numClasses());
            progress.update("cross-validation", f + 1, spec.folds());
        });
        return s;
    }

    /** The mean of {@link #scores}. */
    public static double score(Dataset data, CvSpec spec, Model model) {
        return mean(scores(data, spec, model));
    }

    /** Builds every fold's training and held-out rows, scaled as the spec says, and hands them over. */
    public static void forEachFold(Dataset data, CvSpec spec, FoldVisitor visitor) {
        io.vecml.engine.data.DataChecks.requireTrainable(data, "cross-validation");
        Splits.Fold[] folds = folds(data, spec);
        Dataset base = spec.scaling() == CvSpec.Scaling.ALL ? Standardizer.fit(data).apply(data) : data;
        try {
            for (int f = 0; f < folds.length; f++) {
                try (Dataset rawTrain = base.select(folds[f].train()); Dataset rawTest = base.select(folds[f].test())) {
                    if (spec.scaling() == CvSpec.Scaling.FOLD) {
                        Standardizer st = Standardizer.fit(rawTrain);
                        try (Dataset train = st.apply(rawTrain); Dataset test = st.apply(rawTest)) {
                            visitor.visit(f, train, test);
                        }
                    } else {
                        visitor.visit(f, rawTrain, rawTest);
                    }
                }
            }
        } finally {
            if (base != data) {
                base.close();
            }
        }
    }

    /** Mean in fold order (the same summation order as numpy's for a handful of values). */
    public static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Population standard deviation (numpy's default, as GridSearchCV reports). */
    public static double std(double[] x) {
        double m = mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / x.length);
    }
}
