package io.vecml.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.data.DataFormatException;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.template.TemplateClassifier;
import io.vecml.engine.template.TemplateClassifier.Center;
import io.vecml.engine.train.SgdConfig;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The application API's models give the engine's answers, scores consistent with them, and files that round-trip. */
class ClassifierApiTest {

    private static Dataset all;
    private static Dataset train;
    private static Dataset test;
    private static final RunOptions TWO = new RunOptions(2);

    @TempDir
    Path dir;

    @BeforeAll
    static void data() {
        all = EmbeddedData.digits();
        Splits.Holdout h = Splits.stratifiedHoldout(all.labels(), 0.2, 42);
        train = all.select(h.train());
        test = all.select(h.test());
    }

    @AfterAll
    static void free() {
        test.close();
        train.close();
        all.close();
    }

    private static int argmax(Scores s, int r) {
        int best = 0;
        for (int c = 1; c < s.classes(); c++) {
            if (s.get(r, c) > s.get(r, best)) {
                best = c;
            }
        }
        return best;
    }

    private static int argmin(Scores s, int r) {
        int best = -1;
        for (int c = 0; c < s.classes(); c++) {
            if (!Double.isNaN(s.get(r, c)) && (best < 0 || s.get(r, c) < s.get(r, best))) {
                best = c;
            }
        }
        return best;
    }

