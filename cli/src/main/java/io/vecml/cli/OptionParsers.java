package io.vecml.cli;

import io.vecml.engine.api.Parse;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.Weights;
import java.util.ArrayList;
import java.util.List;

/** Option values of several commands, parsed by the application API ({@link Parse}) with the option names. */
final class OptionParsers {

    private OptionParsers() {
    }

    /** One metric: l1 / manhattan or l2 / euclidean. */
    static Metric metric(String name) {
        return Parse.metric(name, "--metric");
    }

    /** Metrics in the order given, without duplicates. */
    static List<Metric> metrics(String[] names) {
        List<Metric> ms = new ArrayList<>();
        for (String n : names) {
            Metric m = metric(n);
            if (!ms.contains(m)) {
                ms.add(m);
            }
        }
        return ms;
    }

    /** One weighting: uniform or distance. */
    static Weights weights(String name) {
        return Parse.weights(name, "--weights");
    }

    /** Weightings in the order given, without duplicates. */
    static List<Weights> weights(String[] names) {
        List<Weights> ws = new ArrayList<>();
        for (String n : names) {
            Weights w = weights(n);
            if (!ws.contains(w)) {
                ws.add(w);
            }
        }
        return ws;
    }
}
