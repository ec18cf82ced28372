package io.vecml.engine.api;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.train.EpochStats;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import io.vecml.engine.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A linear classifier (multiclass SVM or softmax, bias trick) trained by minibatch SGD, behind
 * {@link Classifier}. Training is bit-identical whatever the thread count.
 */
public final class LinearModel implements Classifier {

    /**
     * @param model what is learnt: loss, margin, penalty, preprocessing
     * @param sgd   how: learning rate, batch, epochs, seed, schedule, momentum, validation (its
     *              thread count is replaced by the {@link RunOptions}' one)
     */
    public record Params(LinearConfig model, SgdConfig sgd) {
        public Params {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(sgd, "sgd");
        }

        /** The engine's defaults ({@link LinearConfig#defaults()}, {@link SgdConfig#defaults()}). */
        public static Params defaults() {
            return new Params(LinearConfig.defaults(), SgdConfig.defaults());
        }
    }

    private final Params params;
    private final RunOptions run;
    private volatile LinearClassifier model;
    private volatile TrainingResult training;
    private Consumer<EpochStats> listener;

    public LinearModel(Params params, RunOptions run) {
        this.params = Objects.requireNonNull(params, "params");
        this.run = Objects.requireNonNull(run, "run");
    }

    /** A fitted model from the engine's classifier (e.g. one read by {@link LinearClassifier#load}). */
    public static LinearModel of(LinearClassifier fitted, RunOptions run) {
        LinearModel m = new LinearModel(new Params(fitted.config(), SgdConfig.defaults()), run);
        m.model = fitted;
        return m;
    }

    /** Hears every epoch as it ends during {@link #fit} (progress, curves); returns this. */
    public LinearModel onEpoch(Consumer<EpochStats> l) {
        this.listener = l;
        return this;
    }

    public Params params() {
        return params;
    }

    @Override
    public String kind() {
        return "linear";
    }

    /**
     * Trains on {@code train}.
     *
     * @throws IllegalStateException when the loss diverges (NaN or infinite: lower the learning rate)
     */
    @Override
    public LinearModel fit(Dataset train) {
        Objects.requireNonNull(train, "train");
        if (train.dims() == 0) {
            throw new IllegalArgumentException("cannot train a linear classifier on data with 0 features");
        }
        TrainingResult r = SgdTrainer.train(train, params.model(), params.sgd().withThreads(run.threads()),
                io.vecml.engine.gemm.GemmSelection.current()::create, listener, run.progress());
        training = r;
        model = r.model();
        return this;
    }

    /** The epochs of the last {@link #fit}, or empty for a loaded model. */
    public java.util.Optional<TrainingResult> training() {
        return java.util.Optional.ofNullable(training);
    }

    /** The fitted engine model (weights, scaling). */
    public LinearClassifier classifier() {
        LinearClassifier m = model;
        if (m == null) {
            throw new IllegalStateException("call fit(train) before using the linear model");
        }
        return m;
    }

    private LinearClassifier checked(Dataset data) {
        LinearClassifier m = classifier();
        if (data.dims() != m.dims()) {
            throw new IllegalArgumentException("the data has " + data.dims() + " features but the model was fitted on "
                    + m.dims());
        }
        return m;
    }

    @Override
    public int[] predict(Dataset data) {
        return checked(data).predict(data, run.threads());
    }

    /** Softmax: probabilities; SVM: the class scores W x + b. */
    @Override
    public Scores scores(Dataset data) {
        LinearClassifier m = checked(data);
        if (m.loss() == Loss.SOFTMAX) {
            return predictProba(data);
        }
        return scores(Scores.Kind.MARGINS, m.scores(data, run.threads()), data.rows(), m.numClasses());
    }

    @Override
    public Scores predictProba(Dataset data) {
        LinearClassifier m = checked(data);
        if (m.loss() != Loss.SOFTMAX) {
            throw new UnsupportedOperationException("an " + m.loss().id() + " model gives class scores, not"
                    + " probabilities: train with the softmax loss, or use scores()");
        }
        return scores(Scores.Kind.PROBABILITIES, m.probabilities(data, run.threads()), data.rows(), m.numClasses());
    }

    private static Scores scores(Scores.Kind kind, float[] v, int rows, int classes) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return new Scores(kind, rows, classes, d);
    }

    @Override
    public int dims() {
        return classifier().dims();
    }

    @Override
    public int numClasses() {
        return classifier().numClasses();
    }

    @Override
    public List<String> classNames() {
        return classifier().classNames();
    }

    /** The linear model file (its own checksummed format, which {@link Models#load} also reads). */
    @Override
    public void save(Path file) throws IOException {
        classifier().save(file);
    }

    @Override
    public void close() {
        // weights live on the heap
    }
}
