package io.vecml.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParseTest {

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "5; 5",
        "1,3,5; 1,3,5",
        "5,3,3,1; 1,3,5",
        "1..5; 1,2,3,4,5",
        "1..10:3; 1,4,7,10",
        "1..9:4, 2; 1,2,5,9",
        " 2 .. 4 ; 2,3,4",
        "1000; 1000"})
    void ksListsAndRanges(String in, String expected) {
        int[] want = java.util.Arrays.stream(expected.split(",")).mapToInt(Integer::parseInt).toArray();
        assertThat(Parse.ks(in, "--k")).isEqualTo(want);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "0; values must be in 1..1000",
        "1..1001; values must be in 1..1000",
        "5..1; empty range",
        "1..5:0; step",
        "a; expected numbers or ranges",
        "1..; expected numbers or ranges",
        "1,,2; empty value",
        "1..2..3; expected numbers or ranges"})
    void badKsNameTheInput(String in, String message) {
        assertThatThrownBy(() -> Parse.ks(in, "field 'k'")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("field 'k'").hasMessageContaining(message);
    }

    @Test
    void aliasesAreTheSameEverywhere() {
        assertThat(Parse.metric("Manhattan", "--metric")).isEqualTo(Metric.L1);
        assertThat(Parse.metric(" euclidean ", "--metric")).isEqualTo(Metric.L2);
        assertThat(Parse.metrics("l2,l1,manhattan", "--metric")).isEqualTo(List.of(Metric.L2, Metric.L1));
        assertThat(Parse.weightsList("distance,uniform", "--weights")).containsExactly(Weights.DISTANCE, Weights.UNIFORM);
        assertThat(Parse.loss("hinge", "--loss")).isEqualTo(Loss.SVM);
        assertThat(Parse.loss("cross-entropy", "--loss")).isEqualTo(Loss.SOFTMAX);
        assertThat(Parse.penalty("elastic-net", 0.1, 0.3, false, "--reg").kind()).isEqualTo(Regularizer.Kind.ELASTIC_NET);
        assertThat(Parse.penalty("l2", 0.1, 0.5, true, "--reg").includeBias()).isTrue();
        assertThat(Parse.preprocessing("zscore", "--preprocess")).isEqualTo(Preprocessing.STANDARDIZE);
        assertThat(Parse.preprocessing("none", "--preprocess")).isEqualTo(Preprocessing.RAW);
        assertThat(Parse.schedule("step:0.5:5", "--schedule").toString()).contains("0.5");
        assertThat(Parse.threads(null, "--threads")).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void badValuesNameTheInputAndTheChoices() {
        assertThatThrownBy(() -> Parse.metric("cosine", "--metric")).hasMessage(
                "--metric: expected l1 (manhattan) or l2 (euclidean), got 'cosine'");
        assertThatThrownBy(() -> Parse.weights("x", "field 'weights'")).hasMessageStartingWith("field 'weights'");
        assertThatThrownBy(() -> Parse.penalty("l3", 0.1, 0, false, "--reg")).hasMessageContaining("l2, l1, elastic or none");
        assertThatThrownBy(() -> Parse.penalty("l2", -1, 0, false, "--lambda")).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> Parse.schedule("step:x:5", "--schedule")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> Parse.schedule("cosine", "--schedule")).hasMessageContaining("step:FACTOR:EVERY");
        assertThatThrownBy(() -> Parse.threads(0, "--threads")).hasMessageContaining("1..1024");
    }
}
