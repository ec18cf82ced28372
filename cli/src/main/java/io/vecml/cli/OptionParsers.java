package io.vecml.cli;

import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Parsing of option values shared by several commands, with the same error messages everywhere. */
final class OptionParsers {

    private OptionParsers() {
    }

    /** One metric: l1 / manhattan or l2 / euclidean. */
    static Metric metric(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "l1", "manhattan" -> Metric.L1;
            case "l2", "euclidean" -> Metric.L2;
            default -> throw new IllegalArgumentException("--metric: expected l1 or l2, got '" + name + "'");
        };
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
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "uniform" -> Weights.UNIFORM;
            case "distance" -> Weights.DISTANCE;
            default -> throw new IllegalArgumentException("--weights: expected uniform or distance, got '" + name + "'");
        };
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
