package io.vecml.cli;

import io.vecml.engine.data.DataFormat;
import io.vecml.engine.data.LoadOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by every command that reads a dataset. */
final class DataSourceOptions {

    /** The command this mixin belongs to: loading warnings go to its error stream, under its name. */
    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec command;

    /** Prints {@code lines} as warnings of the command ({@code vecml knn: warning: ...}). */
    void warn(java.util.List<String> lines) {
        if (command == null) {
            return;
        }
        for (String line : lines) {
            command.commandLine().getErr().println(Main.prefix(command) + ": warning: " + line);
        }
    }

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Data format instead of detecting it from the path: cifar10-python, cifar10-binary,"
                    + " cifar100-binary, idx, csv, npy.")
    String format;

    @Option(names = "--label", paramLabel = "COLUMN",
            description = "CSV: the label column, by header name or 0-based index (default: the last column).")
    String label;

    @Option(names = "--header", paramLabel = "MODE", defaultValue = "auto",
            description = "CSV header: auto (detect), names, none, sklearn (rows,features,class names...)."
                    + " Default: ${DEFAULT-VALUE}.")
    String header;

    @Option(names = "--cifar100-label", paramLabel = "WHICH", defaultValue = "fine",
            description = "CIFAR-100: coarse (20 superclasses) or fine (100 classes). Default: ${DEFAULT-VALUE}.")
    String cifar100Label;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "NPY: the 1-D label array for a feature array (default: X.npy -> y.npy, x_train.npy -> y_train.npy).")
    Path labels;

    LoadOptions toLoadOptions() {
        DataFormat f = format == null ? null : DataFormat.parse(format);
        LoadOptions.CsvHeader h = switch (header.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> LoadOptions.CsvHeader.AUTO;
            case "names" -> LoadOptions.CsvHeader.NAMES;
            case "none" -> LoadOptions.CsvHeader.NONE;
            case "sklearn" -> LoadOptions.CsvHeader.SKLEARN;
            default -> throw new IllegalArgumentException("--header must be auto, names, none or sklearn, got '" + header + "'");
        };
        LoadOptions.Cifar100Label c = switch (cifar100Label.toLowerCase(java.util.Locale.ROOT)) {
            case "coarse" -> LoadOptions.Cifar100Label.COARSE;
            case "fine" -> LoadOptions.Cifar100Label.FINE;
            default -> throw new IllegalArgumentException("--cifar100-label must be coarse or fine, got '" + cifar100Label + "'");
        };
        return new LoadOptions(f, c, label, h, labels);
    }
}
