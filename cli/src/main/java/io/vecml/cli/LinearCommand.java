package io.vecml.cli;

import io.vecml.engine.api.Parse;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Npy;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.linear.GradientCheck;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.train.EpochStats;
import io.vecml.engine.train.Schedule;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import io.vecml.engine.train.TrainingResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vecml linear}: train, evaluate and apply linear classifiers (multiclass SVM, softmax). */
@Command(name = "linear", mixinStandardHelpOptions = true,
        description = {"Linear classifiers (SVM, softmax): train, eval, predict, gradcheck.",
            "",
            "scores = W x + b (bias trick), multiclass SVM or softmax loss, L2, L1 or "
            + "elastic-net penalty, minibatch SGD on GEMM."},
        subcommands = {LinearCommand.Train.class, LinearCommand.Eval.class, LinearCommand.Predict.class,
            LinearCommand.GradCheck.class})
final class LinearCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final LinearConfig DEFAULT_MODEL = LinearConfig.defaults();
    private static final SgdConfig DEFAULT_SGD = SgdConfig.defaults();

    @Override
    public Integer call() {
        return Main.missingSubcommand(spec);
    }

    /** none, l2, l1, elastic (elasticnet, elastic-net). */
    static Regularizer regularizer(String kind, double lambda, double l1Ratio, boolean bias) {
        return Parse.penalty(kind, lambda, l1Ratio, bias, "--reg");
    }

    static Loss loss(String s) {
        return Parse.loss(s, "--loss");
    }

    /** constant, step:FACTOR:EVERY, inverse:DECAY. */
    static Schedule schedule(String s) {
        return Parse.schedule(s, "--schedule");
    }

    static int threads(Integer t) {
        return Parse.threads(t, "--threads");
    }

    static LinearClassifier loadModel(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model: no such file: " + file);
        }
        return LinearClassifier.load(file);
    }

    static void checkClasses(LinearClassifier model, Dataset d, Path modelFile, String data) {
        if (!model.classNames().equals(d.classNames())) {
            throw new IllegalArgumentException("the model " + modelFile + " knows the classes " + model.classNames()
                    + " but " + data + " has " + d.classNames());
        }
        if (model.dims() != d.dims()) {
            throw new IllegalArgumentException("the model " + modelFile + " was trained on " + model.dims()
                    + " features, " + data + " has " + d.dims());
        }
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

    // ---- train ---------------------------------------------------------------------------------

    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Trains a linear classifier by minibatch SGD and reports test accuracy.",
                "",
                "Prints one line per epoch (loss, training accuracy, validation accuracy, "
                + "seconds), then the accuracy and balanced accuracy on the test rows. Data "
                + "without a test split is split by --test-fraction/--split-seed (knn and "
                + "template call it --seed). Preprocessing statistics come from the training "
                + "rows only and are saved with the model. Results do not depend on --threads."},
            footer = {"", "Examples:",
                "  vecml linear train --data embedded:digits --loss svm --curve-png curve.png",
                "  vecml linear train --data cifar-10-python.tar.gz --lr 0.01 --epochs 20 \\",
                "      --schedule step:0.5:5 --momentum 0.9 --validation 0.1 --patience 3 \\",
                "      --model cifar.vecml"})
    static final class Train implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", paramLabel = "PATH",
                description = "A dataset with train (and test) splits: file, folder, archive or embedded:digits.")
        String data;

        @Option(names = "--train", paramLabel = "PATH", description = "Training data (its train split), with --test.")
        String trainPath;

        @Option(names = "--test", paramLabel = "PATH",
                description = "Test data (its test split if it has one, else all of it).")
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

        @Option(names = "--reg", paramLabel = "R",
                description = "Penalty: l2, l1, elastic or none. Default: ${DEFAULT-VALUE}.")
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

        @Option(names = "--momentum", paramLabel = "F",
                description = "Classical momentum in [0, 1). Default: ${DEFAULT-VALUE}.")
        double momentum = DEFAULT_SGD.momentum();

        @Option(names = "--validation", paramLabel = "F",
                description = "Fraction of the training rows held out (stratified) to measure validation accuracy"
                        + " after each epoch. Default: ${DEFAULT-VALUE}.")
        double validation = DEFAULT_SGD.validationFraction();

        @Option(names = "--patience", paramLabel = "N",
                description = "Early stopping: stop after N epochs without a better validation accuracy and keep"
                        + " the best weights (needs --validation); 0: off. Default: ${DEFAULT-VALUE}.")
        int patience = DEFAULT_SGD.patience();

        @Option(names = "--preprocess", paramLabel = "P",
                description = "standardize (z-scores), center (minus the mean image) or raw. Default: ${DEFAULT-VALUE}.")
        String preprocess = DEFAULT_MODEL.preprocessing().id();

        @Option(names = "--seed", paramLabel = "S",
                description = "Seed of the initial weights, shuffles and validation split. Default: ${DEFAULT-VALUE}.")
        long seed = DEFAULT_SGD.seed();

        @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors).")
        Integer threads;

        @Option(names = "--limit", paramLabel = "N", description = "Use only the first N test images.")
        Integer limit;

        @Option(names = "--test-fraction", defaultValue = "0.2", paramLabel = "F",
                description = "Held-out test fraction when the data has no test split. Default: ${DEFAULT-VALUE}.")
        double testFraction;

        @Option(names = "--split-seed", defaultValue = "42", paramLabel = "S",
                description = "Seed of that split. Default: ${DEFAULT-VALUE}.")
        long splitSeed;

        @Option(names = "--model", paramLabel = "OUT.vecml", description = "Save the trained model (atomically).")
        Path model;

        @Option(names = "--json", description = "Print JSON instead of text (the epochs go into it).")
        boolean json;

        @Option(names = "--curve-png", paramLabel = "FILE",
                description = "Draw the loss and the accuracies per epoch.")
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
                        Double.isNaN(e.validationAccuracy()) ? null : e.validationAccuracy(), e.learningRate(),
                        e.seconds());
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
            if (limit != null && limit < 1) {
                throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
            }
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("--lr must be finite and > 0, got " + lr);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
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
            Preprocessing pre;
            try {
                pre = Preprocessing.fromId(preprocess);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--preprocess must be standardize, center or raw, got '"
                        + preprocess + "'");
            }
            LinearConfig cfg = new LinearConfig(loss(loss), delta, regularizer(reg, lambda, l1Ratio, regBias), pre);
            int nThreads = threads(threads);
            OutputPaths.file(model, "--model");
            OutputPaths.png(curvePng, "--curve-png");
            OutputPaths.png(weightsPng, "--weights-png");
            OutputPaths.png(confusionPng, "--confusion-png");
            SgdConfig sgd = new SgdConfig(lr, batch, epochs, seed, schedule(schedule), momentum, validation, patience,
                    nThreads);
            PrintWriter out = spec.commandLine().getOut();
            try (TrainTestData tt = TrainTestData.load(data, trainPath, testPath, source, testFraction, splitSeed,
                    limit, split)) {
                if (!json) {
                    out.printf(Locale.ROOT, "linear %s on %s%n", cfg.loss().id(), tt.describe(testFraction, splitSeed));
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
                    result = SgdTrainer.train(tt.train, cfg, sgd, e -> {
                        history.add(Epoch.of(e));
                        if (!json) {
                            out.printf(Locale.ROOT, "%5d %10.4f %10.4f %10s %10.4g %9.3f%n", e.epoch(), e.loss(),
                                    e.trainAccuracy(), Double.isNaN(e.validationAccuracy()) ? "-"
                                            : String.format(Locale.ROOT, "%.4f", e.validationAccuracy()),
                                    e.learningRate(), e.seconds());
                            out.flush();
                        }
                    });
                } catch (IllegalStateException e) {
                    if (String.valueOf(e.getMessage()).contains("diverged")) {
                        throw new IllegalArgumentException(e.getMessage() + ": try a smaller --lr (e.g. --lr "
                                + lr / 10 + "), or --preprocess standardize", e);
                    }
                    throw e;
                }
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                LinearClassifier m = result.model();
                long p0 = System.nanoTime();
                int[] p = m.predict(tt.test, nThreads);
                double predictSeconds = (System.nanoTime() - p0) / 1e9;
                int[] truth = tt.test.labels();
                double acc = Metrics.accuracy(p, truth);
                double bal = Metrics.balancedAccuracy(p, truth, tt.train.numClasses());
                if (model != null) {
                    m.save(model);
                }
                if (curvePng != null) {
                    Pictures.writePng(curve(result.history(), acc, cfg.loss()), curvePng);
                }
                if (weightsPng != null) {
                    writeWeightsPng(m, weightsPng);
                }
                if (confusionPng != null) {
                    ConfusionChart.write(m.classNames(), Metrics.confusion(p, truth, m.numClasses()),
                            String.format(Locale.ROOT, "linear %s: test accuracy %.4f on %d rows", cfg.loss().id(), acc,
                                    p.length), confusionPng);
                }
                Settings s = new Settings(cfg.loss().id(), delta, cfg.regularizer().kind().id(),
                        cfg.regularizer().lambda(), cfg.regularizer().l1Ratio(), regBias, pre.id(), lr, batch, epochs,
                        sgd.schedule().toString(), momentum, validation, patience, seed, nThreads);
                Report r = new Report(tt.source, tt.format, tt.train.rows(), tt.test.rows(), tt.train.dims(),
                        tt.train.numClasses(), GemmSelection.current().choice(), s, history, result.bestEpoch(),
                        result.stoppedEarly(), trainSeconds, acc, bal, predictSeconds,
                        model == null ? null : model.toString());
                if (json) {
                    out.println(Json.write(r));
                } else {
                    out.println();
                    if (result.stoppedEarly()) {
                        out.printf(Locale.ROOT, "stopped early after epoch %d; the model has the weights of epoch %d"
                                + " (best validation accuracy)%n", history.size(), result.bestEpoch());
                    } else if (result.bestEpoch() != history.size()) {
                        out.printf(Locale.ROOT, "the model has the weights of epoch %d (best validation accuracy)%n",
                                result.bestEpoch());
                    }
                    out.printf(Locale.ROOT, "training %.3f s; test: accuracy %.4f, balanced accuracy %.4f"
                            + " (%d images, %.3f s, %.0f images/s)%n", trainSeconds, acc, bal, p.length,
                            predictSeconds, p.length / predictSeconds);
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
                out.flush();
                return 0;
            }
        }

        /** Two panels: the loss per epoch; training, validation and final test accuracy. */
        static java.awt.image.BufferedImage curve(List<EpochStats> h, double testAccuracy, Loss loss) {
            int n = h.size();
            double[] x = new double[n];
            double[] l = new double[n];
            double[] tr = new double[n];
            double[] va = new double[n];
            double[] te = new double[n];
            for (int i = 0; i < n; i++) {
                EpochStats e = h.get(i);
                x[i] = e.epoch();
                l[i] = e.loss();
                tr[i] = e.trainAccuracy();
                va[i] = e.validationAccuracy();
                te[i] = testAccuracy;
            }
            List<Charts.Series> accs = new ArrayList<>();
            accs.add(new Charts.Series("train", x, tr, Charts.PALETTE[0], Charts.Style.LINE_AND_POINTS));
            accs.add(new Charts.Series("validation", x, va, Charts.PALETTE[1], Charts.Style.LINE_AND_POINTS));
            accs.add(new Charts.Series("test (final model)", x, te, Charts.PALETTE[2], Charts.Style.LINE));
            return Charts.render(720, 320, List.of(
                    new Charts.Panel("Training loss (" + loss.id() + " + penalty)", "epoch", "loss",
                            List.of(new Charts.Series("loss", x, l, Charts.PALETTE[3], Charts.Style.LINE_AND_POINTS)),
                            true),
                    new Charts.Panel("Accuracy", "epoch", "accuracy", accs, true)));
        }
    }

    // ---- eval ----------------------------------------------------------------------------------

    @Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Evaluates a saved model: accuracy, balanced accuracy, confusion matrix."},
            footer = {"", "Example:", "  vecml linear eval --model digits.vecml --data embedded:digits"})
    static final class Eval implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model from linear train --model.")
        Path model;

        @Option(names = "--data", required = true, paramLabel = "PATH", description = "Labelled data.")
        String data;

        @Mixin
        DataSourceOptions source;

        @Mixin
        PartOptions part;

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
            int nThreads = threads(threads);
            TrainTestData.Part which = TrainTestData.Part.parse(part.split);
            OutputPaths.png(confusionPng, "--confusion-png");
            LinearClassifier m = loadModel(model);
            PrintWriter out = spec.commandLine().getOut();
            try (TrainTestData tt = TrainTestData.loadPart(data, source, which, part.testFraction, part.splitSeed, part.holdout)) {
                Dataset d = tt.test;
                checkClasses(m, d, model, data);
                int[] p = m.predict(d, nThreads);
                int[] truth = d.labels();
                long[][] conf = Metrics.confusion(p, truth, m.numClasses());
                Report r = new Report(model.toString(), tt.source, which.name().toLowerCase(Locale.ROOT), d.rows(),
                        Metrics.accuracy(p, truth), Metrics.balancedAccuracy(p, truth, m.numClasses()),
                        m.classNames(), conf);
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
                    out.printf(Locale.ROOT, "accuracy %.4f, balanced accuracy %.4f%n%n", r.accuracy(),
                            r.balancedAccuracy());
                    printConfusion(out, m.classNames(), conf);
                    if (confusionPng != null) {
                        out.printf("confusion matrix drawn to %s%n", confusionPng);
                    }
                }
                out.flush();
                return 0;
            }
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
    }

    // ---- predict -------------------------------------------------------------------------------

    @Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Applies a saved model: predicted labels (and probabilities) to .npy files.",
                "",
                "Labels: int32, shape (N,). Probabilities (softmax models): float32, "
                + "shape (N, classes)."},
            footer = {"", "Example:",
                "  vecml linear predict --model digits.vecml --data embedded:digits \\",
                "      --out pred.npy --probabilities probs.npy"})
    static final class Predict implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model from linear train --model.")
        Path model;

        @Option(names = "--data", required = true, paramLabel = "PATH", description = "The data to classify.")
        String data;

        @Mixin
        DataSourceOptions source;

        @Mixin
        PartOptions part;

        @Option(names = "--out", required = true, paramLabel = "PRED.npy", description = "The predicted labels.")
        Path outFile;

        @Option(names = "--probabilities", paramLabel = "PROBS.npy",
                description = "Also the class probabilities (softmax models only).")
        Path probabilities;

        @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors).")
        Integer threads;

        @Override
        public Integer call() throws IOException {
            int nThreads = threads(threads);
            TrainTestData.Part which = TrainTestData.Part.parse(part.split);
            OutputPaths.file(outFile, "--out", ".npy");
            OutputPaths.file(probabilities, "--probabilities", ".npy");
            LinearClassifier m = loadModel(model);
            if (probabilities != null && m.loss() != Loss.SOFTMAX) {
                throw new IllegalArgumentException("--probabilities needs a softmax model; " + model + " is an "
                        + m.loss().id() + " model, whose scores are not probabilities");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (TrainTestData tt = TrainTestData.loadPart(data, source, which, part.testFraction, part.splitSeed, part.holdout)) {
                Dataset d = tt.test;
                checkClasses(m, d, model, data);
                int[] p = m.predict(d, nThreads);
                Npy.write(outFile, p, p.length);
                out.printf(Locale.ROOT, "%d predicted labels (%s rows of %s) written to %s; accuracy against the"
                        + " data's labels %.4f%n", p.length, which.name().toLowerCase(Locale.ROOT), tt.source, outFile,
                        Metrics.accuracy(p, d.labels()));
                if (probabilities != null) {
                    float[] pr = m.probabilities(d, nThreads);
                    Npy.write(probabilities, pr, d.rows(), m.numClasses());
                    out.printf(Locale.ROOT, "probabilities (%d x %d) written to %s%n", d.rows(), m.numClasses(),
                            probabilities);
                }
                out.flush();
                return 0;
            }
        }
    }

    // ---- gradcheck -----------------------------------------------------------------------------

    @Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Checks the gradients of each (loss, penalty) against numerical ones.",
                "",
                "The analytic gradient is compared with centred numerical "
                + "differences, in double, and the float32 GEMM training path "
                + "against the analytic gradient. Weights whose perturbation crosses a kink "
                + "of the hinge or of |w| are counted apart. Exit code 1 when a relative "
                + "error away from kinks exceeds 1e-6 (see --abs-tolerance)."},
            footer = {"", "Example:", "  vecml linear gradcheck --loss svm --reg l1,elastic"})
    static final class GradCheck implements Callable<Integer> {

        /** Largest relative error (away from kinks) that passes. */
        static final double TOLERANCE = 1e-6;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", paramLabel = "PATH", defaultValue = "embedded:digits",
                description = "Data whose first rows are used. Default: ${DEFAULT-VALUE}.")
        String data;

        @Mixin
        DataSourceOptions source;

        @Option(names = "--loss", split = ",", paramLabel = "L", defaultValue = "svm,softmax",
                description = "Losses, comma-separated. Default: ${DEFAULT-VALUE}.")
        String[] losses;

        @Option(names = "--reg", split = ",", paramLabel = "R", defaultValue = "none,l2,l1,elastic",
                description = "Penalties, comma-separated. Default: ${DEFAULT-VALUE}.")
        String[] regs;

        @Option(names = "--lambda", paramLabel = "F", defaultValue = "0.01",
                description = "Penalty strength (large enough to matter). Default: ${DEFAULT-VALUE}.")
        double lambda;

        @Option(names = "--l1-ratio", paramLabel = "F", defaultValue = "0.5",
                description = "L1 share of the elastic net. Default: ${DEFAULT-VALUE}.")
        double l1Ratio;

        @Option(names = "--preprocess", paramLabel = "P", defaultValue = "standardize",
                description = "standardize, center or raw. Default: ${DEFAULT-VALUE}.")
        String preprocess;

        @Option(names = "--rows", paramLabel = "N", defaultValue = "200",
                description = "Rows used (the first N). Default: ${DEFAULT-VALUE}.")
        int rows;

        @Option(names = "--samples", paramLabel = "N", defaultValue = "30",
                description = "Weights checked per case, drawn at random. Default: ${DEFAULT-VALUE}.")
        int samples;

        @Option(names = "--weight-scale", paramLabel = "F", defaultValue = "0.01",
                description = "Standard deviation of the random weights checked at. Default: ${DEFAULT-VALUE}.")
        double weightScale;

        @Option(names = "--h", paramLabel = "F", defaultValue = "1e-5",
                description = "Step of the centred difference. Default: ${DEFAULT-VALUE}.")
        double h;

        @Option(names = "--abs-tolerance", paramLabel = "F", defaultValue = "1e-9",
                description = "An entry whose |analytic - numerical| is at most this passes whatever its relative"
                        + " error: near-zero gradients (a bias whose terms cancel, a constant feature) are at the"
                        + " rounding noise of the difference quotient (about 1e-16 x loss / h), where a relative"
                        + " error means nothing. Default: ${DEFAULT-VALUE}.")
        double absTolerance;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "5",
                description = "Seed of the weights and of the choice of entries. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        private boolean belowNoise(GradientCheck.Entry e) {
            return Math.abs(e.analytic() - e.numerical()) <= absTolerance;
        }

        record Case(String loss, String regularizer, int checked, int nearKinks, int belowNoise,
                double maxRelativeError, double maxFastPathRelativeError, boolean ok, GradientCheck.Entry worst) {
        }

        record Report(String data, int rows, String preprocessing, double h, double tolerance,
                double absTolerance, List<Case> cases, boolean allOk) {
        }

        @Override
        public Integer call() throws IOException {
            if (rows < 1) {
                throw new IllegalArgumentException("--rows must be >= 1, got " + rows);
            }
            if (samples < 1) {
                throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
            }
            if (!(h > 0) || !(weightScale > 0) || !(absTolerance >= 0)) {
                throw new IllegalArgumentException("--h and --weight-scale must be > 0 and --abs-tolerance >= 0, got "
                        + h + ", " + weightScale + " and " + absTolerance);
            }
            Preprocessing pre;
            try {
                pre = Preprocessing.fromId(preprocess);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--preprocess must be standardize, center or raw, got '"
                        + preprocess + "'");
            }
            List<Loss> ls = new ArrayList<>();
            for (String s : losses) {
                Loss l = loss(s);
                if (!ls.contains(l)) {
                    ls.add(l);
                }
            }
            List<Regularizer> rs = new ArrayList<>();
            for (String s : regs) {
                Regularizer r = regularizer(s, lambda, l1Ratio, false);
                if (!rs.contains(r)) {
                    rs.add(r);
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            try (var loaded = DataCommand.load(data, source)) {
                Dataset d = loaded.train();
                int n = Math.min(rows, d.rows());
                List<Case> cases = new ArrayList<>();
                for (Loss l : ls) {
                    for (Regularizer r : rs) {
                        LinearConfig cfg = new LinearConfig(l, DEFAULT_MODEL.delta(), r, pre);
                        GradientCheck.Result res = GradientCheck.check(d, cfg, n, weightScale, samples, seed, h,
                                GemmSelection.current().create(1), KernelSelection.current().kernels());
                        int kinks = (int) res.entries().stream().filter(GradientCheck.Entry::nearKink).count();
                        List<GradientCheck.Entry> away = res.entries().stream().filter(e -> !e.nearKink()).toList();
                        // judged by the relative error: all entries away from kinks but the tiny ones
                        List<GradientCheck.Entry> judged = away.stream()
                                .filter(e -> e.relativeError() <= TOLERANCE || !belowNoise(e)).toList();
                        GradientCheck.Entry worst = judged.stream()
                                .max(java.util.Comparator.comparingDouble(GradientCheck.Entry::relativeError))
                                .orElse(null);
                        double maxRel = judged.stream().mapToDouble(GradientCheck.Entry::relativeError).max().orElse(0);
                        double maxFast = judged.stream().mapToDouble(GradientCheck.Entry::fastPathRelativeError).max()
                                .orElse(0);
                        cases.add(new Case(l.id(), r.toString(), res.entries().size(), kinks,
                                away.size() - judged.size(), maxRel, maxFast, maxRel <= TOLERANCE, worst));
                    }
                }
                boolean allOk = cases.stream().allMatch(Case::ok);
                Report report = new Report(loaded.source(), n, pre.id(), h, TOLERANCE, absTolerance, cases, allOk);
                if (json) {
                    out.println(Json.write(report));
                } else {
                    out.printf(Locale.ROOT, "gradient check on %s: first %d rows, %s features, %d weights per case at"
                            + " %s x N(0,1), h %s%n%n", loaded.source(), n, pre.id(), samples, weightScale, h);
                    out.printf(Locale.ROOT, "%-8s %-30s %7s %6s %6s %12s %12s  %s%n", "loss", "penalty", "checked",
                            "kinks", "tiny", "max rel err", "float32 path", "result");
                    for (Case c : cases) {
                        out.printf(Locale.ROOT, "%-8s %-30s %7d %6d %6d %12.2e %12.2e  %s%n", c.loss(),
                                c.regularizer(), c.checked(), c.nearKinks(), c.belowNoise(), c.maxRelativeError(),
                                c.maxFastPathRelativeError(), c.ok() ? "ok" : "FAIL");
                        if (!c.ok() && c.worst() != null) {
                            GradientCheck.Entry e = c.worst();
                            out.printf(Locale.ROOT, "         worst: W[%d][%d] analytic %.9g, numerical %.9g%n", e.row(),
                                    e.column(), e.analytic(), e.numerical());
                        }
                    }
                    out.printf(Locale.ROOT, "%nkinks: entries whose perturbation crosses a kink (not judged); tiny:"
                            + " entries within --abs-tolerance %s of the numerical value but above the relative%ntolerance"
                            + " (gradients at the rounding noise; not judged); max rel err: analytic vs numerical over"
                            + " the other%nentries, must be <= %s; float32 path: the GEMM training gradient vs the analytic one (float"
                            + " rounding, for information).%n", absTolerance, TOLERANCE);
                }
                out.flush();
                return allOk ? 0 : Main.INTERNAL;
            }
        }
    }
}
