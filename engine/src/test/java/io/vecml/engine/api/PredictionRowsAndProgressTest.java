package io.vecml.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.EmbeddedData;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Npy;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.progress.ProgressListener;
import io.vecml.engine.template.TemplateClassifier;
import io.vecml.engine.template.TemplateClassifier.Center;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows to predict with and without labels; progress of the template classifier and of conversions. */
class PredictionRowsAndProgressTest {

    @TempDir
    Path dir;

    record Call(String stage, long done, long total) {
    }

    /** Records every call (from any thread). */
    static final class Recorder implements ProgressListener {
        final List<Call> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void update(String stage, long done, long total) {
            calls.add(new Call(stage, done, total));
        }

        List<Call> of(String stage) {
            synchronized (calls) {
                return calls.stream().filter(c -> c.stage().equals(stage)).toList();
            }
        }
    }

    @Test
    void npyWithoutALabelFileAndCsvOfTheModelsWidthAreFeaturesOnly() throws Exception {
        try (Dataset digits = EmbeddedData.digits()) {
            Path x = dir.resolve("rows.npy");
            Npy.write(x, digits);
            try (PredictionRows r = PredictionRows.load(x.toString(), LoadOptions.DEFAULTS, 64, null)) {
                assertThat(r.labelled()).isFalse();
                assertThat(r.rows().rows()).isEqualTo(digits.rows());
                assertThat(r.rows().u8(5, 20)).isEqualTo(digits.u8(5, 20));
            }
            // with its label file next to it, the same features are labelled data
            Path xl = dir.resolve("X.npy");
            Npy.write(xl, digits);
            Npy.writeLabels(dir.resolve("y.npy"), digits.labels());
            try (PredictionRows r = PredictionRows.load(xl.toString(), LoadOptions.DEFAULTS, 64, null)) {
                assertThat(r.labelled()).isTrue();
                assertThat(r.rows().labels()).isEqualTo(digits.labels());
            }
        }
        Path csv = Files.writeString(dir.resolve("rows.csv"), "1,2,3\n4,5,6.5\n");
        try (PredictionRows r = PredictionRows.load(csv.toString(), LoadOptions.DEFAULTS, 3, null)) {
            assertThat(r.labelled()).isFalse();
            assertThat(r.rows().dims()).isEqualTo(3);
            assertThat(r.rows().value(1, 2)).isEqualTo(6.5f);
        }
        // one column more than the model's features: the last one is the label
        try (PredictionRows r = PredictionRows.load(csv.toString(), LoadOptions.DEFAULTS, 2, null)) {
            assertThat(r.labelled()).isTrue();
            assertThat(r.rows().dims()).isEqualTo(2);
        }
        try (PredictionRows r = PredictionRows.load("embedded:iris", LoadOptions.DEFAULTS, 4, null)) {
            assertThat(r.labelled()).isTrue();
            assertThat(r.split()).isEqualTo("all");
        }
        assertThatThrownBy(() -> PredictionRows.load("embedded:iris", LoadOptions.DEFAULTS, 4, "test"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no test split");
        assertThatThrownBy(() -> PredictionRows.load(dir.resolve("none.npy").toString(), LoadOptions.DEFAULTS, 4, null))
                .isInstanceOf(java.nio.file.NoSuchFileException.class).hasMessageContaining("none.npy");
    }

    @Test
    void templateFitAndPredictReportRowsAndAnswerTheSame() {
        try (Dataset digits = EmbeddedData.digits()) {
            for (Metric metric : Metric.values()) {
                Recorder rec = new Recorder();
                TemplateClassifier quiet = TemplateClassifier.fit(digits, Center.MEAN);
                TemplateClassifier heard = TemplateClassifier.fit(digits, Center.MEAN, rec);
                int[] a = quiet.predict(digits, metric, 2);
                int[] b = heard.predict(digits, metric, 2, rec);
                assertThat(b).isEqualTo(a);
                for (String stage : new String[] {TemplateClassifier.FIT_STAGE, TemplateClassifier.PREDICT_STAGE}) {
                    List<Call> calls = rec.of(stage);
                    assertThat(calls).as(stage).isNotEmpty();
                    assertThat(calls).allSatisfy(c -> assertThat(c.total()).isEqualTo(digits.rows()));
                    assertThat(calls).allSatisfy(c -> assertThat(c.done()).isBetween(0L, (long) digits.rows()));
                    assertThat(calls.getLast().done()).as(stage).isEqualTo(digits.rows());
                }
                // 1797 rows, one at a time: a call at the start, at 1024 rows and at the end (prediction runs in
                // blocks on two threads, so its middle call depends on which block ends first)
                assertThat(rec.of(TemplateClassifier.FIT_STAGE)).extracting(Call::done).containsExactly(0L, 1024L, 1797L);
                assertThat(rec.of(TemplateClassifier.PREDICT_STAGE).getFirst().done()).isZero();
            }
        }
    }

    @Test
    void theModelsRunOptionsCarryTheListenerAndConversionsReportRows() throws Exception {
        Recorder rec = new Recorder();
        try (Dataset digits = EmbeddedData.digits()) {
            TemplateModel m = new TemplateModel(TemplateModel.Params.defaults(), new RunOptions(2, rec)).fit(digits);
            m.predict(digits);
            assertThat(rec.of(TemplateClassifier.FIT_STAGE)).isNotEmpty();
            assertThat(rec.of(TemplateClassifier.PREDICT_STAGE).getLast().done()).isEqualTo(digits.rows());
        }
        Recorder conv = new Recorder();
        try (LoadedData d = io.vecml.engine.data.Datasets.load("embedded:digits")) {
            List<String> files = DataConversion.toNpy(d, dir, RunOptions.defaults().withProgress(conv));
            assertThat(files).containsExactly("x_train.npy", "y_train.npy", "class_names.txt");
            List<Call> calls = conv.of("convert train");
            assertThat(calls.getFirst().done()).isZero();
            assertThat(calls.getLast().done()).isEqualTo(d.train().rows());
            assertThat(calls).extracting(Call::done).isSorted();
            try (Npy.NpyArray x = Npy.read(dir.resolve("x_train.npy"))) {
                assertThat(x.count()).isEqualTo((long) d.train().rows() * d.train().dims());
            }
        }
    }
}
