package io.vecml.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vecml.engine.api.Classifier;
import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.LinearModel;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.TemplateModel;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Splits;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.Scoring;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.template.TemplateClassifier;
import io.vecml.engine.train.SgdConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same request through the three faces — the library ({@code io.vecml.engine.api}), the command line
 * ({@link CliFace}, {@code Main} in-process) and the server (a real socket) — gives identical predictions,
 * scores (accuracy, balanced accuracy) and per-class probabilities or scores, for kNN (L1, L2, k, weights,
 * standardised), templates (raw and standardised) and linear models trained with a fixed seed; and the faces
 * have the same defaults for one model. Every face runs on the 0.2 holdout (seed 42) of
 * embedded:digits; the faces use different thread counts (1 and 2), which must not matter.
 */
class ParityTest {

    static final RunOptions LIBRARY_RUN = new RunOptions(1);
    static final double LR = 0.01;
    static final int EPOCHS = 3;
    static final int BATCH = 64;
    static final double LAMBDA = 0.001;
    static final long TRAIN_SEED = 7;

    @TempDir
    static Path tmp;

    static Dataset train;
    static Dataset test;
    static VecmlServer server;
    static ServeClient client;
    static CliFace cli;

    /** One request: a model kind and its parameters ({@code standardize}: z-scores of the training rows). */
    record Case(String name, String kind, Metric metric, int k, Weights weights, Loss loss, boolean standardize) {
        Case(String name, String kind, Metric metric, int k, Weights weights, Loss loss) {
            this(name, kind, metric, k, weights, loss, false);
        }

        String scaling() {
            return standardize ? "train" : "none";
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** What a face answered. {@code predictions} and {@code scores} are null where the face gives none. */
    record Outcome(int[] predictions, double accuracy, double balancedAccuracy, double[] scores) {
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("knn-l1-k3-uniform", "knn", Metric.L1, 3, Weights.UNIFORM, null),
                new Case("knn-l2-k5-distance", "knn", Metric.L2, 5, Weights.DISTANCE, null),
                new Case("knn-l2-k1-uniform", "knn", Metric.L2, 1, Weights.UNIFORM, null),
                new Case("knn-l1-k5-standardized", "knn", Metric.L1, 5, Weights.UNIFORM, null, true),
                new Case("knn-l2-k3-distance-standardized", "knn", Metric.L2, 3, Weights.DISTANCE, null, true),
                new Case("template-l1", "template", Metric.L1, 0, null, null),
                new Case("template-l2", "template", Metric.L2, 0, null, null),
                new Case("template-l1-standardized", "template", Metric.L1, 0, null, null, true),
                new Case("linear-softmax", "linear", null, 0, null, Loss.SOFTMAX),
                new Case("linear-svm", "linear", null, 0, null, Loss.SVM)).map(Arguments::of);
    }

