package io.vecml.engine.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.ImageShape;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.template.TemplateClassifier.Center;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TemplateClassifierTest {

    /*
     * /usr/bin/python3 -c "
     * from sklearn.datasets import load_digits; from sklearn.neighbors import NearestCentroid
     * X,y=load_digits(return_X_y=True)
     * for m in ['euclidean','manhattan']:
     *     nc=NearestCentroid(metric=m).fit(X[:1000],y[:1000]); p=nc.predict(X[1000:])
     *     print(m, (p==y[1000:]).mean(), ''.join(map(str,p)), nc.centroids_[3,:8].tolist())"
     * (scikit-learn 1.2.1, numpy 1.24.2)
     */
    private static final String SKLEARN_L2_MEAN = "1405369617944728229795449089801234567830123456789012345678909556509898417735100722082633733466679150"
            + "5528300176321746317917684314053696175447282257354284908980123456789012345678901234567890955650959541"
            + "7775100227520126337334666491509525200176321746313917684384053696575447222257954884958980923456789012"
            + "3056789092345678909556509898417735100337830196337334666491509628300176321746313917684314053696175447"
            + "9822579548849080123456799092345678901234967890955650989849773990022792092633733466649950952920097632"
            + "9746313997694394053696979447292257954884907980123451219019345690123451759495565058584177351000288301"
            + "2657778466689150953801763212863137176843140536961754472257358450857012345673901214567890125456789095"
            + "5650989841777510022782012688738466649150952820087632174631391768451405369617544728229799481490898";
    private static final String SKLEARN_L1_MEDIAN = "1405369617944728229795449089801234567830123456789012345678905556509898417735100722012633733466679150"
            + "5528300176321746317917684314053696175447282257354284908980123466789012345678901234567890955650959541"
            + "7776100227720126337334666492509525200176321746313917684384053696575447282257954584908980923456789013"
            + "3056789092345678909556509898417735100397830196337334666491509628300176321746313917684314053696175447"
            + "2822679548849080123456799092345679901234967990955650989849773990022792092633733466649950952920097632"
            + "9746313997684394093696979447292257954884307980123451219019345670423451759495565058584172151600248301"
            + "2617773466629150913801763212863137176843140531361754472257355450857012345673901214567890121456789095"
            + "5650989841777510022782012687737466649150992820014632174631391768451405369617544728229799411490898";

    private static int[] digitsOf(String s) {
        return s.chars().map(ch -> ch - '0').toArray();
    }

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    @ParameterizedTest
    @CsvSource({"MEAN, L2, 710", "MEDIAN, L1, 695"})
    void digitsAgreeWithScikitLearnNearestCentroid(Center center, Metric metric, int correct) {
        try (Dataset all = EmbeddedData.digits(); Dataset train = all.select(range(0, 1000));
             Dataset test = all.select(range(1000, all.rows()))) {
            TemplateClassifier tc = TemplateClassifier.fit(train, center);
            int[] want = digitsOf(center == Center.MEAN ? SKLEARN_L2_MEAN : SKLEARN_L1_MEDIAN);
            assertThat(want).hasSize(797);
            for (int threads : new int[] {1, 2, 3}) {
                assertThat(tc.predict(test, metric, threads)).as("%d threads", threads).containsExactly(want);
            }
            assertThat(tc.accuracy(test, metric, 2)).isCloseTo(correct / 797.0, within(1e-12));
            // the same model on float32 rows gives the same answers (float path of the kernels)
            try (Dataset f = test.toFloat32()) {
                assertThat(tc.predict(f, metric, 2)).containsExactly(want);
            }
            float[] t3 = Arrays.copyOf(tc.template(3), 8);
            float[] want3 = center == Center.MEAN
                    ? new float[] {0f, 0.6634615384615384f, 7.9326923076923075f, 13.711538461538462f,
                        13.576923076923077f, 6.288461538461538f, 0.6057692307692307f, 0f}
                    : new float[] {0, 0, 8, 15, 14, 6, 0, 0};
            assertThat(t3).containsExactly(want3);
            assertThat(tc.imageShape()).contains(ImageShape.grey(8, 8));
        }
    }

    /** Plain double loops: class means/medians and nearest template, ties to the smallest class. */
    private static int[] reference(Dataset train, Dataset test, Center center, Metric metric) {
        int d = train.dims();
        int k = train.numClasses();
        double[][] t = new double[k][d];
        for (int c = 0; c < k; c++) {
            for (int f = 0; f < d; f++) {
                final int cc = c;
                final int ff = f;
                double[] v = IntStream.range(0, train.rows()).filter(r -> train.label(r) == cc)
                        .mapToDouble(r -> train.value(r, ff)).sorted().toArray();
                t[c][f] = center == Center.MEAN ? Arrays.stream(v).sum() / v.length
                        : (v[(v.length - 1) / 2] + v[v.length / 2]) / 2;
            }
        }
        int[] out = new int[test.rows()];
        for (int r = 0; r < test.rows(); r++) {
            double best = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int f = 0; f < d; f++) {
                    double diff = test.value(r, f) - (float) t[c][f];
                    s += metric == Metric.L1 ? Math.abs(diff) : diff * diff;
                }
                if (s < best) {
                    best = s;
                    out[r] = c;
                }
            }
        }
        return out;
    }

    private static Dataset randomU8(int rows, int dims, int classes, long seed, int maxValue) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = i % classes; // every class present
        }
        List<String> names = IntStream.range(0, classes).mapToObj(i -> "c" + i).toList();
        Dataset d = Dataset.allocate(Dataset.Type.UINT8, rows, dims, labels, names);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dims; c++) {
                d.setU8(r, c, rnd.nextInt(maxValue + 1));
            }
        }
        return d;
    }

    @ParameterizedTest
    @CsvSource({"MEAN, L1, 1, 255", "MEAN, L2, 17, 255", "MEDIAN, L1, 33, 255", "MEDIAN, L2, 65, 3",
        "MEDIAN, L1, 100, 255", "MEAN, L1, 100, 255"})
    void randomDataAgreesWithPlainLoops(Center center, Metric metric, int dims, int maxValue) {
        // Even and odd class sizes (7 classes, 200 rows) exercise both median cases.
        try (Dataset train = randomU8(200, dims, 7, 1, maxValue); Dataset test = randomU8(300, dims, 7, 2, maxValue);
             Dataset trainF = train.toFloat32(); Dataset testF = test.toFloat32()) {
            int[] want = reference(train, test, center, metric);
            TemplateClassifier u8 = TemplateClassifier.fit(train, center);
            TemplateClassifier f32 = TemplateClassifier.fit(trainF, center);
            for (int c = 0; c < 7; c++) {
                assertThat(f32.template(c)).containsExactly(u8.template(c));
            }
            assertThat(u8.predict(test, metric, 2)).containsExactly(want);
            assertThat(f32.predict(testF, metric, 1)).containsExactly(want);
        }
    }

    @Test
    void tiesGoToTheSmallestClassAndEmptyClassesAreNeverPredicted() {
        // classes 0 and 2 have the same template; class 1 has no rows
        Dataset train = Dataset.allocate(Dataset.Type.UINT8, 2, 4, new int[] {2, 0}, List.of("a", "b", "c"));
        Dataset test = Dataset.allocate(Dataset.Type.UINT8, 1, 4, new int[] {1}, List.of("a", "b", "c"));
        try (train; test) {
            for (int f = 0; f < 4; f++) {
                train.setU8(0, f, 10);
                train.setU8(1, f, 10);
            }
            for (Center center : Center.values()) {
                TemplateClassifier tc = TemplateClassifier.fit(train, center);
                assertThat(tc.hasTemplate(1)).isFalse();
                assertThat(tc.count(0)).isEqualTo(1);
                for (Metric m : Metric.values()) {
                    assertThat(tc.predict(test, m, 1)).containsExactly(0);
                }
            }
        }
    }

    @Test
    void errorsNameTheProblem() {
        try (Dataset train = randomU8(10, 5, 2, 1, 255); Dataset wrong = randomU8(3, 6, 2, 1, 255);
             Dataset empty = Dataset.allocate(Dataset.Type.UINT8, 0, 5, new int[0], List.of("a"))) {
            TemplateClassifier tc = TemplateClassifier.fit(train, Center.MEAN);
            assertThatThrownBy(() -> tc.predict(wrong, Metric.L1, 1))
                    .hasMessage("the templates have 5 features but the data has 6");
            assertThatThrownBy(() -> tc.predict(train, Metric.L1, 0)).hasMessageContaining("threads must be >= 1");
            assertThatThrownBy(() -> TemplateClassifier.fit(empty, Center.MEAN)).hasMessageContaining("0 rows");
            assertThat(tc.predict(empty, Metric.L2, 1)).isEmpty();
        }
    }
}
