package io.vecml.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vecml cv}: the cross-validated score of one model (one class per subcommand). */
@Command(name = "cv", mixinStandardHelpOptions = true,
        description = {"Cross-validated score of one model: each fold's score, the mean and the std.",
            "",
            "The training split is cut into K folds (scikit-learn's (Stratified)KFold, unshuffled unless "
            + "--cv-seed); each fold is scored by the model fitted on the other K-1. The test split is not used."},
        subcommands = {CvKnnCommand.class, CvLinearCommand.class})
final class CvCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return Main.missingSubcommand(spec);
    }
}
