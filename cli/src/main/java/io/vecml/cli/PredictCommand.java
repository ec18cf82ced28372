package io.vecml.cli;

import io.vecml.engine.api.Classifier;
import io.vecml.engine.api.Models;
import io.vecml.engine.api.Parse;
import io.vecml.engine.api.PredictionRows;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.Scores;
import io.vecml.engine.data.AtomicWrite;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Npy;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.eval.Metrics;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predicts with any saved model (kNN, template, linear), on data with or without labels.",
            "",
            "Loads a model file written by knn --save-model, template --save-model, linear train --model or the"
            + " server (checked in full: a damaged file is refused, exit code 2) and predicts the rows of --data."
            + " A .npy feature file without a label file next to it, or a CSV with exactly the model's number of"
            + " columns, is read as features only; otherwise the data's labels are read and the accuracy is printed"
            + " too. A dataset with a test split is predicted on that split (--split chooses)."},
        footer = {"", "Examples:",
            "  vecml knn --data embedded:digits --k 3 --save-model knn.vecml",
            "  vecml predict --model knn.vecml --data new_rows.npy --out pred.npy --probabilities proba.npy",
            "  vecml predict --model knn.vecml --data new_rows.csv --out pred.csv"})
final class PredictCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A saved model (any type).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "The rows to predict: a .npy feature file or a CSV (labels optional), or any dataset.")
    String data;

    @Mixin
    DataSourceOptions source;

    @Option(names = "--split", paramLabel = "SPLIT",
            description = "For a dataset with train and test splits: train or test. Default: test (or the only split).")
    String split;

    // --limit by hand: predict has no training rows, so RowLimits' --train-limit would mean nothing here
    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N rows to predict. Default: all.")
    Integer limit;

    @Option(names = "--out", paramLabel = "PRED.npy|PRED.csv",
            description = "Write the predicted class indices: int32 .npy, or CSV (row, prediction, class name)."
                    + " Without it they are printed.")
    Path outFile;

    @Option(names = "--probabilities", paramLabel = "FILE.npy|FILE.csv",
            description = "Also the class probabilities (rows x classes, float32 .npy or CSV): kNN vote shares or"
                    + " softmax probabilities; refused for SVM and template models, which have none.")
    Path probabilities;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors; results never depend on it).")
    Integer threads;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    record Report(String model, String kind, String data, String split, int rows, boolean labelled, Double accuracy,
            Double balancedAccuracy, List<String> classNames, String out, String probabilitiesFile, int[] predictions) {
    }

    @Override
    public Integer call() throws IOException {
        int nThreads = Parse.threads(threads, "--threads");
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
        }
        OutputPaths.file(outFile, "--out", ".npy", ".csv");
        OutputPaths.file(probabilities, "--probabilities", ".npy", ".csv");
        PrintWriter out = spec.commandLine().getOut();
        try (Classifier m = Models.load(model, new RunOptions(nThreads));
             PredictionRows pr = PredictionRows.load(data, source.toLoadOptions(), m.dims(), split)) {
            source.warn(pr.warnings());
            Dataset rows = pr.rows();
            if (rows.dims() != m.dims()) {
                throw new IllegalArgumentException(data + ": rows have " + rows.dims() + " features but the model "
                        + model + " was fitted on " + m.dims() + (pr.labelled() ? "" : " (a CSV without a label column"
                        + " must have exactly " + m.dims() + " columns)"));
            }
            try (Dataset limited = limit != null && limit < rows.rows() ? Transforms.first(rows, limit) : null) {
                Dataset d = limited != null ? limited : rows;
                if (pr.labelled() && !d.classNames().equals(m.classNames())) {
                    spec.commandLine().getErr().println(Main.prefix(spec) + ": warning: " + data + " names its classes "
                            + abbreviate(d.classNames()) + ", the model " + abbreviate(m.classNames())
                            + "; the accuracy compares class indices");
                }
                int[] p = m.predict(d);
                Scores proba = null;
                if (probabilities != null) {
                    try {
                        proba = m.predictProba(d);
                    } catch (UnsupportedOperationException e) {
                        throw new IllegalArgumentException("--probabilities: " + model + ": " + e.getMessage());
                    }
                }
                if (outFile != null) {
                    writePredictions(outFile, p, m.classNames());
                }
                if (proba != null) {
                    writeProbabilities(probabilities, proba, m.classNames());
                }
                Double acc = null;
                Double bal = null;
                if (pr.labelled() && p.length > 0) {
                    acc = Metrics.accuracy(p, d.labels());
                    bal = Metrics.balancedAccuracy(p, d.labels(), Math.max(m.numClasses(), d.numClasses()));
                }
                Report r = new Report(model.toString(), m.kind(), pr.source(), pr.split(), p.length, pr.labelled(), acc,
                        bal, m.classNames(), outFile == null ? null : outFile.toString(),
                        probabilities == null ? null : probabilities.toString(), outFile == null ? p : null);
                if (json) {
                    out.println(Json.write(r));
                } else {
                    printText(out, r, p, m.classNames());
                }
                out.flush();
                return 0;
            }
        }
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 6 ? names.toString() : names.subList(0, 6) + " (" + names.size() + ")";
    }

    private static void printText(PrintWriter out, Report r, int[] p, List<String> names) {
        out.printf(Locale.ROOT, "%s model %s on %s (%s rows, %s): %d rows predicted%n", r.kind(), r.model(), r.data(),
                r.split(), r.labelled() ? "labelled" : "no labels", r.rows());
        if (r.accuracy() != null) {
            out.printf(Locale.ROOT, "accuracy %.4f, balanced accuracy %.4f%n", r.accuracy(), r.balancedAccuracy());
        }
        if (r.out() != null) {
            out.printf("predictions written to %s%n", r.out());
        } else {
            out.println("row,prediction,class");
            for (int i = 0; i < p.length; i++) {
                out.println(i + "," + p[i] + "," + csv(names.get(p[i])));
            }
        }
        if (r.probabilitiesFile() != null) {
            out.printf("probabilities written to %s%n", r.probabilitiesFile());
        }
    }

    private static boolean isCsv(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
    }

    /** int32 .npy of shape (N,), or CSV: row, prediction, class name; atomically. */
    static void writePredictions(Path file, int[] p, List<String> names) throws IOException {
        if (!isCsv(file)) {
            Npy.write(file, p, p.length);
            return;
        }
        AtomicWrite.write(file, os -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8));
            w.write("row,prediction,class\n");
            for (int i = 0; i < p.length; i++) {
                w.write(i + "," + p[i] + "," + csv(names.get(p[i])) + "\n");
            }
            w.flush();
        });
    }

    /** float32 .npy of shape (N, classes), or CSV with one column per class name; atomically. */
    static void writeProbabilities(Path file, Scores s, List<String> names) throws IOException {
        if (!isCsv(file)) {
            float[] f = new float[s.values().length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) s.values()[i];
            }
            Npy.write(file, f, s.rows(), s.classes());
            return;
        }
        AtomicWrite.write(file, os -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8));
            StringBuilder head = new StringBuilder("row");
            for (String n : names) {
                head.append(',').append(csv(n));
            }
            w.write(head.append('\n').toString());
            for (int r = 0; r < s.rows(); r++) {
                StringBuilder b = new StringBuilder().append(r);
                for (int c = 0; c < s.classes(); c++) {
                    b.append(',').append(s.get(r, c));
                }
                w.write(b.append('\n').toString());
            }
            w.flush();
        });
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