    @ParameterizedTest
    @EnumSource(Metric.class)
    void knnAnswersAsTheEngineAndItsVoteSharesPickThePrediction(Metric metric) {
        for (Weights w : Weights.values()) {
            try (KnnModel m = new KnnModel(new KnnModel.Params(5, metric, w), TWO).fit(train);
                 KnnClassifier ref = new KnnClassifier(KnnOptions.of(metric).withWeights(w).withThreads(1)).fit(train)) {
                int[] p = m.predict(test);
                assertThat(p).isEqualTo(ref.predict(test, 5));
                assertThat(m.predict(test, 3)).isEqualTo(ref.predict(test, 3));
                Scores s = m.predictProba(test);
                assertThat(s.kind()).isEqualTo(Scores.Kind.VOTE_SHARES);
                for (int r = 0; r < s.rows(); r++) {
                    assertThat(argmax(s, r)).isEqualTo(p[r]);
                    assertThat(java.util.Arrays.stream(s.row(r)).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
                }
                assertThat(m.score(test, Scoring.ACCURACY)).isEqualTo(ref.score(test, 5));
                assertThat(m.kneighbors(test, 4).indices()).isEqualTo(ref.kneighbors(test, 4).indices());
            }
        }
    }

    @Test
    void floatQueriesOnAUint8KnnModel() {
        try (KnnModel m = new KnnModel(KnnModel.Params.defaults(), TWO).fit(train);
             Dataset exact = test.toFloat32();
             Dataset shifted = test.toFloat32();
             Dataset trainF = train.toFloat32();
             KnnClassifier refF = new KnnClassifier(KnnOptions.of(Metric.L2)).fit(trainF)) {
            // integers 0..255 in float: converted exactly, the same answers as the uint8 queries
            assertThat(m.predict(exact)).isEqualTo(m.predict(test));
            for (int r = 0; r < shifted.rows(); r++) {
                for (int c = 0; c < shifted.dims(); c++) {
                    shifted.setF32(r, c, shifted.f32(r, c) + 0.25f * ((r + c) % 3));
                }
            }
            // other values: computed in float against the training rows, as a float32 model would
            assertThat(m.predict(shifted)).isEqualTo(refF.predict(shifted, 5));
        }
    }

    @Test
    void anEmptyQuerySetGivesAnEmptyAnswer() {
        try (KnnModel m = new KnnModel(KnnModel.Params.defaults(), TWO).fit(train);
             Dataset none = test.select(new int[0])) {
            assertThat(m.predict(none)).isEmpty();
            assertThat(m.predictProba(none).rows()).isZero();
            assertThat(m.score(none, Scoring.ACCURACY)).isNaN();
        }
    }

    @ParameterizedTest
    @EnumSource(Metric.class)
    void templateAnswersAsTheEngineAndTheNearestTemplateIsThePrediction(Metric metric) {
        TemplateModel m = new TemplateModel(new TemplateModel.Params(Center.MEAN, metric), TWO).fit(train);
        int[] p = m.predict(test);
        assertThat(p).isEqualTo(TemplateClassifier.fit(train, Center.MEAN).predict(test, metric, 1));
        Scores s = m.scores(test);
        assertThat(s.kind()).isEqualTo(Scores.Kind.DISTANCES);
        for (int r = 0; r < s.rows(); r++) {
            assertThat(argmin(s, r)).as("row %d", r).isEqualTo(p[r]);
        }
        assertThatThrownBy(() -> m.predictProba(test)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("not probabilities");
    }

    private static LinearModel linear(Loss loss) {
        return new LinearModel(new LinearModel.Params(LinearConfig.defaults().withLoss(loss),
                SgdConfig.defaults().withEpochs(5).withSeed(7)), TWO);
    }

    @Test
    void softmaxProbabilitiesSumToOneAndPickThePrediction() {
        LinearModel m = linear(Loss.SOFTMAX).fit(train);
        int[] p = m.predict(test);
        Scores s = m.predictProba(test);
        assertThat(s.kind()).isEqualTo(Scores.Kind.PROBABILITIES);
        for (int r = 0; r < s.rows(); r++) {
            assertThat(argmax(s, r)).isEqualTo(p[r]);
            assertThat(java.util.Arrays.stream(s.row(r)).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(m.score(test, Scoring.ACCURACY)).isGreaterThan(0.8);
        // the same training with one thread gives the same model (bit-identical training)
        LinearModel one = new LinearModel(m.params(), new RunOptions(1)).fit(train);
        assertThat(one.classifier().weights()).isEqualTo(m.classifier().weights());
    }

    @Test
    void svmGivesMarginsNotProbabilities() {
        LinearModel m = linear(Loss.SVM).fit(train);
        Scores s = m.scores(test);
        assertThat(s.kind()).isEqualTo(Scores.Kind.MARGINS);
        int[] p = m.predict(test);
        for (int r = 0; r < s.rows(); r++) {
            assertThat(argmax(s, r)).isEqualTo(p[r]);
        }
        assertThatThrownBy(() -> m.predictProba(test)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("softmax");
    }

    @Test
    void everyModelRoundTripsThroughItsFile() throws Exception {
        Classifier[] models = {
            new KnnModel(new KnnModel.Params(3, Metric.L1, Weights.DISTANCE), TWO).fit(train),
            new TemplateModel(new TemplateModel.Params(Center.MEDIAN, Metric.L2), TWO).fit(train),
            linear(Loss.SOFTMAX).fit(train)};
        for (Classifier m : models) {
            Path f = dir.resolve(m.kind() + ".vecml");
            m.save(f);
            try (Classifier back = Models.load(f, TWO)) {
                assertThat(back.kind()).isEqualTo(m.kind());
                assertThat(back.dims()).isEqualTo(m.dims());
                assertThat(back.classNames()).isEqualTo(m.classNames());
                assertThat(back.predict(test)).as(m.kind()).isEqualTo(m.predict(test));
                assertThat(back.scores(test).values()).as(m.kind()).isEqualTo(m.scores(test).values());
            }
            m.close();
        }
        try (Dataset f32 = train.toFloat32(); KnnModel m = new KnnModel(KnnModel.Params.defaults(), TWO).fit(f32)) {
            Path f = dir.resolve("float.vecml");
            m.save(f);
            try (Classifier back = Models.load(f, TWO)) {
                assertThat(back.predict(test)).isEqualTo(m.predict(test));
                assertThat(((KnnModel) back).trainingSet().type()).isEqualTo(Dataset.Type.FLOAT32);
            }
        }
    }

    @Test
    void standardizedModelsScaleTheirQueriesAndRoundTrip() throws Exception {
        io.vecml.engine.data.Standardizer z = io.vecml.engine.data.Standardizer.fit(train);
        try (Dataset zTrain = z.apply(train); Dataset zTest = z.apply(test);
             KnnModel scaled = new KnnModel(new KnnModel.Params(3, Metric.L2, Weights.UNIFORM, true), TWO).fit(train);
             KnnModel byHand = new KnnModel(new KnnModel.Params(3, Metric.L2, Weights.UNIFORM), TWO).fit(zTrain)) {
            // the model on raw rows answers as a model on z-scores asked with z-scores
            assertThat(scaled.predict(test)).isEqualTo(byHand.predict(zTest));
            assertThat(scaled.kneighbors(test, 4).indices()).isEqualTo(byHand.kneighbors(zTest, 4).indices());
            assertThat(scaled.trainingSet()).isSameAs(train);
            TemplateModel t = new TemplateModel(new TemplateModel.Params(Center.MEAN, Metric.L1, true), TWO).fit(train);
            TemplateModel tHand = new TemplateModel(new TemplateModel.Params(Center.MEAN, Metric.L1), TWO).fit(zTrain);
            assertThat(t.predict(test)).isEqualTo(tHand.predict(zTest));
            assertThat(t.predict(test, Metric.L2)).isEqualTo(tHand.predict(zTest, Metric.L2));
            assertThat(t.scores(test).values()).isEqualTo(tHand.scores(zTest).values());
            // scaling matters on the digits, so the comparisons above are not between equal raw answers
            try (KnnModel raw = new KnnModel(new KnnModel.Params(3, Metric.L2, Weights.UNIFORM), TWO).fit(train)) {
                assertThat(scaled.predict(test)).isNotEqualTo(raw.predict(test));
            }
            for (Classifier m : new Classifier[] {scaled, t}) {
                Path f = dir.resolve("z-" + m.kind() + ".vecml");
                m.save(f);
                try (Classifier back = Models.load(f, TWO)) {
                    assertThat(back.predict(test)).as(m.kind()).isEqualTo(m.predict(test));
                    assertThat(back.scores(test).values()).as(m.kind()).isEqualTo(m.scores(test).values());
                }
            }
            Path f = dir.resolve("z-template.vecml");
            try (Classifier back = Models.load(f, TWO)) {
                assertThat(((TemplateModel) back).params().standardize()).isTrue();
                assertThat(((TemplateModel) back).standardizer().orElseThrow().mean()).isEqualTo(z.mean());
            }
        }
    }

    @Test
    void versionOneFilesWithoutStandardisationAreStillRead() throws Exception {
        try (KnnModel m = new KnnModel(new KnnModel.Params(3, Metric.L1, Weights.UNIFORM), TWO).fit(train)) {
            Path f = dir.resolve("v2.vecml");
            m.save(f);
            byte[] v2 = Files.readAllBytes(f);
            // version 1: the same fields without the standardize flag (the int after k, metric and weights)
            int versionAt = ModelFile.MAGIC.length;
            int flagAt = versionAt + 4 + 2 + "knn".length() + 12;
            assertThat(ByteBuffer.wrap(v2).getInt(flagAt)).isZero();
            byte[] v1 = new byte[v2.length - 4];
            System.arraycopy(v2, 0, v1, 0, flagAt);
            System.arraycopy(v2, flagAt + 4, v1, flagAt, v2.length - flagAt - 4);
            ByteBuffer.wrap(v1).putInt(versionAt, 1);
            CRC32 crc = new CRC32();
            crc.update(v1, 0, v1.length - 8);
            ByteBuffer.wrap(v1).putLong(v1.length - 8, crc.getValue());
            Path old = Files.write(dir.resolve("v1.vecml"), v1);
            try (Classifier back = Models.load(old, TWO)) {
                assertThat(back.predict(test)).isEqualTo(m.predict(test));
            }
            ByteBuffer.wrap(v1).putInt(versionAt, 3);
            crc.reset();
            crc.update(v1, 0, v1.length - 8);
            ByteBuffer.wrap(v1).putLong(v1.length - 8, crc.getValue());
            Path future = Files.write(dir.resolve("v3.vecml"), v1);
            assertThatThrownBy(() -> Models.load(future, TWO)).isInstanceOf(DataFormatException.class)
                    .hasMessageContaining(future.toString()).hasMessageContaining("version 3");
        }
    }

    @Test
    void damagedFilesAreRefusedWithTheFileAndTheReason() throws Exception {
        Path f = dir.resolve("knn.vecml");
        try (KnnModel m = new KnnModel(KnnModel.Params.defaults(), TWO).fit(train)) {
            m.save(f);
        }
        byte[] good = Files.readAllBytes(f);

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        Path bad = dir.resolve("flipped.vecml");
        Files.write(bad, flipped);
        assertThatThrownBy(() -> Models.load(bad, TWO)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("checksum");

        Path cut = dir.resolve("cut.vecml");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length - 100));
        assertThatThrownBy(() -> Models.load(cut, TWO)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(cut.toString());

        Path other = dir.resolve("other.vecml");
        Files.writeString(other, "hello, this is not a model at all");
        assertThatThrownBy(() -> Models.load(other, TWO)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("not a vecml model file");

        // a valid checksum over a field no model can have (k = 0): the field is named, with its offset
        byte[] k0 = good.clone();
        int kAt = ModelFile.MAGIC.length + 4 + 2 + "knn".length();
        ByteBuffer.wrap(k0).putInt(kAt, 0);
        CRC32 crc = new CRC32();
        crc.update(k0, 0, k0.length - 8);
        ByteBuffer.wrap(k0).putLong(k0.length - 8, crc.getValue());
        Path zero = dir.resolve("k0.vecml");
        Files.write(zero, k0);
        assertThatThrownBy(() -> Models.load(zero, TWO)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(zero.toString()).hasMessageContaining("at byte " + kAt)
                .hasMessageContaining("k must be in 1..");

        assertThatThrownBy(() -> Models.load(dir.resolve("missing.vecml"), TWO))
                .isInstanceOf(java.nio.file.NoSuchFileException.class).hasMessageContaining("missing.vecml");
    }

    @Test
    void dataOfTheWrongWidthIsRefused() {
        try (Dataset narrow = Dataset.allocate(Dataset.Type.UINT8, 2, 3, new int[] {0, 1}, train.classNames());
             KnnModel knn = new KnnModel(KnnModel.Params.defaults(), TWO).fit(train)) {
            TemplateModel t = new TemplateModel(TemplateModel.Params.defaults(), TWO).fit(train);
            assertThatThrownBy(() -> knn.predict(narrow)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("3 features").hasMessageContaining("64");
            assertThatThrownBy(() -> t.scores(narrow)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("3 features");
        }
    }
}
