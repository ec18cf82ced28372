package io.vecml.cli;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.LinearGridReports;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.eval.KnnGridReports;
import io.vecml.engine.eval.KnnGridReports.Report;
import io.vecml.engine.eval.KnnGridReports.Row;
import io.vecml.engine.eval.KnnGridReports.TestScore;
import io.vecml.engine.eval.KnnGridSearch;
import io.vecml.engine.eval.LinearGridSearch;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.train.SgdConfig;
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

@Command(name = "grid", mixinStandardHelpOptions = true,
        description = "Cross-validated grid search (model selection).",
        subcommands = {GridCommand.Knn.class, GridCommand.Linear.class})
final class GridCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return Main.missingSubcommand(spec);
    }

    /** --standardize none|fold|all. */
    static CvSpec.Scaling scaling(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> CvSpec.Scaling.NONE;
            case "fold" -> CvSpec.Scaling.FOLD;
            case "all" -> CvSpec.Scaling.ALL;
            default -> throw new IllegalArgumentException("--standardize must be none, fold or all, got '" + s + "'");
        };
    }

    /** --scoring accuracy|balanced. */
    static Scoring scoring(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "accuracy" -> Scoring.ACCURACY;
            case "balanced", "balanced_accuracy", "balanced-accuracy" -> Scoring.BALANCED_ACCURACY;
            default -> throw new IllegalArgumentException("--scoring must be accuracy or balanced, got '" + s + "'");
        };
    }

    /**
     * How a linear model is standardised in cross-validation for --standardize: {@code fold} is the
     * model's own standardisation (fitted by the trainer on each training fold's rows only, and kept in
     * a refit model), {@code all} the lecture's standardisation of all rows before splitting (the
     * model then sees them raw), {@code none} raw features.
     */
    record LinearScaling(CvSpec.Scaling cv, Preprocessing model) {
        static LinearScaling parse(String s) {
            return switch (scaling(s)) {
                case FOLD -> new LinearScaling(CvSpec.Scaling.NONE, Preprocessing.STANDARDIZE);
                case ALL -> new LinearScaling(CvSpec.Scaling.ALL, Preprocessing.RAW);
                case NONE -> new LinearScaling(CvSpec.Scaling.NONE, Preprocessing.RAW);
            };
        }
    }

    /** The checks shared by the cross-validating commands. */
    static void checkCv(int folds, Integer limit) {
        if (folds < 2) {
            throw new IllegalArgumentException("--folds must be >= 2, got " + folds);
        }
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
        }
    }

    /** All rows, or the first {@code limit}, as a dataset the caller closes; checks the fold count. */
    static Dataset trainingRows(LoadedData d, Integer limit, int folds) {
        Dataset train = limit == null ? d.train().select(Knn.all(d.train().rows())) : Transforms.first(d.train(), limit);
        if (folds > train.rows()) {
            train.close();
            throw new IllegalArgumentException("--folds " + folds + " is more than the " + train.rows() + " rows");
        }
        return train;
    }

    /** Parses "1..30", "1,3,5" or a mix ("1..5,10,20"); sorted, without duplicates. */
    static int[] parseKs(String s) {
        return KnnGridReports.parseKs(s, "--k");
    }

    @Command(name = "knn", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Cross-validated grid search for kNN over k, metric and weights.", "",
                "Grid search for kNN over k x metric x weights with K-fold cross-validation, as "
                + "scikit-learn's GridSearchCV(KNeighborsClassifier(), grid, cv=K) does, then refit the best on "
                + "the whole training split and score it on the test split (when there is one).",
                "",
                "The neighbours are searched once per fold and metric, up to the largest k; every k is scored "
                + "from those same ordered lists (exactly what fitting each candidate alone gives). Without --seed "
                + "the folds are scikit-learn's (Stratified)KFold without shuffling, so the scores can be compared."},
            footer = {"", "Example:",
                "  vecml grid knn --data /usr/share/datasets/fashion-mnist --limit 5000 --k 1..30 --metric l1,l2 \\",
                "      --folds 5 --standardize fold --plot-png acc_vs_k.png"})
    static final class Knn implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "PATH",
                description = "Dataset: file, folder, archive or " + Datasets.EMBEDDED_DIGITS + ".")
        String data;

        @Mixin
        DataSourceOptions source;

        @Mixin
        CvSplitOptions splits;

        @Option(names = "--k", defaultValue = "1..30", paramLabel = "KS",
                description = "k values: ranges and lists, e.g. 1..30 or 1,3,5,10. Default: ${DEFAULT-VALUE}.")
        String ks;

        @Option(names = "--metric", split = ",", defaultValue = "l1,l2", paramLabel = "M",
                description = "l1 and/or l2 (grid order as given). Default: ${DEFAULT-VALUE}.")
        String[] metrics;

        @Option(names = "--weights", split = ",", defaultValue = "uniform", paramLabel = "W",
                description = "uniform and/or distance. Default: ${DEFAULT-VALUE}.")
        String[] weights;

        @Option(names = "--folds", paramLabel = "K", defaultValue = "5", description = "K. Default: ${DEFAULT-VALUE}.")
        int folds;

        @Option(names = "--seed", paramLabel = "S",
                description = "Shuffle the rows with this seed before making folds (default: no shuffle, as scikit-learn).")
        Long seed;

        @Option(names = "--stratified", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Keep class proportions in every fold (scikit-learn's default for classifiers). Default: ${DEFAULT-VALUE}.")
        boolean stratified;

        @Option(names = "--standardize", defaultValue = "none", paramLabel = "SCOPE",
                description = "none; fold (fitted on each training fold only: the correct way); all (fitted on"
                        + " all training rows before the split: the lecture's recipe, which leaks). Default: ${DEFAULT-VALUE}.")
        String standardize;

        @Option(names = "--scoring", defaultValue = "accuracy", paramLabel = "S",
                description = "accuracy or balanced (mean per-class recall). Default: ${DEFAULT-VALUE}.")
        String scoring;

        @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training rows.")
        Integer limit;

        @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors).")
        Integer threads;

        @Option(names = "--top", paramLabel = "N", defaultValue = "10", description = "Candidates shown in the text table (all go to --json). Default: ${DEFAULT-VALUE}.")
        int top;

        @Option(names = "--repeats", defaultValue = "1", paramLabel = "R",
                description = {"Run the whole search R times in this JVM; with R > 1 the time reported is the median "
                    + "of runs 2..R (JIT-warm) and every run must give the same scores. Default: ${DEFAULT-VALUE}."})
        int repeats;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Option(names = "--plot-png", paramLabel = "FILE", description = "Draw mean CV score against k, one line per metric and weighting.")
        java.nio.file.Path plotPng;

        @Override
        public Integer call() throws IOException {
            int[] kList = parseKs(ks);
            List<Metric> ms = OptionParsers.metrics(metrics);
            List<Weights> ws = OptionParsers.weights(weights);
            CvSpec.Scaling scaling = scaling(standardize);
            Scoring sc = scoring(scoring);
            if (folds < 2) {
                throw new IllegalArgumentException("--folds must be >= 2, got " + folds);
            }
            if (limit != null && limit < 1) {
                throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
            }
            int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            if (nThreads < 1) {
                throw new IllegalArgumentException("--threads must be >= 1, got " + nThreads);
            }
            OutputPaths.png(plotPng, "--plot-png");
            try (LoadedData d = DataCommand.load(data, source);
                 CvSplitOptions.Prepared prep = splits.prepare(d, limit, new CvSpec(folds, stratified, seed, scaling, sc))) {
                Dataset train = prep.train();
                CvSpec cv = prep.cv();
                if (repeats < 1 || repeats > 1000) {
                    throw new IllegalArgumentException("--repeats must be 1..1000, got " + repeats);
                }
                KnnGridSearch.Result r = null;
                List<Double> runs = new ArrayList<>();
                for (int run = 0; run < repeats; run++) {
                    KnnGridSearch.Result x = KnnGridSearch.run(train, kList, ms, ws, cv, nThreads);
                    runs.add(x.seconds());
                    if (r != null) {
                        for (int c = 0; c < x.candidates().size(); c++) {
                            if (!java.util.Arrays.equals(x.candidates().get(c).foldScores(), r.candidates().get(c).foldScores())) {
                                throw new IllegalStateException("grid search run " + (run + 1)
                                        + " scored differently from the run before it: a determinism bug, please report it");
                            }
                        }
                    }
                    r = x;
                }
                double seconds = repeats == 1 ? runs.get(0) : KnnCommand.median(runs.subList(1, runs.size()));
                List<Row> rows = new ArrayList<>();
                for (KnnGridSearch.Candidate c : r.candidates()) {
                    rows.add(KnnGridReports.row(c));
                }
                TestScore test = prep.test() != null ? KnnGridReports.refitAndScore(train, prep.test(), r.best(), scaling, nThreads) : null;
                Report report = new Report(d.source(), train.rows(), train.dims(), cv.folds(), stratified, seed,
                        scaling.name().toLowerCase(Locale.ROOT), sc.name().toLowerCase(Locale.ROOT), rows.size(),
                        seconds, List.copyOf(runs), KnnGridReports.row(r.best()), test, rows);
                if (plotPng != null) {
                    Pictures.writePng(accuracyVsK(report), plotPng);
                }
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(Json.write(report));
                } else {
                    print(out, report);
                }
                out.flush();
                return 0;
            }
        }

        /** The classic figure: mean CV score (with +/- one std band as thin lines) against k, per metric and weighting. */
        static java.awt.image.BufferedImage accuracyVsK(Report r) {
            java.util.Map<String, List<Row>> lines = new java.util.LinkedHashMap<>();
            for (Row x : r.results()) {
                lines.computeIfAbsent(x.metric() + (r.results().stream().map(Row::weights).distinct().count() > 1
                        ? " " + x.weights() : ""), key -> new ArrayList<>()).add(x);
            }
            List<Charts.Series> series = new ArrayList<>();
            int c = 0;
            for (var e : lines.entrySet()) {
                List<Row> rows = e.getValue();
                double[] x = new double[rows.size()];
                double[] y = new double[rows.size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = rows.get(i).k();
                    y[i] = rows.get(i).mean();
                }
                series.add(new Charts.Series(e.getKey(), x, y, Charts.PALETTE[c++ % Charts.PALETTE.length],
                        Charts.Style.LINE_AND_POINTS));
            }
            Row b = r.best();
            series.add(new Charts.Series(String.format(Locale.ROOT, "best: %s k=%d", b.metric(), b.k()),
                    new double[] {b.k()}, new double[] {b.mean()}, java.awt.Color.BLACK, Charts.Style.POINTS));
            return Charts.render(720, 420, List.of(new Charts.Panel(String.format(Locale.ROOT,
                    "%d-fold cross-validated %s against k", r.folds(), r.scoring()), "k", "mean CV " + r.scoring(),
                    series, true)));
        }

        static int[] all(int n) {
            int[] r = new int[n];
            for (int i = 0; i < n; i++) {
                r[i] = i;
            }
            return r;
        }

        private void print(PrintWriter out, Report r) {
            out.printf(Locale.ROOT, "kNN grid search on %s: %d rows x %d features, %d candidates, %d-fold%s%s,"
                    + " standardize %s, scoring %s%n", r.source(), r.rows(), r.dims(), r.candidates(), r.folds(),
                    r.stratified() ? " stratified" : "", splits.shuffle(r.seed()),
                    r.standardize(), r.scoring());
            out.printf(Locale.ROOT, "%n%4s  %-6s %5s %-8s %8s %8s%n", "rank", "metric", "k", "weights", "mean", "std");
            r.results().stream().sorted((a, b) -> a.rank() != b.rank() ? Integer.compare(a.rank(), b.rank()) : 0)
                    .limit(Math.max(1, top)).forEach(x -> out.printf(Locale.ROOT, "%4d  %-6s %5d %-8s %8.4f %8.4f%n",
                            x.rank(), x.metric(), x.k(), x.weights(), x.mean(), x.std()));
            Row b = r.best();
            out.printf(Locale.ROOT, "%nbest: metric %s, k %d, weights %s: mean CV %s %.4f (std %.4f)%n", b.metric(), b.k(),
                    b.weights(), r.scoring(), b.mean(), b.std());
            if (r.test() != null) {
                out.printf(Locale.ROOT, "refit on all %d training rows, test split (%d rows): accuracy %.4f, balanced accuracy %.4f%n",
                        r.rows(), r.test().rows(), r.test().accuracy(), r.test().balancedAccuracy());
            }
            if (r.runSeconds().size() > 1) {
                StringBuilder all = new StringBuilder();
                for (double t : r.runSeconds()) {
                    all.append(String.format(Locale.ROOT, " %.4f", t));
                }
                out.printf(Locale.ROOT, "search time %.4f s (median of the JIT-warm runs 2..%d; all runs:%s s)%n", r.seconds(),
                        r.runSeconds().size(), all);
            } else {
                out.printf(Locale.ROOT, "search time %.3f s (one run, including JIT warm-up; --repeats R for warm timings)%n",
                        r.seconds());
            }
        }
    }

    @Command(name = "linear", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Cross-validated grid search for the linear classifier.", "",
                "Grid search for the linear classifier over loss x penalty x learning rate x lambda "
                + "with K-fold cross-validation, then refit the best on the whole training split and score it on "
                + "the test split (when there is one).",
                "",
                "Every candidate is trained by minibatch SGD on each training fold with the same epochs, batch "
                + "size and --train-seed, and scores the held-out fold. Order: loss, then penalty, then learning "
                + "rate, then lambda (as given). A candidate whose training diverges on a fold scores NaN there "
                + "and ranks last. --standardize fold (the default) is the model's own standardisation, fitted on "
                + "each training fold only."},
            footer = {"", "Example:",
                "  vecml grid linear --data embedded:digits --lr 0.01,0.1 --lambda 1e-4,1e-3 --loss svm,softmax \\",
                "      --epochs 10 --folds 5 --plot-png grid.png"})
    static final class Linear implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "PATH",
                description = "Dataset: file, folder, archive or " + Datasets.EMBEDDED_DIGITS + ".")
        String data;

        @Mixin
        DataSourceOptions source;

        @Mixin
        CvSplitOptions splits;

        @Option(names = "--lr", split = ",", defaultValue = "0.01,0.1", paramLabel = "F",
                description = "Learning rates. Default: ${DEFAULT-VALUE}.")
        double[] lrs;

        @Option(names = "--lambda", split = ",", defaultValue = "1e-4,1e-3", paramLabel = "F",
                description = "Penalty strengths. Default: ${DEFAULT-VALUE}.")
        double[] lambdas;

        @Option(names = "--loss", split = ",", defaultValue = "svm,softmax", paramLabel = "L",
                description = "svm and/or softmax. Default: ${DEFAULT-VALUE}.")
        String[] losses;

        @Option(names = "--reg", split = ",", defaultValue = "l2", paramLabel = "R",
                description = "Penalty kinds: l2, l1, elastic, none (none ignores --lambda). Default: ${DEFAULT-VALUE}.")
        String[] regs;

        @Option(names = "--l1-ratio", defaultValue = "0.5", paramLabel = "F",
                description = "L1 share of the elastic net. Default: ${DEFAULT-VALUE}.")
        double l1Ratio;

        @Option(names = "--epochs", defaultValue = "10", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int epochs;

        @Option(names = "--batch", defaultValue = "256", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int batch;

        @Option(names = "--momentum", defaultValue = "0", paramLabel = "F",
                description = "Classical momentum in [0, 1). Default: ${DEFAULT-VALUE}.")
        double momentum;

        @Option(names = "--train-seed", defaultValue = "0", paramLabel = "S",
                description = "Seed of the initial weights and shuffles (the same for every candidate). Default: ${DEFAULT-VALUE}.")
        long trainSeed;

        @Option(names = "--folds", paramLabel = "K", defaultValue = "5", description = "K. Default: ${DEFAULT-VALUE}.")
        int folds;

        @Option(names = "--seed", paramLabel = "S",
                description = "Shuffle the rows with this seed before making folds (default: no shuffle, as scikit-learn).")
        Long seed;

        @Option(names = "--stratified", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Keep class proportions in every fold. Default: ${DEFAULT-VALUE}.")
        boolean stratified;

        @Option(names = "--standardize", defaultValue = "fold", paramLabel = "SCOPE",
                description = "fold (the model's own z-scores, fitted on each training fold only), all (fitted on"
                        + " all rows before the split: the lecture's recipe, which leaks) or none. Default: ${DEFAULT-VALUE}.")
        String standardize;

        @Option(names = "--scoring", defaultValue = "accuracy", paramLabel = "S",
                description = "accuracy or balanced (mean per-class recall). Default: ${DEFAULT-VALUE}.")
        String scoring;

        @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training rows.")
        Integer limit;

        @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors; results do not depend on it).")
        Integer threads;

        @Option(names = "--top", paramLabel = "N", defaultValue = "20", description = "Candidates shown in the text table (all go to --json). Default: ${DEFAULT-VALUE}.")
        int top;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Option(names = "--plot-png", paramLabel = "FILE",
                description = "Draw the mean CV score of every candidate against its number (# in the table), one line per loss.")
        java.nio.file.Path plotPng;

        @Override
        public Integer call() throws IOException {
            checkCv(folds, limit);
            for (double v : lrs) {
                if (!(v > 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("--lr values must be finite and > 0, got " + v);
                }
            }
            for (double v : lambdas) {
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("--lambda values must be finite and >= 0, got " + v);
                }
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
            }
            if (!(l1Ratio >= 0 && l1Ratio <= 1)) {
                throw new IllegalArgumentException("--l1-ratio must be in [0, 1], got " + l1Ratio);
            }
            OutputPaths.png(plotPng, "--plot-png");
            List<Loss> ls = new ArrayList<>();
            for (String l : losses) {
                Loss x = LinearCommand.loss(l);
                if (!ls.contains(x)) {
                    ls.add(x);
                }
            }
            List<Regularizer.Kind> ks = new ArrayList<>();
            for (String r : regs) {
                Regularizer.Kind x = LinearCommand.regularizer(r, 0, l1Ratio, false).kind();
                if (!ks.contains(x)) {
                    ks.add(x);
                }
            }
            LinearScaling ls2 = LinearScaling.parse(standardize);
            Scoring sc = scoring(scoring);
            int nThreads = LinearCommand.threads(threads);
            CvSpec cvBase = new CvSpec(folds, stratified, seed, ls2.cv(), sc);
            LinearConfig base = LinearConfig.defaults().withPreprocessing(ls2.model())
                    .withRegularizer(Regularizer.elasticNet(0, l1Ratio));
            SgdConfig sgd = SgdConfig.defaults().withEpochs(epochs).withBatchSize(batch).withMomentum(momentum)
                    .withSeed(trainSeed).withThreads(nThreads);
            LinearGridSearch.Grid grid = new LinearGridSearch.Grid(ls, ks, distinct(lrs), distinct(lambdas));
            try (LoadedData d = DataCommand.load(data, source); CvSplitOptions.Prepared prep = splits.prepare(d, limit, cvBase)) {
                Dataset train = prep.train();
                CvSpec cv = prep.cv();
                LinearGridReports.Report report = LinearGridReports.run(d.source(), train, prep.test(), grid, base, sgd, cv, stratified,
                        seed, standardize, "--lr");
                if (plotPng != null) {
                    Pictures.writePng(scorePerCandidate(report), plotPng);
                }
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(Json.write(report));
                } else {
                    print(out, report);
                    if (plotPng != null) {
                        out.printf("plot drawn to %s%n", plotPng);
                    }
                }
                out.flush();
                return 0;
            }
        }

        private static double[] distinct(double[] v) {
            return java.util.Arrays.stream(v).distinct().toArray();
        }

        /** Mean CV score against the candidate number, one line per loss (and penalty); diverged candidates left out. */
        static java.awt.image.BufferedImage scorePerCandidate(LinearGridReports.Report r) {
            java.util.Map<String, List<LinearGridReports.Row>> groups = new java.util.LinkedHashMap<>();
            boolean manyPenalties = r.results().stream().map(LinearGridReports.Row::penalty).distinct().count() > 1;
            for (LinearGridReports.Row x : r.results()) {
                groups.computeIfAbsent(x.loss() + (manyPenalties ? " " + x.penalty() : ""), key -> new ArrayList<>())
                        .add(x);
            }
            List<Charts.Series> series = new ArrayList<>();
            int c = 0;
            for (var e : groups.entrySet()) {
                List<LinearGridReports.Row> rows = e.getValue();
                double[] x = new double[rows.size()];
                double[] y = new double[rows.size()];
                for (int i = 0; i < x.length; i++) {
                    LinearGridReports.Row row = rows.get(i);
                    x[i] = row.candidate();
                    y[i] = row.mean() == null ? Double.NaN : row.mean();
                }
                series.add(new Charts.Series(e.getKey(), x, y, Charts.PALETTE[c++ % Charts.PALETTE.length],
                        Charts.Style.LINE_AND_POINTS));
            }
            LinearGridReports.Row b = r.best();
            series.add(new Charts.Series(String.format(Locale.ROOT, "best: #%d %s lr=%s lambda=%s", b.candidate(),
                    b.loss(), b.learningRate(), b.lambda()), new double[] {b.candidate()}, new double[] {b.mean()},
                    java.awt.Color.BLACK, Charts.Style.POINTS));
            return Charts.render(Math.max(720, 40 * r.candidates() + 120), 420, List.of(new Charts.Panel(
                    String.format(Locale.ROOT, "%d-fold cross-validated %s per candidate", r.folds(),
                            r.scoring()), "candidate (# in the table)", "mean CV " + r.scoring(), series, true)));
        }

        private void print(PrintWriter out, LinearGridReports.Report r) {
            out.printf(Locale.ROOT, "linear grid search on %s: %d rows x %d features, %d candidates, %d-fold%s%s,"
                    + " standardize %s, scoring %s; SGD %d epochs, batch %d, train seed %d%n", r.source(), r.rows(),
                    r.dims(), r.candidates(), r.folds(), r.stratified() ? " stratified" : "",
                    splits.shuffle(r.seed()), r.standardize(),
                    r.scoring(), r.epochs(), r.batchSize(), r.trainSeed());
            out.printf(Locale.ROOT, "%n%4s %4s  %-8s %-10s %9s %9s %8s %8s%n", "rank", "#", "loss", "penalty", "lr",
                    "lambda", "mean", "std");
            r.results().stream().sorted((a, b) -> Integer.compare(a.rank(), b.rank())).limit(Math.max(1, top))
                    .forEach(x -> out.printf(Locale.ROOT, "%4d %4d  %-8s %-10s %9.3g %9.3g %8s %8s%s%n", x.rank(),
                            x.candidate(), x.loss(), x.penalty(), x.learningRate(), x.lambda(), fmt(x.mean()),
                            fmt(x.std()), x.divergedFolds() > 0 ? "  (diverged on " + x.divergedFolds() + " folds)" : ""));
            LinearGridReports.Row b = r.best();
            out.printf(Locale.ROOT, "%nbest: #%d, loss %s, penalty %s, lr %s, lambda %s: mean CV %s %.4f (std %.4f)%n",
                    b.candidate(), b.loss(), b.penalty(), b.learningRate(), b.lambda(), r.scoring(), b.mean(), b.std());
            if (r.test() != null) {
                out.printf(Locale.ROOT, "refit on all %d training rows, test split (%d rows): accuracy %.4f, balanced"
                        + " accuracy %.4f, macro F1 %.4f%n", r.rows(), r.test().rows(), r.test().accuracy(),
                        r.test().balancedAccuracy(), r.test().macroF1());
            }
            out.printf(Locale.ROOT, "search time %.3f s%n", r.seconds());
        }

        private static String fmt(Double v) {
            return v == null ? "NaN" : String.format(Locale.ROOT, "%.4f", v);
        }
    }
}
