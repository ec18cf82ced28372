package io.vecml.engine.api;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.LoadedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Rows to predict, with or without labels. A {@code .npy} feature file without a label file (given,
 * or found next to it by name as the dataset reader finds it) and a CSV file with exactly as many
 * columns as the model has features (and no label column named) are read as features only;
 * anything else is read as a labelled dataset, whose test split is used (or its only split).
 * Closing frees what was read.
 */
public final class PredictionRows implements AutoCloseable {

    private final Dataset rows;
    private final boolean labelled;
    private final String source;
    private final String split;
    private final List<String> warnings;
    private final AutoCloseable owner;

    private PredictionRows(Dataset rows, boolean labelled, String source, String split, List<String> warnings,
            AutoCloseable owner) {
        this.rows = rows;
        this.labelled = labelled;
        this.source = source;
        this.split = split;
        this.warnings = warnings;
        this.owner = owner;
    }

    /**
     * Reads {@code path} for a model of {@code features} features.
     *
     * @param split for a labelled dataset: "train" or "test", or null for its test split when it has
     *              one, else its only split
     */
    public static PredictionRows load(String path, LoadOptions options, int features, String split)
            throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        String want = split == null ? null : split.strip().toLowerCase(Locale.ROOT);
        if (want != null && !want.equals("train") && !want.equals("test")) {
            throw new IllegalArgumentException("--split must be train or test, got '" + split + "'");
        }
        boolean embedded = path.toLowerCase(Locale.ROOT).startsWith("embedded:");
        if (!embedded) {
            Path p = Path.of(path);
            if (!Files.exists(p)) {
                throw new NoSuchFileException(path, null, "no such file or folder");
            }
            if (want == null) {
                Dataset unlabelled = UnlabelledData.read(p, options, features);
                if (unlabelled != null) {
                    return new PredictionRows(unlabelled, false, path, "all", List.of(), unlabelled);
                }
            }
        }
        LoadedData d = Datasets.load(path, options);
        try {
            String s = want != null ? want : d.hasTest() ? "test" : "train";
            Dataset rows = d.splits().get(s);
            if (rows == null) {
                throw new IllegalArgumentException("--split test: " + path + " has no test split (it has "
                        + d.splits().keySet() + ")");
            }
            return new PredictionRows(rows, true, d.source(), d.hasTest() ? s : "all", d.warnings(), d);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** The rows (their labels are meaningful only when {@link #labelled()}). */
    public Dataset rows() {
        return rows;
    }

    /** Whether the rows came with labels (a score can be computed). */
    public boolean labelled() {
        return labelled;
    }

    public String source() {
        return source;
    }

    /** "test", "train", or "all" (the file's only rows). */
    public String split() {
        return split;
    }

    /** The reader's warnings about the labels (classes without rows). */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public void close() {
        try {
            owner.close();
        } catch (Exception e) {
            // freeing native memory does not fail
        }
    }
}
