package io.vecml.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vecml grid}: cross-validated grid searches (one class per subcommand). */
@Command(name = "grid", mixinStandardHelpOptions = true,
        description = "Cross-validated grid search (model selection).",
        subcommands = {GridKnnCommand.class, GridLinearCommand.class})
final class GridCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return Main.missingSubcommand(spec);
    }
}
