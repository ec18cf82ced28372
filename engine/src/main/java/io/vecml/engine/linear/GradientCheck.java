package io.vecml.engine.linear;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Checks the analytic gradient of an {@link Objective} against a centred numerical difference,
 * (J(W + h e) - J(W - h e)) / 2h, in double, on sampled weights.
 *
 * <p>Each entry also reports the float32 training path ({@link BatchGradient#shardGradient} plus the
 * penalty derivative the optimiser adds), so one run verifies both the mathematics and the fast
 * code. Relative errors are {@code |a - b| / max(|a|, |b|)} (0 when both are 0). The hinge and
 * |w| are not differentiable at their kinks: an entry whose perturbation crosses one (a margin
 * within h |x| of 0, or |w| &lt;= h under an L1 penalty) is flagged {@code nearKink}, and its
 * numerical value may legitimately differ.
 */
public final class GradientCheck {

    /** One checked weight. */
    public record Entry(int row, int column, double analytic, double numerical, double relativeError,
            double fastPath, double fastPathRelativeError, boolean nearKink) {
    }

    /**
     * The result: entries, and the largest errors over the entries away from kinks.
     *
     * @param maxRelativeError         analytic (double) vs numerical
     * @param maxFastPathRelativeError float32 GEMM path vs the analytic gradient
     */
    public record Result(List<Entry> entries, double maxRelativeError, double maxFastPathRelativeError) {
        public Result {
            entries = List.copyOf(entries);
        }
    }

    private GradientCheck() {
    }

    /** |a - b| / max(|a|, |b|), 0 when both are 0. */
    public static double relativeError(double a, double b) {
        double den = Math.max(Math.abs(a), Math.abs(b));
        return den == 0 ? 0 : Math.abs(a - b) / den;
    }

    /**
     * Checks on the first {@code rows} rows of {@code data} (preprocessed as {@code config} says,
     * statistics fitted on those rows), at weights drawn as {@code weightScale} x N(0, 1) from
     * {@code seed}, for {@code samples} weights chosen at random (the bias row included).
     */
    public static Result check(Dataset data, LinearConfig config, int rows, double weightScale, int samples,
            long seed, double h, Gemm gemm, Kernels kernels) {
        Objects.requireNonNull(data, "data");
        if (rows < 1 || rows > data.rows()) {
            throw new IllegalArgumentException("need 1.." + data.rows() + " rows, got " + rows);
        }
        try (Dataset part = data.select(java.util.stream.IntStream.range(0, rows).toArray())) {
            FeatureScaling scaling = FeatureScaling.fit(config.preprocessing(), part);
            int d = part.dims();
            int k = part.numClasses();
            double[][] x = new double[rows][d];
            int[] y = part.labels();
            float[] a = scaling.multipliers();
            float[] b = scaling.offsets();
            for (int r = 0; r < rows; r++) {
                for (int f = 0; f < d; f++) {
                    // the same float values the training path computes
                    x[r][f] = config.preprocessing() == Preprocessing.RAW ? part.value(r, f)
                            : Math.fma(a[f], part.value(r, f), b[f]);
                }
            }
            SplittableRandom rnd = new SplittableRandom(seed);
            double[] w = new double[(d + 1) * k];
            for (int i = 0; i < w.length; i++) {
                // float-representable, so the fast path sees exactly these weights
                w[i] = (float) (weightScale * rnd.nextGaussian());
            }
            return check(Objective.of(config), part, scaling, x, y, w, k, samples, rnd, h, gemm, kernels);
        }
    }

    /**
     * Checks at given weights.
     *
     * @param data    the rows for the fast path (may be null to skip it; fast-path values are then NaN)
     * @param x       the same rows preprocessed, in double
     */
    static Result check(Objective obj, Dataset data, FeatureScaling scaling, double[][] x, int[] y, double[] w,
            int classes, int samples, SplittableRandom rnd, double h, Gemm gemm, Kernels kernels) {
        int n = x.length;
        int d = x[0].length;
        double[] grad = new double[w.length];
        obj.lossAndGradient(x, y, w, classes, grad);
        float[] fast = data == null ? null : fastGradient(obj, data, scaling, w, classes, gemm, kernels);
        double[] scores = new double[n * classes];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                double s = w[d * classes + c];
                for (int f = 0; f < d; f++) {
                    s += x[i][f] * w[f * classes + c];
                }
                scores[i * classes + c] = s;
            }
        }
        List<Entry> entries = new ArrayList<>();
        double maxRel = 0;
        double maxFast = 0;
        for (int t = 0; t < samples; t++) {
            int idx = rnd.nextInt(w.length);
            int row = idx / classes;
            int col = idx % classes;
            double saved = w[idx];
            w[idx] = saved + h;
            double plus = obj.lossAndGradient(x, y, w, classes, null);
            w[idx] = saved - h;
            double minus = obj.lossAndGradient(x, y, w, classes, null);
            w[idx] = saved;
            double num = (plus - minus) / (2 * h);
            double rel = relativeError(grad[idx], num);
            double f = fast == null ? Double.NaN : fast[idx];
            double fastRel = fast == null ? Double.NaN : relativeError(grad[idx], f);
            boolean kink = nearKink(obj, x, y, scores, classes, row, col, saved, h);
            entries.add(new Entry(row, col, grad[idx], num, rel, f, fastRel, kink));
            if (!kink) {
                maxRel = Math.max(maxRel, rel);
                if (fast != null) {
                    maxFast = Math.max(maxFast, fastRel);
                }
            }
        }
        return new Result(entries, maxRel, fast == null ? Double.NaN : maxFast);
    }

    private static boolean nearKink(Objective obj, double[][] x, int[] y, double[] scores, int classes, int row,
            int col, double w, double h) {
        int d = x[0].length;
        Regularizer reg = obj.regularizer();
        if (reg.l1Ratio() > 0 && reg.lambda() > 0 && reg.penalises(row, d) && Math.abs(w) <= h) {
            return true;
        }
        if (obj.loss() != Loss.SVM) {
            return false;
        }
        // Moving W[row][col] by h moves score col of row i by h x_i[row]: margins that involve col move by that much.
        for (int i = 0; i < x.length; i++) {
            double move = h * Math.abs(row < d ? x[i][row] : 1) * (1 + 1e-9);
            int yi = y[i];
            double sy = scores[i * classes + yi];
            for (int j = 0; j < classes; j++) {
                if (j == yi || (col != j && col != yi)) {
                    continue;
                }
                double m = scores[i * classes + j] - sy + obj.delta();
                if (Math.abs(m) <= move) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The float32 training path's full gradient: one shard of all rows through
     * {@link BatchGradient#shardGradient} (the fused kernels, or the GEMMs beyond their class limit),
     * with class-major weights as the trainer keeps them, plus the penalty derivative.
     */
    private static float[] fastGradient(Objective obj, Dataset data, FeatureScaling scaling, double[] w, int classes,
            Gemm gemm, Kernels kernels) {
        int n = data.rows();
        int d = data.dims();
        int size = w.length;
        int cs = BatchGradient.classStride(d);
        try (Arena arena = Arena.ofShared();
             BatchGradient bg = new BatchGradient(obj, scaling, classes, n, gemm, kernels)) {
            MemorySegment ws = arena.allocate((long) classes * cs * Float.BYTES, 64);
            MemorySegment g = arena.allocate((long) classes * cs * Float.BYTES, 64);
            for (int i = 0; i < size; i++) {
                ws.setAtIndex(ValueLayout.JAVA_FLOAT, (long) (i % classes) * cs + i / classes, (float) w[i]);
            }
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            bg.shardGradient(data, all, 0, n, ws, n, g);
            float[] out = new float[size];
            Regularizer reg = obj.regularizer();
            for (int i = 0; i < size; i++) {
                out[i] = g.getAtIndex(ValueLayout.JAVA_FLOAT, (long) (i % classes) * cs + i / classes);
                if (reg.penalises(i / classes, d)) {
                    out[i] += (float) reg.derivative((float) w[i]);
                }
            }
            return out;
        }
    }
}
