package io.vecml.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The automatic holdout of the commands that evaluate one model on data without a test split (knn,
 * template): {@code --test-fraction} (0.2), {@code --split-seed} (42), the stream or file of
 * {@link SplitOptions}, and the old spelling {@code --seed} as a hidden alias that warns.
 */
final class HoldoutOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Mixin
    SplitOptions split;

    @Option(names = "--test-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "Fraction of the rows held out as the test split when the data has none."
                    + " Default: ${DEFAULT-VALUE}.")
    double testFraction;

    @Option(names = "--split-seed", paramLabel = "S",
            description = "Seed of that holdout. Default: " + DEFAULT_SEED + ".")
    Long splitSeed;

    /** The old name of --split-seed, kept one release. */
    @Option(names = "--seed", hidden = true, paramLabel = "S")
    Long oldSeed;

    static final long DEFAULT_SEED = 42;

    private boolean warned;

    /** The holdout seed; the first call warns once if the old name was used (a usage error if both were). */
    long seed() {
        if (oldSeed == null) {
            return splitSeed == null ? DEFAULT_SEED : splitSeed;
        }
        if (splitSeed != null) {
            throw new IllegalArgumentException("--seed is the old name of --split-seed; give only --split-seed");
        }
        if (!warned) {
            warned = true;
            renamed(command, "--seed", "--split-seed");
        }
        return oldSeed;
    }

    /** Prints {@code vecml knn: warning: --seed is now --split-seed (the old name goes in the next release)}. */
    static void renamed(CommandSpec command, String old, String now) {
        if (command != null) {
            command.commandLine().getErr().println(Main.prefix(command) + ": warning: " + old + " is now " + now
                    + " (the old name goes in the next release)");
            command.commandLine().getErr().flush();
        }
    }
}