    @BeforeAll
    static void start() throws Exception {
        try (LoadedData d = Datasets.load(Datasets.EMBEDDED_DIGITS)) {
            Splits.Holdout h = Splits.holdout(d.train().rows(), 0.2, 42);
            train = d.train().select(h.train());
            test = d.train().select(h.test());
        }
        server = VecmlServer.start(new ServeConfig("127.0.0.1", 0, null, 64L << 20, 2, 4, "test",
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        client = new ServeClient(server);
        ServeClient.Reply r = client.post("/datasets",
                "{\"name\":\"digits\",\"path\":\"embedded:digits\",\"testFraction\":0.2,\"splitSeed\":42}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        cli = new CliFace(tmp);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
        train.close();
        test.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void libraryCommandLineAndServerAgree(Case c) throws Exception {
        Outcome lib = library(c);
        Outcome srv = server(c);
        Outcome cmd = commandLine(c);

        assertThat(lib.predictions()).hasSize(test.rows());
        // a model that learnt something, so that agreement is not agreement on nothing
        assertThat(lib.accuracy()).isGreaterThan(0.5);
        assertThat(srv.predictions()).as("server predictions").containsExactly(lib.predictions());
        assertThat(srv.scores()).as("server scores").containsExactly(lib.scores());
        assertThat(srv.accuracy()).as("server accuracy").isEqualTo(lib.accuracy());
        assertThat(srv.balancedAccuracy()).as("server balanced accuracy").isEqualTo(lib.balancedAccuracy());
        if (cmd.predictions() != null) {
            assertThat(cmd.predictions()).as("command-line predictions").containsExactly(lib.predictions());
        }
        if (cmd.scores() != null) {
            assertThat(cmd.scores()).as("command-line probabilities").containsExactly(lib.scores());
        }
        assertThat(cmd.accuracy()).as("command-line accuracy").isEqualTo(lib.accuracy());
        assertThat(cmd.balancedAccuracy()).as("command-line balanced accuracy").isEqualTo(lib.balancedAccuracy());
        // kNN and linear models: the command line writes its predictions (templates: scores only, for now)
        assertThat(cmd.predictions() != null).isEqualTo(!c.kind().equals("template"));
        if (c.standardize()) {
            // z-scores change the answers on the digits (pixels have different spreads): the option is not ignored
            Case raw = new Case(c.name() + "-raw", c.kind(), c.metric(), c.k(), c.weights(), c.loss(), false);
            assertThat(library(raw).predictions()).isNotEqualTo(lib.predictions());
        }
    }

    /**
     * One model's defaults are the vocabulary's (metric l2, k 5, uniform weights, raw features, class means) and
     * the same on every face: the library's {@code Params.defaults()}, the command line without those options
     * and the server without those fields fit the same model (equal accuracies and parameters). The Spark
     * estimators are checked against the same library defaults in the spark module.
     */
    @org.junit.jupiter.api.Test
    void oneModelDefaultsAreTheSameOnEveryFace() throws Exception {
        KnnModel.Params knn = KnnModel.Params.defaults();
        TemplateModel.Params tpl = TemplateModel.Params.defaults();
        assertThat(knn).isEqualTo(new KnnModel.Params(5, Metric.L2, Weights.UNIFORM, false));
        assertThat(tpl).isEqualTo(new TemplateModel.Params(TemplateClassifier.Center.MEAN, Metric.L2, false));
        double knnAccuracy;
        double tplAccuracy;
        try (KnnModel k = new KnnModel(knn, LIBRARY_RUN).fit(train);
             TemplateModel t = new TemplateModel(tpl, LIBRARY_RUN).fit(train)) {
            knnAccuracy = k.score(test, Scoring.ACCURACY);
            tplAccuracy = t.score(test, Scoring.ACCURACY);
        }
        // L1 templates score differently on this split, so equal accuracies below pin the metric
        try (TemplateModel l1 = new TemplateModel(tpl.withMetric(Metric.L1), LIBRARY_RUN).fit(train)) {
            assertThat(l1.score(test, Scoring.ACCURACY)).isNotEqualTo(tplAccuracy);
        }

        JsonNode k = ServeClient.JSON.readTree(CliFace.run(java.util.List.of("knn", "--data", "embedded:digits",
                "--test-fraction", "0.2", "--split-seed", "42", "--threads", "1", "--json")));
        assertThat(k.get("results")).hasSize(1);
        assertThat(k.get("results").get(0).get("metric").asText()).isEqualTo(knn.metric().name());
        assertThat(k.get("results").get(0).get("k").asInt()).isEqualTo(knn.k());
        assertThat(k.get("data").get("standardize").asText()).isEqualTo("none");
        assertThat(k.get("results").get(0).get("accuracy").asDouble()).isEqualTo(knnAccuracy);
        JsonNode t = ServeClient.JSON.readTree(CliFace.run(java.util.List.of("template", "--data", "embedded:digits",
                "--test-fraction", "0.2", "--split-seed", "42", "--threads", "1", "--json")));
        assertThat(t.get("results")).hasSize(1);
        assertThat(t.get("results").get(0).get("metric").asText()).isEqualTo(tpl.metric().name());
        assertThat(t.get("standardize").asText()).isEqualTo("none");
        assertThat(t.get("results").get(0).get("accuracy").asDouble()).isEqualTo(tplAccuracy);

        for (String type : new String[] {"knn", "template"}) {
            String name = "defaults-" + type;
            ServeClient.Reply f = client.post("/models", "{\"name\":\"" + name + "\",\"dataset\":\"digits\",\"type\":\""
                    + type + "\"}");
            assertThat(f.status()).as(f.text()).isEqualTo(201);
            try {
                JsonNode p = f.json().get("params");
                assertThat(p.get("metric").asText()).isEqualTo(Metric.L2.name());
                assertThat(p.get("standardize").asText()).isEqualTo("none");
                if (type.equals("knn")) {
                    assertThat(p.get("k").asInt()).isEqualTo(knn.k());
                    assertThat(p.get("weights").asText()).isEqualTo("uniform");
                } else {
                    assertThat(p.get("center").asText()).isEqualTo("mean");
                }
                ServeClient.Reply e = client.post("/models/" + name + "/evaluate",
                        "{\"dataset\":\"digits\",\"split\":\"test\"}");
                assertThat(e.status()).as(e.text()).isEqualTo(200);
                assertThat(e.json().get("accuracy").asDouble()).isEqualTo(type.equals("knn") ? knnAccuracy : tplAccuracy);
            } finally {
                client.delete("/models/" + name);
            }
        }
    }

    // ---------------------------------------------------------------- the three faces

    static Outcome library(Case c) {
        Classifier m = switch (c.kind()) {
            case "knn" -> new KnnModel(new KnnModel.Params(c.k(), c.metric(), c.weights(), c.standardize()), LIBRARY_RUN);
            case "template" -> new TemplateModel(new TemplateModel.Params(TemplateClassifier.Center.MEAN, c.metric(),
                    c.standardize()), LIBRARY_RUN);
            default -> new LinearModel(new LinearModel.Params(LinearConfig.defaults().withLoss(c.loss())
                    .withRegularizer(Regularizer.l2(LAMBDA)).withPreprocessing(Preprocessing.STANDARDIZE),
                    SgdConfig.defaults().withLearningRate(LR).withEpochs(EPOCHS).withBatchSize(BATCH)
                            .withSeed(TRAIN_SEED)), LIBRARY_RUN);
        };
        try (m) {
            m.fit(train);
            return new Outcome(m.predict(test), m.score(test, Scoring.ACCURACY), m.score(test, Scoring.BALANCED_ACCURACY),
                    m.scores(test).values());
        }
    }

    static Outcome server(Case c) throws Exception {
        String body = switch (c.kind()) {
            case "knn" -> String.format(Locale.ROOT, "\"type\":\"knn\",\"metric\":\"%s\",\"k\":%d,\"weights\":\"%s\","
                    + "\"standardize\":\"%s\"", c.metric().name().toLowerCase(Locale.ROOT), c.k(),
                    c.weights().name().toLowerCase(Locale.ROOT), c.scaling());
            case "template" -> String.format(Locale.ROOT, "\"type\":\"template\",\"metric\":\"%s\",\"center\":\"mean\","
                    + "\"standardize\":\"%s\"", c.metric().name().toLowerCase(Locale.ROOT), c.scaling());
            default -> String.format(Locale.ROOT, "\"type\":\"linear\",\"loss\":\"%s\",\"lr\":%s,\"epochs\":%d,"
                    + "\"batch\":%d,\"reg\":\"l2\",\"lambda\":%s,\"trainSeed\":%d,\"standardize\":\"train\"",
                    c.loss().id(), LR, EPOCHS, BATCH, LAMBDA, TRAIN_SEED);
        };
        ServeClient.Reply f = client.post("/models", "{\"name\":\"" + c.name() + "\",\"dataset\":\"digits\"," + body + "}");
        assertThat(f.status()).as(f.text()).isEqualTo(201);
        if (c.loss() == null) {
            assertThat(f.json().get("params").get("standardize").asText()).isEqualTo(c.scaling());
        }
        try {
            ServeClient.Reply p = client.post("/models/" + c.name() + "/predict",
                    "{\"dataset\":\"digits\",\"split\":\"test\",\"scores\":true}");
            assertThat(p.status()).as(p.text()).isEqualTo(200);
            ServeClient.Reply e = client.post("/models/" + c.name() + "/evaluate", "{\"dataset\":\"digits\",\"split\":\"test\"}");
            assertThat(e.status()).as(e.text()).isEqualTo(200);
            JsonNode rows = p.json().get("scores");
            double[] scores = new double[rows.size() * rows.get(0).size()];
            int i = 0;
            for (JsonNode row : rows) {
                for (JsonNode v : row) {
                    scores[i++] = v.isNull() ? Double.NaN : v.asDouble();
                }
            }
            return new Outcome(ServeApiTest.ints(p.json().get("predictions")), e.json().get("accuracy").asDouble(),
                    e.json().get("balancedAccuracy").asDouble(), scores);
        } finally {
            client.delete("/models/" + c.name());
        }
    }

    static Outcome commandLine(Case c) throws Exception {
        CliFace.Outcome o = switch (c.kind()) {
            case "knn" -> cli.knn(c.metric().name().toLowerCase(Locale.ROOT), c.k(),
                    c.weights().name().toLowerCase(Locale.ROOT), c.scaling());
            case "template" -> cli.template(c.metric().name().toLowerCase(Locale.ROOT), c.scaling());
            default -> cli.linear(c.loss().id(), LR, EPOCHS, BATCH, LAMBDA, TRAIN_SEED);
        };
        return new Outcome(o.predictions(), o.accuracy(), o.balancedAccuracy(), o.probabilities());
    }
}
