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

    @Test
    void aPathWithoutFeaturesIsRefused() throws Exception {
        npy(dataDir.resolve("X.npy"), new float[0], 4, 0);
        labels(dataDir.resolve("y.npy"), 0, 1, 0, 1);
        ServeClient.Reply r = client.post("/datasets", "{\"name\":\"nofeatures\",\"path\":\"X.npy\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.text()).contains("X.npy", "0 features");
    }
}
