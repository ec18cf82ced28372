package io.vecml.spark;

import io.vecml.engine.api.Parse;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.Weights;
import java.util.Locale;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/** The parameters shared by {@link VecmlKnnClassifier} and its model, made for one owner. */
final class KnnParams implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    final Param<String> featuresCol;
    final Param<String> labelCol;
    final Param<String> predictionCol;
    final Param<String> probabilityCol;
    final Param<String> neighborsCol;
    final Param<String> distancesCol;
    final IntParam k;
    final Param<String> metric;
    final Param<String> weights;
    final IntParam numShards;
    final IntParam queryBlockSize;
    final Param<String> imageShape;

    KnnParams(Params owner) {
        featuresCol = new Param<>(owner, "featuresCol", "features column: ML Vector, array<float>/array<double> or"
                + " binary (uint8)");
        labelCol = new Param<>(owner, "labelCol", "label column (class indices 0, 1, 2, ...)");
        predictionCol = new Param<>(owner, "predictionCol", "prediction column name");
        probabilityCol = new Param<>(owner, "probabilityCol", "column of the neighbours' vote shares per class"
                + " (empty: none)");
        neighborsCol = new Param<>(owner, "neighborsCol", "column of the k nearest training rows' indices (0-based,"
                + " in training DataFrame order), nearest first (empty: none)");
        distancesCol = new Param<>(owner, "distancesCol", "column of the k nearest distances (L1, or Euclidean for"
                + " L2) (empty: none)");
        k = new IntParam(owner, "k", "neighbours that vote (1.." + Parse.MAX_K + ")",
                ParamValidators.inRange(1, Parse.MAX_K));
        metric = new Param<>(owner, "metric", "distance: l1 or l2", ParamValidators.inArray(new String[] {"l1", "l2"}));
        weights = new Param<>(owner, "weights", "vote weights: uniform or distance (1/d, scikit-learn's rule)",
                ParamValidators.inArray(new String[] {"uniform", "distance"}));
        numShards = new IntParam(owner, "numShards", "training shards (partitions); 0: the input's partitions",
                ParamValidators.gtEq(0));
        queryBlockSize = new IntParam(owner, "queryBlockSize", "queries broadcast to the shards at a time",
                ParamValidators.gtEq(1));
        imageShape = new Param<>(owner, "imageShape", "HxW (grey) or HxWxC (channel planes, as CIFAR; add ':hwc' for"
                + " interleaved channels) when rows are images: the engine's filter bounds then use spatial blocks"
                + " (speed only, never the answer); empty: none");
    }

    /** The defaults, the same for the estimator and its model (each sets them with {@code setDefault}). */
    java.util.List<ParamPair<?>> defaults() {
        return java.util.List.of(featuresCol.w("features"), labelCol.w("label"), predictionCol.w("prediction"),
                probabilityCol.w("probability"), neighborsCol.w(""), distancesCol.w(""), k.w(5), metric.w("l2"),
                weights.w("uniform"), numShards.w(0), queryBlockSize.w(1024), imageShape.w(""));
    }

    /** The shape as {height, width, channels, interleaved 0/1}, or null for "". */
    static int[] shape(String s, String what) {
        if (s.isEmpty()) {
            return null;
        }
        String[] hw = s.toLowerCase(Locale.ROOT).split(":", 2);
        boolean hwc = hw.length == 2 && hw[1].equals("hwc");
        if (hw.length == 2 && !hwc) {
            throw new IllegalArgumentException(what + " '" + s + "': the layout suffix can only be ':hwc'");
        }
        String[] p = hw[0].split("x");
        try {
            int[] out = {Integer.parseInt(p[0]), Integer.parseInt(p[1]), p.length == 3 ? Integer.parseInt(p[2]) : 1,
                hwc ? 1 : 0};
            if (p.length > 3) {
                throw new NumberFormatException();
            }
            toShape(out);
            return out;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + " '" + s + "': expected HxW or HxWxC with C 1 or 3, e.g. 28x28 or 32x32x3");
        }
    }

    static io.vecml.engine.data.ImageShape toShape(int[] s) {
        return s == null ? null : new io.vecml.engine.data.ImageShape(s[0], s[1], s[2], s[3] == 1
                ? io.vecml.engine.data.ImageShape.Layout.HWC : io.vecml.engine.data.ImageShape.Layout.CHW);
    }

    static Metric metric(String s) {
        return Metric.valueOf(s.toUpperCase(Locale.ROOT));
    }

    static Weights weights(String s) {
        return Weights.valueOf(s.toUpperCase(Locale.ROOT));
    }
}
