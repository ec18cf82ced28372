package io.vecml.cli;

import io.vecml.engine.api.Standardize;
import picocli.CommandLine.Option;

/** {@code --standardize none|train} of the one-model commands that do not scale by default (knn, template). */
final class StandardizeOption {

    @Option(names = "--standardize", defaultValue = "none", paramLabel = "HOW",
            description = "none: raw features; train: z-scores (mean and population standard deviation) fitted on"
                    + " the training rows only and applied to the training and test rows. Default: ${DEFAULT-VALUE}.")
    String standardize = "none";

    /** Whether to standardise with the training rows' statistics (checks the value: usage errors). */
    boolean train() {
        return Standardize.oneModel(standardize, "--standardize");
    }
}
