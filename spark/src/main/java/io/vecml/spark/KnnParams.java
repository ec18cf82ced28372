package io.vecml.spark;

import io.vecml.engine.api.Parse;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.Weights;
import java.util.Locale;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
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
    }

    static Metric metric(String s) {
        return Metric.valueOf(s.toUpperCase(Locale.ROOT));
    }

    static Weights weights(String s) {
        return Weights.valueOf(s.toUpperCase(Locale.ROOT));
    }
}
