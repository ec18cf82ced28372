package io.vecml.cli;

import io.vecml.engine.api.Parse;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.TemplateModel;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.progress.ProgressListener;
import io.vecml.engine.template.TemplateClassifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "template", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The template (nearest class mean) classifier with L1 and/or L2 distances.",
            "",
            "One template per class: the per-feature mean of its training rows "
            + "(--center median: the median, which minimises the summed L1 distance). A "
            + "test row gets the class of the nearest template; a tie goes to the smallest "
            + "class label. Data without a test split is split by --test-fraction/--split-seed. --save-model writes the model (one metric) for vecml predict."},
        footer = {"", "Examples:",
            "  vecml template --data embedded:digits --templates-png templates.png",
            "  vecml template --data cifar-10-python.tar.gz --metric l1 --center median"})
final class TemplateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "PATH",
            description = "A dataset with train (and test) splits: file, folder, archive or embedded:digits.")
    String data;

    @Option(names = "--train", paramLabel = "PATH", description = "Training data (its train split), with --test.")
    String trainPath;

    @Option(names = "--test", paramLabel = "PATH", description = "Test data (its test split if it has one, else all of it).")
    String testPath;

    @Mixin
    DataSourceOptions source;

    @Mixin
    HoldoutOptions holdout;

    @Option(names = "--metric", split = ",", paramLabel = "M", defaultValue = "l2",
            description = "l1 and/or l2 (each is reported), comma-separated. Default: ${DEFAULT-VALUE}.")
    String[] metrics;

    @Option(names = "--center", paramLabel = "C", defaultValue = "mean",
            description = "mean (the lecture's template) or median. Default: ${DEFAULT-VALUE}.")
    String center;

    @Mixin
    RowLimits rows;

    @Mixin
    StandardizeOption scaling;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors; results never depend on it).")
    Integer threads;

    @Mixin
    ProgressOptions progress;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--templates-png", paramLabel = "FILE",
            description = "Draw each class template as an image with its class name (each scaled to its own"
                    + " min..max; colour for RGB images).")
    Path templatesPng;

    @Option(names = "--confusion-png", paramLabel = "FILE",
            description = "Draw the confusion matrix of the test predictions as a heat map (class names on both"
                    + " axes, counts in the cells); with two metrics, the first one's.")
    Path confusionPng;

    @Option(names = "--save-model", paramLabel = "FILE",
            description = "Save the model (one --metric) for vecml predict: versioned, checksummed, written atomically.")
    Path saveModel;

    record Result(String metric, double accuracy, double balancedAccuracy, double predictSeconds,
            double imagesPerSecond) {
    }

    record Report(String data, String format, int trainRows, int testRows, int dims, int classes, String center,
            String standardize, int threads, String kernels, double fitSeconds, List<Result> results,
            String templatesPng, String modelFile) {
    }

    @Override
    public Integer call() throws IOException {
        TrainTestData.validate(data, trainPath, testPath, holdout.testFraction);
        rows.validate();
        int nThreads = Parse.threads(threads, "--threads");
        progress.enabled();
        TemplateClassifier.Center c = switch (center.strip().toLowerCase(Locale.ROOT)) {
            case "mean" -> TemplateClassifier.Center.MEAN;
            case "median" -> TemplateClassifier.Center.MEDIAN;
            default -> throw new IllegalArgumentException("--center must be mean or median, got '" + center + "'");
        };
        OutputPaths.png(templatesPng, "--templates-png");
        OutputPaths.png(confusionPng, "--confusion-png");
        List<Metric> ms = OptionParsers.metrics(metrics);
        boolean standardize = scaling.train();
        if (saveModel != null) {
            if (ms.size() != 1) {
                throw new IllegalArgumentException("--save-model saves one model: give one --metric (got " + ms.size()
                        + ")");
            }
            OutputPaths.file(saveModel, "--save-model");
        }
        PrintWriter out = spec.commandLine().getOut();
        ProgressListener bars = progress.listener(spec.commandLine().getErr());
        RunOptions run = new RunOptions(nThreads, bars);
        long seed = holdout.seed();
        try (TrainTestData tt = TrainTestData.load(data, trainPath, testPath, source, holdout.testFraction, seed, rows,
                holdout.split)) {
            Dataset train = tt.train;
            Dataset test = tt.test;
            long t0 = System.nanoTime();
            TemplateModel fitted = new TemplateModel(new TemplateModel.Params(c, ms.get(0), standardize), run).fit(train);
            TemplateClassifier model = fitted.templates();
            double fitSeconds = (System.nanoTime() - t0) / 1e9;
            if (templatesPng != null) {
                List<String> names = new ArrayList<>();
                List<float[]> images = new ArrayList<>();
                for (int k = 0; k < model.numClasses(); k++) {
                    if (model.hasTemplate(k)) {
                        names.add(model.classNames().get(k));
                        images.add(model.template(k));
                    }
                }
                Pictures.writePng(Pictures.classImages(names, images.toArray(float[][]::new),
                        Pictures.shapeOf(model.dims(), model.imageShape())), templatesPng);
            }
            int[] truth = test.labels();
            List<Result> results = new ArrayList<>();
            for (Metric m : ms) {
                long p0 = System.nanoTime();
                int[] p = fitted.predict(test, m);
                double secs = (System.nanoTime() - p0) / 1e9;
                results.add(new Result(m.name(), Metrics.accuracy(p, truth),
                        Metrics.balancedAccuracy(p, truth, train.numClasses()), secs, test.rows() / secs));
                if (confusionPng != null && m == ms.get(0)) {
                    ConfusionChart.write(train.classNames(), Metrics.confusion(p, truth, train.numClasses()),
                            String.format(Locale.ROOT, "template (class %s) %s: accuracy %.4f on %d test rows",
                                    c.name().toLowerCase(Locale.ROOT), m, results.get(0).accuracy(), test.rows()),
                            confusionPng);
                }
            }
            if (bars instanceof ProgressOptions.Bars b) {
                b.finish();
            }
            if (saveModel != null) {
                fitted.save(saveModel);
            }
            Report r = new Report(tt.source, tt.format, train.rows(), test.rows(), train.dims(), train.numClasses(),
                    c.name().toLowerCase(Locale.ROOT), standardize ? "train" : "none", nThreads,
                    KernelSelection.current().kernels().name(), fitSeconds, results,
                    templatesPng == null ? null : templatesPng.toString(), saveModel == null ? null : saveModel.toString());
            if (json) {
                out.println(Json.write(r));
            } else {
                out.printf(Locale.ROOT, "template classifier (class %s) on %s%s%n", r.center(),
                        tt.describe(holdout.testFraction, seed),
                        standardize ? ", standardised with the training rows' statistics" : "");
                out.printf(Locale.ROOT, "threads %d, kernels %s, fit %.3f s%n%n", nThreads, r.kernels(), fitSeconds);
                out.printf(Locale.ROOT, "%-6s %9s %9s %11s %11s%n", "metric", "accuracy", "balanced", "predict s",
                        "test img/s");
                for (Result x : results) {
                    out.printf(Locale.ROOT, "%-6s %9.4f %9.4f %11.4f %11.1f%n", x.metric(), x.accuracy(),
                            x.balancedAccuracy(), x.predictSeconds(), x.imagesPerSecond());
                }
                if (templatesPng != null) {
                    out.printf("%ntemplates drawn to %s%n", templatesPng);
                }
                if (confusionPng != null) {
                    out.printf("confusion matrix (%s) drawn to %s%n", ms.get(0), confusionPng);
                }
                if (saveModel != null) {
                    out.printf("model saved to %s (vecml predict --model %s --data PATH)%n", saveModel, saveModel);
                }
            }
            out.flush();
            return 0;
        }
    }
}
