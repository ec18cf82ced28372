package io.vecml.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vecml.engine.api.KnnModel;
import io.vecml.engine.api.LinearModel;
import io.vecml.engine.api.RunOptions;
import io.vecml.engine.api.Scores;
import io.vecml.engine.api.TemplateModel;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Npy;
import io.vecml.engine.data.Splits;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.knn.Neighbors;
import io.vecml.engine.knn.Weights;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.template.TemplateClassifier;
import io.vecml.engine.train.SgdConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server on the application API: per-request k and metric, probabilities, scores and neighbours
 * in predict (JSON and raw .npy forms), float queries for uint8-fitted models, saved models in
 * --model-dir. Every answer is compared with the library ({@code io.vecml.engine.api}) over a real socket.
 */
class ServeApiTest {

    static final int THREADS = 2;
    static final RunOptions RUN = new RunOptions(1);

    @TempDir
    static Path tmp;

    static Path modelDir;
    static Path outside;
    static VecmlServer server;
    static ServeClient client;
    static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    /** Digits (uint8) split as the server splits it with "holdout": 0.2, "seed": 42. */
    static Dataset digitsTrain;
    static Dataset digitsTest;

    @BeforeAll
    static void start() throws Exception {
        modelDir = Files.createDirectories(tmp.resolve("models"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        server = VecmlServer.start(new ServeConfig("127.0.0.1", 0, null, 64L << 20, THREADS, 4, "test-version",
                new PrintStream(LOG, true, StandardCharsets.UTF_8)).withModelDir(modelDir));
        client = new ServeClient(server);
        try (LoadedData d = Datasets.load(Datasets.EMBEDDED_DIGITS)) {
            Splits.Holdout h = Splits.holdout(d.train().rows(), 0.2, 42);
            digitsTrain = d.train().select(h.train());
            digitsTest = d.train().select(h.test());
        }
        assertThat(digitsTrain.type()).isEqualTo(Dataset.Type.UINT8);
        ServeClient.Reply r = client.post("/datasets",
                "{\"name\":\"digits\",\"path\":\"embedded:digits\",\"testFraction\":0.2,\"splitSeed\":42}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
        digitsTrain.close();
        digitsTest.close();
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).isNull() ? Double.NaN : a.get(i).asDouble();
        }
        return out;
    }

    static void assertScores(JsonNode rows, Scores expected) {
        assertThat(rows.size()).isEqualTo(expected.rows());
        for (int r = 0; r < expected.rows(); r++) {
            assertThat(doubles(rows.get(r))).containsExactly(expected.row(r));
        }
    }

    /** The rows of {@code d} as a float32 .npy body, each value plus {@code add}. */
    static byte[] floatNpy(Dataset d, float add) throws Exception {
        float[] v = new float[d.rows() * d.dims()];
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < d.dims(); c++) {
                v[r * d.dims() + c] = d.value(r, c) + add;
            }
        }
        Path f = Files.createTempFile(tmp, "q-", ".npy");
        Npy.write(f, v, d.rows(), d.dims());
        return Files.readAllBytes(f);
    }

    /** A float32 copy of {@code d} with {@code add} added to every value. */
    static Dataset shifted(Dataset d, float add) {
        Dataset f = Dataset.allocate(Dataset.Type.FLOAT32, d.rows(), d.dims(), d.labels(), d.classNames());
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < d.dims(); c++) {
                f.setF32(r, c, d.value(r, c) + add);
            }
        }
        return f;
    }

    static ServeClient.Reply fit(String json) throws Exception {
        ServeClient.Reply f = client.post("/models", json);
        assertThat(f.status()).as(f.text()).isEqualTo(201);
        return f;
    }

    @Test
    void perRequestKMetricProbabilitiesAndNeighborsEqualTheLibrary() throws Exception {
        fit("{\"name\":\"k3\",\"dataset\":\"digits\",\"type\":\"knn\",\"metric\":\"l2\",\"k\":3,\"weights\":\"distance\"}");
        try (KnnModel l2 = new KnnModel(new KnnModel.Params(3, Metric.L2, Weights.DISTANCE), RUN).fit(digitsTrain);
             KnnModel l1 = new KnnModel(new KnnModel.Params(3, Metric.L1, Weights.DISTANCE), RUN).fit(digitsTrain)) {
            // the model's own k, then k = 7, then the other metric with k = 5 (the alias manhattan)
            JsonNode own = client.post("/models/k3/predict", "{\"dataset\":\"digits\"}").json();
            assertThat(ints(own.get("predictions"))).containsExactly(l2.predict(digitsTest));
            ServeClient.Reply k7 = client.post("/models/k3/predict",
                    "{\"dataset\":\"digits\",\"k\":7,\"probabilities\":true,\"neighbors\":4}");
            assertThat(k7.status()).as(k7.text()).isEqualTo(200);
            assertThat(ints(k7.json().get("predictions"))).containsExactly(l2.predict(digitsTest, 7));
            assertThat(k7.json().get("scoresKind").asText()).isEqualTo("vote_shares");
            assertScores(k7.json().get("probabilities"), l2.predictProba(digitsTest, 7));
            Neighbors nb = l2.kneighbors(digitsTest, 4);
            JsonNode n = k7.json().get("neighbors");
            assertThat(n.get("k").asInt()).isEqualTo(4);
            for (int q = 0; q < digitsTest.rows(); q++) {
                int[] idx = ints(n.get("indices").get(q));
                double[] dist = doubles(n.get("distances").get(q));
                for (int j = 0; j < 4; j++) {
                    assertThat(idx[j]).isEqualTo(nb.index(q, j));
                    assertThat(dist[j]).isEqualTo(nb.distance(q, j));
                }
            }
            ServeClient.Reply m1 = client.post("/models/k3/predict",
                    "{\"dataset\":\"digits\",\"k\":5,\"metric\":\"manhattan\",\"probabilities\":true}");
            assertThat(m1.status()).as(m1.text()).isEqualTo(200);
            assertThat(ints(m1.json().get("predictions"))).containsExactly(l1.predict(digitsTest, 5));
            assertScores(m1.json().get("probabilities"), l1.predictProba(digitsTest, 5));
            // the other metric did not change the model itself
            assertThat(ints(client.post("/models/k3/predict", "{\"dataset\":\"digits\"}").json().get("predictions")))
                    .containsExactly(l2.predict(digitsTest));

            // the raw .npy form takes the same as query parameters; float values that are integers 0..255
            // give exactly the uint8 answers
            ServeClient.Reply raw = client.postNpy("/models/k3/predict?k=7&probabilities=true&neighbors=4",
                    floatNpy(digitsTest, 0f));
            assertThat(raw.status()).as(raw.text()).isEqualTo(200);
            assertThat(ints(raw.json().get("predictions"))).containsExactly(l2.predict(digitsTest, 7));
            assertScores(raw.json().get("probabilities"), l2.predictProba(digitsTest, 7));
            assertThat(raw.json().get("neighbors")).isEqualTo(n);
            ServeClient.Reply rawL1 = client.postNpy("/models/k3/predict?metric=l1&k=5&scores=true",
                    floatNpy(digitsTest, 0f));
            assertThat(ints(rawL1.json().get("predictions"))).containsExactly(l1.predict(digitsTest, 5));
            // "scores" of a kNN model are its vote shares, in the field asked for
            assertThat(rawL1.json().get("scoresKind").asText()).isEqualTo("vote_shares");
            assertScores(rawL1.json().get("scores"), l1.predictProba(digitsTest, 5));
            assertThat(rawL1.json().has("probabilities")).isFalse();
            // non-integral floats are computed in float, as the library does
            try (Dataset half = shifted(digitsTest, 0.25f)) {
                ServeClient.Reply f = client.postNpy("/models/k3/predict?k=5", floatNpy(digitsTest, 0.25f));
                assertThat(f.status()).as(f.text()).isEqualTo(200);
                assertThat(ints(f.json().get("predictions"))).containsExactly(l2.predict(half, 5));
            }
        }

        // bad values name the field or parameter
        ServeClient.Reply badMetric = client.post("/models/k3/predict", "{\"dataset\":\"digits\",\"metric\":\"cos\"}");
        assertThat(badMetric.status()).isEqualTo(400);
        assertThat(badMetric.error()).contains("field 'metric'", "cos");
        ServeClient.Reply badK = client.postNpy("/models/k3/predict?k=zero", floatNpy(digitsTest, 0f));
        assertThat(badK.status()).isEqualTo(400);
        assertThat(badK.error()).contains("query parameter 'k'", "zero");
        ServeClient.Reply bigK = client.post("/models/k3/predict", "{\"dataset\":\"digits\",\"neighbors\":1001}");
        assertThat(bigK.status()).isEqualTo(400);
        assertThat(bigK.error()).contains("'neighbors'", "1001");
        ServeClient.Reply npyExtra = client.send("POST", "/models/k3/predict?format=npy", "application/json",
                "{\"dataset\":\"digits\",\"probabilities\":true}".getBytes(StandardCharsets.UTF_8));
        assertThat(npyExtra.status()).isEqualTo(400);
        assertThat(npyExtra.error()).contains("format=npy");
        ServeClient.Reply queryOnJson = client.post("/models/k3/predict?k=3", "{\"dataset\":\"digits\"}");
        assertThat(queryOnJson.status()).isEqualTo(400);
        assertThat(queryOnJson.error()).contains("field 'k'");
        assertThat(client.delete("/models/k3").status()).isEqualTo(200);
    }

    @Test
    void templateAndLinearGiveScoresAcceptFloatQueriesAndRefuseProbabilitiesTheyDoNotHave() throws Exception {
        fit("{\"name\":\"tm\",\"dataset\":\"digits\",\"type\":\"template\",\"metric\":\"euclidean\"}");
        fit("{\"name\":\"sm\",\"dataset\":\"digits\",\"type\":\"linear\",\"loss\":\"cross-entropy\",\"lr\":0.01,"
                + "\"epochs\":3,\"batch\":64,\"lambda\":0.001,\"trainSeed\":7,\"standardize\":\"train\","
                + "\"schedule\":\"step:0.5:2\"}");
        fit("{\"name\":\"sv\",\"dataset\":\"digits\",\"type\":\"linear\",\"loss\":\"hinge\",\"lr\":0.01,"
                + "\"epochs\":3,\"batch\":64,\"lambda\":0.001,\"trainSeed\":7}");
        TemplateModel tm = new TemplateModel(new TemplateModel.Params(TemplateClassifier.Center.MEAN, Metric.L2), RUN)
                .fit(digitsTrain);
        LinearModel sm = new LinearModel(new LinearModel.Params(LinearConfig.defaults().withLoss(Loss.SOFTMAX)
                .withRegularizer(Regularizer.l2(0.001)).withPreprocessing(io.vecml.engine.linear.Preprocessing.STANDARDIZE),
                SgdConfig.defaults().withLearningRate(0.01).withEpochs(3).withBatchSize(64).withSeed(7)
                        .withSchedule(io.vecml.engine.train.Schedule.step(0.5, 2))), RUN).fit(digitsTrain);
        LinearModel sv = new LinearModel(new LinearModel.Params(LinearConfig.defaults().withLoss(Loss.SVM)
                .withRegularizer(Regularizer.l2(0.001)), SgdConfig.defaults().withLearningRate(0.01).withEpochs(3)
                .withBatchSize(64).withSeed(7)), RUN).fit(digitsTrain);

        ServeClient.Reply t = client.post("/models/tm/predict", "{\"dataset\":\"digits\",\"scores\":true}");
        assertThat(t.status()).as(t.text()).isEqualTo(200);
        assertThat(ints(t.json().get("predictions"))).containsExactly(tm.predict(digitsTest));
        assertThat(t.json().get("scoresKind").asText()).isEqualTo("distances");
        assertScores(t.json().get("scores"), tm.scores(digitsTest));
        ServeClient.Reply tp = client.post("/models/tm/predict", "{\"dataset\":\"digits\",\"probabilities\":true}");
        assertThat(tp.status()).isEqualTo(400);
        assertThat(tp.error()).contains("probabilities", "tm", "scores");
        ServeClient.Reply tk = client.post("/models/tm/predict", "{\"dataset\":\"digits\",\"k\":3}");
        assertThat(tk.status()).isEqualTo(400);
        assertThat(tk.error()).contains("'k'", "kNN");

        ServeClient.Reply s = client.post("/models/sm/predict", "{\"dataset\":\"digits\",\"probabilities\":true}");
        assertThat(s.status()).as(s.text()).isEqualTo(200);
        assertThat(ints(s.json().get("predictions"))).containsExactly(sm.predict(digitsTest));
        assertThat(s.json().get("scoresKind").asText()).isEqualTo("probabilities");
        assertScores(s.json().get("probabilities"), sm.predictProba(digitsTest));

        ServeClient.Reply v = client.post("/models/sv/predict", "{\"dataset\":\"digits\",\"scores\":true}");
        assertThat(v.json().get("scoresKind").asText()).isEqualTo("margins");
        assertScores(v.json().get("scores"), sv.scores(digitsTest));
        ServeClient.Reply vp = client.postNpy("/models/sv/predict?probabilities=true", floatNpy(digitsTest, 0f));
        assertThat(vp.status()).isEqualTo(400);
        assertThat(vp.error()).contains("probabilities", "svm");

        // float queries: integral ones answer as the uint8 rows, others as the library computes them in float
        try (Dataset half = shifted(digitsTest, 0.5f)) {
            for (String name : List.of("tm", "sm", "sv")) {
                io.vecml.engine.api.Classifier lib = name.equals("tm") ? tm : name.equals("sm") ? sm : sv;
                ServeClient.Reply a = client.postNpy("/models/" + name + "/predict", floatNpy(digitsTest, 0f));
                assertThat(a.status()).as(a.text()).isEqualTo(200);
                assertThat(ints(a.json().get("predictions"))).as(name).containsExactly(lib.predict(digitsTest));
                ServeClient.Reply b = client.postNpy("/models/" + name + "/predict", floatNpy(digitsTest, 0.5f));
                assertThat(ints(b.json().get("predictions"))).as(name).containsExactly(lib.predict(half));
            }
        }
        for (String name : List.of("tm", "sm", "sv")) {
            assertThat(client.delete("/models/" + name).status()).isEqualTo(200);
        }
    }

    @Test
    void badFitParametersNameTheFieldWithTheSharedSpellings() throws Exception {
        ServeClient.Reply a = client.post("/models", "{\"name\":\"x\",\"dataset\":\"digits\",\"type\":\"knn\","
                + "\"weights\":\"heavy\"}");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.error()).contains("field 'weights'", "uniform or distance", "heavy");
        ServeClient.Reply b = client.post("/models", "{\"name\":\"x\",\"dataset\":\"digits\",\"type\":\"linear\","
                + "\"loss\":\"log\"}");
        assertThat(b.status()).isEqualTo(400);
        assertThat(b.error()).contains("field 'loss'", "svm (hinge) or softmax (cross-entropy)");
        ServeClient.Reply c = client.post("/models", "{\"name\":\"x\",\"dataset\":\"digits\",\"type\":\"linear\","
                + "\"schedule\":\"step:2\"}");
        assertThat(c.status()).isEqualTo(400);
        assertThat(c.error()).contains("field 'schedule'", "step:FACTOR:EVERY");
        ServeClient.Reply d = client.post("/models", "{\"name\":\"x\",\"dataset\":\"digits\",\"type\":\"linear\","
                + "\"reg\":\"l3\"}");
        assertThat(d.status()).isEqualTo(400);
        assertThat(d.error()).contains("field 'reg'", "l3");
        ServeClient.Reply e = client.post("/models", "{\"name\":\"x\",\"dataset\":\"digits\",\"type\":\"linear\","
                + "\"standardize\":\"whiten\"}");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.error()).contains("field 'standardize'", "whiten");
        assertThat(client.get("/models/x").status()).isEqualTo(404);
    }

    @Test
    void savedModelsOfEveryTypeLoadBackAndPredictTheSame() throws Exception {
        fit("{\"name\":\"sk\",\"dataset\":\"digits\",\"type\":\"knn\",\"k\":4,\"metric\":\"l1\"}");
        fit("{\"name\":\"st\",\"dataset\":\"digits\",\"type\":\"template\",\"center\":\"median\"}");
        fit("{\"name\":\"sl\",\"dataset\":\"digits\",\"type\":\"linear\",\"loss\":\"softmax\",\"epochs\":2,\"trainSeed\":3}");
        for (String name : List.of("sk", "st", "sl")) {
            ServeClient.Reply s = client.send("POST", "/models/" + name + "/save", null, null);
            assertThat(s.status()).as(s.text()).isEqualTo(201);
            assertThat(s.json().get("file").asText()).isEqualTo(name + ".vecml");
            assertThat(Files.size(modelDir.resolve(name + ".vecml"))).isEqualTo(s.json().get("bytes").asLong());
            // no silent overwrite
            ServeClient.Reply again = client.post("/models/" + name + "/save", "{}");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.error()).contains(name + ".vecml", "overwrite");
            assertThat(client.post("/models/" + name + "/save", "{\"overwrite\":true}").status()).isEqualTo(201);

            ServeClient.Reply l = client.post("/models", "{\"name\":\"" + name + "2\",\"path\":\"" + name + ".vecml\"}");
            assertThat(l.status()).as(l.text()).isEqualTo(201);
            assertThat(l.json().get("file").asText()).isEqualTo(name + ".vecml");
            String ask = name.equals("st") ? "{\"dataset\":\"digits\",\"scores\":true}"
                    : "{\"dataset\":\"digits\",\"probabilities\":true}";
            JsonNode before = client.post("/models/" + name + "/predict", ask).json();
            JsonNode after = client.post("/models/" + name + "2/predict", ask).json();
            assertThat(after.get("predictions")).isEqualTo(before.get("predictions"));
            assertThat(after.get("scoresKind")).isEqualTo(before.get("scoresKind"));
            assertThat(after.get(name.equals("st") ? "scores" : "probabilities"))
                    .isEqualTo(before.get(name.equals("st") ? "scores" : "probabilities"));
            // the library reads the server's file and predicts the same
            try (io.vecml.engine.api.Classifier lib = io.vecml.engine.api.Models.load(modelDir.resolve(name + ".vecml"),
                    RUN)) {
                assertThat(ints(after.get("predictions"))).containsExactly(lib.predict(digitsTest));
            }
            JsonNode ev = client.post("/models/" + name + "2/evaluate", "{\"dataset\":\"digits\"}").json();
            assertThat(ev.get("accuracy").asDouble())
                    .isEqualTo(client.post("/models/" + name + "/evaluate", "{\"dataset\":\"digits\"}").json()
                            .get("accuracy").asDouble());
        }
        // the loaded kNN model still takes per-request k and neighbours
        try (KnnModel lib = new KnnModel(new KnnModel.Params(4, Metric.L1, Weights.UNIFORM), RUN).fit(digitsTrain)) {
            JsonNode p = client.post("/models/sk2/predict", "{\"dataset\":\"digits\",\"k\":9}").json();
            assertThat(ints(p.get("predictions"))).containsExactly(lib.predict(digitsTest, 9));
        }
        List<String> files = new ArrayList<>();
        client.get("/saved-models").json().get("savedModels").forEach(f -> files.add(f.get("file").asText()));
        assertThat(files).contains("sk.vecml", "st.vecml", "sl.vecml");
        for (String name : List.of("sk", "st", "sl", "sk2", "st2", "sl2")) {
            assertThat(client.delete("/models/" + name).status()).isEqualTo(200);
        }
    }

    @Test
    void corruptedAndOutsideModelFilesAreRefused() throws Exception {
        fit("{\"name\":\"ct\",\"dataset\":\"digits\",\"type\":\"template\"}");
        assertThat(client.post("/models/ct/save", "{}").status()).isEqualTo(201);
        byte[] good = Files.readAllBytes(modelDir.resolve("ct.vecml"));
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 0x5a;
        Files.write(modelDir.resolve("bad.vecml"), bad);
        ServeClient.Reply c = client.post("/models", "{\"name\":\"b\",\"path\":\"bad.vecml\"}");
        assertThat(c.status()).as(c.text()).isEqualTo(422);
        assertThat(c.error()).contains("bad.vecml", "not a valid vecml model").doesNotContain(modelDir.toString());
        Files.write(modelDir.resolve("text.vecml"), "hello".getBytes(StandardCharsets.UTF_8));
        ServeClient.Reply txt = client.post("/models", "{\"name\":\"b\",\"path\":\"text.vecml\"}");
        assertThat(txt.status()).isEqualTo(422);
        assertThat(txt.error()).contains("text.vecml");
        assertThat(client.get("/models/b").status()).isEqualTo(404);

        Files.write(outside.resolve("ct.vecml"), good);
        ServeClient.Reply up = client.post("/models", "{\"name\":\"o\",\"path\":\"../outside/ct.vecml\"}");
        assertThat(up.status()).isEqualTo(403);
        assertThat(up.error()).contains("outside the model folder");
        ServeClient.Reply abs = client.post("/models", "{\"name\":\"o\",\"path\":\""
                + outside.resolve("ct.vecml").toString().replace("\\", "\\\\") + "\"}");
        assertThat(abs.status()).isEqualTo(403);
        Files.createSymbolicLink(modelDir.resolve("link.vecml"), outside.resolve("ct.vecml"));
        ServeClient.Reply link = client.post("/models", "{\"name\":\"o\",\"path\":\"link.vecml\"}");
        assertThat(link.status()).isEqualTo(403);
        assertThat(link.error()).contains("leads outside the model folder");
        ServeClient.Reply missing = client.post("/models", "{\"name\":\"o\",\"path\":\"nope.vecml\"}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(client.get("/models/o").status()).isEqualTo(404);
        // the link to outside is not listed as a saved model either
        List<String> files = new ArrayList<>();
        client.get("/saved-models").json().get("savedModels").forEach(f -> files.add(f.get("file").asText()));
        assertThat(files).contains("ct.vecml").doesNotContain("link.vecml");
        assertThat(client.delete("/models/ct").status()).isEqualTo(200);
    }

    @Test
    void withoutModelDirSavingLoadingAndListingSaySo() throws Exception {
        try (VecmlServer plain = VecmlServer.start(new ServeConfig("127.0.0.1", 0, null, 1L << 20, 1, 2, "t",
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))) {
            ServeClient c = new ServeClient(plain);
            assertThat(c.post("/datasets", "{\"name\":\"d\",\"path\":\"embedded:digits\"}").status()).isEqualTo(201);
            assertThat(c.post("/models", "{\"name\":\"m\",\"dataset\":\"d\",\"type\":\"template\"}").status())
                    .isEqualTo(201);
            for (ServeClient.Reply r : List.of(c.post("/models/m/save", "{}"), c.get("/saved-models"),
                    c.post("/models", "{\"name\":\"n\",\"path\":\"m.vecml\"}"))) {
                assertThat(r.status()).isEqualTo(400);
                assertThat(r.error()).contains("--model-dir");
            }
        }
    }

    @Test
    void gridLinearGivesWhatTheCommandLineGives() throws Exception {
        assertThat(client.post("/datasets", "{\"name\":\"all\",\"path\":\"embedded:digits\"}").status()).isEqualTo(201);
        ServeClient.Reply r = client.post("/grid/linear", "{\"dataset\":\"all\",\"lr\":[0.01,0.1],\"lambda\":\"1e-4\","
                + "\"loss\":[\"hinge\",\"softmax\"],\"reg\":\"l2,elastic-net\",\"epochs\":2,\"batch\":64,\"folds\":3,"
                + "\"cvSeed\":5,\"trainLimit\":400}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode s = r.json();
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = io.vecml.cli.Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "grid",
                "linear", "--data", "embedded:digits", "--lr", "0.01,0.1", "--lambda", "1e-4", "--loss", "svm,softmax",
                "--reg", "l2,elastic", "--epochs", "2", "--batch", "64", "--folds", "3", CliFace.GRID_CV_SEED, "5",
                CliFace.GRID_TRAIN_LIMIT, "400",
                "--threads", "1", "--json");
        assertThat(code).as(err.toString()).isZero();
        JsonNode c = ServeClient.JSON.readTree(out.toString());
        List<String> fields = new ArrayList<>();
        c.fieldNames().forEachRemaining(fields::add);
        List<String> serverFields = new ArrayList<>();
        s.fieldNames().forEachRemaining(serverFields::add);
        assertThat(serverFields).containsExactlyElementsOf(fields);
        for (String f : List.of("rows", "dims", "folds", "stratified", "cvSeed", "seed", "scoring", "epochs",
                "batchSize", "trainSeed", "candidates", "best", "test", "results", "blas")) {
            assertThat(s.get(f)).as(f).isEqualTo(c.get(f));
        }
        // the vocabulary's word for z-scores fitted on each training fold (the command line said "fold" before)
        assertThat(s.get("standardize").asText()).isEqualTo("train");
        assertThat(s.get("candidates").asInt()).isEqualTo(2 * 2 * 2);
        assertThat(s.get("rows").asInt()).isEqualTo(400);

        // with a test split, the best candidate is refitted and scored on it
        ServeClient.Reply t = client.post("/grid/linear", "{\"dataset\":\"digits\",\"lr\":0.05,\"loss\":\"softmax\","
                + "\"epochs\":2,\"folds\":2}");
        assertThat(t.status()).as(t.text()).isEqualTo(200);
        assertThat(t.json().get("test").get("rows").asInt()).isEqualTo(digitsTest.rows());

        ServeClient.Reply bad = client.post("/grid/linear", "{\"dataset\":\"all\",\"loss\":\"log\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).contains("field 'loss'", "log");
        ServeClient.Reply badLr = client.post("/grid/linear", "{\"dataset\":\"all\",\"lr\":\"0.1,fast\"}");
        assertThat(badLr.status()).isEqualTo(400);
        assertThat(badLr.error()).contains("field 'lr'", "fast");
        assertThat(client.delete("/datasets/all").status()).isEqualTo(200);
    }

    @Test
    void fieldsFollowTheOneVocabularyAndOldNamesWarn() throws Exception {
        // defaults of one model as on the command line: kNN k = 5 with L2, template L2
        JsonNode dk = fit("{\"name\":\"voc-knn\",\"dataset\":\"digits\",\"type\":\"knn\"}").json();
        assertThat(dk.get("params").get("k").asInt()).isEqualTo(5);
        assertThat(dk.get("params").get("metric").asText()).isEqualTo("L2");
        assertThat(dk.has("warnings")).isFalse();
        JsonNode dt = fit("{\"name\":\"voc-tm\",\"dataset\":\"digits\",\"type\":\"template\"}").json();
        assertThat(dt.get("params").get("metric").asText()).isEqualTo("L2");
        try (KnnModel lib = new KnnModel(KnnModel.Params.defaults(), RUN).fit(digitsTrain)) {
            assertThat(ints(client.post("/models/voc-knn/predict", "{\"dataset\":\"digits\"}").json()
                    .get("predictions"))).containsExactly(lib.predict(digitsTest));
        }

        // old names are accepted, answered with a warning each; old and new together are refused
        ServeClient.Reply old = client.post("/datasets",
                "{\"name\":\"voc-old\",\"path\":\"embedded:digits\",\"holdout\":0.2,\"seed\":42}");
        assertThat(old.status()).as(old.text()).isEqualTo(201);
        assertThat(old.json().get("warnings").toString()).contains("field 'holdout' is now 'testFraction'",
                "field 'seed' is now 'splitSeed'");
        assertThat(old.json().get("rows").get("train").asInt()).isEqualTo(digitsTrain.rows());
        ServeClient.Reply lin = client.post("/models", "{\"name\":\"voc-lin\",\"dataset\":\"digits\","
                + "\"type\":\"linear\",\"epochs\":1,\"seed\":3,\"preprocess\":\"raw\"}");
        assertThat(lin.status()).as(lin.text()).isEqualTo(201);
        assertThat(lin.json().get("params").get("trainSeed").asLong()).isEqualTo(3);
        assertThat(lin.json().get("params").get("standardize").asText()).isEqualTo("none");
        assertThat(lin.json().get("warnings").toString()).contains("'seed' is now 'trainSeed'",
                "'preprocess' is now 'standardize'");
        ServeClient.Reply both = client.post("/models", "{\"name\":\"voc-x\",\"dataset\":\"digits\","
                + "\"type\":\"linear\",\"seed\":3,\"trainSeed\":3}");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.error()).contains("'seed'", "'trainSeed'");

        // grids: limit counts test rows (refused without a test split), trainLimit training rows; a holdout
        // with testFraction and splitSeed is the dataset's own holdout
        assertThat(client.post("/datasets", "{\"name\":\"voc-all\",\"path\":\"embedded:digits\"}").status())
                .isEqualTo(201);
        ServeClient.Reply noTest = client.post("/grid/knn", "{\"dataset\":\"voc-all\",\"k\":3,\"limit\":50}");
        assertThat(noTest.status()).isEqualTo(400);
        assertThat(noTest.error()).contains("'limit' counts test rows", "'trainLimit'");
        ServeClient.Reply g = client.post("/grid/knn", "{\"dataset\":\"voc-all\",\"k\":3,\"metric\":\"l2\","
                + "\"folds\":3,\"testFraction\":0.2,\"splitSeed\":42,\"limit\":50,\"seed\":1}");
        assertThat(g.status()).as(g.text()).isEqualTo(200);
        assertThat(g.json().get("rows").asInt()).isEqualTo(digitsTrain.rows());
        assertThat(g.json().get("cvSeed").asLong()).isEqualTo(1);
        assertThat(g.json().get("seed").asLong()).as("the deprecated duplicate").isEqualTo(1);
        assertThat(g.json().get("warnings").toString()).contains("'seed' is now 'cvSeed'");
        JsonNode test = g.json().get("test");
        assertThat(test.get("rows").asInt()).isEqualTo(50);
        try (KnnModel lib = new KnnModel(new KnnModel.Params(3, Metric.L2, Weights.UNIFORM), RUN).fit(digitsTrain);
             Dataset first = io.vecml.engine.data.Transforms.first(digitsTest, 50)) {
            assertThat(test.get("accuracy").asDouble())
                    .isEqualTo(lib.score(first, io.vecml.engine.eval.Scoring.ACCURACY));
        }
        ServeClient.Reply tl = client.post("/grid/knn", "{\"dataset\":\"voc-all\",\"k\":3,\"folds\":3,"
                + "\"trainLimit\":120}");
        assertThat(tl.status()).as(tl.text()).isEqualTo(200);
        assertThat(tl.json().get("rows").asInt()).isEqualTo(120);
        ServeClient.Reply seedAlone = client.post("/grid/linear", "{\"dataset\":\"voc-all\",\"splitSeed\":4}");
        assertThat(seedAlone.status()).isEqualTo(400);
        assertThat(seedAlone.error()).contains("'splitSeed'", "'testFraction'");
        for (String m : List.of("voc-knn", "voc-tm", "voc-lin")) {
            assertThat(client.delete("/models/" + m).status()).isEqualTo(200);
        }
        for (String d : List.of("voc-old", "voc-all")) {
            assertThat(client.delete("/datasets/" + d).status()).isEqualTo(200);
        }
    }

    @Test
    void oneRowPredictsEqualTheBatchAnswer() throws Exception {
        // the latency path (one uint8 row per request, parsed in memory) against the library's batch search of all
        // test rows at once: the same classes, vote shares and neighbours for every row, L2 and L1
        fit("{\"name\":\"one\",\"dataset\":\"digits\",\"type\":\"knn\",\"metric\":\"l2\",\"k\":5}");
        for (Metric metric : List.of(Metric.L2, Metric.L1)) {
            try (KnnModel lib = new KnnModel(new KnnModel.Params(5, metric, Weights.UNIFORM), RUN).fit(digitsTrain)) {
                int[] batch = lib.predict(digitsTest);
                Scores shares = lib.predictProba(digitsTest);
                Neighbors nb = lib.kneighbors(digitsTest, 5);
                for (int r = 0; r < digitsTest.rows(); r += 3) {
                    try (Dataset row = digitsTest.select(new int[] {r})) {
                        Path f = tmp.resolve("row.npy");
                        Npy.write(f, row);
                        ServeClient.Reply p = client.postNpy("/models/one/predict?probabilities=true&neighbors=5&metric="
                                + metric.name().toLowerCase(java.util.Locale.ROOT), Files.readAllBytes(f));
                        assertThat(p.status()).as(p.text()).isEqualTo(200);
                        assertThat(p.json().get("predictions").get(0).asInt()).as("row %d", r).isEqualTo(batch[r]);
                        assertThat(doubles(p.json().get("probabilities").get(0))).containsExactly(shares.row(r));
                        int[] idx = ints(p.json().get("neighbors").get("indices").get(0));
                        double[] dist = doubles(p.json().get("neighbors").get("distances").get(0));
                        for (int j = 0; j < 5; j++) {
                            assertThat(idx[j]).isEqualTo(nb.index(r, j));
                            assertThat(dist[j]).isEqualTo(nb.distance(r, j));
                        }
                    }
                }
            }
        }
        assertThat(client.delete("/models/one").status()).isEqualTo(200);
    }

    @Test
    void largePredictBodiesGoThroughAFileAndAnswerAsSmallOnes() throws Exception {
        fit("{\"name\":\"big-tm\",\"dataset\":\"digits\",\"type\":\"template\",\"metric\":\"l1\"}");
        // float32 rows (digitsTest repeated) until the body is above the in-memory limit
        int rows = (int) (VecmlServer.IN_MEMORY_BODY / (4L * digitsTest.dims())) + 7;
        int[] pick = new int[rows];
        for (int i = 0; i < rows; i++) {
            pick[i] = i % digitsTest.rows();
        }
        try (Dataset many = digitsTest.select(pick);
             TemplateModel lib = new TemplateModel(new TemplateModel.Params(TemplateClassifier.Center.MEAN, Metric.L1),
                     RUN).fit(digitsTrain)) {
            byte[] big = floatNpy(many, 0f);
            assertThat((long) big.length).isGreaterThan(VecmlServer.IN_MEMORY_BODY);
            ServeClient.Reply r = client.postNpy("/models/big-tm/predict?format=npy", big);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            Path f = Files.write(tmp.resolve("big-pred.npy"), r.body());
            int[] expected = lib.predict(many);
            try (Npy.NpyArray a = Npy.read(f)) {
                assertThat(a.count()).isEqualTo(rows);
                for (int i = 0; i < rows; i++) {
                    assertThat(a.getLong(i)).as("row %d", i).isEqualTo(expected[i]);
                }
            }
            // the same rows in a small (in-memory) body answer the same
            try (Dataset few = digitsTest.select(java.util.Arrays.copyOf(pick, 50))) {
                ServeClient.Reply s = client.postNpy("/models/big-tm/predict", floatNpy(few, 0f));
                assertThat(ints(s.json().get("predictions"))).containsExactly(java.util.Arrays.copyOf(expected, 50));
            }
        }
        assertThat(client.delete("/models/big-tm").status()).isEqualTo(200);
    }

    @Test
    void noServerClassImportsACommandLineClass() throws Exception {
        // the server is a shell over the engine's application API, like the commands, not over the commands
        Path dir = Path.of("src/main/java/io/vecml/cli/serve");
        assertThat(dir).isDirectory();
        List<String> offending = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")).sorted().toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    String t = line.strip();
                    if (t.matches("import\\s+(static\\s+)?io\\.vecml\\.cli\\..*")
                            && !t.matches("import\\s+(static\\s+)?io\\.vecml\\.cli\\.serve\\..*")) {
                        offending.add(f.getFileName() + ": " + t);
                    }
                }
            }
        }
        assertThat(offending).isEmpty();
    }
}
