package io.vecml.cli;

import io.vecml.engine.api.Parse;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.linear.LinearClassifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vecml linear eval}: a saved model's accuracy, balanced accuracy and confusion matrix. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluates a saved model: accuracy, balanced accuracy, confusion matrix."},
        footer = {"", "Example:", "  vecml linear eval --model digits.vecml --data embedded:digits"})
final class LinearEvalCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model from linear train --model.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "Labelled data.")
    String data;

    @Mixin
    DataSourceOptions source;

    @Mixin
    LinearOptions.PartOptions part;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors).")
    Integer threads;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--confusion-png", paramLabel = "FILE",
            description = "Draw the confusion matrix as a heat map (class names on both axes, counts in the cells).")
    Path confusionPng;

    record Report(String model, String data, String split, int rows, double accuracy, double balancedAccuracy,
            List<String> classNames, long[][] confusion) {
    }

    @Override
    public Integer call() throws IOException {
        int nThreads = Parse.threads(threads, "--threads");
        TrainTestData.Part which = TrainTestData.Part.parse(part.split);
        OutputPaths.png(confusionPng, "--confusion-png");
        LinearClassifier m = LinearOptions.loadModel(model);
        PrintWriter out = spec.commandLine().getOut();
        try (TrainTestData tt = TrainTestData.loadPart(data, source, which, part.testFraction, part.splitSeed,
                part.holdout)) {
            Dataset d = tt.test;
            LinearOptions.checkClasses(m, d, model, data);
            int[] p = m.predict(d, nThreads);
            int[] truth = d.labels();
            long[][] conf = Metrics.confusion(p, truth, m.numClasses());
            Report r = new Report(model.toString(), tt.source, which.name().toLowerCase(Locale.ROOT), d.rows(),
                    Metrics.accuracy(p, truth), Metrics.balancedAccuracy(p, truth, m.numClasses()), m.classNames(), conf);
            if (confusionPng != null) {
                ConfusionChart.write(m.classNames(), conf, String.format(Locale.ROOT,
                        "linear %s, %s rows: accuracy %.4f on %d rows", m.loss().id(), r.split(), r.accuracy(),
                        d.rows()), confusionPng);
            }
            if (json) {
                out.println(Json.write(r));
            } else {
                out.printf(Locale.ROOT, "%s%non %s, %s rows%s: %d%n", m, tt.source, r.split(),
                        tt.heldOut ? String.format(Locale.ROOT, " (held out %.0f%%, split seed %d)",
                                part.testFraction * 100, part.splitSeed) : "", d.rows());
                out.printf(Locale.ROOT, "accuracy %.4f, balanced accuracy %.4f%n%n", r.accuracy(), r.balancedAccuracy());
                LinearOptions.printConfusion(out, m.classNames(), conf);
                if (confusionPng != null) {
                    out.printf("confusion matrix drawn to %s%n", confusionPng);
                }
            }
            out.flush();
            return 0;
        }
    }
}
