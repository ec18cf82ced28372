package io.vecml.cli;

import io.vecml.engine.api.Parse;
import io.vecml.engine.api.Standardize;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.CvSpec;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Weights;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vecml cv knn}: the cross-validated score of one kNN model. */
@Command(name = "knn", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Cross-validated score of one kNN model (one k, one metric)."},
        footer = {"", "Example:", "  vecml cv knn --data embedded:digits --k 3 --metric l2 --folds 5 --cv-seed 1"})
final class CvKnnCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CvOptions cv;

    @Mixin
    DataSourceOptions source;

    @Option(names = "--k", defaultValue = "5", paramLabel = "K", description = "Neighbours. Default: ${DEFAULT-VALUE}.")
    String k;

    @Option(names = "--metric", defaultValue = "l2", paramLabel = "M", description = "l1 or l2. Default: ${DEFAULT-VALUE}.")
    String metric;

    @Option(names = "--weights", defaultValue = "uniform", paramLabel = "W",
            description = "uniform or distance. Default: ${DEFAULT-VALUE}.")
    String weights;

    @Option(names = "--standardize", defaultValue = "none", paramLabel = "SCOPE",
            description = "none; train (fitted on each training fold only); all (fitted on all rows before the"
                    + " split: the lecture's recipe, which leaks). Default: ${DEFAULT-VALUE}.")
    String standardize;

    @Override
    public Integer call() throws IOException {
        int[] ks = Parse.ks(k, "--k");
        if (ks.length != 1) {
            throw new IllegalArgumentException("--k: cv scores one model, give one k (grid knn searches several), got '"
                    + k + "'");
        }
        int kk = ks[0];
        Metric m = Parse.metric(metric, "--metric");
        Weights w = Parse.weights(weights, "--weights");
        Standardize st = Standardize.parse(standardize, "--standardize");
        CvSpec.Scaling scaling = st.knnScaling("--standardize");
        int threads = cv.threads();
        String model = String.format(Locale.ROOT, "kNN (k %d, %s, %s weights)", kk, m, w.name().toLowerCase(Locale.ROOT));
        return cv.run(spec, source, st, scaling, model, (train, test) -> {
            if (kk > train.rows()) {
                throw new IllegalArgumentException("--k " + kk + " is more than the " + train.rows()
                        + " training rows of a fold");
            }
            try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(m).withWeights(w).withThreads(threads)).fit(train)) {
                return knn.predict(test, kk);
            }
        });
    }
}
