package io.vecml.cli;

import io.vecml.engine.api.Parse;
import io.vecml.engine.api.Standardize;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vecml cv linear}: the cross-validated score of one linear classifier. */
@Command(name = "linear", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Cross-validated score of one linear classifier (minibatch SGD on each training fold).",
            "",
            "--standardize train (the default) is the model's own standardisation, fitted on each training fold "
            + "only; center subtracts the training fold's mean image; all standardises every row before the split "
            + "(the lecture's recipe); none trains on raw values."},
        footer = {"", "Example:",
            "  vecml cv linear --data embedded:digits --loss svm --lr 0.01 --lambda 1e-3 --epochs 10 --folds 5"})
final class CvLinearCommand implements Callable<Integer> {
    private static final LinearConfig DEFAULT_MODEL = LinearConfig.defaults();
    private static final SgdConfig DEFAULT_SGD = SgdConfig.defaults();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CvOptions cv;

    @Mixin
    DataSourceOptions source;

    @Option(names = "--loss", paramLabel = "L", description = "svm or softmax. Default: ${DEFAULT-VALUE}.")
    String loss = DEFAULT_MODEL.loss().id();

    @Option(names = "--lr", paramLabel = "F", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double lr = DEFAULT_SGD.learningRate();

    @Option(names = "--batch", paramLabel = "N", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch = DEFAULT_SGD.batchSize();

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over each training fold. Default: ${DEFAULT-VALUE}.")
    int epochs = DEFAULT_SGD.epochs();

    @Option(names = "--reg", paramLabel = "R", description = "l2, l1, elastic or none. Default: ${DEFAULT-VALUE}.")
    String reg = DEFAULT_MODEL.regularizer().kind().id();

    @Option(names = "--lambda", paramLabel = "F", description = "Penalty strength. Default: ${DEFAULT-VALUE}.")
    double lambda = DEFAULT_MODEL.regularizer().lambda();

    @Option(names = "--l1-ratio", paramLabel = "F", description = "L1 share of the elastic net. Default: ${DEFAULT-VALUE}.")
    double l1Ratio = 0.5;

    @Option(names = "--momentum", paramLabel = "F", description = "Classical momentum in [0, 1). Default: ${DEFAULT-VALUE}.")
    double momentum = DEFAULT_SGD.momentum();

    @Option(names = "--train-seed", paramLabel = "S",
            description = "Seed of the initial weights and batch order. Default: ${DEFAULT-VALUE}.")
    long trainSeed = DEFAULT_SGD.seed();

    @Option(names = "--standardize", defaultValue = "train", paramLabel = "SCOPE",
            description = "train, center, all or none (see above). Default: ${DEFAULT-VALUE}.")
    String standardize;

    @Override
    public Integer call() throws IOException {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("--lr must be finite and > 0, got " + lr);
        }
        LinearOptions.checkSgd(epochs, batch, momentum);
        Standardize st = Standardize.parse(standardize, "--standardize");
        Standardize.LinearScaling ls = st.linearScaling();
        Loss l = Parse.loss(loss, "--loss");
        LinearConfig cfg = DEFAULT_MODEL.withLoss(l).withRegularizer(Parse.penalty(reg, lambda, l1Ratio, false, "--reg"))
                .withPreprocessing(ls.model());
        int threads = cv.threads();
        SgdConfig sgd = DEFAULT_SGD.withLearningRate(lr).withBatchSize(batch).withEpochs(epochs)
                .withMomentum(momentum).withSeed(trainSeed).withThreads(threads);
        String model = String.format(Locale.ROOT, "linear %s (penalty %s, %s features; SGD lr %s, batch %d,"
                + " %d epochs, momentum %s, seed %d)", l.id(), cfg.regularizer(), ls.model().id(), lr, batch, epochs,
                momentum, trainSeed);
        return cv.run(spec, source, st, ls.cv(), model, (train, test) -> {
            try {
                return SgdTrainer.train(train, cfg, sgd, null).model().predict(test, threads);
            } catch (IllegalStateException e) {
                if (String.valueOf(e.getMessage()).contains("diverged")) {
                    throw new IllegalArgumentException(e.getMessage() + ": try a smaller --lr (e.g. --lr " + lr / 10
                            + ")", e);
                }
                throw e;
            }
        });
    }
}
