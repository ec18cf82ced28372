package io.vecml.cli;

import io.vecml.engine.api.DataConversion;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.SyntheticData;
import io.vecml.engine.progress.ProgressListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "data", mixinStandardHelpOptions = true,
        description = {"Inspect, draw, convert and synthesise datasets.",
            "",
            "Readable: CIFAR-10 python (cifar-10-python.tar.gz or cifar-10-batches-py/, read without executing the "
            + "pickles), CIFAR-10 binary (cifar-10-binary.tar.gz or cifar-10-batches-bin/), CIFAR-100 binary, "
            + "IDX (MNIST, Fashion-MNIST; plain or .gz; a folder with the four files), CSV (optional header, also "
            + "scikit-learn's bundled style) and numpy .npy. '" + Datasets.EMBEDDED_DIGITS + "' is the digits data "
            + "shipped inside vecml."},
        subcommands = {DataCommand.Info.class, DataCommand.Show.class, DataCommand.Synth.class, DataCommand.Convert.class})
final class DataCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return Main.missingSubcommand(spec);
    }

    record ClassCount(String name, int count) {
    }

    /** {@code classesWithRows}: how many of the classes (label indices) have at least one row in this split. */
    record SplitInfo(int rows, int dims, String type, String imageShape, long bytes, List<ClassCount> classes,
            int classesWithRows) {
        static SplitInfo of(Dataset d) {
            int[] counts = d.classCounts();
            List<ClassCount> cc = new ArrayList<>();
            int withRows = 0;
            for (int c = 0; c < counts.length; c++) {
                cc.add(new ClassCount(d.classNames().get(c), counts[c]));
                withRows += counts[c] > 0 ? 1 : 0;
            }
            return new SplitInfo(d.rows(), d.dims(), d.type().name().toLowerCase(Locale.ROOT),
                    d.imageShape().map(Object::toString).orElse(null), (long) d.rows() * d.dims() * d.type().bytes, cc,
                    withRows);
        }
    }

    record DataInfo(String source, String format, double loadSeconds, Map<String, SplitInfo> splits) {
    }

    /** Loads {@code path}; warnings about its labels (classes without rows) go to the command's stderr. */
    static LoadedData load(String path, DataSourceOptions o) throws IOException {
        LoadedData d = Datasets.load(path, o.toLoadOptions());
        o.warn(d.warnings());
        return d;
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = {"Describe a dataset: format, rows, features, storage type, classes and load time.", "",
                "Format, rows per split, features, storage type and bytes, image shape, classes with"
                    + " counts, and the time it took to load."})
    static final class Info implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "A data file, folder or archive, or " + Datasets.EMBEDDED_DIGITS + ".")
        String path;

        @Mixin
        DataSourceOptions source;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            long t0 = System.nanoTime();
            try (LoadedData data = load(path, source)) {
                double secs = (System.nanoTime() - t0) / 1e9;
                Map<String, SplitInfo> splits = new LinkedHashMap<>();
                data.splits().forEach((k, v) -> splits.put(k, SplitInfo.of(v)));
                DataInfo info = new DataInfo(data.source(), data.format().id(), secs, splits);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(Json.write(info));
                } else {
                    out.printf("source    %s%n", info.source());
                    out.printf("format    %s%n", info.format());
                    out.printf("loaded in %.3f s%n", secs);
                    for (Map.Entry<String, SplitInfo> e : splits.entrySet()) {
                        SplitInfo s = e.getValue();
                        out.printf("%n%s: %d rows x %d features, %s, %s%s%n", e.getKey(), s.rows(), s.dims(), s.type(),
                                human(s.bytes()), s.imageShape() == null ? "" : ", images " + s.imageShape());
                        StringBuilder line = new StringBuilder();
                        for (ClassCount c : s.classes()) {
                            String item = c.name() + " " + c.count();
                            if (line.length() + item.length() > 96) {
                                out.println("  " + line.toString().stripTrailing());
                                line.setLength(0);
                            }
                            line.append(item).append("   ");
                        }
                        out.println("  " + line.toString().stripTrailing());
                        out.printf("  %d classes%s%n", s.classes().size(), s.classesWithRows() == s.classes().size() ? ""
                                : ", " + s.classesWithRows() + " of them with rows in this split");
                    }
                }
                out.flush();
                return 0;
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Draw sample images of every class into a PNG.", "",
                "A grid of sample images, one line per class with its name (colour for CIFAR,"
                    + " grey for IDX and digits)."})
    static final class Show implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "A data file, folder or archive, or " + Datasets.EMBEDDED_DIGITS + ".")
        String path;

        @Mixin
        DataSourceOptions source;

        @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "The PNG to write.")
        Path out;

        @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "train", description = "train or test. Default: ${DEFAULT-VALUE}.")
        String split;

        @Option(names = "--per-class", paramLabel = "N", defaultValue = "10", description = "Images per class. Default: ${DEFAULT-VALUE}.")
        int perClass;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed for choosing the samples. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Override
        public Integer call() throws IOException {
            if (perClass < 1 || perClass > 100) {
                throw new IllegalArgumentException("--per-class must be 1..100, got " + perClass);
            }
            OutputPaths.png(out, "--out");
            try (LoadedData data = load(path, source)) {
                Dataset d = data.splits().get(split);
                if (d == null) {
                    throw new IllegalArgumentException("--split " + split + ": " + path + " has the splits " + data.splits().keySet());
                }
                if (d.numClasses() > 100) {
                    throw new IllegalArgumentException(d.numClasses() + " classes are too many lines for one picture (max 100)");
                }
                Pictures.writePng(Pictures.sampleGrid(d, perClass, seed), out);
                spec.commandLine().getOut().printf("wrote %s (%d classes x %d images from %s)%n", out, d.numClasses(),
                        perClass, split);
                spec.commandLine().getOut().flush();
                return 0;
            }
        }
    }

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = {"Write a synthetic CIFAR-10 or Fashion-MNIST-like dataset in the official format.", "",
                "Write a deterministic synthetic dataset with class structure in the official binary "
                + "format (CIFAR-10: cifar-10-batches-bin/ inside --out; Fashion-MNIST: fashion-mnist/ with the four "
                + "IDX .gz files), for full-size benchmarks where the real data is not available. Same seed, same bytes."})
    static final class Synth implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--like", required = true, paramLabel = "cifar10|fashion", description = "Which dataset to imitate.")
        String like;

        @Option(names = "--train", paramLabel = "N", defaultValue = "50000", description = "Training images. Default: ${DEFAULT-VALUE}.")
        int train;

        @Option(names = "--test", paramLabel = "N", defaultValue = "10000", description = "Test images. Default: ${DEFAULT-VALUE}.")
        int test;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write into.")
        Path out;

        @Override
        public Integer call() throws IOException {
            SyntheticData.Like l = switch (like.toLowerCase(Locale.ROOT)) {
                case "cifar10", "cifar-10", "cifar" -> SyntheticData.Like.CIFAR10;
                case "fashion", "fashion-mnist", "mnist" -> SyntheticData.Like.FASHION;
                default -> throw new IllegalArgumentException("--like must be cifar10 or fashion, got '" + like + "'");
            };
            if (train < 1 || test < 1) {
                throw new IllegalArgumentException("--train and --test must be >= 1");
            }
            OutputPaths.folder(out, "--out");
            OutputPaths.folder(out.resolve(SyntheticData.folderName(l)),
                    "--out");
            long t0 = System.nanoTime();
            Path written;
            try (LoadedData d = SyntheticData.generate(l, train, test, seed)) {
                written = SyntheticData.write(d, l, out);
            }
            spec.commandLine().getOut().printf("wrote %d + %d synthetic %s images to %s in %.1f s%n", train, test,
                    l == SyntheticData.Like.CIFAR10 ? "CIFAR-10" : "Fashion-MNIST", written, (System.nanoTime() - t0) / 1e9);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = {"Convert a dataset to numpy .npy arrays.", "",
                "Convert a dataset to numpy arrays: x_train.npy, y_train.npy (and x_test.npy, y_test.npy "
                + "when there is a test split) and class_names.txt in --out. uint8 stays uint8; rows are flattened "
                + "(CIFAR: 3072 values, R plane then G then B, as the official files)."})
    static final class Convert implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "A data file, folder or archive, or " + Datasets.EMBEDDED_DIGITS + ".")
        String path;

        @Mixin
        DataSourceOptions source;

        @Option(names = "--to", paramLabel = "FORMAT", defaultValue = "npy", description = "Target format (only npy). Default: ${DEFAULT-VALUE}.")
        String to;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write into (created).")
        Path out;

        @Mixin
        ProgressOptions progress;

        @Override
        public Integer call() throws IOException {
            if (!to.equalsIgnoreCase("npy")) {
                throw new IllegalArgumentException("--to: only npy is supported, got '" + to + "'");
            }
            ProgressListener bars = progress.listener(spec.commandLine().getErr());
            OutputPaths.folder(out, "--out", DataConversion.NPY_FILES.toArray(String[]::new));
            try (LoadedData data = load(path, source)) {
                List<String> written = DataConversion.toNpy(data, out, RunOptions.defaults().withProgress(bars));
                if (bars instanceof ProgressOptions.Bars b) {
                    b.finish();
                }
                spec.commandLine().getOut().printf("wrote %s to %s%n", String.join(", ", written), out);
                spec.commandLine().getOut().flush();
                return 0;
            }
        }
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        if (bytes >= 1L << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return bytes + " B";
    }
}
