package io.vecml.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.data.random.NumpyRandomState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every split and fold equals scikit-learn's: the expected index lists were written by scikit-learn
 * (sklearn/generate.py beside splits.txt, whose header names the versions), so no scikit-learn is needed here.
 */
class SklearnSplitsTest {

    private static final String FIXTURE = "sklearn/splits.txt";

    static List<String> fixtureLines(String kind) throws IOException {
        List<String> out = new ArrayList<>();
        try (InputStream in = SklearnSplitsTest.class.getResourceAsStream(FIXTURE)) {
            assertThat(in).as(FIXTURE).isNotNull();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(kind + " ")) {
                    out.add(line);
                }
            }
        }
        assertThat(out).as("fixture lines of kind " + kind).isNotEmpty();
        return out;
    }

    static Stream<Named<String>> cases(String kind) throws IOException {
        return fixtureLines(kind).stream().map(l -> Named.of(l.substring(0, Math.min(l.length(), l.indexOf('|') < 0
                ? 60 : l.indexOf('|'))).strip(), l));
    }

    static Stream<Named<String>> samples() throws IOException {
        return cases("sample");
    }

    static Stream<Named<String>> perms() throws IOException {
        return cases("perm");
    }

    static Stream<Named<String>> tts() throws IOException {
        return cases("tts");
    }

    static Stream<Named<String>> stts() throws IOException {
        return cases("stts");
    }

    static Stream<Named<String>> kfolds() throws IOException {
        return cases("kfold");
    }

    static Stream<Named<String>> skfolds() throws IOException {
        return cases("skfold");
    }

    /** Space-separated integers (possibly none). */
    static int[] ints(String s) {
        String t = s.strip();
        return t.isEmpty() ? new int[0] : Arrays.stream(t.split(" +")).mapToInt(Integer::parseInt).toArray();
    }

    static int[] labels(String s) {
        return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void randomSampleEqualsNumpy(String line) {
        String[] f = line.split(" ");
        NumpyRandomState rng = new NumpyRandomState(Long.parseLong(f[1]));
        for (int i = 2; i < f.length; i++) {
            assertThat(rng.randomSample()).as("draw " + (i - 2)).isEqualTo(Double.parseDouble(f[i]));
        }
    }

    @ParameterizedTest
    @MethodSource("perms")
    void permutationEqualsNumpy(String line) {
        String[] parts = line.split("\\|", -1);
        String[] h = parts[0].strip().split(" ");
        int n = Integer.parseInt(h[1]);
        long seed = Long.parseLong(h[2]);
        assertThat(new NumpyRandomState(seed).permutation(n)).isEqualTo(ints(parts[1]));
    }

    @ParameterizedTest
    @MethodSource("tts")
    void trainTestSplitEqualsSklearn(String line) {
        String[] parts = line.split("\\|", -1);
        String[] h = parts[0].strip().split(" ");
        Splits.Holdout s = SklearnSplits.trainTestSplit(Integer.parseInt(h[1]), Double.parseDouble(h[3]),
                Long.parseLong(h[2]));
        assertThat(s.train()).as("train").isEqualTo(ints(parts[1]));
        assertThat(s.test()).as("test").isEqualTo(ints(parts[2]));
    }

    @ParameterizedTest
    @MethodSource("stts")
    void stratifiedTrainTestSplitEqualsSklearn(String line) {
        String[] parts = line.split("\\|", -1);
        String[] h = parts[0].strip().split(" ");
        Splits.Holdout s = SklearnSplits.stratifiedTrainTestSplit(labels(h[3]), Double.parseDouble(h[2]),
                Long.parseLong(h[1]));
        assertThat(s.train()).as("train").isEqualTo(ints(parts[1]));
        assertThat(s.test()).as("test").isEqualTo(ints(parts[2]));
    }

    @ParameterizedTest
    @MethodSource("kfolds")
    void kFoldEqualsSklearn(String line) {
        String[] parts = line.split("\\|", -1);
        String[] h = parts[0].strip().split(" ");
        int n = Integer.parseInt(h[1]);
        int k = Integer.parseInt(h[2]);
        Splits.Fold[] folds = h[3].equals("none") ? Splits.kFold(n, k, null)
                : SklearnSplits.kFold(n, k, Long.parseLong(h[3]));
        assertFolds(folds, parts);
    }

    @ParameterizedTest
    @MethodSource("skfolds")
    void stratifiedKFoldEqualsSklearn(String line) {
        String[] parts = line.split("\\|", -1);
        String[] h = parts[0].strip().split(" ");
        int k = Integer.parseInt(h[1]);
        int[] y = labels(h[3]);
        Splits.Fold[] folds = h[2].equals("none") ? Splits.stratifiedKFold(y, k, null)
                : SklearnSplits.stratifiedKFold(y, k, Long.parseLong(h[2]));
        assertFolds(folds, parts);
    }

    private static void assertFolds(Splits.Fold[] folds, String[] parts) {
        assertThat(folds).hasSize((parts.length - 1) / 2);
        for (int f = 0; f < folds.length; f++) {
            assertThat(folds[f].train()).as("fold " + f + " train").isEqualTo(ints(parts[1 + 2 * f]));
            assertThat(folds[f].test()).as("fold " + f + " test").isEqualTo(ints(parts[2 + 2 * f]));
        }
    }

    @Test
    void testCountRoundsUpLikeSklearn() {
        assertThat(SklearnSplits.testCount(25, 0.2)).isEqualTo(5);
        assertThat(SklearnSplits.testCount(151, 0.2)).isEqualTo(31); // ceil(30.2); vecml's own rounds to 30
        assertThatThrownBy(() -> SklearnSplits.testCount(1, 0.5)).hasMessageContaining("empty train or test");
        assertThatThrownBy(() -> SklearnSplits.testCount(10, 1.0)).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> new NumpyRandomState(-1)).hasMessageContaining("2**32 - 1");
        assertThatThrownBy(() -> new NumpyRandomState(1L << 32)).hasMessageContaining("2**32 - 1");
    }

    @Test
    void stratifiedSplitRefusesSingletonClasses() {
        assertThatThrownBy(() -> SklearnSplits.stratifiedTrainTestSplit(new int[] {0, 0, 0, 1}, 0.5, 0))
                .hasMessageContaining("only 1 member");
    }

    @Test
    void splitRngChoosesTheStreamAndKeepsVecmlsByDefault() {
        int[] y = new int[40];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 3;
        }
        assertThat(SplitRng.SKLEARN.holdout(40, 0.25, 7).test()).isEqualTo(SklearnSplits.trainTestSplit(40, 0.25, 7).test());
        assertThat(SplitRng.VECML.holdout(40, 0.25, 7).test()).isEqualTo(Splits.holdout(40, 0.25, 7).test());
        assertThat(SplitRng.SKLEARN.kFold(40, 4, 7L)[2].test()).isEqualTo(SklearnSplits.kFold(40, 4, 7)[2].test());
        assertThat(SplitRng.SKLEARN.kFold(40, 4, null)[2].test()).isEqualTo(Splits.kFold(40, 4, null)[2].test());
        assertThat(SplitRng.SKLEARN.stratifiedKFold(y, 4, 7L)[1].test())
                .isEqualTo(SklearnSplits.stratifiedKFold(y, 4, 7)[1].test());
        assertThat(SplitRng.VECML.stratifiedKFold(y, 4, 7L)[1].test()).isEqualTo(Splits.stratifiedKFold(y, 4, 7L)[1].test());
        assertThat(new io.vecml.engine.eval.CvSpec(3, true, 1L, io.vecml.engine.eval.CvSpec.Scaling.NONE,
                io.vecml.engine.eval.Scoring.ACCURACY).rng()).isEqualTo(SplitRng.VECML);
        assertThatThrownBy(() -> SplitRng.parse("np", "--split-rng")).hasMessageContaining("vecml or sklearn");
    }

    @Test
    void explicitSplitsAreChecked() {
        Splits.Holdout h = Splits.explicit(null, new int[] {4, 1}, 6, "f");
        assertThat(h.train()).containsExactly(0, 2, 3, 5);
        assertThat(h.test()).containsExactly(4, 1);
        assertThatThrownBy(() -> Splits.explicit(null, new int[] {6}, 6, "f")).hasMessageContaining("f: test[0] = 6 is outside 0..5");
        assertThatThrownBy(() -> Splits.explicit(new int[] {0, 1}, new int[] {1}, 6, "f"))
                .hasMessageContaining("f: train[1] = 1 is also a test row");
        assertThatThrownBy(() -> Splits.explicit(new int[] {0, 0}, new int[] {1}, 6, "f"))
                .hasMessageContaining("f: train[1] = 0 is already at position 0");
        assertThatThrownBy(() -> Splits.explicit(null, new int[] {0, 1, 2, 3, 4, 5}, 6, "f"))
                .hasMessageContaining("f: the train rows are empty");
    }
}
