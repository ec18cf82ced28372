package io.vecml.cli.serve;

import io.vecml.engine.data.Dataset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A fitted model held by the server. A kNN model keeps its training dataset (a lease) until freed. */
final class ModelEntry extends Shared {

    /** What a model type does with query rows. */
    interface Predictor {
        int[] predict(Dataset queries);

        /** Gives back what the model holds (native memory, a dataset lease). */
        void close();
    }

    final String name;
    final String type;
    final String dataset;
    final Map<String, Object> params;
    final List<String> classNames;
    final int dims;
    final Dataset.Type dataType;
    final int trainRows;
    final double fitSeconds;
    final Map<String, Object> training;
    private final Predictor predictor;

    ModelEntry(String name, String type, String dataset, Map<String, Object> params, Dataset train, double fitSeconds,
            Map<String, Object> training, Predictor predictor) {
        this.name = name;
        this.type = type;
        this.dataset = dataset;
        this.params = params;
        this.classNames = train.classNames();
        this.dims = train.dims();
        this.dataType = train.type();
        this.trainRows = train.rows();
        this.fitSeconds = fitSeconds;
        this.training = training;
        this.predictor = predictor;
    }

    int[] predict(Dataset queries) {
        return predictor.predict(queries);
    }

    Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("type", type);
        m.put("dataset", dataset);
        m.put("params", params);
        m.put("trainRows", trainRows);
        m.put("dims", dims);
        m.put("dataType", dataType.name().toLowerCase(Locale.ROOT));
        m.put("classes", classNames.size());
        m.put("fitSeconds", fitSeconds);
        if (training != null) {
            m.put("training", training);
        }
        return m;
    }

    @Override
    protected void free() {
        predictor.close();
    }
}
