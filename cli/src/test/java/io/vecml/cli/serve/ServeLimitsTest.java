package io.vecml.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Slow, lying and oversized requests over a real socket (issue 15). */
class ServeLimitsTest {

    /** Short, so that the cut-off tests stay short; the waits below are bounded by a multiple of it. */
    static final long READ_TIMEOUT_MS = 1500;

    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    VecmlServer start(long maxBody, long readTimeoutMs, int workers) throws IOException {
        return VecmlServer.start(new ServeConfig("127.0.0.1", 0, null, maxBody, 1, workers, "test",
                new PrintStream(log, true, StandardCharsets.UTF_8)).withLimits(readTimeoutMs, 1024, 16 << 10));
    }

    /** Opens a connection that announces {@code announced} body bytes and sends only {@code sent}. */
    static Socket lyingClient(VecmlServer s, String path, long announced, int sent) throws IOException {
        return lyingClient(s, path, "application/json", announced, sent);
    }

    static Socket lyingClient(VecmlServer s, String path, String type, long announced, int sent) throws IOException {
        Socket sock = new Socket("127.0.0.1", s.port());
        OutputStream out = sock.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + type + "\r\n"
                + "Content-Length: " + announced + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write("{\"na".repeat(sent / 4 + 1).substring(0, sent).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return sock;
    }

    /** The whole answer until the server closes, read with a bounded wait. */
    static String answer(Socket sock, long timeoutMs) throws IOException {
        sock.setSoTimeout((int) timeoutMs);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        InputStream in = sock.getInputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                b.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within " + timeoutMs + " ms; got so far: " + b, e);
        } catch (IOException e) {
            // a reset after the answer: what was read is what counts
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void bodiesThatStallOrTrickleAreCutOffWith408() throws Exception {
        try (VecmlServer s = start(256L << 20, READ_TIMEOUT_MS, 2)) {
            // bounded waits: the cut-off is due after READ_TIMEOUT_MS; 10x leaves room for a loaded machine
            try (Socket four = lyingClient(s, "/datasets", 100, 4);
                 Socket big = lyingClient(s, "/models/m/predict", "application/octet-stream", 100L << 20, 100)) {
                String a = answer(four, 10 * READ_TIMEOUT_MS);
                assertThat(a).startsWith("HTTP/1.1 408").contains("Connection: close", "--read-timeout");
                String b = answer(big, 10 * READ_TIMEOUT_MS);
                assertThat(b).startsWith("HTTP/1.1 408");
            }
            // one byte a little faster than the read timeout never times out by itself: the minimum rate does
            try (Socket trickle = lyingClient(s, "/datasets", 1000, 1)) {
                OutputStream out = trickle.getOutputStream();
                long end = System.nanoTime() + 10 * READ_TIMEOUT_MS * 1_000_000L;
                String got = null;
                trickle.setSoTimeout((int) (READ_TIMEOUT_MS / 3));
                while (got == null && System.nanoTime() < end) {
                    try {
                        out.write('a');
                        out.flush();
                    } catch (IOException closed) {
                        got = answer(trickle, 10 * READ_TIMEOUT_MS);
                        break;
                    }
                    try {
                        int c = trickle.getInputStream().read();
                        got = c < 0 ? "" : (char) c + answer(trickle, 10 * READ_TIMEOUT_MS);
                    } catch (SocketTimeoutException e) {
                        // nothing yet: send the next byte
                    }
                }
                assertThat(got).as("the trickling client was not cut off").isNotNull().startsWith("HTTP/1.1 408")
                        .contains("--min-rate");
            }
            assertThat(new ServeClientFor(s).status("/health")).isEqualTo(200);
        }
    }

    @Test
    void headersThatStallOrTrickleAreCutOffWith408() throws Exception {
        try (VecmlServer s = start(1 << 20, READ_TIMEOUT_MS, 2);
             Socket stall = new Socket("127.0.0.1", s.port());
             Socket trickle = new Socket("127.0.0.1", s.port())) {
            stall.getOutputStream().write("GET /health HTTP/1.1\r\nHost: local".getBytes(StandardCharsets.US_ASCII));
            stall.getOutputStream().flush();
            OutputStream out = trickle.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            // a byte every third of the read timeout: never idle, but the headers as a whole are late
            long end = System.nanoTime() + 10 * READ_TIMEOUT_MS * 1_000_000L;
            boolean cut = false;
            while (!cut && System.nanoTime() < end) {
                try {
                    out.write('a');
                    out.flush();
                    Thread.sleep(READ_TIMEOUT_MS / 3);
                    cut = trickle.getInputStream().available() > 0;
                } catch (IOException closed) {
                    cut = true;
                }
            }
            assertThat(answer(trickle, 10 * READ_TIMEOUT_MS)).startsWith("HTTP/1.1 408").contains("--read-timeout");
            assertThat(answer(stall, 10 * READ_TIMEOUT_MS)).startsWith("HTTP/1.1 408");
        }
    }

    @Test
    void healthAnswersWhileFiftySlowClientsHangOn() throws Exception {
        long readTimeout = 8000; // the slow clients stay for 8 s: /health must not wait for them
        try (VecmlServer s = start(256L << 20, readTimeout, 2)) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    slow.add(lyingClient(s, i % 2 == 0 ? "/datasets" : "/models/x/predict", 100, 4));
                }
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                long t0 = System.nanoTime();
                // The goal is well under a second; 3 s is generous for a loaded 2-core CI machine and still
                // far below the 8 s after which the slow clients would be cut off and free anything they held.
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/health"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(ms).isLessThan(3000);
                // a computation is not blocked either (2 workers, 50 slow bodies)
                HttpResponse<String> d = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/datasets"))
                        .timeout(Duration.ofSeconds(3)).POST(HttpRequest.BodyPublishers.ofString(
                                "{\"name\":\"d\",\"path\":\"embedded:digits\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(d.statusCode()).as(d.body()).isEqualTo(201);
                for (Socket c : slow) {
                    assertThat(answer(c, 5 * readTimeout)).startsWith("HTTP/1.1 408");
                }
            } finally {
                for (Socket c : slow) {
                    c.close();
                }
            }
        }
    }

    @Test
    void oversizedBodiesGetA413TheClientCanRead() throws Exception {
        try (VecmlServer s = start(4096, READ_TIMEOUT_MS, 2)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            // 8 MB: far more than the socket buffers hold, so the client is still sending when the 413 comes
            byte[] big = new byte[8 << 20];
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url()
                    + "/datasets/big/upload?split=train")).timeout(Duration.ofSeconds(60))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(r.body()).contains("\"error\"", "4096");
            // and with HttpURLConnection, streaming without a declared length (chunked)
            HttpURLConnection c = (HttpURLConnection) URI.create(s.url() + "/models/m/predict").toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setChunkedStreamingMode(1 << 16);
            c.setRequestProperty("Content-Type", "application/octet-stream");
            c.setConnectTimeout(10_000);
            c.setReadTimeout(60_000);
            try (OutputStream out = c.getOutputStream()) {
                out.write(big);
            } catch (IOException stoppedEarly) {
                // the server may answer before everything is sent: the answer is what matters
            }
            assertThat(c.getResponseCode()).isEqualTo(413);
            try (InputStream e = c.getErrorStream()) {
                assertThat(new String(e.readAllBytes(), StandardCharsets.UTF_8)).contains("4096");
            }
            assertThat(new ServeClientFor(s).status("/health")).isEqualTo(200);
        }
    }

    @Test
    void longUrlsGet414LargeHeadersGet431AndTheLogCutsUrls() throws Exception {
        try (VecmlServer s = start(1 << 20, READ_TIMEOUT_MS, 2)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> url = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/health?x="
                    + "a".repeat(2 << 20))).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(url.statusCode()).isEqualTo(414);
            assertThat(url.body()).contains("\"error\"", "URL");
            HttpResponse<String> hdr = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/health"))
                    .header("X-Big", "b".repeat(20_000)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(hdr.statusCode()).isEqualTo(431);
            assertThat(hdr.body()).contains("\"error\"", "headers");

            String longPath = "/nothing/" + "z".repeat(5000);
            HttpResponse<String> nf = http.send(HttpRequest.newBuilder(URI.create(s.url() + longPath))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(nf.statusCode()).isEqualTo(404);
            // the log line is written when the exchange completes, just after the client has its answer
            String line = null;
            long end = System.nanoTime() + 10_000_000_000L;
            while (line == null && System.nanoTime() < end) {
                line = log.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(" 404 ")).findFirst()
                        .orElse(null);
                if (line == null) {
                    Thread.sleep(20);
                }
            }
            assertThat(line).isNotNull().startsWith("GET /nothing/zzz").contains("... (" + longPath.length()
                    + " chars)");
            assertThat(line.length()).isLessThan(VecmlServer.LOG_URL_CHARS + 60);
            assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain("z".repeat(VecmlServer.LOG_URL_CHARS + 1));
        }
    }

    @Test
    void theLimitsAreServeOptions() {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int help = io.vecml.cli.Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "serve",
                "--help");
        assertThat(help).isZero();
        assertThat(out.toString()).contains("--read-timeout", "--min-rate", "--max-header", "408", "414", "431");
        for (String[] bad : new String[][] {{"--read-timeout", "5x"}, {"--read-timeout", "50ms"}, {"--min-rate", "fast"},
            {"--max-header", "10"}}) {
            java.io.StringWriter e = new java.io.StringWriter();
            int code = io.vecml.cli.Main.run(new java.io.PrintWriter(new java.io.StringWriter(), true),
                    new java.io.PrintWriter(e, true), "serve", "--port", "0", bad[0], bad[1]);
            assertThat(code).as(String.join(" ", bad) + ": " + e).isEqualTo(2);
            assertThat(e.toString()).contains(bad[0]);
        }
    }

    /** A tiny GET helper for a server of this class. */
    record ServeClientFor(VecmlServer server) {
        int status(String path) throws IOException, InterruptedException {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }
}
