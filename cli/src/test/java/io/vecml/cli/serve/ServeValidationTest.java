package io.vecml.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.data.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's data checks reach the server: uploads and paths of data without features are a 400. */
class ServeValidationTest {

    @TempDir
    static Path tmp;

    static VecmlServer server;
    static ServeClient client;
    static Path dataDir;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createDirectories(tmp.resolve("data"));
        server = VecmlServer.start(ServeTest.config(dataDir, 1L << 20));
        client = new ServeClient(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static byte[] npy(Path file, float[] x, long... shape) throws Exception {
        Npy.write(file, x, shape);
        return Files.readAllBytes(file);
    }

    private static byte[] labels(Path file, int... y) throws Exception {
        Npy.writeLabels(file, y);
        return Files.readAllBytes(file);
    }

    @Test
    void anUploadWithoutFeaturesIsRefused() throws Exception {
        Path up = Files.createDirectories(tmp.resolve("up"));
        ServeClient.Reply a = client.put("/datasets/empty/upload?split=train", npy(up.resolve("x.npy"), new float[0], 6, 0));
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        ServeClient.Reply b = client.put("/datasets/empty/upload?split=train&part=labels",
                labels(up.resolve("y.npy"), 0, 1, 0, 1, 0, 1));
        assertThat(b.status()).as(b.text()).isEqualTo(400);
        assertThat(b.text()).contains("0 features");
        assertThat(client.get("/datasets/empty").status()).isEqualTo(404);
    }

    /**
     * A kNN or template fit takes {@code standardize} with the words of {@code vecml knn|template --standardize}
     * (none, train; all and center refused with the reason), and a bad value is a 400 that names the field.
     */
    @Test
    void knnAndTemplateFitsTakeStandardizeWithTheCommandLinesWords() throws Exception {
        assertThat(client.post("/datasets", "{\"name\":\"st\",\"path\":\"embedded:digits\",\"testFraction\":0.2}")
                .status()).isEqualTo(201);
        for (String type : new String[] {"knn", "template"}) {
            for (String[] bad : new String[][] {{"\"zscore\"", "field 'standardize' must be none or train, got 'zscore'"},
                    {"\"all\"", "cross-validation only"}, {"\"center\"", "linear models"},
                    {"1", "field 'standardize' must be a string"}}) {
                ServeClient.Reply r = client.post("/models", "{\"name\":\"st-" + type + "\",\"dataset\":\"st\",\"type\":\""
                        + type + "\",\"standardize\":" + bad[0] + "}");
                assertThat(r.status()).as(r.text()).isEqualTo(400);
                assertThat(r.error()).as(type + " " + bad[0]).contains("standardize", bad[1]);
            }
            for (String ok : new String[] {"none", "train", " Train "}) {
                ServeClient.Reply r = client.post("/models", "{\"name\":\"st-" + type + "\",\"dataset\":\"st\",\"type\":\""
                        + type + "\",\"standardize\":\"" + ok + "\"}");
                assertThat(r.status()).as(r.text()).isEqualTo(201);
                assertThat(r.json().get("params").get("standardize").asText()).isEqualTo(ok.strip().toLowerCase(java.util.Locale.ROOT));
                assertThat(client.delete("/models/st-" + type).status()).isEqualTo(200);
            }
        }
    }

    @Test
    void aPathWithoutFeaturesIsRefused() throws Exception {
        npy(dataDir.resolve("X.npy"), new float[0], 4, 0);
        labels(dataDir.resolve("y.npy"), 0, 1, 0, 1);
        ServeClient.Reply r = client.post("/datasets", "{\"name\":\"nofeatures\",\"path\":\"X.npy\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.text()).contains("X.npy", "0 features");
    }
}
