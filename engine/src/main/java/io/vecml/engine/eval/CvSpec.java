package io.vecml.engine.eval;

/**
 * How to cross-validate.
 *
 * @param folds      K >= 2
 * @param stratified keep class proportions in every fold (scikit-learn's default for classifiers)
 * @param seed       null: no shuffling (folds in row order, exactly scikit-learn's (Stratified)KFold(K));
 *                   otherwise the rows are shuffled by this seed first
 * @param scaling    standardisation: none, fitted on each training fold (the correct way), or fitted
 *                   once on all rows before splitting (what the lecture does; it leaks the held-out
 *                   folds' statistics into training, kept to reproduce its numbers)
 * @param scoring    accuracy or balanced accuracy
 */
public record CvSpec(int folds, boolean stratified, Long seed, Scaling scaling, Scoring scoring) {

    /** Standardisation inside cross-validation. */
    public enum Scaling {
        NONE, FOLD, ALL
    }

    public CvSpec {
        if (folds < 2) {
            throw new IllegalArgumentException("cross-validation needs at least 2 folds, got " + folds);
        }
        java.util.Objects.requireNonNull(scaling, "scaling");
        java.util.Objects.requireNonNull(scoring, "scoring");
    }

    /** scikit-learn's GridSearchCV(cv=5) for a classifier: 5 stratified folds, no shuffle, accuracy, no scaling. */
    public static CvSpec sklearnDefault() {
        return new CvSpec(5, true, null, Scaling.NONE, Scoring.ACCURACY);
    }

    public CvSpec withScaling(Scaling s) {
        return new CvSpec(folds, stratified, seed, s, scoring);
    }

    public CvSpec withScoring(Scoring s) {
        return new CvSpec(folds, stratified, seed, scaling, s);
    }
}
