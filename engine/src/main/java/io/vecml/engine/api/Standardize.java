package io.vecml.engine.api;

import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.linear.Preprocessing;
import java.util.Locale;

/**
 * Feature scaling as every face names it ({@code --standardize}, JSON {@code "standardize"}): one word,
 * one meaning for every model.
 * <ul>
 *   <li>{@link #NONE}: raw features;</li>
 *   <li>{@link #TRAIN}: z-scores fitted on the training rows only (in cross-validation: on each training
 *       fold; {@code fold} is accepted as an alias);</li>
 *   <li>{@link #ALL}: z-scores fitted on all rows before splitting (the lecture's recipe, which leaks the
 *       held-out rows' statistics; cross-validation and grid search only);</li>
 *   <li>{@link #CENTER}: minus the mean image of the training rows (linear models only).</li>
 * </ul>
 * Defaults: {@link #NONE} for kNN and the template classifier, {@link #TRAIN} for linear models.
 */
public enum Standardize {
    NONE, TRAIN, ALL, CENTER;

    /** The canonical spelling ({@code none}, {@code train}, {@code all}, {@code center}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code none}, {@code train} (alias {@code fold}), {@code all} or {@code center}; {@code what} names the input. */
    public static Standardize parse(String s, String what) {
        return switch (s == null ? "" : s.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "train", "fold" -> TRAIN;
            case "all" -> ALL;
            case "center", "centre" -> CENTER;
            default -> throw new IllegalArgumentException(what + ": expected none, train, all or center, got '" + s
                    + "'");
        };
    }

    /**
     * The scaling of one kNN or template model fitted on one set of rows ({@code vecml knn|template
     * --standardize}, the server's {@code "standardize"} of a kNN or template fit): {@code none} (false: raw
     * features) or {@code train} (true: z-scores fitted on the training rows). {@code all} and {@code center}
     * are refused with the reason; {@code what} names the input ("--standardize", "field 'standardize'").
     */
    public static boolean oneModel(String s, String what) {
        return switch (s == null ? "" : s.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> false;
            case "train" -> true;
            case "all" -> throw new IllegalArgumentException(what + ": all (z-scores fitted on every row before the"
                    + " split, the lecture's leaky recipe) is for cross-validation only (grid and cv); a model is"
                    + " standardised with its training rows: train");
            case "center", "centre" -> throw new IllegalArgumentException(what + ": center (minus the mean image) is"
                    + " for linear models; kNN and template models take none or train");
            default -> throw new IllegalArgumentException(what + " must be none or train, got '" + s + "'");
        };
    }

    /** The old {@code --preprocess standardize|center|raw} spelling of a linear model's scaling. */
    public static Standardize fromPreprocessing(Preprocessing p) {
        return switch (p) {
            case STANDARDIZE -> TRAIN;
            case CENTER -> CENTER;
            case RAW -> NONE;
        };
    }

    /**
     * The scaling of a kNN (or template) cross-validation; {@code center} is refused (it is a linear
     * model's preprocessing).
     */
    public CvSpec.Scaling knnScaling(String what) {
        return switch (this) {
            case NONE -> CvSpec.Scaling.NONE;
            case TRAIN -> CvSpec.Scaling.FOLD;
            case ALL -> CvSpec.Scaling.ALL;
            case CENTER -> throw new IllegalArgumentException(what + ": center (minus the mean image) is for linear"
                    + " models; kNN takes none, train or all");
        };
    }

    /**
     * A linear model's own preprocessing when it is trained on one set of rows (train, eval): {@code all}
     * is refused, there being no "all rows" outside cross-validation.
     */
    public Preprocessing preprocessing(String what) {
        return switch (this) {
            case NONE -> Preprocessing.RAW;
            case TRAIN -> Preprocessing.STANDARDIZE;
            case CENTER -> Preprocessing.CENTER;
            case ALL -> throw new IllegalArgumentException(what + ": all (fitted on all rows before the split) only"
                    + " applies to cross-validation (grid, cv); a trained model takes none, train or center");
        };
    }

    /**
     * How a linear model is scaled in cross-validation: {@code train} and {@code center} are the model's
     * own preprocessing (fitted by the trainer on each training fold's rows only, and kept in a refit
     * model); {@code all} standardises every row before the split (the model then sees them raw).
     */
    public LinearScaling linearScaling() {
        return switch (this) {
            case TRAIN -> new LinearScaling(CvSpec.Scaling.NONE, Preprocessing.STANDARDIZE);
            case CENTER -> new LinearScaling(CvSpec.Scaling.NONE, Preprocessing.CENTER);
            case ALL -> new LinearScaling(CvSpec.Scaling.ALL, Preprocessing.RAW);
            case NONE -> new LinearScaling(CvSpec.Scaling.NONE, Preprocessing.RAW);
        };
    }

    /** A linear model's scaling in cross-validation: the folds' scaling and the model's own preprocessing. */
    public record LinearScaling(CvSpec.Scaling cv, Preprocessing model) {
    }
}
