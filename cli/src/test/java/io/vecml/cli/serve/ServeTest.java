package io.vecml.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Npy;
import io.vecml.engine.data.Splits;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.gemm.BlasReport;
import io.vecml.engine.knn.KnnClassifier;
import io.vecml.engine.knn.KnnOptions;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Regularizer;
import io.vecml.engine.template.TemplateClassifier;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeTest {

    static final int THREADS = 2;

    @TempDir
    static Path tmp;

    static Path dataDir;
    static Path outside;
    static VecmlServer server;
    static ServeClient client;
    static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    /** Digits split as the server splits it with "holdout": 0.2, "seed": 42. */
    static Dataset digitsTrain;
    static Dataset digitsTest;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createDirectories(tmp.resolve("data"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        server = VecmlServer.start(config(dataDir, 256L << 20));
        client = new ServeClient(server);
        try (LoadedData d = Datasets.load(Datasets.EMBEDDED_DIGITS)) {
            Splits.Holdout h = Splits.holdout(d.train().rows(), 0.2, 42);
            digitsTrain = d.train().select(h.train());
            digitsTest = d.train().select(h.test());
        }
        ServeClient.Reply r = client.post("/datasets",
                "{\"name\":\"digits\",\"path\":\"embedded:digits\",\"holdout\":0.2,\"seed\":42}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
    }

    static ServeConfig config(Path data, long maxBody) {
        return new ServeConfig("127.0.0.1", 0, data, maxBody, THREADS, 8, "test-version",
                new PrintStream(LOG, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        server.stop();
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

    static byte[] npy(Path dir, String name, float[] v, long... shape) throws Exception {
        Path f = dir.resolve(name);
        Npy.write(f, v, shape);
        return Files.readAllBytes(f);
    }

    static byte[] npyInts(Path dir, String name, int[] v) throws Exception {
        Path f = dir.resolve(name);
        Npy.write(f, v, v.length);
        return Files.readAllBytes(f);
    }

    /** float32 rows with class structure: class c sits near (c, c, ..., c) * 3. */
    static float[] blobs(int rows, int dims, int classes, long seed, int[] labels) {
        java.util.Random rnd = new java.util.Random(seed);
        float[] x = new float[rows * dims];
        for (int r = 0; r < rows; r++) {
            labels[r] = r % classes;
            for (int c = 0; c < dims; c++) {
                x[r * dims + c] = (float) (labels[r] * 3 + rnd.nextGaussian() * 1.5);
            }
        }
        return x;
    }

    @Test
    void healthAndRequestLog() throws Exception {
        ServeClient.Reply r = client.get("/health");
        assertThat(r.status()).isEqualTo(200);
        JsonNode n = r.json();
        assertThat(n.get("status").asText()).isEqualTo("ok");
        assertThat(n.get("version").asText()).isEqualTo("test-version");
        assertThat(n.get("kernels").asText()).isNotBlank();
        assertThat(n.get("gemm").asText()).isNotBlank();
        assertThat(LOG.toString(StandardCharsets.UTF_8)).containsPattern("GET /health 200 [0-9.]+ ms");
    }

    /**
     * Every report names the BLAS in use (issue 13 point 6): /health, a fit, an evaluation and a grid search
     * carry the {@code blas} object of every command's --json (the same JVM: the same object).
     */
    @Test
    void healthFitsEvaluationsAndGridsSayWhichBlas() throws Exception {
        JsonNode cli = ServeClient.JSON.readTree(CliFace.run(List.of("data", "info", "embedded:digits", "--json")))
                .get("blas");
        assertThat(cli).isNotNull();
        BlasReport now = BlasReport.current();
        assertThat(cli.get("gemm").asText()).isEqualTo(now.gemm());
        assertThat(cli.get("loaded").asBoolean()).isEqualTo(now.loaded());
        List<ServeClient.Reply> answers = new ArrayList<>();
        answers.add(client.get("/health"));
        ServeClient.Reply fit = client.post("/models", "{\"name\":\"blas-t\",\"dataset\":\"digits\",\"type\":\"template\"}");
        answers.add(fit);
        try {
            answers.add(client.post("/models/blas-t/evaluate", "{\"dataset\":\"digits\",\"split\":\"test\"}"));
        } finally {
            client.delete("/models/blas-t");
        }
        answers.add(client.post("/grid/knn", "{\"dataset\":\"digits\",\"k\":\"1\",\"metric\":\"l2\",\"folds\":2}"));
        for (ServeClient.Reply a : answers) {
            assertThat(a.status()).as(a.text()).isBetween(200, 201);
            assertThat(a.json().get("blas")).as(a.text()).isEqualTo(cli);
        }
        assertThat(fit.json().get("name").asText()).isEqualTo("blas-t"); // the model's info is still all there
    }

    @Test
    void knnOnDigitsPredictsAsTheEngineAndEvaluates() throws Exception {
        ServeClient.Reply f = client.post("/models",
                "{\"name\":\"knn3\",\"dataset\":\"digits\",\"type\":\"knn\",\"metric\":\"l2\",\"k\":3}");
        assertThat(f.status()).as(f.text()).isEqualTo(201);
        assertThat(f.json().get("trainRows").asInt()).isEqualTo(digitsTrain.rows());
        int[] expected;
        try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L2).withThreads(1)).fit(digitsTrain)) {
            expected = knn.predict(digitsTest, 3);
        }
        ServeClient.Reply p = client.post("/models/knn3/predict", "{\"dataset\":\"digits\",\"split\":\"test\"}");
        assertThat(p.status()).as(p.text()).isEqualTo(200);
        assertThat(ints(p.json().get("predictions"))).containsExactly(expected);

        ServeClient.Reply e = client.post("/models/knn3/evaluate", "{\"dataset\":\"digits\",\"split\":\"test\"}");
        assertThat(e.status()).as(e.text()).isEqualTo(200);
        JsonNode n = e.json();
        assertThat(n.get("accuracy").asDouble()).isEqualTo(Metrics.accuracy(expected, digitsTest.labels()));
        assertThat(n.get("balancedAccuracy").asDouble())
                .isEqualTo(Metrics.balancedAccuracy(expected, digitsTest.labels(), 10));
        long[][] cm = Metrics.confusion(expected, digitsTest.labels(), 10);
        for (int i = 0; i < 10; i++) {
            assertThat(ints(n.get("confusion").get(i))).containsExactly(java.util.Arrays.stream(cm[i])
                    .mapToInt(x -> (int) x).toArray());
        }
        assertThat(n.get("rows").asInt()).isEqualTo(digitsTest.rows());

        // the same as an .npy answer
        ServeClient.Reply b = client.send("POST", "/models/knn3/predict?format=npy", "application/json",
                "{\"dataset\":\"digits\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(b.status()).isEqualTo(200);
        Path got = tmp.resolve("pred.npy");
        Files.write(got, b.body());
        try (Npy.NpyArray a = Npy.read(got)) {
            assertThat(a.dtype()).isEqualTo(Npy.Dtype.I4);
            assertThat(a.shape()).containsExactly(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(a.getLong(i)).isEqualTo(expected[i]);
            }
        }
    }

    @Test
    void linearAndTemplateModelsPredictAsTheEngine() throws Exception {
        ServeClient.Reply f = client.post("/models", "{\"name\":\"lin\",\"dataset\":\"digits\",\"type\":\"linear\","
                + "\"loss\":\"svm\",\"lr\":0.01,\"epochs\":4,\"batch\":64,\"lambda\":0.001,\"trainSeed\":7}");
        assertThat(f.status()).as(f.text()).isEqualTo(201);
        assertThat(f.json().get("training").get("epochs").asInt()).isEqualTo(4);
        LinearConfig cfg = LinearConfig.defaults().withLoss(Loss.SVM).withRegularizer(Regularizer.l2(0.001));
        SgdConfig sgd = SgdConfig.defaults().withLearningRate(0.01).withEpochs(4).withBatchSize(64).withSeed(7)
                .withThreads(THREADS);
        int[] expected = SgdTrainer.train(digitsTrain, cfg, sgd, null).model().predict(digitsTest, 1);
        ServeClient.Reply p = client.post("/models/lin/predict", "{\"dataset\":\"digits\",\"split\":\"test\"}");
        assertThat(p.status()).as(p.text()).isEqualTo(200);
        assertThat(ints(p.json().get("predictions"))).containsExactly(expected);
        ServeClient.Reply e = client.post("/models/lin/evaluate", "{\"dataset\":\"digits\",\"split\":\"test\"}");
        assertThat(e.json().get("accuracy").asDouble()).isEqualTo(Metrics.accuracy(expected, digitsTest.labels()))
                .isGreaterThan(0.8);

        ServeClient.Reply t = client.post("/models",
                "{\"name\":\"tmpl\",\"dataset\":\"digits\",\"type\":\"template\",\"metric\":\"l1\",\"center\":\"median\"}");
        assertThat(t.status()).as(t.text()).isEqualTo(201);
        int[] te = TemplateClassifier.fit(digitsTrain, TemplateClassifier.Center.MEDIAN).predict(digitsTest, Metric.L1, 1);
        ServeClient.Reply tp = client.post("/models/tmpl/predict", "{\"dataset\":\"digits\"}");
        assertThat(ints(tp.json().get("predictions"))).containsExactly(te);

        JsonNode list = client.get("/models").json().get("models");
        List<String> names = new ArrayList<>();
        list.forEach(m -> names.add(m.get("name").asText()));
        assertThat(names).contains("lin", "tmpl");
        assertThat(client.delete("/models/tmpl").status()).isEqualTo(200);
        assertThat(client.post("/models/tmpl/predict", "{\"dataset\":\"digits\"}").status()).isEqualTo(404);
    }

    @Test
    void uploadedNpyDatasetFitsAndPredictsRawNpyBodies() throws Exception {
        int dims = 7;
        int[] ytr = new int[120];
        float[] xtr = blobs(120, dims, 3, 1, ytr);
        int[] yte = new int[30];
        float[] xte = blobs(30, dims, 3, 2, yte);
        Path up = Files.createDirectories(tmp.resolve("up"));
        ServeClient.Reply a = client.put("/datasets/blobs/upload?split=train", npy(up, "x.npy", xtr, 120, dims));
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        assertThat(a.json().get("status").asText()).isEqualTo("staged");
        assertThat(client.get("/datasets/blobs").status()).isEqualTo(404);
        ServeClient.Reply b = client.put("/datasets/blobs/upload?split=train&part=labels", npyInts(up, "y.npy", ytr));
        assertThat(b.status()).as(b.text()).isEqualTo(201);
        assertThat(b.json().get("status").asText()).isEqualTo("created");
        assertThat(client.put("/datasets/blobs/upload?split=test&part=labels", npyInts(up, "yt.npy", yte)).status())
                .isEqualTo(200);
        ServeClient.Reply c = client.put("/datasets/blobs/upload?split=test", npy(up, "xt.npy", xte, 30, dims));
        assertThat(c.status()).as(c.text()).isEqualTo(200);
        assertThat(c.json().get("status").asText()).isEqualTo("test split added");

        JsonNode info = null;
        for (JsonNode d : client.get("/datasets").json().get("datasets")) {
            if (d.get("name").asText().equals("blobs")) {
                info = d;
            }
        }
        assertThat(info).isNotNull();
        assertThat(info.get("rows").get("train").asInt()).isEqualTo(120);
        assertThat(info.get("rows").get("test").asInt()).isEqualTo(30);
        assertThat(info.get("dims").asInt()).isEqualTo(dims);
        assertThat(info.get("type").asText()).isEqualTo("float32");
        assertThat(info.get("classes").asInt()).isEqualTo(3);

        assertThat(client.post("/models", "{\"name\":\"bk\",\"dataset\":\"blobs\",\"type\":\"knn\",\"metric\":\"l1\","
                + "\"k\":5,\"weights\":\"distance\"}").status()).isEqualTo(201);
        int[] expected;
        try (Dataset train = Dataset.allocate(Dataset.Type.FLOAT32, 120, dims, ytr, List.of("0", "1", "2"));
             Dataset test = Dataset.allocate(Dataset.Type.FLOAT32, 30, dims, yte, List.of("0", "1", "2"))) {
            for (int r = 0; r < 120; r++) {
                for (int j = 0; j < dims; j++) {
                    train.setF32(r, j, xtr[r * dims + j]);
                }
            }
            for (int r = 0; r < 30; r++) {
                for (int j = 0; j < dims; j++) {
                    test.setF32(r, j, xte[r * dims + j]);
                }
            }
            try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L1)
                    .withWeights(io.vecml.engine.knn.Weights.DISTANCE).withThreads(1)).fit(train)) {
                expected = knn.predict(test, 5);
            }
        }
        ServeClient.Reply p = client.postNpy("/models/bk/predict", npy(up, "q.npy", xte, 30, dims));
        assertThat(p.status()).as(p.text()).isEqualTo(200);
        assertThat(ints(p.json().get("predictions"))).containsExactly(expected);
        ServeClient.Reply e = client.post("/models/bk/evaluate", "{\"dataset\":\"blobs\",\"split\":\"test\"}");
        assertThat(e.json().get("accuracy").asDouble()).isEqualTo(Metrics.accuracy(expected, yte));

        // wrong width: the message names the features and both widths
        ServeClient.Reply w = client.postNpy("/models/bk/predict", npy(up, "w.npy", new float[30 * 6], 30, 6));
        assertThat(w.status()).isEqualTo(400);
        assertThat(w.error()).contains("features", "6", "7");
        // a dataset in use by a kNN model is removed from the list but kept until the model goes
        assertThat(client.delete("/datasets/blobs").status()).isEqualTo(200);
        assertThat(client.get("/datasets/blobs").status()).isEqualTo(404);
        ServeClient.Reply again = client.postNpy("/models/bk/predict", npy(up, "q2.npy", xte, 30, dims));
        assertThat(ints(again.json().get("predictions"))).containsExactly(expected);
        assertThat(client.delete("/models/bk").status()).isEqualTo(200);
    }

    @Test
    void pathsInsideTheDataFolderLoadAndOthersAreRefused() throws Exception {
        Path small = Files.createDirectories(dataDir.resolve("small"));
        int[] y = new int[90];
        float[] x = blobs(90, 5, 3, 3, y);
        npy(small, "x_train.npy", x, 90, 5);
        npyInts(small, "y_train.npy", y);
        int[] yt = new int[21];
        npy(small, "x_test.npy", blobs(21, 5, 3, 4, yt), 21, 5);
        npyInts(small, "y_test.npy", yt);
        Files.copy(small.resolve("x_train.npy"), outside.resolve("x_train.npy"));
        Files.copy(small.resolve("y_train.npy"), outside.resolve("y_train.npy"));
        Files.createSymbolicLink(dataDir.resolve("link"), outside);

        ServeClient.Reply ok = client.post("/datasets", "{\"name\":\"small\",\"path\":\"small\"}");
        assertThat(ok.status()).as(ok.text()).isEqualTo(201);
        assertThat(ok.json().get("rows").get("test").asInt()).isEqualTo(21);
        assertThat(ok.json().get("source").asText()).isEqualTo("small");

        ServeClient.Reply up = client.post("/datasets", "{\"name\":\"o1\",\"path\":\"../outside\"}");
        assertThat(up.status()).isEqualTo(403);
        assertThat(up.error()).contains("path", "outside the data folder");
        ServeClient.Reply abs = client.post("/datasets",
                "{\"name\":\"o2\",\"path\":" + ServeClient.JSON.writeValueAsString(outside.toString()) + "}");
        assertThat(abs.status()).isEqualTo(403);
        assertThat(abs.error()).contains("absolute");
        ServeClient.Reply link = client.post("/datasets", "{\"name\":\"o3\",\"path\":\"link\"}");
        assertThat(link.status()).isEqualTo(403);
        assertThat(link.error()).contains("symbolic link");
        Path mixed = Files.createDirectories(dataDir.resolve("mixed"));
        Files.copy(small.resolve("y_train.npy"), mixed.resolve("y_train.npy"));
        Files.createSymbolicLink(mixed.resolve("x_train.npy"), outside.resolve("x_train.npy"));
        ServeClient.Reply inner = client.post("/datasets", "{\"name\":\"o6\",\"path\":\"mixed\"}");
        assertThat(inner.status()).isEqualTo(403);
        assertThat(inner.error()).contains("mixed/x_train.npy", "symbolic link");
        ServeClient.Reply sneaky = client.post("/datasets", "{\"name\":\"o4\",\"path\":\"small/../../outside\"}");
        assertThat(sneaky.status()).isEqualTo(403);
        ServeClient.Reply missing = client.post("/datasets", "{\"name\":\"o5\",\"path\":\"nope\"}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.error()).contains("nope");
        assertThat(client.get("/datasets/o1").status()).isEqualTo(404);
    }

    /**
     * Companion files that the loaders find by themselves (an IDX labels file next to the images, y.npy
     * next to X.npy, CIFAR's batches.meta.txt) are checked too: a symbolic link with such a name that
     * leads outside --data-dir is refused with 403 before anything is read, so nothing of the outside
     * file (here: text whose first bytes an IDX magic error would print in hex) reaches the answer.
     */
    @Test
    void companionFilesLinkedOutsideTheDataFolderAreRefused() throws Exception {
        String secretText = "s3cr3t-outside:x:0:0:root:/root:/bin/bash\n";
        Path secret = Files.writeString(outside.resolve("passwd-like"), secretText);
        String secretHex = String.format("%02X%02X%02X%02X", (int) 's', (int) '3', (int) 'c', (int) 'r');
        List<ServeClient.Reply> replies = new ArrayList<>();

        Path idx = Files.createDirectories(dataDir.resolve("companion-idx"));
        byte[] images = new byte[16 + 2 * 4];
        images[2] = 0x08;
        images[3] = 0x03;
        images[7] = 2;
        images[11] = 2;
        images[15] = 2;
        Files.write(idx.resolve("train-images-idx3-ubyte"), images);
        Files.createSymbolicLink(idx.resolve("train-labels-idx1-ubyte"), secret);
        replies.add(client.post("/datasets", "{\"name\":\"c1\",\"path\":\"companion-idx/train-images-idx3-ubyte\"}"));

        Path np = Files.createDirectories(dataDir.resolve("companion-npy"));
        npy(np, "X.npy", new float[] {1, 2, 3, 4}, 2, 2);
        npyInts(outside, "y-outside.npy", new int[] {0, 1});
        Files.createSymbolicLink(np.resolve("y.npy"), outside.resolve("y-outside.npy"));
        replies.add(client.post("/datasets", "{\"name\":\"c2\",\"path\":\"companion-npy/X.npy\"}"));

        // given the folder it was extracted into, the reader descends into cifar-10-batches-py/ by itself
        Path cifar = Files.createDirectories(dataDir.resolve("companion-cifar/cifar-10-batches-py"));
        for (String b : List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5",
                "test_batch")) {
            Files.write(cifar.resolve(b), new byte[64]);
        }
        Files.createSymbolicLink(cifar.resolve("batches.meta"), secret);
        replies.add(client.post("/datasets", "{\"name\":\"c3\",\"path\":\"companion-cifar\","
                + "\"format\":\"cifar10-python\"}"));

        List<String> companions = List.of("companion-idx/train-labels-idx1-ubyte", "companion-npy/y.npy",
                "companion-cifar/cifar-10-batches-py/batches.meta");
        for (int i = 0; i < replies.size(); i++) {
            ServeClient.Reply r = replies.get(i);
            assertThat(r.status()).as(r.text()).isEqualTo(403);
            assertThat(r.error()).as(r.text()).contains(companions.get(i), "outside the data folder");
            assertThat(r.text()).doesNotContain("s3cr3t", secretHex, secretHex.toLowerCase(java.util.Locale.ROOT),
                    outside.toString(), dataDir.toString());
            assertThat(client.get("/datasets/c" + (i + 1)).status()).isEqualTo(404);
        }
    }

    @Test
    void gridKnnGivesWhatTheCommandLineGives() throws Exception {
        Path g = Files.createDirectories(dataDir.resolve("grid"));
        int[] y = new int[150];
        npy(g, "x_train.npy", blobs(150, 6, 3, 5, y), 150, 6);
        npyInts(g, "y_train.npy", y);
        int[] yt = new int[40];
        npy(g, "x_test.npy", blobs(40, 6, 3, 6, yt), 40, 6);
        npyInts(g, "y_test.npy", yt);
        assertThat(client.post("/datasets", "{\"name\":\"grid\",\"path\":\"grid\"}").status()).isEqualTo(201);
        ServeClient.Reply r = client.post("/grid/knn", "{\"dataset\":\"grid\",\"k\":\"1..6\",\"metric\":[\"l1\",\"l2\"],"
                + "\"weights\":\"uniform,distance\",\"folds\":3,\"standardize\":\"train\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode s = r.json();

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = io.vecml.cli.Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "grid", "knn", "--data",
                g.toString(), "--k", "1..6", "--metric", "l1,l2", "--weights", "uniform,distance", "--folds", "3",
                "--standardize", CliFace.GRID_STANDARDIZE_TRAIN, "--threads", "1", "--json");
        assertThat(code).as(err.toString()).isZero();
        JsonNode c = ServeClient.JSON.readTree(out.toString());
        List<String> fields = new ArrayList<>();
        c.fieldNames().forEachRemaining(fields::add);
        List<String> serverFields = new ArrayList<>();
        s.fieldNames().forEachRemaining(serverFields::add);
        assertThat(serverFields).containsExactlyElementsOf(fields);
        for (String f : List.of("rows", "dims", "folds", "stratified", "cvSeed", "seed", "scoring", "candidates",
                "best", "test", "results", "blas")) {
            assertThat(s.get(f)).as(f).isEqualTo(c.get(f));
        }
        // the vocabulary's word for z-scores fitted on each training fold (the command line said "fold" before)
        assertThat(s.get("standardize").asText()).isEqualTo("train");
        assertThat(s.get("candidates").asInt()).isEqualTo(2 * 6 * 2);
        assertThat(s.get("test").get("rows").asInt()).isEqualTo(40);

        // "splitRng": "sklearn" shuffles the folds as the CLI's --split-rng sklearn (scikit-learn's StratifiedKFold)
        ServeClient.Reply sk = client.post("/grid/knn", "{\"dataset\":\"grid\",\"k\":\"1..6\",\"metric\":\"l2\","
                + "\"folds\":3,\"cvSeed\":7,\"splitRng\":\"sklearn\"}");
        assertThat(sk.status()).as(sk.text()).isEqualTo(200);
        StringWriter out2 = new StringWriter();
        code = io.vecml.cli.Main.run(new PrintWriter(out2, true), new PrintWriter(err, true), "grid", "knn", "--data",
                g.toString(), "--k", "1..6", "--metric", "l2", "--folds", "3", CliFace.GRID_CV_SEED, "7", "--split-rng", "sklearn",
                "--threads", "1", "--json");
        assertThat(code).as(err.toString()).isZero();
        assertThat(sk.json().get("results")).isEqualTo(ServeClient.JSON.readTree(out2.toString()).get("results"));
        ServeClient.Reply badRng = client.post("/grid/knn", "{\"dataset\":\"grid\",\"splitRng\":\"np\"}");
        assertThat(badRng.status()).isEqualTo(400);
        assertThat(badRng.error()).contains("'splitRng'", "vecml or sklearn");
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        ServeClient.Reply bad = client.post("/models", "{\"name\": \"x\", ");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).contains("JSON");
        ServeClient.Reply array = client.post("/models", "[1, 2]");
        assertThat(array.status()).isEqualTo(400);
        assertThat(array.error()).contains("object");
        ServeClient.Reply noName = client.post("/models", "{\"dataset\":\"digits\",\"type\":\"knn\"}");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.error()).contains("'name'");
        ServeClient.Reply typo = client.post("/models", "{\"name\":\"t\",\"dataset\":\"digits\",\"type\":\"knn\",\"kk\":3}");
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.error()).contains("'kk'");
        ServeClient.Reply badK = client.post("/models", "{\"name\":\"t\",\"dataset\":\"digits\",\"type\":\"knn\",\"k\":\"x\"}");
        assertThat(badK.status()).isEqualTo(400);
        assertThat(badK.error()).contains("'k'");
        ServeClient.Reply unknown = client.post("/models", "{\"name\":\"t\",\"dataset\":\"nosuch\",\"type\":\"knn\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).contains("nosuch");
        assertThat(client.post("/models/nosuch/predict", "{\"dataset\":\"digits\"}").status()).isEqualTo(404);
        ServeClient.Reply dup = client.post("/datasets", "{\"name\":\"digits\",\"path\":\"embedded:digits\"}");
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.error()).contains("digits");
        ServeClient.Reply badName = client.post("/datasets", "{\"name\":\"../x\",\"path\":\"embedded:digits\"}");
        assertThat(badName.status()).isEqualTo(400);
        ServeClient.Reply m1 = client.delete("/health");
        assertThat(m1.status()).isEqualTo(405);
        assertThat(m1.error()).contains("DELETE", "GET");
        assertThat(client.send("PUT", "/models", "application/json", new byte[0]).status()).isEqualTo(405);
        assertThat(client.get("/models/x/predict").status()).isEqualTo(405);
        assertThat(client.get("/nothing/here").status()).isEqualTo(404);
        ServeClient.Reply notNpy = client.put("/datasets/junk/upload?split=train",
                "not an npy file".getBytes(StandardCharsets.UTF_8));
        assertThat(notNpy.status()).isEqualTo(400);
        assertThat(notNpy.error()).contains("features", ".npy");
        ServeClient.Reply badSplit = client.put("/datasets/junk/upload?split=validation", new byte[] {1});
        assertThat(badSplit.status()).isEqualTo(400);
        assertThat(badSplit.error()).contains("split");
        ServeClient.Reply noTest = client.post("/datasets", "{\"name\":\"whole\",\"path\":\"embedded:digits\"}");
        assertThat(noTest.status()).isEqualTo(201);
        ServeClient.Reply fit = client.post("/models", "{\"name\":\"w\",\"dataset\":\"whole\",\"type\":\"template\"}");
        assertThat(fit.status()).isEqualTo(201);
        ServeClient.Reply ev = client.post("/models/w/evaluate", "{\"dataset\":\"whole\",\"split\":\"test\"}");
        assertThat(ev.status()).isEqualTo(404);
        assertThat(ev.error()).contains("no test split");
        ServeClient.Reply badGrid = client.post("/grid/knn", "{\"dataset\":\"digits\",\"metric\":\"l3\"}");
        assertThat(badGrid.status()).isEqualTo(400);
        assertThat(badGrid.error()).contains("'metric'", "l3");
    }

    @Test
    void zeroQueryRowsGetAnEmptyAnswerOnEveryModelType() throws Exception {
        Path q = Files.createDirectories(tmp.resolve("empty"));
        int dims = digitsTrain.dims();
        byte[] none = npy(q, "none.npy", new float[0], 0, dims);
        for (String fit : List.of("{\"name\":\"e-knn\",\"dataset\":\"digits\",\"type\":\"knn\",\"k\":3}",
                "{\"name\":\"e-template\",\"dataset\":\"digits\",\"type\":\"template\"}",
                "{\"name\":\"e-linear\",\"dataset\":\"digits\",\"type\":\"linear\",\"epochs\":1,\"trainSeed\":1}")) {
            ServeClient.Reply f = client.post("/models", fit);
            assertThat(f.status()).as(f.text()).isEqualTo(201);
            String name = f.json().get("name").asText();
            ServeClient.Reply p = client.postNpy("/models/" + name + "/predict", none);
            assertThat(p.status()).as(name + ": " + p.text()).isEqualTo(200);
            assertThat(p.json().get("predictions").isArray()).isTrue();
            assertThat(p.json().get("predictions").size()).isZero();
            assertThat(p.json().get("rows").asInt()).isZero();
            ServeClient.Reply n = client.send("POST", "/models/" + name + "/predict?format=npy",
                    "application/octet-stream", none);
            assertThat(n.status()).isEqualTo(200);
            Path got = q.resolve(name + ".npy");
            Files.write(got, n.body());
            try (Npy.NpyArray a = Npy.read(got)) {
                assertThat(a.shape()).containsExactly(0L);
            }
            // an empty query of the wrong width is still refused
            ServeClient.Reply w = client.postNpy("/models/" + name + "/predict", npy(q, "w.npy", new float[0], 0, dims + 1));
            assertThat(w.status()).isEqualTo(400);
            assertThat(w.error()).contains("features", String.valueOf(dims + 1), String.valueOf(dims));
            assertThat(client.delete("/models/" + name).status()).isEqualTo(200);
        }
    }

    @Test
    void jsonFollowedByAnythingIsRefusedWithItsPosition() throws Exception {
        ServeClient.Reply garbage = client.post("/datasets", "{\"name\":\"g\",\"path\":\"embedded:digits\"} xyz");
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.error()).contains("after the JSON value", "line 1, column 39", "byte 38");
        ServeClient.Reply two = client.post("/datasets", "{\"name\":\"g\",\"path\":\"embedded:digits\"}\n{\"name\":\"h\"}");
        assertThat(two.status()).isEqualTo(400);
        assertThat(two.error()).contains("line 2, column 1");
        assertThat(client.get("/datasets/g").status()).isEqualTo(404);
        // trailing white space is fine
        ServeClient.Reply ok = client.post("/datasets", "{\"name\":\"g\",\"path\":\"embedded:digits\"}  \n");
        assertThat(ok.status()).as(ok.text()).isEqualTo(201);
        assertThat(client.delete("/datasets/g").status()).isEqualTo(200);
    }

    @Test
    void bodiesOverTheLimitGet413() throws Exception {
        try (VecmlServer small = VecmlServer.start(config(null, 4096))) {
            ServeClient c = new ServeClient(small);
            ServeClient.Reply big = c.put("/datasets/big/upload?split=train", new byte[10_000]);
            assertThat(big.status()).isEqualTo(413);
            assertThat(big.error()).contains("4096");
            StringBuilder json = new StringBuilder("{\"name\":\"");
            json.append("a".repeat(5000)).append("\"}");
            assertThat(c.post("/datasets", json.toString()).status()).isEqualTo(413);
            // and the server still answers
            assertThat(c.get("/health").status()).isEqualTo(200);
            ServeClient.Reply byPath = c.post("/datasets", "{\"name\":\"p\",\"path\":\"somewhere\"}");
            assertThat(byPath.status()).isEqualTo(403);
            assertThat(byPath.error()).contains("--data-dir");
        }
    }

    @Test
    void eightConcurrentClientsGetIdenticalCorrectAnswers() throws Exception {
        assertThat(client.post("/models", "{\"name\":\"conc\",\"dataset\":\"digits\",\"type\":\"knn\",\"metric\":\"l1\","
                + "\"k\":5}").status()).isEqualTo(201);
        int[] expected;
        try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L1).withThreads(1)).fit(digitsTrain)) {
            expected = knn.predict(digitsTest, 5);
        }
        int n = 8;
        CyclicBarrier go = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<int[]>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<int[]> task = () -> {
                    ServeClient own = new ServeClient(server);
                    go.await();
                    ServeClient.Reply r = own.post("/models/conc/predict", "{\"dataset\":\"digits\",\"split\":\"test\"}");
                    assertThat(r.status()).as(r.text()).isEqualTo(200);
                    return ints(r.json().get("predictions"));
                };
                fs.add(pool.submit(task));
            }
            for (Future<int[]> f : fs) {
                assertThat(f.get()).containsExactly(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One-row raw .npy predicts, the latency path (the search runs on the server's compute threads, not on the
     * request's virtual thread): eight concurrent clients, each sending test rows one by one in its own order, get
     * the engine's one-thread answer for every row, neighbours and distances included.
     */
    @Test
    void oneRowPredictsFromEightConcurrentClientsAnswerAsTheEngine() throws Exception {
        assertThat(client.post("/models", "{\"name\":\"onerow\",\"dataset\":\"digits\",\"type\":\"knn\","
                + "\"metric\":\"l2\",\"k\":5}").status()).isEqualTo(201);
        int rows = digitsTest.rows();
        int[] expected;
        io.vecml.engine.knn.Neighbors near;
        try (KnnClassifier knn = new KnnClassifier(KnnOptions.of(Metric.L2).withThreads(1)).fit(digitsTrain)) {
            expected = knn.predict(digitsTest, 5);
            near = knn.kneighbors(digitsTest, 3);
        }
        int n = 8;
        int each = Math.min(rows, 90);
        CyclicBarrier go = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                int first = c * rows / n;
                fs.add(pool.submit(() -> {
                    ServeClient own = new ServeClient(server);
                    go.await();
                    for (int i = 0; i < each; i++) {
                        int row = (first + i) % rows;
                        ServeClient.Reply r = own.postNpy("/models/onerow/predict?neighbors=3", u8Row(digitsTest, row));
                        assertThat(r.status()).as(r.text()).isEqualTo(200);
                        JsonNode j = r.json();
                        assertThat(j.get("predictions").get(0).asInt()).as("row %d", row).isEqualTo(expected[row]);
                        JsonNode nb = j.get("neighbors");
                        for (int x = 0; x < 3; x++) {
                            assertThat(nb.get("indices").get(0).get(x).asInt()).as("row %d", row)
                                    .isEqualTo(near.index(row, x));
                            assertThat(nb.get("distances").get(0).get(x).asDouble()).as("row %d", row)
                                    .isEqualTo(near.distance(row, x));
                        }
                    }
                    return each;
                }));
            }
            int answered = 0;
            for (Future<Integer> f : fs) {
                answered += f.get();
            }
            assertThat(answered).isEqualTo(n * each);
        } finally {
            pool.shutdownNow();
            client.delete("/models/onerow");
        }
    }

    /** -Dvecml.serve.compute=inline (the comparison switch of BENCHMARKS.md) computes on the request's thread: same answers. */
    @Test
    void inlineComputeAnswersAsThePool() throws Exception {
        String before = System.getProperty("vecml.serve.compute");
        System.setProperty("vecml.serve.compute", "inline");
        VecmlServer inline;
        try {
            inline = VecmlServer.start(config(dataDir, 256L << 20));
        } finally {
            if (before == null) {
                System.clearProperty("vecml.serve.compute");
            } else {
                System.setProperty("vecml.serve.compute", before);
            }
        }
        try (inline) {
            ServeClient c = new ServeClient(inline);
            assertThat(c.post("/datasets", "{\"name\":\"digits\",\"path\":\"embedded:digits\",\"holdout\":0.2,"
                    + "\"seed\":42}").status()).isEqualTo(201);
            assertThat(c.post("/models", "{\"name\":\"m\",\"dataset\":\"digits\",\"type\":\"knn\",\"k\":5}").status())
                    .isEqualTo(201);
            assertThat(client.post("/models", "{\"name\":\"pooled\",\"dataset\":\"digits\",\"type\":\"knn\","
                    + "\"k\":5}").status()).isEqualTo(201);
            try {
                for (int row = 0; row < Math.min(20, digitsTest.rows()); row++) {
                    byte[] q = u8Row(digitsTest, row);
                    ServeClient.Reply a = c.postNpy("/models/m/predict?neighbors=5", q);
                    ServeClient.Reply b = client.postNpy("/models/pooled/predict?neighbors=5", q);
                    assertThat(a.status()).as(a.text()).isEqualTo(200);
                    assertThat(a.json().get("predictions")).isEqualTo(b.json().get("predictions"));
                    assertThat(a.json().get("neighbors")).isEqualTo(b.json().get("neighbors"));
                }
            } finally {
                client.delete("/models/pooled");
            }
        }
    }

    /** Row {@code r} of uint8 {@code d} as a (1, D) uint8 .npy. */
    static byte[] u8Row(Dataset d, int r) {
        assertThat(d.type()).isEqualTo(Dataset.Type.UINT8);
        String header = "{'descr': '|u1', 'fortran_order': False, 'shape': (1, " + d.dims() + "), }";
        int pad = (64 - (10 + header.length() + 1) % 64) % 64;
        String h = header + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(h.length() & 0xff);
        out.write(h.length() >> 8);
        out.writeBytes(h.getBytes(StandardCharsets.US_ASCII));
        for (int c = 0; c < d.dims(); c++) {
            out.write(d.u8(r, c));
        }
        return out.toByteArray();
    }

    @Test
    void shutdownEndpointStopsTheServerAndClosesThePort() throws Exception {
        VecmlServer s = VecmlServer.start(config(null, 1 << 20));
        ServeClient c = new ServeClient(s);
        assertThat(c.post("/datasets", "{\"name\":\"d\",\"path\":\"embedded:digits\"}").status()).isEqualTo(201);
        int port = s.port();
        ServeClient.Reply r = c.post("/shutdown", "");
        assertThat(r.status()).isEqualTo(202);
        assertThat(s.awaitStopped(120, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }
}
