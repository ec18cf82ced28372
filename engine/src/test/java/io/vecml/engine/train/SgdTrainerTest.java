package io.vecml.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.data.Standardizer;
import io.vecml.engine.data.Transforms;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.gemm.JavaGemm;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.linear.BatchGradient;
import io.vecml.engine.linear.FeatureScaling;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class SgdTrainerTest {

    private static Dataset train;
    private static Dataset test;

    @BeforeAll
    static void split() {
        try (Dataset digits = EmbeddedData.digits()) {
            Splits.Holdout h = Splits.stratifiedHoldout(digits.labels(), 0.25, 42);
            train = digits.select(h.train());
            test = digits.select(h.test());
        }
    }

    @AfterAll
    static void close() {
        train.close();
        test.close();
    }

    private static SgdConfig quick() {
        return SgdConfig.defaults().withBatchSize(64).withEpochs(15).withThreads(2).withLearningRate(0.05);
    }

    static Stream<Arguments> settings() {
        List<Arguments> out = new ArrayList<>();
        for (Loss loss : Loss.values()) {
            for (Preprocessing p : Preprocessing.values()) {
                out.add(Arguments.of(loss, p));
            }
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("settings")
    void learnsDigits(Loss loss, Preprocessing pre) {
        LinearConfig cfg = LinearConfig.defaults().withLoss(loss).withPreprocessing(pre);
        // raw pixels (0..16) need a smaller step
        SgdConfig sgd = pre == Preprocessing.STANDARDIZE ? quick() : quick().withLearningRate(loss == Loss.SVM ? 1e-4 : 1e-3);
        TrainingResult r = SgdTrainer.train(train, cfg, sgd, null);
        assertThat(r.history()).hasSize(15);
        assertThat(r.bestEpoch()).isEqualTo(15);
        assertThat(r.stoppedEarly()).isFalse();
        assertThat(r.history().getLast().loss()).isLessThan(r.history().getFirst().loss());
        assertThat(r.history().getLast().trainAccuracy()).isGreaterThan(0.9);
        assertThat(r.history().getLast().validationAccuracy()).isNaN();
        assertThat(r.model().accuracy(test, 2)).isGreaterThan(0.9);
        assertThat(r.model().scaling().kind()).isEqualTo(pre);
        assertThat(r.model().classNames()).isEqualTo(train.classNames());
    }

    /** Scores in double from the model's weights and the Standardizer's own transform. */
    @Test
    void predictionsEqualAPlainComputation() {
        TrainingResult r = SgdTrainer.train(train, LinearConfig.defaults(), quick().withEpochs(3), null);
        LinearClassifier m = r.model();
        Standardizer s = Standardizer.fit(train);
        assertThat(m.scaling().mean()).containsExactly(s.mean());
        assertThat(m.scaling().scale()).containsExactly(s.scale());
        float[] scores = m.scores(test, 2);
        float[] probs = m.probabilities(test, 1);
        int[] pred = m.predict(test, 1);
        int c = m.numClasses();
        try (Dataset z = s.apply(test)) {
            for (int i = 0; i < test.rows(); i++) {
                double[] ref = new double[c];
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    double v = m.weight(m.dims(), k);
                    for (int f = 0; f < m.dims(); f++) {
                        v += (double) z.f32(i, f) * m.weight(f, k);
                    }
                    ref[k] = v;
                    assertThat((double) scores[i * c + k]).isCloseTo(v, within(1e-4 * (1 + Math.abs(v))));
                }
                int best = 0;
                for (int k = 1; k < c; k++) {
                    best = ref[k] > ref[best] ? k : best;
                }
                if (ref[best] - secondBest(ref, best) > 1e-3) {
                    assertThat(pred[i]).isEqualTo(best);
                }
                for (int k = 0; k < c; k++) {
                    sum += probs[i * c + k];
                }
                assertThat(sum).isCloseTo(1.0, within(1e-5));
            }
        }
    }

    private static double secondBest(double[] v, int best) {
        double s = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < v.length; k++) {
            if (k != best) {
                s = Math.max(s, v[k]);
            }
        }
        return s;
    }

    @Test
    void featureScalingWritesWhatTheDataTransformsCompute() {
        try (Arena a = Arena.ofConfined()) {
            int d = train.dims();
            MemorySegment row = a.allocate((d + 1) * 4L);
            for (Preprocessing p : Preprocessing.values()) {
                FeatureScaling fs = FeatureScaling.fit(p, train);
                Dataset ref = switch (p) {
                    case RAW -> train.toFloat32();
                    case CENTER -> Transforms.centre(train, Transforms.columnMeans(train));
                    case STANDARDIZE -> Standardizer.fit(train).apply(train);
                };
                try (ref) {
                    // Every kernel implementation (the uint8 rows go through Kernels#u8ToF32Fma).
                    for (Kernels k : KernelSelection.available()) {
                        FeatureScaling.Writer w = fs.writer(k);
                        for (int r = 0; r < train.rows(); r += 37) {
                            w.write(train, r, row, 0);
                            for (int f = 0; f < d; f++) {
                                assertThat(row.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, f))
                                        .as("%s %s row %d feature %d", k, p, r, f).isEqualTo(ref.f32(r, f));
                            }
                            assertThat(row.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, d)).isEqualTo(1f);
                        }
                    }
                }
            }
        }
    }

    static Stream<Arguments> gemms() {
        return Stream.of(Arguments.of("selected"), Arguments.of("java"));
    }

    private static IntFunction<Gemm> gemms(String which) {
        return t -> which.equals("java") ? new JavaGemm(t) : GemmSelection.current().create(t);
    }

    /*
     * Batches of 512 rows make four shards; 1, 2 and 3 threads share them differently. The digits
     * and the wide data train on the fused kernels (uint8 and, for the digits' float32 copy,
     * float32 rows); the data with more classes than the fused kernels serve trains on the GEMMs,
     * above the Java GEMM's parallel threshold.
     */
    @ParameterizedTest
    @MethodSource("gemms")
    void resultsDoNotDependOnTheThreadCount(String which) {
        try (Dataset wide = wide(600, 4096); Dataset digitsF = train.toFloat32();
             Dataset many = wide(600, 1031, BatchGradient.FUSED_MAX_CLASSES + 1)) {
            for (Dataset data : new Dataset[] {train, digitsF, wide, many}) {
                for (Loss loss : Loss.values()) {
                    LinearConfig cfg = LinearConfig.defaults().withLoss(loss)
                            .withRegularizer(Regularizer.elasticNet(1e-3, 0.5));
                    SgdConfig sgd = quick().withEpochs(2).withBatchSize(512).withMomentum(0.9);
                    float[] w1 = SgdTrainer.train(data, cfg, sgd.withThreads(1), gemms(which), null).model().weights();
                    float[] w2 = SgdTrainer.train(data, cfg, sgd.withThreads(2), gemms(which), null).model().weights();
                    float[] w3 = SgdTrainer.train(data, cfg, sgd.withThreads(3), gemms(which), null).model().weights();
                    assertThat(w2).as("%s %s, %d features", which, loss, data.dims()).containsExactly(w1);
                    assertThat(w3).containsExactly(w1);
                    LinearClassifier m = SgdTrainer.train(data, cfg, sgd, gemms(which), null).model();
                    try (Dataset big = data.select(IntStream.range(0, 2500).map(i -> i % data.rows()).toArray())) {
                        float[] s1 = m.scores(big, 1, gemms(which));
                        assertThat(m.scores(big, 2, gemms(which))).containsExactly(s1);
                        assertThat(m.scores(big, 3, gemms(which))).containsExactly(s1);
                    }
                }
            }
        }
    }

    /*
     * uint8 rows are converted shard by shard while training; a float32 copy of the same data
     * (transformed once, or read directly when raw) must give the very same weights, bit for bit,
     * for every preprocessing: the conversion is the same fma(a, x, b) per element.
     */
    @ParameterizedTest
    @EnumSource(Preprocessing.class)
    void uint8RowsTrainExactlyLikeTheirFloatCopy(Preprocessing pre) {
        try (Dataset wide = wide(300, 1031); Dataset wideF = wide.toFloat32()) {
            LinearConfig cfg = LinearConfig.defaults().withPreprocessing(pre);
            SgdConfig sgd = quick().withEpochs(2).withBatchSize(256).withThreads(2);
            float[] fromU8 = SgdTrainer.train(wide, cfg, sgd, null).model().weights();
            float[] fromF32 = SgdTrainer.train(wideF, cfg, sgd, null).model().weights();
            assertThat(wide.type()).isEqualTo(Dataset.Type.UINT8);
            assertThat(fromU8).as("%s", pre).containsExactly(fromF32);
        }
    }

    private static Dataset wide(int rows, int dims) {
        return wide(rows, dims, 3);
    }

    private static Dataset wide(int rows, int dims, int classes) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        int[] labels = IntStream.range(0, rows).map(i -> i < classes ? i : rnd.nextInt(classes)).toArray();
        Dataset d = Dataset.allocate(Dataset.Type.UINT8, rows, dims, labels,
                IntStream.range(0, classes).mapToObj(i -> "c" + i).toList());
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                d.setU8(r, c, (labels[r] * 40 + rnd.nextInt(150)) % 256);
            }
        }
        return d;
    }

    @Test
    void sameSeedSameModelOtherSeedOtherModel() {
        SgdConfig sgd = quick().withEpochs(2);
        float[] a = SgdTrainer.train(train, LinearConfig.defaults(), sgd, null).model().weights();
        float[] b = SgdTrainer.train(train, LinearConfig.defaults(), sgd, null).model().weights();
        float[] c = SgdTrainer.train(train, LinearConfig.defaults(), sgd.withSeed(1), null).model().weights();
        assertThat(b).containsExactly(a);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void earlyStoppingKeepsTheBestEpoch() {
        List<EpochStats> heard = new ArrayList<>();
        // a huge step makes validation accuracy wander, so patience 1 stops early
        SgdConfig sgd = quick().withEpochs(40).withLearningRate(5).withValidation(0.2, 1);
        TrainingResult r = SgdTrainer.train(train, LinearConfig.defaults().withLoss(Loss.SVM), sgd, heard::add);
        assertThat(heard).isEqualTo(r.history());
        assertThat(r.stoppedEarly()).isTrue();
        assertThat(r.history().size()).isLessThan(40);
        assertThat(r.history()).allSatisfy(e -> assertThat(e.validationAccuracy()).isBetween(0.0, 1.0));
        double best = r.history().stream().mapToDouble(EpochStats::validationAccuracy).max().orElseThrow();
        assertThat(r.history().get(r.bestEpoch() - 1).validationAccuracy()).isEqualTo(best);
        assertThat(r.history().size()).isEqualTo(r.bestEpoch() + 1);
        // the model has the best epoch's weights: retraining for exactly bestEpoch epochs gives them
        TrainingResult again = SgdTrainer.train(train, LinearConfig.defaults().withLoss(Loss.SVM),
                quick().withEpochs(r.bestEpoch()).withLearningRate(5).withValidation(0.2, 0), null);
        assertThat(r.model().weights()).containsExactly(again.model().weights());
    }

    @Test
    void schedulesShapeTheRate() {
        assertThat(new Schedule.Constant().rate(0.1, 7)).isEqualTo(0.1);
        assertThat(new Schedule.StepDecay(0.5, 3).rate(0.1, 2)).isEqualTo(0.1);
        assertThat(new Schedule.StepDecay(0.5, 3).rate(0.1, 3)).isEqualTo(0.05);
        assertThat(new Schedule.StepDecay(0.5, 3).rate(0.1, 7)).isEqualTo(0.025);
        assertThat(new Schedule.InverseTime(0.5).rate(0.1, 2)).isCloseTo(0.05, within(1e-15));
        TrainingResult r = SgdTrainer.train(train, LinearConfig.defaults(),
                quick().withEpochs(4).withSchedule(new Schedule.StepDecay(0.1, 2)), null);
        assertThat(r.history()).extracting(EpochStats::learningRate)
                .containsExactly(0.05, 0.05, 0.05 * 0.1, 0.05 * 0.1);
    }

    @ParameterizedTest
    @EnumSource(Regularizer.Kind.class)
    void everyRegulariserTrains(Regularizer.Kind kind) {
        Regularizer reg = new Regularizer(kind, 1e-3, 0.5, false);
        TrainingResult r = SgdTrainer.train(train, LinearConfig.defaults().withRegularizer(reg),
                quick().withMomentum(0.5), null);
        assertThat(r.model().accuracy(test, 1)).isGreaterThan(0.9);
        assertThat(r.model().config().regularizer()).isEqualTo(reg);
    }

    @Test
    void strongL1MakesWeightsSmall() {
        SgdConfig sgd = quick().withEpochs(5);
        float[] plain = SgdTrainer.train(train, LinearConfig.defaults().withRegularizer(Regularizer.none()), sgd, null)
                .model().weights();
        float[] l1 = SgdTrainer.train(train, LinearConfig.defaults().withRegularizer(Regularizer.l1(0.05)), sgd, null)
                .model().weights();
        double a = 0;
        double b = 0;
        for (int i = 0; i < plain.length - 10; i++) {
            a += Math.abs(plain[i]);
            b += Math.abs(l1[i]);
        }
        assertThat(b).isLessThan(a / 2);
    }

    @Test
    void divergenceAndBadSettingsAreReported() {
        assertThatThrownBy(() -> SgdTrainer.train(train, LinearConfig.defaults().withPreprocessing(Preprocessing.RAW),
                quick().withLearningRate(1e30), null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("lower the learning rate");
        assertThatThrownBy(() -> quick().withValidation(0, 3)).hasMessageContaining("needs a validation fraction");
        assertThatThrownBy(() -> quick().withBatchSize(0)).hasMessageContaining("batch size must be >= 1");
        try (Dataset empty = train.select(new int[0])) {
            assertThatThrownBy(() -> SgdTrainer.train(empty, LinearConfig.defaults(), quick(), null))
                    .hasMessageContaining("0 rows");
        }
    }

    @ParameterizedTest
    @EnumSource(Loss.class)
    void savedAndLoadedModelPredictsIdentically(Loss loss, @TempDir Path dir) throws Exception {
        TrainingResult r = SgdTrainer.train(train, LinearConfig.defaults().withLoss(loss)
                .withRegularizer(Regularizer.elasticNet(1e-4, 0.3).withBias(true)), quick().withEpochs(3), null);
        Path file = dir.resolve("model.vlin");
        r.model().save(file);
        LinearClassifier back = LinearClassifier.load(file);
        assertThat(back.weights()).containsExactly(r.model().weights());
        assertThat(back.config()).isEqualTo(r.model().config());
        assertThat(back.scaling()).isEqualTo(r.model().scaling());
        assertThat(back.classNames()).isEqualTo(r.model().classNames());
        assertThat(back.imageShape()).isEqualTo(r.model().imageShape());
        assertThat(back.predict(test, 2)).containsExactly(r.model().predict(test, 2));
        assertThat(back.scores(test, 1)).containsExactly(r.model().scores(test, 1));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file); // no temp file left behind
        }
    }
}
