package io.vecml.engine.eval;

import io.vecml.engine.data.SplitRng;
import io.vecml.engine.data.Splits;
import java.util.List;

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
 * @param rng        the stream that shuffles the folds when {@code seed} is set (vecml's own, or
 *                   scikit-learn's: KFold/StratifiedKFold(shuffle=True, random_state=seed))
 * @param given      explicit folds (row indices), or null; when set they replace stratified, seed and rng,
 *                   and {@code folds} must be their number
 */
public record CvSpec(int folds, boolean stratified, Long seed, Scaling scaling, Scoring scoring, SplitRng rng,
        List<Splits.Fold> given) {

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
        java.util.Objects.requireNonNull(rng, "rng");
        if (given != null) {
            given = List.copyOf(given);
            if (given.size() != folds) {
                throw new IllegalArgumentException(given.size() + " explicit folds but folds = " + folds);
            }
        }
    }

    /** Folds made by vecml's own stream (or unshuffled). */
    public CvSpec(int folds, boolean stratified, Long seed, Scaling scaling, Scoring scoring) {
        this(folds, stratified, seed, scaling, scoring, SplitRng.VECML, null);
    }

    /** The same, with folds shuffled by {@code r}. */
    public CvSpec withRng(SplitRng r) {
        return new CvSpec(folds, stratified, seed, scaling, scoring, r, given);
    }

    /** The same, with these explicit folds (their number replaces {@code folds}). */
    public CvSpec withFolds(List<Splits.Fold> f) {
        return new CvSpec(f.size(), stratified, seed, scaling, scoring, rng, f);
    }

    /** scikit-learn's GridSearchCV(cv=5) for a classifier: 5 stratified folds, no shuffle, accuracy, no scaling. */
    public static CvSpec sklearnDefault() {
        return new CvSpec(5, true, null, Scaling.NONE, Scoring.ACCURACY);
    }

    public CvSpec withScaling(Scaling s) {
        return new CvSpec(folds, stratified, seed, s, scoring, rng, given);
    }

    public CvSpec withScoring(Scoring s) {
        return new CvSpec(folds, stratified, seed, scaling, s, rng, given);
    }
}
