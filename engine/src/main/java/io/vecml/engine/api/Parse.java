package io.vecml.engine.api;

import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.train.Schedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * One parser per concept, with the same spellings, aliases and messages for every face (command
 * line, server, library). Each takes {@code what}, the name of the input as the face knows it
 * ({@code "--metric"}, {@code "field 'metric'"}), so an error names it; errors are
 * {@link IllegalArgumentException}s (bad input).
 */
public final class Parse {

    /** Largest k accepted in lists and ranges. */
    public static final int MAX_K = 1000;

    private Parse() {
    }

    private static String norm(String s) {
        return s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
    }

    /** {@code l1} (alias {@code manhattan}) or {@code l2} (alias {@code euclidean}). */
    public static Metric metric(String s, String what) {
        return switch (norm(s)) {
            case "l1", "manhattan" -> Metric.L1;
            case "l2", "euclidean" -> Metric.L2;
            default -> throw new IllegalArgumentException(what + ": expected l1 (manhattan) or l2 (euclidean), got '"
                    + s + "'");
        };
    }

    /** Comma-separated metrics in the order given, without duplicates. */
    public static List<Metric> metrics(String csv, String what) {
        List<Metric> out = new ArrayList<>();
        for (String p : split(csv, what)) {
            Metric m = metric(p, what);
            if (!out.contains(m)) {
                out.add(m);
            }
        }
        return out;
    }

    /** {@code uniform} or {@code distance}. */
    public static Weights weights(String s, String what) {
        return switch (norm(s)) {
            case "uniform" -> Weights.UNIFORM;
            case "distance" -> Weights.DISTANCE;
            default -> throw new IllegalArgumentException(what + ": expected uniform or distance, got '" + s + "'");
        };
    }

    /** Comma-separated weightings in the order given, without duplicates. */
    public static List<Weights> weightsList(String csv, String what) {
        List<Weights> out = new ArrayList<>();
        for (String p : split(csv, what)) {
            Weights w = weights(p, what);
            if (!out.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * Neighbour counts: {@code 5}, {@code 1,3,5}, {@code 1..30}, {@code 1..30:2} (every second) or a mix
     * ({@code 1..5,10,20..40:10}); sorted, without duplicates, each in 1..{@value #MAX_K}.
     */
    public static int[] ks(String s, String what) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String p : split(s, what)) {
            try {
                if (p.contains("..")) {
                    String[] ab = p.split("\\.\\.", -1);
                    if (ab.length != 2) {
                        throw new NumberFormatException();
                    }
                    int step = 1;
                    String hi = ab[1];
                    int colon = hi.indexOf(':');
                    if (colon >= 0) {
                        step = Integer.parseInt(hi.substring(colon + 1).strip());
                        hi = hi.substring(0, colon);
                    }
                    int a = Integer.parseInt(ab[0].strip());
                    int b = Integer.parseInt(hi.strip());
                    if (step < 1) {
                        throw new IllegalArgumentException(what + ": the step of " + p + " must be >= 1");
                    }
                    if (a > b) {
                        throw new IllegalArgumentException(what + ": empty range " + p);
                    }
                    checkK(a, p, what);
                    checkK(b, p, what);
                    for (int k = a; k <= b; k += step) {
                        out.add(k);
                    }
                } else {
                    int k = Integer.parseInt(p);
                    checkK(k, p, what);
                    out.add(k);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": expected numbers or ranges like 1..30 or 1..30:2, got '"
                        + p + "'");
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void checkK(int k, String part, String what) {
        if (k < 1 || k > MAX_K) {
            throw new IllegalArgumentException(what + ": values must be in 1.." + MAX_K + ", got " + part);
        }
    }

    /** {@code svm} (alias {@code hinge}) or {@code softmax} (alias {@code cross-entropy}). */
    public static Loss loss(String s, String what) {
        return switch (norm(s)) {
            case "svm", "hinge" -> Loss.SVM;
            case "softmax", "cross-entropy" -> Loss.SOFTMAX;
            default -> throw new IllegalArgumentException(what + ": expected svm (hinge) or softmax (cross-entropy), got '"
                    + s + "'");
        };
    }

    /**
     * A penalty: {@code none}, {@code l2}, {@code l1} or {@code elastic} (aliases {@code elasticnet},
     * {@code elastic-net}) with its strength and, for elastic net, the L1 share.
     */
    public static Regularizer penalty(String kind, double lambda, double l1Ratio, boolean bias, String what) {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException(what + ": lambda must be finite and >= 0, got " + lambda);
        }
        if (!(l1Ratio >= 0 && l1Ratio <= 1)) {
            throw new IllegalArgumentException(what + ": l1-ratio must be in [0, 1], got " + l1Ratio);
        }
        Regularizer r = switch (norm(kind)) {
            case "none" -> Regularizer.none();
            case "l2" -> Regularizer.l2(lambda);
            case "l1" -> Regularizer.l1(lambda);
            case "elastic", "elasticnet", "elastic-net" -> Regularizer.elasticNet(lambda, l1Ratio);
            default -> throw new IllegalArgumentException(what + ": expected l2, l1, elastic or none, got '" + kind + "'");
        };
        return r.withBias(bias);
    }

    /** {@code constant}, {@code step:FACTOR:EVERY} or {@code inverse:DECAY}. */
    public static Schedule schedule(String s, String what) {
        String[] p = norm(s).split(":", -1);
        try {
            switch (p[0]) {
                case "constant" -> {
                    if (p.length == 1) {
                        return Schedule.constant();
                    }
                }
                case "step" -> {
                    if (p.length == 3) {
                        return Schedule.step(Double.parseDouble(p[1]), Integer.parseInt(p[2]));
                    }
                }
                case "inverse" -> {
                    if (p.length == 2) {
                        return Schedule.inverseTime(Double.parseDouble(p[1]));
                    }
                }
                default -> { }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + s + "': " + e.getMessage()
                    + " is not a number (expected constant, step:FACTOR:EVERY or inverse:DECAY)");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " '" + s + "': " + e.getMessage());
        }
        throw new IllegalArgumentException(what + ": expected constant, step:FACTOR:EVERY (e.g. step:0.5:5) or"
                + " inverse:DECAY (e.g. inverse:0.1), got '" + s + "'");
    }

    /**
     * Feature preprocessing: {@code standardize} (aliases {@code standardise}, {@code zscore}),
     * {@code center} ({@code centre}) or {@code raw} ({@code none}).
     */
    public static Preprocessing preprocessing(String s, String what) {
        return switch (norm(s)) {
            case "standardize", "standardise", "zscore" -> Preprocessing.STANDARDIZE;
            case "center", "centre" -> Preprocessing.CENTER;
            case "raw", "none" -> Preprocessing.RAW;
            default -> throw new IllegalArgumentException(what + ": expected standardize, center or raw, got '" + s + "'");
        };
    }

    /** A thread count in 1..1024, or all processors for null. */
    public static int threads(Integer t, String what) {
        if (t != null && (t < 1 || t > 1024)) {
            throw new IllegalArgumentException(what + ": expected 1..1024, got " + t);
        }
        return t == null ? Runtime.getRuntime().availableProcessors() : t;
    }

    private static List<String> split(String csv, String what) {
        List<String> out = new ArrayList<>();
        for (String p : (csv == null ? "" : csv).split(",", -1)) {
            String t = p.strip();
            if (t.isEmpty()) {
                throw new IllegalArgumentException(what + ": empty value in '" + csv + "'");
            }
            out.add(t);
        }
        return out;
    }
}
