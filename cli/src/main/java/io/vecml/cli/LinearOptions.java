package io.vecml.cli;

import io.vecml.engine.api.Standardize;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.Preprocessing;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What the linear commands (and cv/grid linear) share: checks, model files, the rows eval/predict read, printing. */
final class LinearOptions {

    private LinearOptions() {
    }

    /** The SGD settings' usage checks, with the option names. */
    static void checkSgd(int epochs, int batch, double momentum) {
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
        }
    }

    /** linear train's other usage checks. */
    static void checkTraining(double lr, double validation, int patience, double delta) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("--lr must be finite and > 0, got " + lr);
        }
        if (!(validation >= 0 && validation < 1)) {
            throw new IllegalArgumentException("--validation must be in [0, 1), got " + validation);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("--patience must be >= 0, got " + patience);
        }
        if (patience > 0 && validation == 0) {
            throw new IllegalArgumentException("--patience " + patience + " needs --validation F > 0 (early"
                    + " stopping watches the validation accuracy)");
        }
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("--delta must be finite and > 0, got " + delta);
        }
    }

    static LinearClassifier loadModel(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model: no such file: " + file);
        }
        return LinearClassifier.load(file);
    }

    static void checkDims(LinearClassifier model, Dataset d, Path modelFile, String data) {
        if (model.dims() != d.dims()) {
            throw new IllegalArgumentException("the model " + modelFile + " was trained on " + model.dims()
                    + " features, " + data + " has " + d.dims());
        }
    }

    static void checkClasses(LinearClassifier model, Dataset d, Path modelFile, String data) {
        if (!model.classNames().equals(d.classNames())) {
            throw new IllegalArgumentException("the model " + modelFile + " knows the classes " + model.classNames()
                    + " but " + data + " has " + d.classNames());
        }
        checkDims(model, d, modelFile, data);
    }

    /** Class images of the weights (bias row left out). */
    static void writeWeightsPng(LinearClassifier model, Path file) throws IOException {
        float[][] w = new float[model.numClasses()][];
        for (int c = 0; c < w.length; c++) {
            w[c] = model.classWeights(c);
        }
        Pictures.writePng(Pictures.classImages(model.classNames(), w,
                Pictures.shapeOf(model.dims(), model.imageShape())), file);
    }

    static void printConfusion(PrintWriter out, List<String> names, long[][] conf) {
        int k = names.size();
        long max = 0;
        for (long[] row : conf) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        int cw = Math.max(Long.toString(max).length(), Integer.toString(k - 1).length()) + 1;
        int nw = 4;
        for (int c = 0; c < k; c++) {
            nw = Math.max(nw, Math.min(16, names.get(c).length()) + Integer.toString(c).length() + 1);
        }
        out.println("confusion matrix (rows: true class, columns: predicted class by number)");
        StringBuilder head = new StringBuilder(" ".repeat(nw));
        for (int c = 0; c < k; c++) {
            head.append(String.format(Locale.ROOT, "%" + cw + "d", c));
        }
        out.println(head);
        for (int t = 0; t < k; t++) {
            String name = names.get(t);
            if (name.length() > 16) {
                name = name.substring(0, 15) + "…";
            }
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + nw + "s", t + " " + name));
            for (int c = 0; c < k; c++) {
                row.append(String.format(Locale.ROOT, "%" + cw + "d", conf[t][c]));
            }
            out.println(row);
        }
    }

    /** Options of the rows that eval and predict read. */
    static final class PartOptions {
        @Option(names = "--split", paramLabel = "WHICH", defaultValue = "test",
                description = "Rows to use: test (the data's test split, or the rows that linear train held out"
                        + " with the same --test-fraction/--split-seed), train, or all (data without a test split)."
                        + " Default: ${DEFAULT-VALUE}.")
        String split;

        @Option(names = "--test-fraction", defaultValue = "0.2", paramLabel = "F",
                description = "Held-out fraction when the data has no test split. Default: ${DEFAULT-VALUE}.")
        double testFraction;

        @Option(names = "--split-seed", defaultValue = "42", paramLabel = "S",
                description = "Seed of that split. Default: ${DEFAULT-VALUE}.")
        long splitSeed;

        @Mixin
        SplitOptions holdout;
    }

    /**
     * {@code --standardize none|train|center} of a trained linear model, with the old {@code --preprocess
     * standardize|center|raw} as a hidden alias (one warning).
     */
    static final class Scaling {
        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec command;

        @Option(names = "--standardize", paramLabel = "SCOPE", defaultValue = "train",
                description = "train (z-scores fitted on the training rows, saved with the model), center (minus the"
                        + " training rows' mean image) or none (raw values). Default: ${DEFAULT-VALUE}.")
        String standardize;

        @Option(names = "--preprocess", paramLabel = "P", hidden = true, description = "Old name of --standardize.")
        String preprocess;

        Preprocessing preprocessing() {
            if (RenamedOptions.useOld(command, "--preprocess", preprocess, "--standardize")) {
                Preprocessing p;
                try {
                    p = Preprocessing.fromId(preprocess);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--preprocess must be standardize, center or raw, got '"
                            + preprocess + "'");
                }
                return p;
            }
            return Standardize.parse(standardize, "--standardize").preprocessing("--standardize");
        }
    }
}
