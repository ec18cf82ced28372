package io.vecml.cli;

import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --standardize none|train} of the one-model commands that do not scale by default (knn, template). */
final class StandardizeOption {

    @Option(names = "--standardize", defaultValue = "none", paramLabel = "HOW",
            description = "none: raw features; train: z-scores (mean and population standard deviation) fitted on"
                    + " the training rows only and applied to the training and test rows. Default: ${DEFAULT-VALUE}.")
    String standardize = "none";

    /** Whether to standardise with the training rows' statistics (checks the value: usage errors). */
    boolean train() {
        return switch (standardize.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> false;
            case "train" -> true;
            case "all" -> throw new IllegalArgumentException("--standardize all fits the scaler on every row before the"
                    + " split (the lecture's leaky recipe) and is offered by grid and cv only; use --standardize train");
            case "center" -> throw new IllegalArgumentException("--standardize center (minus the mean image) is for"
                    + " linear models; use none or train");
            default -> throw new IllegalArgumentException("--standardize must be none or train, got '" + standardize + "'");
        };
    }
}
