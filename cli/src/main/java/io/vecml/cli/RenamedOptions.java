package io.vecml.cli;

import picocli.CommandLine;

/**
 * Old option names kept one release as hidden aliases: the old name still works, with one warning on
 * stderr naming the new one; giving both is a usage error.
 */
final class RenamedOptions {

    private RenamedOptions() {
    }

    /**
     * Whether the old option {@code oldName} was used (its value is then to be taken): warns once, or
     * refuses it beside {@code newName}.
     */
    static boolean useOld(CommandLine.Model.CommandSpec spec, String oldName, Object oldValue, String newName) {
        if (oldValue == null) {
            return false;
        }
        if (given(spec, newName)) {
            throw new IllegalArgumentException(oldName + " is the old name of " + newName + ": give only " + newName);
        }
        spec.commandLine().getErr().println(Main.prefix(spec) + ": warning: " + oldName + " is now " + newName
                + " (the old name goes in the next release)");
        spec.commandLine().getErr().flush();
        return true;
    }

    /** Whether {@code name} was given on the command line. */
    static boolean given(CommandLine.Model.CommandSpec spec, String name) {
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        return pr != null && pr.hasMatchedOption(name);
    }
}
