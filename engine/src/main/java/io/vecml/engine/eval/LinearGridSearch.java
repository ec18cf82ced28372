package io.vecml.engine.eval;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.progress.ProgressListener;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import io.vecml.engine.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Cross-validated grid search for the linear classifier over loss x penalty kind x learning rate x
 * penalty strength (lambda). Every candidate is trained by {@link SgdTrainer} on each training fold
 * with the same {@link SgdConfig} (same seed, epochs, batch size) except its learning rate, and
 * scores the held-out fold, so a candidate's fold scores are exactly what training it alone on those
 * folds gives.
 *
 * <p>Order: loss outermost, then penalty kind, then learning rate, then lambda (innermost), each in
 * the order given. The penalty kind {@code NONE} ignores lambda and gives one candidate per loss and
 * learning rate (lambda 0). Ranks are scikit-learn's ("min" ranking of the mean score); the best
 * candidate is the first with rank 1.
 *
 * <p>Standardisation: the model's own preprocessing ({@link LinearConfig#preprocessing()}) is
 * fitted by the trainer on each training fold's rows only, so it is the per-fold standardisation:
 * use {@link CvSpec.Scaling#NONE} with {@link Preprocessing#STANDARDIZE} for "standardise inside each
 * fold". {@link CvSpec.Scaling#FOLD} or {@link CvSpec.Scaling#ALL} scale the rows before the model
 * sees them and are only accepted with {@link Preprocessing#RAW} (anything else would transform
 * twice).
 *
 * <p>A candidate whose training diverges on a fold (NaN or infinite loss: learning rate too high)
 * gets NaN for that fold and a NaN mean; NaN means rank below every finite one (as scikit-learn's
 * {@code error_score=np.nan}).
 */
public final class LinearGridSearch {

    private LinearGridSearch() {
    }

    /**
     * The grid.
     *
     * @param losses        svm and/or softmax
     * @param penalties     penalty kinds (elastic net uses the base configuration's l1 ratio when it
     *                      has one, else 0.5)
     * @param learningRates SGD learning rates (> 0)
     * @param lambdas       penalty strengths (>= 0)
     */
    public record Grid(List<Loss> losses, List<Regularizer.Kind> penalties, double[] learningRates, double[] lambdas) {

        public Grid {
            losses = List.copyOf(losses);
            penalties = List.copyOf(penalties);
            learningRates = learningRates.clone();
            lambdas = lambdas.clone();
            if (losses.isEmpty() || penalties.isEmpty() || learningRates.length == 0 || lambdas.length == 0) {
                throw new IllegalArgumentException(
                        "the grid needs at least one loss, one penalty, one learning rate and one lambda");
            }
            for (double lr : learningRates) {
                if (!(lr > 0) || Double.isInfinite(lr)) {
                    throw new IllegalArgumentException("learning rates must be finite and > 0, got " + lr);
                }
            }
            for (double l : lambdas) {
                if (!(l >= 0) || Double.isInfinite(l)) {
                    throw new IllegalArgumentException("lambdas must be finite and >= 0, got " + l);
                }
            }
        }

        /** An L2 grid. */
        public static Grid l2(List<Loss> losses, double[] learningRates, double[] lambdas) {
            return new Grid(losses, List.of(Regularizer.Kind.L2), learningRates, lambdas);
        }
    }

    /** One grid point: what to train. */
    public record Params(Loss loss, Regularizer regularizer, double learningRate) {

        /** The base configurations with this point's loss, penalty and learning rate. */
        public LinearConfig config(LinearConfig base) {
            return base.withLoss(loss).withRegularizer(regularizer);
        }

        public SgdConfig sgd(SgdConfig base) {
            return base.withLearningRate(learningRate);
        }
    }

    /**
     * One grid point and its cross-validated scores.
     *
     * @param index         0-based position in grid order
     * @param divergedFolds folds on which training diverged (their scores are NaN)
     */
    public record Candidate(int index, Params params, double[] foldScores, double mean, double std, int rank,
            int divergedFolds) {
    }

    /** All candidates in grid order, and the best. */
    public record Result(List<Candidate> candidates, Candidate best, int folds, double seconds) {
    }

    /** The grid points in grid order. */
    public static List<Params> points(Grid grid, LinearConfig base) {
        Regularizer b = base.regularizer();
        double ratio = b.kind() == Regularizer.Kind.ELASTIC_NET ? b.l1Ratio() : 0.5;
        List<Params> out = new ArrayList<>();
        for (Loss loss : grid.losses()) {
            for (Regularizer.Kind kind : grid.penalties()) {
                for (double lr : grid.learningRates()) {
                    if (kind == Regularizer.Kind.NONE) {
                        out.add(new Params(loss, Regularizer.none().withBias(b.includeBias()), lr));
                        continue;
                    }
                    for (double lambda : grid.lambdas()) {
                        Regularizer r = switch (kind) {
                            case L2 -> Regularizer.l2(lambda);
                            case L1 -> Regularizer.l1(lambda);
                            case ELASTIC_NET -> Regularizer.elasticNet(lambda, ratio);
                            case NONE -> throw new AssertionError();
                        };
                        out.add(new Params(loss, r.withBias(b.includeBias()), lr));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Runs the search on {@code data}.
     *
     * @param base the loss margin, penalty bias flag, l1 ratio and preprocessing of every candidate
     * @param sgd  epochs, batch size, seed, schedule, momentum, threads of every candidate
     */
    public static Result run(Dataset data, Grid grid, LinearConfig base, SgdConfig sgd, CvSpec cv) {
        return run(data, grid, base, sgd, cv, ProgressListener.NONE);
    }

    /** As above; {@code progress} hears the trainings done out of folds x candidates (stage {@code "grid search"}). */
    public static Result run(Dataset data, Grid grid, LinearConfig base, SgdConfig sgd, CvSpec cv,
            ProgressListener progress) {
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(grid, "grid");
        io.vecml.engine.data.DataChecks.requireTrainable(data, "the linear grid search");
        checkScaling(base, cv);
        long t0 = System.nanoTime();
        List<Params> points = points(grid, base);
        int n = points.size();
        double[][] fold = new double[n][cv.folds()];
        int[] diverged = new int[n];
        CrossValidation.forEachFold(data, cv, (f, train, test) -> {
            for (int i = 0; i < n; i++) {
                int[] p = fitPredict(train, test, points.get(i), base, sgd);
                if (p == null) {
                    fold[i][f] = Double.NaN;
                    diverged[i]++;
                } else {
                    fold[i][f] = cv.scoring().score(p, test.labels(), data.numClasses());
                }
                progress.update("grid search", (long) f * n + i + 1, (long) cv.folds() * n);
            }
        });
        double[] means = new double[n];
        for (int i = 0; i < n; i++) {
            means[i] = CrossValidation.mean(fold[i]);
        }
        List<Candidate> out = new ArrayList<>(n);
        Candidate best = null;
        for (int i = 0; i < n; i++) {
            int rank = 1;
            for (double other : means) {
                // NaN ranks below everything: it is never greater, and every finite mean is above it
                rank += other > means[i] || Double.isNaN(means[i]) && !Double.isNaN(other) ? 1 : 0;
            }
            Candidate c = new Candidate(i, points.get(i), fold[i].clone(), means[i], CrossValidation.std(fold[i]),
                    rank, diverged[i]);
            out.add(c);
            if (best == null && rank == 1) {
                best = c;
            }
        }
        return new Result(List.copyOf(out), best, cv.folds(), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Trains {@code params} on all of {@code data} (the refit after the search). With the lecture's
     * {@link CvSpec.Scaling#ALL} or with {@link CvSpec.Scaling#FOLD} the model standardises by itself
     * ({@link Preprocessing#STANDARDIZE} fitted on all of {@code data}: the same z-scores, kept in the
     * model, so it applies them to any later rows).
     *
     * @throws IllegalStateException when training diverges
     */
    public static TrainingResult refit(Dataset data, Params params, LinearConfig base, SgdConfig sgd, CvSpec cv) {
        checkScaling(base, cv);
        LinearConfig cfg = params.config(base);
        if (cv.scaling() != CvSpec.Scaling.NONE) {
            cfg = cfg.withPreprocessing(Preprocessing.STANDARDIZE);
        }
        return SgdTrainer.train(data, cfg, params.sgd(sgd), null);
    }

    /** Trains on {@code train} and predicts {@code test}; null when training diverged. */
    static int[] fitPredict(Dataset train, Dataset test, Params params, LinearConfig base, SgdConfig sgd) {
        TrainingResult r;
        try {
            r = SgdTrainer.train(train, params.config(base), params.sgd(sgd), null);
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).contains("diverged")) {
                return null;
            }
            throw e;
        }
        return r.model().predict(test, sgd.threads());
    }

    private static void checkScaling(LinearConfig base, CvSpec cv) {
        if (cv.scaling() != CvSpec.Scaling.NONE && base.preprocessing() != Preprocessing.RAW) {
            throw new IllegalArgumentException("cross-validation scaling " + cv.scaling() + " with the model's own "
                    + base.preprocessing().id() + " preprocessing would transform twice: use scaling NONE (the model's"
                    + " preprocessing is fitted on each training fold) or preprocessing raw");
        }
    }
}
