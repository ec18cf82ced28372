package io.vecml.engine.api;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.eval.Scoring;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The one interface of every classifier (kNN, template, linear), for the command line, the server
 * and library users alike. A classifier is configured when it is made, then {@link #fit fitted};
 * predictions, scores and saved files do not depend on the {@link RunOptions}.
 *
 * <p>Queries may be uint8 or float32 whatever the training data was: a float32 query whose values
 * are all integers in 0..255 is converted exactly for a uint8 model; other values are computed in
 * float.
 */
public sealed interface Classifier extends AutoCloseable permits KnnModel, TemplateModel, LinearModel {

    /** {@code knn}, {@code template} or {@code linear}. */
    String kind();

    /** Fits on the rows and labels of {@code train}; returns this. */
    Classifier fit(Dataset train);

    /** The predicted class of every row. */
    int[] predict(Dataset data);

    /** Per-class scores of every row; see {@link Scores.Kind} for what each model gives. */
    Scores scores(Dataset data);

    /**
     * Class probabilities (kNN: vote shares; softmax: probabilities).
     *
     * @throws UnsupportedOperationException for models without probabilities (SVM, template), with a message
     */
    Scores predictProba(Dataset data);

    /** {@code scoring} of {@link #predict} against the rows' labels (NaN for no rows). */
    default double score(Dataset data, Scoring scoring) {
        int[] p = predict(data);
        return p.length == 0 ? Double.NaN : scoring.score(p, data.labels(), Math.max(numClasses(), data.numClasses()));
    }

    /** Features the model was fitted on. */
    int dims();

    int numClasses();

    List<String> classNames();

    /** Writes the fitted model (versioned, checksummed, atomically); {@link Models#load} reads it back. */
    void save(Path file) throws IOException;

    /** Frees native memory the model holds (never the training set it was given). */
    @Override
    void close();
}
