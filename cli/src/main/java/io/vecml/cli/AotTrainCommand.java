package io.vecml.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The training workload of the launcher's ahead-of-time cache (JDK 25, JEP 483/514/515): the
 * {@code vecml} script runs it once per build under {@code -XX:AOTCacheOutput}, so the classes that the
 * real commands load (picocli, readers, kernels, GEMM, OpenBLAS through FFM, the models, the reports)
 * are in the cache. It runs the real commands in-process, on small synthetic data written to a
 * temporary folder (IDX .gz and the CIFAR-10 binary folder) and on the embedded digits: kNN L1/L2 on
 * uint8 and, standardised, on float32, template, linear SVM and softmax training, data info, info.
 * Hidden from the help: users never need it.
 */
@Command(name = "aot-train", hidden = true, mixinStandardHelpOptions = true,
        description = {"Run the short workload that the launcher records into its ahead-of-time cache.", "",
            "Runs data synth, data info, knn (L1, L2; uint8 and float32), grid knn, template, linear train "
            + "(svm, softmax) and info on small synthetic data in a temporary folder, printing only a summary. "
            + "The vecml script runs it once per build with -XX:AOTCacheOutput; VECML_AOT=off skips that."})
final class AotTrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--scale", paramLabel = "N", defaultValue = "1",
            description = "Multiply the synthetic training rows by N (1..20). Default: ${DEFAULT-VALUE}.")
    int scale;

    /** The command lines of the workload, with {@code {DIR}} standing for the temporary folder. */
    static List<String[]> workload(int scale) {
        String fashionTrain = Integer.toString(2000 * scale), cifarTrain = Integer.toString(500 * scale);
        List<String[]> w = new ArrayList<>();
        w.add(new String[] {"info"});
        w.add(new String[] {"data", "synth", "--like", "fashion", "--train", fashionTrain, "--test", "300", "--seed", "1",
            "--out", "{DIR}"});
        w.add(new String[] {"data", "synth", "--like", "cifar10", "--train", cifarTrain, "--test", "100", "--seed", "2",
            "--out", "{DIR}"});
        w.add(new String[] {"data", "info", "{DIR}/fashion-mnist"});
        w.add(new String[] {"data", "info", "{DIR}/cifar-10-batches-bin"});
        w.add(new String[] {"knn", "--data", "{DIR}/fashion-mnist", "--metric", "l2,l1", "--k", "1,3", "--progress", "never"});
        w.add(new String[] {"knn", "--data", "{DIR}/cifar-10-batches-bin", "--metric", "l2,l1", "--k", "1",
            "--progress", "never"});
        w.add(new String[] {"knn", "--data", "embedded:digits", "--metric", "l2,l1", "--k", "1..5", "--weights", "distance",
            "--progress", "never"});
        w.add(new String[] {"grid", "knn", "--data", "embedded:digits", "--k", "1..3", "--metric", "l2,l1", "--folds", "2",
            "--standardize", "fold"});
        w.add(new String[] {"template", "--data", "{DIR}/fashion-mnist", "--metric", "l2,l1"});
        w.add(new String[] {"linear", "train", "--data", "{DIR}/fashion-mnist", "--loss", "svm", "--epochs", "2"});
        w.add(new String[] {"linear", "train", "--data", "{DIR}/cifar-10-batches-bin", "--loss", "softmax", "--epochs", "2"});
        return w;
    }

    @Override
    public Integer call() throws IOException {
        if (scale < 1 || scale > 20) {
            throw new IllegalArgumentException("--scale must be 1..20, got " + scale);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = Files.createTempDirectory("vecml-aot-train-");
        long t0 = System.nanoTime();
        try {
            List<String[]> steps = workload(scale);
            for (String[] step : steps) {
                String[] args = new String[step.length];
                for (int i = 0; i < step.length; i++) {
                    args[i] = step[i].replace("{DIR}", dir.toString());
                }
                StringWriter stepErr = new StringWriter();
                int code = Main.run(new PrintWriter(Writer.nullWriter()), new PrintWriter(stepErr, true), args);
                if (code != 0) {
                    err.println("vecml aot-train: 'vecml " + String.join(" ", args) + "' exited with " + code + ": "
                            + stepErr.toString().strip());
                    err.flush();
                    return Main.INTERNAL;
                }
            }
            out.printf("aot-train: %d commands in %.1f s%n", steps.size(), (System.nanoTime() - t0) / 1e9);
            out.flush();
            return 0;
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
