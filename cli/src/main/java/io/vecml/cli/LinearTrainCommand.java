package io.vecml.cli;

import io.vecml.engine.api.Parse;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.progress.ProgressListener;
import io.vecml.engine.train.EpochStats;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import io.vecml.engine.train.TrainingResult;
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

/** {@code vecml linear train}: options and printing; training is {@link SgdTrainer}'s. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a linear classifier by minibatch SGD and reports test accuracy.",
            "",
            "Prints one line per epoch (loss, training accuracy, validation accuracy, "
            + "seconds), then the accuracy and balanced accuracy on the test rows. Data "
            + "without a test split is split by --test-fraction/--split-seed. Standardisation "
            + "statistics come from the training rows only and are saved with the model. Results do not "
            + "depend on --threads."},
        footer = {"", "Examples:",
            "  vecml linear train --data embedded:digits --loss svm --curve-png curve.png",
            "  vecml linear train --data cifar-10-python.tar.gz --lr 0.01 --epochs 20 \\",
            "      --schedule step:0.5:5 --momentum 0.9 --validation 0.1 --patience 3 \\",
            "      --model cifar.vecml"})
final class LinearTrainCommand implements Callable<Integer> {
    private static final LinearConfig DEFAULT_MODEL = LinearConfig.defaults();
    private static final SgdConfig DEFAULT_SGD = SgdConfig.defaults();

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
    SplitOptions split;

    @Option(names = "--loss", paramLabel = "L", description = "svm or softmax. Default: ${DEFAULT-VALUE}.")
    String loss = DEFAULT_MODEL.loss().id();

    @Option(names = "--delta", paramLabel = "F", description = "SVM margin. Default: ${DEFAULT-VALUE}.")
    double delta = DEFAULT_MODEL.delta();

    @Option(names = "--lr", paramLabel = "F", description = "Learning rate (> 0). Default: ${DEFAULT-VALUE}.")
    double lr = DEFAULT_SGD.learningRate();

    @Option(names = "--batch", paramLabel = "N", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch = DEFAULT_SGD.batchSize();

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training rows. Default: ${DEFAULT-VALUE}.")
    int epochs = DEFAULT_SGD.epochs();

    @Option(names = "--reg", paramLabel = "R", description = "Penalty: l2, l1, elastic or none. Default: ${DEFAULT-VALUE}.")
    String reg = DEFAULT_MODEL.regularizer().kind().id();

    @Option(names = "--lambda", paramLabel = "F", description = "Penalty strength. Default: ${DEFAULT-VALUE}.")
    double lambda = DEFAULT_MODEL.regularizer().lambda();

    @Option(names = "--l1-ratio", paramLabel = "F",
            description = "L1 share of the elastic net, in [0, 1]. Default: ${DEFAULT-VALUE}.")
    double l1Ratio = 0.5;

    @Option(names = "--reg-bias", description = "Penalise the bias row too (default: not).")
    boolean regBias = DEFAULT_MODEL.regularizer().includeBias();

    @Option(names = "--schedule", paramLabel = "S",
            description = "Learning-rate schedule: constant, step:FACTOR:EVERY (rate x FACTOR every EVERY epochs)"
                    + " or inverse:DECAY (rate / (1 + DECAY x epoch)). Default: ${DEFAULT-VALUE}.")
    String schedule = DEFAULT_SGD.schedule().toString();

    @Option(names = "--momentum", paramLabel = "F", description = "Classical momentum in [0, 1). Default: ${DEFAULT-VALUE}.")
    double momentum = DEFAULT_SGD.momentum();

    @Option(names = "--validation", paramLabel = "F",
            description = "Fraction of the training rows held out (stratified) to measure validation accuracy"
                    + " after each epoch. Default: ${DEFAULT-VALUE}.")
    double validation = DEFAULT_SGD.validationFraction();

    @Option(names = "--patience", paramLabel = "N",
            description = "Early stopping: stop after N epochs without a better validation accuracy and keep"
                    + " the best weights (needs --validation); 0: off. Default: ${DEFAULT-VALUE}.")
    int patience = DEFAULT_SGD.patience();

    @Mixin
    LinearOptions.Scaling scaling;

    @Option(names = "--train-seed", paramLabel = "S",
            description = "Seed of the initial weights, batch order and validation split. Default: ${DEFAULT-VALUE}.")
    long trainSeed = DEFAULT_SGD.seed();

    @Option(names = "--seed", paramLabel = "S", hidden = true, description = "Old name of --train-seed.")
    Long oldSeed;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors).")
    Integer threads;

    @Mixin
    RowLimits limits;

    @Option(names = "--test-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "Held-out test fraction when the data has no test split. Default: ${DEFAULT-VALUE}.")
    double testFraction;

    @Option(names = "--split-seed", defaultValue = "42", paramLabel = "S",
            description = "Seed of that split. Default: ${DEFAULT-VALUE}.")
    long splitSeed;

    @Mixin
    ProgressOptions progress;

    @Option(names = "--model", paramLabel = "OUT.vecml", description = "Save the trained model (atomically).")
    Path model;

    @Option(names = "--json", description = "Print JSON instead of text (the epochs go into it).")
    boolean json;

    @Option(names = "--curve-png", paramLabel = "FILE", description = "Draw the loss and the accuracies per epoch.")
    Path curvePng;

    @Option(names = "--weights-png", paramLabel = "FILE",
            description = "Draw each class's weights (without the bias) as an image.")
    Path weightsPng;

    @Option(names = "--confusion-png", paramLabel = "FILE",
            description = "Draw the confusion matrix of the test predictions as a heat map (class names on both"
                    + " axes, counts in the cells).")
    Path confusionPng;

    /** An epoch; validation accuracy null without validation. */
    record Epoch(int epoch, double loss, double trainAccuracy, Double validationAccuracy, double learningRate,
            double seconds) {
        static Epoch of(EpochStats e) {
            return new Epoch(e.epoch(), e.loss(), e.trainAccuracy(),
                    Double.isNaN(e.validationAccuracy()) ? null : e.validationAccuracy(), e.learningRate(), e.seconds());
        }
    }

    record Settings(String loss, double delta, String regularizer, double lambda, double l1Ratio,
            boolean regularizeBias, String preprocessing, double learningRate, int batchSize, int epochs,
            String schedule, double momentum, double validationFraction, int patience, long seed, int threads) {
    }

    record Report(String data, String format, int trainRows, int testRows, int dims, int classes, String gemm,
            Settings settings, List<Epoch> epochs, int bestEpoch, boolean stoppedEarly, double trainSeconds,
            double testAccuracy, double testBalancedAccuracy, double predictSeconds, String modelFile) {
    }

    @Override
    public Integer call() throws IOException {
        TrainTestData.validate(data, trainPath, testPath, testFraction);
        limits.validate();
        LinearOptions.checkTraining(lr, validation, patience, delta);
        LinearOptions.checkSgd(epochs, batch, momentum);
        Preprocessing pre = scaling.preprocessing();
        long seed = RenamedOptions.useOld(spec, "--seed", oldSeed, "--train-seed") ? oldSeed : trainSeed;
        LinearConfig cfg = new LinearConfig(Parse.loss(loss, "--loss"), delta,
                Parse.penalty(reg, lambda, l1Ratio, regBias, "--reg"), pre);
        int nThreads = Parse.threads(threads, "--threads");
        OutputPaths.file(model, "--model");
        OutputPaths.png(curvePng, "--curve-png");
        OutputPaths.png(weightsPng, "--weights-png");
        OutputPaths.png(confusionPng, "--confusion-png");
        SgdConfig sgd = new SgdConfig(lr, batch, epochs, seed, Parse.schedule(schedule, "--schedule"), momentum,
                validation, patience, nThreads);
        PrintWriter out = spec.commandLine().getOut();
        ProgressListener bars = progress.listener(spec.commandLine().getErr());
        try (TrainTestData tt = TrainTestData.load(data, trainPath, testPath, source, testFraction, splitSeed,
                limits.limit, split);
             Dataset train = limits.trainLimit != null && limits.trainLimit < tt.train.rows()
                     ? Transforms.first(tt.train, limits.trainLimit) : null) {
            Dataset trainRows = train != null ? train : tt.train;
            if (!json) {
                out.printf(Locale.ROOT, "linear %s on %s%n", cfg.loss().id(), tt.describe(testFraction, splitSeed)
                        + (train != null ? String.format(Locale.ROOT, " (first %d training rows)", train.rows()) : ""));
                out.printf(Locale.ROOT, "%s penalty %s, %s features; SGD lr %s (%s), batch %d, %d epochs,"
                        + " momentum %s, validation %s, patience %d, seed %d, threads %d, GEMM %s%n%n",
                        cfg.loss().id(), cfg.regularizer(), pre.id(), lr, sgd.schedule(), batch, epochs, momentum,
                        validation, patience, seed, nThreads, GemmSelection.current().choice());
                out.printf(Locale.ROOT, "%5s %10s %10s %10s %10s %9s%n", "epoch", "loss", "train acc", "val acc",
                        "lr", "seconds");
                out.flush();
            }
            List<Epoch> history = new ArrayList<>();
            long t0 = System.nanoTime();
            TrainingResult result;
            try {
                result = SgdTrainer.train(trainRows, cfg, sgd, GemmSelection.current()::create, e -> {
                    history.add(Epoch.of(e));
                    if (!json) {
                        ExperimentIo.finish(bars);
                        out.printf(Locale.ROOT, "%5d %10.4f %10.4f %10s %10.4g %9.3f%n", e.epoch(), e.loss(),
                                e.trainAccuracy(), Double.isNaN(e.validationAccuracy()) ? "-"
                                        : String.format(Locale.ROOT, "%.4f", e.validationAccuracy()),
                                e.learningRate(), e.seconds());
                        out.flush();
                    }
                }, bars);
            } catch (IllegalStateException e) {
                if (String.valueOf(e.getMessage()).contains("diverged")) {
                    throw new IllegalArgumentException(e.getMessage() + ": try a smaller --lr (e.g. --lr "
                            + lr / 10 + "), or --standardize train", e);
                }
                throw e;
            } finally {
                ExperimentIo.finish(bars);
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            LinearClassifier m = result.model();
            long p0 = System.nanoTime();
            int[] p = m.predict(tt.test, nThreads);
            double predictSeconds = (System.nanoTime() - p0) / 1e9;
            int[] truth = tt.test.labels();
            double acc = Metrics.accuracy(p, truth);
            double bal = Metrics.balancedAccuracy(p, truth, trainRows.numClasses());
            if (model != null) {
                m.save(model);
            }
            if (curvePng != null) {
                Pictures.writePng(LinearCharts.curve(result.history(), acc, cfg.loss()), curvePng);
            }
            if (weightsPng != null) {
                LinearOptions.writeWeightsPng(m, weightsPng);
            }
            if (confusionPng != null) {
                ConfusionChart.write(m.classNames(), Metrics.confusion(p, truth, m.numClasses()),
                        String.format(Locale.ROOT, "linear %s: test accuracy %.4f on %d rows", cfg.loss().id(), acc,
                                p.length), confusionPng);
            }
            Settings s = new Settings(cfg.loss().id(), delta, cfg.regularizer().kind().id(),
                    cfg.regularizer().lambda(), cfg.regularizer().l1Ratio(), regBias, pre.id(), lr, batch, epochs,
                    sgd.schedule().toString(), momentum, validation, patience, seed, nThreads);
            Report r = new Report(tt.source, tt.format, trainRows.rows(), tt.test.rows(), trainRows.dims(),
                    trainRows.numClasses(), GemmSelection.current().choice(), s, history, result.bestEpoch(),
                    result.stoppedEarly(), trainSeconds, acc, bal, predictSeconds, model == null ? null : model.toString());
            if (json) {
                out.println(Json.write(r));
            } else {
                print(out, r, result, history.size(), p.length);
            }
            out.flush();
            return 0;
        }
    }

    private void print(PrintWriter out, Report r, TrainingResult result, int epochsRun, int predicted) {
        out.println();
        if (result.stoppedEarly()) {
            out.printf(Locale.ROOT, "stopped early after epoch %d; the model has the weights of epoch %d"
                    + " (best validation accuracy)%n", epochsRun, result.bestEpoch());
        } else if (result.bestEpoch() != epochsRun) {
            out.printf(Locale.ROOT, "the model has the weights of epoch %d (best validation accuracy)%n",
                    result.bestEpoch());
        }
        out.printf(Locale.ROOT, "training %.3f s; test: accuracy %.4f, balanced accuracy %.4f"
                + " (%d images, %.3f s, %.0f images/s)%n", r.trainSeconds(), r.testAccuracy(),
                r.testBalancedAccuracy(), predicted, r.predictSeconds(), predicted / r.predictSeconds());
        if (model != null) {
            out.printf("model saved to %s%n", model);
        }
        if (curvePng != null) {
            out.printf("training curve drawn to %s%n", curvePng);
        }
        if (weightsPng != null) {
            out.printf("weights drawn to %s%n", weightsPng);
        }
        if (confusionPng != null) {
            out.printf("confusion matrix drawn to %s%n", confusionPng);
        }
    }
}
