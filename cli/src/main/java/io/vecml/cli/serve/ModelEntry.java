package io.vecml.cli.serve;

import io.vecml.engine.api.Classifier;
import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fitted (or loaded) model held by the server: a {@link Classifier} of the application API. A kNN
 * model fitted on a dataset keeps the dataset (a lease) until freed.
 */
final class ModelEntry extends Shared {

    final String name;
    final String type;
    /** The dataset it was fitted on, or null for a model loaded from a file. */
    final String dataset;
    /** The file it was loaded from (relative to --model-dir), or null. */
    final String file;
    final Map<String, Object> params;
    final List<String> classNames;
    final int dims;
    /** The training rows' type (kNN and fitted models), or null when unknown (a loaded template or linear model). */
    final Dataset.Type dataType;
    /** Training rows, or -1 when unknown. */
    final int trainRows;
    final double fitSeconds;
    final Map<String, Object> training;
    final Classifier model;
    private final Runnable onFree;
    /** kNN only: the same training set searched with the other metric, made on first use. */
    private KnnModel otherMetric;

    ModelEntry(String name, String dataset, String file, Map<String, Object> params, Dataset.Type dataType,
            int trainRows, double fitSeconds, Map<String, Object> training, Classifier model, Runnable onFree) {
        this.name = name;
        this.type = model.kind();
        this.dataset = dataset;
        this.file = file;
        this.params = params;
        this.classNames = model.classNames();
        this.dims = model.dims();
        this.dataType = dataType;
        this.trainRows = trainRows;
        this.fitSeconds = fitSeconds;
        this.training = training;
        this.model = model;
        this.onFree = onFree;
    }

    /**
     * The kNN model to ask for {@code metric}: this one, or a second {@link KnnModel} on the same
     * training set (fitted once, on the first request that names the other metric, and kept).
     */
    synchronized KnnModel knn(Metric metric, RunOptions run) {
        KnnModel k = (KnnModel) model;
        if (metric == null || metric == k.params().metric()) {
            return k;
        }
        if (otherMetric == null) {
            otherMetric = new KnnModel(k.params().withMetric(metric), run).fit(k.trainingSet());
        }
        return otherMetric;
    }

    Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("type", type);
        m.put("dataset", dataset);
        if (file != null) {
            m.put("file", file);
        }
        m.put("params", params);
        m.put("trainRows", trainRows < 0 ? null : trainRows);
        m.put("dims", dims);
        m.put("dataType", dataType == null ? null : dataType.name().toLowerCase(Locale.ROOT));
        m.put("classes", classNames.size());
        m.put("fitSeconds", fitSeconds);
        if (training != null) {
            m.put("training", training);
        }
        return m;
    }

    @Override
    protected void free() {
        synchronized (this) {
            if (otherMetric != null) {
                otherMetric.close();
                otherMetric = null;
            }
        }
        model.close();
        if (onFree != null) {
            onFree.run();
        }
    }
}
