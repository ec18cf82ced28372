package io.vecml.cli;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CrossValidation;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vecml cv}: the cross-validated score of one model. */
@Command(name = "cv", mixinStandardHelpOptions = true,
        description = {"Cross-validated score of one model: each fold's score, the mean and the std.",
            "",
            "The training split is cut into K folds (scikit-learn's (Stratified)KFold, unshuffled unless "
            + "--seed); each fold is scored by the model fitted on the other K-1. The test split is not used."},
        subcommands = {CvCommand.Knn.class, CvCommand.Linear.class})
final class CvCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return Main.missingSubcommand(spec);
    }

    /** The options of every cross-validation. */
    static final class CvOptions {
        @Option(names = "--data", required = true, paramLabel = "PATH",
                description = "Dataset (its training split is used): file, folder, archive or " + Datasets.EMBEDDED_DIGITS + ".")
        String data;

        @Option(names = "--folds", paramLabel = "K", defaultValue = "5", description = "K. Default: ${DEFAULT-VALUE}.")
        int folds;

        @Option(names = "--seed", paramLabel = "S",
                description = "Shuffle the rows with this seed before making folds (default: no shuffle, as scikit-learn).")
        Long seed;

        @Option(names = "--stratified", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Keep class proportions in every fold. Default: ${DEFAULT-VALUE}.")
        boolean stratified;

        @Option(names = "--scoring", defaultValue = "accuracy", paramLabel = "S",
                description = "accuracy or balanced (mean per-class recall). Default: ${DEFAULT-VALUE}.")
        String scoring;

        @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training rows.")
        Integer limit;

        @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors; results do not depend on it).")
        Integer threads;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Mixin
        CvSplitOptions splits;
    }

    record Fold(int fold, int trainRows, int testRows, double score) {
    }

    record Report(String source, int rows, int dims, String model, int folds, boolean stratified, Long seed,
            String standardize, String scoring, List<Fold> scores, double mean, double std, double seconds) {
    }

    /** Runs the cross-validation and prints the report. */
    static int run(CommandLine.Model.CommandSpec spec, CvOptions o, DataSourceOptions source, String standardize,
            CvSpec.Scaling scaling, String model, FoldModel factory) throws IOException {
        GridCommand.checkCv(o.folds, o.limit);
        Scoring sc = GridCommand.scoring(o.scoring);
        try (LoadedData d = DataCommand.load(o.data, source);
             CvSplitOptions.Prepared p = o.splits.prepare(d, o.limit, new CvSpec(o.folds, o.stratified, o.seed, scaling, sc))) {
            Dataset train = p.train();
            CvSpec cv = p.cv();
            long t0 = System.nanoTime();
            double[] s = CrossValidation.scores(train, cv, factory::fitPredict);
            double secs = (System.nanoTime() - t0) / 1e9;
            Splits.Fold[] parts = CrossValidation.folds(train, cv);
            List<Fold> folds = new ArrayList<>();
            for (int f = 0; f < s.length; f++) {
                folds.add(new Fold(f + 1, parts[f].train().length, parts[f].test().length, s[f]));
            }
            Report r = new Report(d.source(), train.rows(), train.dims(), model, cv.folds(), o.stratified, o.seed,
                    standardize.strip().toLowerCase(Locale.ROOT), sc.name().toLowerCase(Locale.ROOT), folds,
                    CrossValidation.mean(s), CrossValidation.std(s), secs);
            PrintWriter out = spec.commandLine().getOut();
            if (o.json) {
                out.println(Json.write(r));
            } else {
                out.printf(Locale.ROOT, "%s on %s: %d rows x %d features, %d-fold%s%s, standardize %s, scoring %s%n%n",
                        model, r.source(), r.rows(), r.dims(), r.folds(), r.stratified() ? " stratified" : "",
                        o.splits.shuffle(r.seed()), r.standardize(),
                        r.scoring());
                out.printf(Locale.ROOT, "%4s %8s %8s %8s%n", "fold", "train", "held out", r.scoring());
                for (Fold f : folds) {
                    out.printf(Locale.ROOT, "%4d %8d %8d %8.4f%n", f.fold(), f.trainRows(), f.testRows(), f.score());
                }
                out.printf(Locale.ROOT, "%ncross-validated %s: mean %.4f, std %.4f (%.3f s)%n", r.scoring(), r.mean(),
                        r.std(), secs);
            }
            out.flush();
            return 0;
        }
    }

    /** A model as the command builds it; may throw IllegalArgumentException for a bad setting. */
    @FunctionalInterface
    interface FoldModel {
        int[] fitPredict(Dataset train, Dataset test);
    }

    @Command(name = "knn", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Cross-validated score of one kNN model (one k, one metric)."},
            footer = {"", "Example:", "  vecml cv knn --data embedded:digits --k 3 --metric l2 --folds 5 --seed 1"})
    static final class Knn implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        CvOptions cv;

        @Mixin
        DataSourceOptions source;

        @Option(names = "--k", defaultValue = "5", paramLabel = "K", description = "Neighbours. Default: ${DEFAULT-VALUE}.")
        int k;

        @Option(names = "--metric", defaultValue = "l2", paramLabel = "M", description = "l1 or l2. Default: ${DEFAULT-VALUE}.")
        String metric;

        @Option(names = "--weights", defaultValue = "uniform", paramLabel = "W",
                description = "uniform or distance. Default: ${DEFAULT-VALUE}.")
        String weights;

        @Option(names = "--standardize", defaultValue = "none", paramLabel = "SCOPE",
                description = "none; fold (fitted on each training fold only); all (fitted on all rows before the"
                        + " split: the lecture's recipe, which leaks). Default: ${DEFAULT-VALUE}.")
        String standardize;

        @Override
        public Integer call() throws IOException {
            if (k < 1 || k > 1000) {
                throw new IllegalArgumentException("--k must be in 1..1000, got " + k);
            }
            Metric m = OptionParsers.metric(metric);
            Weights w = OptionParsers.weights(weights);
            CvSpec.Scaling scaling = GridCommand.scaling(standardize);
            int threads = LinearCommand.threads(cv.threads);
            String model = String.format(Locale.ROOT, "kNN (k %d, %s, %s weights)", k, m, w.name().toLowerCase(Locale.ROOT));
            return run(spec, cv, source, standardize, scaling, model, (train, test) -> {
                if (k > train.rows()) {
                    throw new IllegalArgumentException("--k " + k + " is more than the " + train.rows()
                            + " training rows of a fold");
                }
                try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(m).withWeights(w).withThreads(threads))
                        .fit(train)) {
                    return knn.predict(test, k);
                }
            });
        }
    }

    @Command(name = "linear", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Cross-validated score of one linear classifier (minibatch SGD on each training fold).",
                "",
                "--standardize fold (the default) is the model's own standardisation, fitted on each training fold "
                + "only; all standardises every row before the split (the lecture's recipe); none trains on raw values."},
            footer = {"", "Example:",
                "  vecml cv linear --data embedded:digits --loss svm --lr 0.01 --lambda 1e-3 --epochs 10 --folds 5"})
    static final class Linear implements Callable<Integer> {
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

        @Option(names = "--epochs", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
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
                description = "Seed of the initial weights and shuffles. Default: ${DEFAULT-VALUE}.")
        long trainSeed = DEFAULT_SGD.seed();

        @Option(names = "--standardize", defaultValue = "fold", paramLabel = "SCOPE",
                description = "fold, all or none (see above). Default: ${DEFAULT-VALUE}.")
        String standardize;

        @Override
        public Integer call() throws IOException {
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
            GridCommand.LinearScaling ls = GridCommand.LinearScaling.parse(standardize);
            Loss l = LinearCommand.loss(loss);
            LinearConfig cfg = DEFAULT_MODEL.withLoss(l).withRegularizer(LinearCommand.regularizer(reg, lambda, l1Ratio,
                    false)).withPreprocessing(ls.model());
            int threads = LinearCommand.threads(cv.threads);
            SgdConfig sgd = DEFAULT_SGD.withLearningRate(lr).withBatchSize(batch).withEpochs(epochs)
                    .withMomentum(momentum).withSeed(trainSeed).withThreads(threads);
            String model = String.format(Locale.ROOT, "linear %s (penalty %s, %s features; SGD lr %s, batch %d,"
                    + " %d epochs, momentum %s, seed %d)", l.id(), cfg.regularizer(), ls.model().id(), lr, batch, epochs,
                    momentum, trainSeed);
            return run(spec, cv, source, standardize, ls.cv(), model, (train, test) -> {
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
}
