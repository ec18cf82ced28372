package io.vecml.engine.linear;

import java.util.Locale;
import java.util.Objects;

/**
 * The regularisation term added to the mean data loss, over the weight rows of the features; the
 * bias row (the last row of W) only when {@code includeBias} is set.
 *
 * <ul>
 *   <li>{@link Kind#L2}: lambda * sum W^2 (gradient 2 lambda W).</li>
 *   <li>{@link Kind#L1}: lambda * sum |W| (subgradient lambda sign(W), 0 at 0).</li>
 *   <li>{@link Kind#ELASTIC_NET}: lambda * (l1Ratio * sum |W| + (1 - l1Ratio) * sum W^2).</li>
 *   <li>{@link Kind#NONE}: nothing.</li>
 * </ul>
 *
 * @param kind        the penalty
 * @param lambda      its strength, >= 0
 * @param l1Ratio     the L1 share of the elastic net, in [0, 1] (1 for L1, 0 for L2, 0 for none)
 * @param includeBias whether the bias row is penalised too
 */
public record Regularizer(Kind kind, double lambda, double l1Ratio, boolean includeBias) {

    /** Which penalty. */
    public enum Kind {
        NONE("none"), L2("l2"), L1("l1"), ELASTIC_NET("elasticnet");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        /** The name used on the command line and in model files. */
        public String id() {
            return id;
        }

        /** The kind with this {@link #id()} (case-insensitive; "elastic-net" and "elastic_net" too). */
        public static Kind fromId(String id) {
            String s = id == null ? "" : id.strip().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
            for (Kind k : values()) {
                if (k.id.equals(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown regularisation '" + id + "': expected none, l2, l1 or elasticnet");
        }
    }

    public Regularizer {
        Objects.requireNonNull(kind, "kind");
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("regularisation strength lambda must be finite and >= 0, got " + lambda);
        }
        if (!(l1Ratio >= 0 && l1Ratio <= 1)) {
            throw new IllegalArgumentException("l1Ratio must be in [0, 1], got " + l1Ratio);
        }
        switch (kind) {
            case NONE -> {
                lambda = 0;
                l1Ratio = 0;
            }
            case L2 -> l1Ratio = 0;
            case L1 -> l1Ratio = 1;
            case ELASTIC_NET -> { }
        }
    }

    public static Regularizer none() {
        return new Regularizer(Kind.NONE, 0, 0, false);
    }

    public static Regularizer l2(double lambda) {
        return new Regularizer(Kind.L2, lambda, 0, false);
    }

    public static Regularizer l1(double lambda) {
        return new Regularizer(Kind.L1, lambda, 1, false);
    }

    public static Regularizer elasticNet(double lambda, double l1Ratio) {
        return new Regularizer(Kind.ELASTIC_NET, lambda, l1Ratio, false);
    }

    /** The same penalty, with the bias row included or not. */
    public Regularizer withBias(boolean include) {
        return new Regularizer(kind, lambda, l1Ratio, include);
    }

    /** Whether the penalty is identically zero. */
    public boolean isZero() {
        return kind == Kind.NONE || lambda == 0;
    }

    /** The penalty of one weight. */
    public double penalty(double w) {
        return lambda * (l1Ratio * Math.abs(w) + (1 - l1Ratio) * w * w);
    }

    /** The (sub)gradient of {@link #penalty} at w; sign(0) = 0. */
    public double derivative(double w) {
        return lambda * (l1Ratio * Math.signum(w) + 2 * (1 - l1Ratio) * w);
    }

    /** Whether weight row {@code row} of a model with {@code dims} features is penalised. */
    public boolean penalises(int row, int dims) {
        return row < dims || includeBias;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case L2, L1 -> kind.id + "(" + lambda + ")" + (includeBias ? "+bias" : "");
            case ELASTIC_NET -> "elasticnet(" + lambda + ", l1Ratio=" + l1Ratio + ")" + (includeBias ? "+bias" : "");
        };
    }
}
