package io.vecml.cli;

import io.vecml.engine.api.Parse;
import io.vecml.engine.api.UnlabelledData;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Npy;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.Loss;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vecml linear predict}: a saved model's predictions, on labelled or unlabelled data. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Applies a saved model: predicted labels (and probabilities) to .npy files.",
            "",
            "Labels: int32, shape (N,). Probabilities (softmax models): float32, shape (N, classes). "
            + "Data without labels (a feature .npy with no label file beside it, or a CSV with exactly the "
            + "model's feature columns) is predicted whole; with labels the accuracy is printed too."},
        footer = {"", "Examples:",
            "  vecml linear predict --model digits.vecml --data embedded:digits \\",
            "      --out pred.npy --probabilities probs.npy",
            "  vecml linear predict --model digits.vecml --data new_images.npy --out pred.npy"})
final class LinearPredictCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model from linear train --model.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "The data to classify, with or without labels.")
    String data;

    @Mixin
    DataSourceOptions source;

    @Mixin
    LinearOptions.PartOptions part;

    @Option(names = "--out", required = true, paramLabel = "PRED.npy", description = "The predicted labels.")
    Path outFile;

    @Option(names = "--probabilities", paramLabel = "PROBS.npy",
            description = "Also the class probabilities (softmax models only).")
    Path probabilities;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors).")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        int nThreads = Parse.threads(threads, "--threads");
        TrainTestData.Part which = TrainTestData.Part.parse(part.split);
        OutputPaths.file(outFile, "--out", ".npy");
        OutputPaths.file(probabilities, "--probabilities", ".npy");
        LinearClassifier m = LinearOptions.loadModel(model);
        if (probabilities != null && m.loss() != Loss.SOFTMAX) {
            throw new IllegalArgumentException("--probabilities needs a softmax model; " + model + " is an "
                    + m.loss().id() + " model, whose scores are not probabilities");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Dataset rows = UnlabelledData.read(Path.of(data), source.toLoadOptions(), m.dims())) {
            if (rows != null) {
                if (RenamedOptions.given(spec, "--split") && which != TrainTestData.Part.ALL) {
                    throw new IllegalArgumentException("--split " + part.split + ": " + data + " has no labels, so no"
                            + " train/test split; all its rows are predicted");
                }
                LinearOptions.checkDims(m, rows, model, data);
                int[] p = predict(m, rows, nThreads, out);
                out.printf(Locale.ROOT, "%d predicted labels (all rows of %s, no labels) written to %s%n", p.length,
                        data, outFile);
                writeProbabilities(m, rows, nThreads, out);
                out.flush();
                return 0;
            }
        }
        try (TrainTestData tt = TrainTestData.loadPart(data, source, which, part.testFraction, part.splitSeed,
                part.holdout)) {
            Dataset d = tt.test;
            LinearOptions.checkClasses(m, d, model, data);
            int[] p = predict(m, d, nThreads, out);
            out.printf(Locale.ROOT, "%d predicted labels (%s rows of %s) written to %s; accuracy against the"
                    + " data's labels %.4f%n", p.length, which.name().toLowerCase(Locale.ROOT), tt.source, outFile,
                    Metrics.accuracy(p, d.labels()));
            writeProbabilities(m, d, nThreads, out);
            out.flush();
            return 0;
        }
    }

    private int[] predict(LinearClassifier m, Dataset d, int nThreads, PrintWriter out) throws IOException {
        int[] p = m.predict(d, nThreads);
        Npy.write(outFile, p, p.length);
        return p;
    }

    private void writeProbabilities(LinearClassifier m, Dataset d, int nThreads, PrintWriter out) throws IOException {
        if (probabilities != null) {
            float[] pr = m.probabilities(d, nThreads);
            Npy.write(probabilities, pr, d.rows(), m.numClasses());
            out.printf(Locale.ROOT, "probabilities (%d x %d) written to %s%n", d.rows(), m.numClasses(), probabilities);
        }
    }
}
