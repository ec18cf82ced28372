package io.vecml.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** A small JSON client for the tests, over a real socket. */
final class ServeClient {

    static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + text(), e);
            }
        }

        String error() {
            return json().path("error").asText();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    ServeClient(VecmlServer server) {
        this.base = server.url();
    }

    Reply send(String method, String path, String contentType, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, p);
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), r.body());
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, null);
    }

    Reply delete(String path) throws IOException, InterruptedException {
        return send("DELETE", path, null, null);
    }

    Reply post(String path, String json) throws IOException, InterruptedException {
        return send("POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    Reply postNpy(String path, byte[] npy) throws IOException, InterruptedException {
        return send("POST", path, "application/octet-stream", npy);
    }

    Reply put(String path, byte[] npy) throws IOException, InterruptedException {
        return send("PUT", path, "application/octet-stream", npy);
    }
}
