package io.vecml.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Latency of {@code vecml serve} as an evaluation backend (issue 13 point 5): one-row kNN predict requests
 * (raw uint8 {@code .npy} bodies, the test rows in turn) against a model on a loaded dataset, from one client
 * and from several concurrent clients; p50 and p99 of the request times. Beside them, the machine's memory
 * bandwidth (a streaming read of a large off-heap array) and the time to stream the training set once: the
 * floor of an exact one-row search, which must read every training row.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar io.vecml.bench.ServeLatency \
 *     --url http://127.0.0.1:8080 --data fashion-mnist --local /usr/share/datasets/fashion-mnist
 * </pre>
 * ({@code --data} is the path the server loads, relative to its {@code --data-dir}; {@code --local} the same data
 * for this process, to stream it and to make the queries.) {@code bench/serve-latency.sh} starts the server and
 * runs this.
 */
public final class ServeLatency {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ServeLatency() {
    }

    public static void main(String[] args) throws Exception {
        String url = "http://127.0.0.1:8080";
        String data = null;
        String local = null;
        int requests = 1000;
        int warmup = 300;
        int[] clients = {1, 8};
        String metric = "l2";
        int k = 5;
        long bandwidthBytes = 1L << 30;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = args[++i];
                case "--data" -> data = args[++i];
                case "--local" -> local = args[++i];
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--metric" -> metric = args[++i];
                case "--k" -> k = Integer.parseInt(args[++i]);
                case "--bandwidth-mb" -> bandwidthBytes = Long.parseLong(args[++i]) << 20;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --url, --data, --local, --requests, --warmup, --clients, --metric, --k,"
                        + " --bandwidth-mb)");
            }
        }
        if (data == null || local == null) {
            throw new IllegalArgumentException("--data (the server's path) and --local (this process's path) are needed");
        }
        System.out.printf(Locale.ROOT, "JDK %s, %d processors, %s%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"));

        double gbs = bandwidth(bandwidthBytes);
        System.out.printf(Locale.ROOT, "memory bandwidth (streaming read of %d MB, one thread, median of 9): %.1f GB/s%n",
                bandwidthBytes >> 20, gbs);

        byte[][] bodies;
        try (LoadedData d = Datasets.load(local)) {
            Dataset train = d.train();
            double ms = stream(train.segment(), train.rows() * (long) train.dims() * train.type().bytes);
            System.out.printf(Locale.ROOT, "streaming the training set once (%d x %d %s, %.1f MB, one thread, median of"
                    + " 21): %.2f ms%n", train.rows(), train.dims(), train.type(),
                    train.rows() * (double) train.dims() * train.type().bytes / 1e6, ms);
            Dataset test = d.hasTest() ? d.test() : train;
            bodies = new byte[Math.min(test.rows(), 10_000)][];
            for (int r = 0; r < bodies.length; r++) {
                bodies[r] = npyRow(test, r);
            }
        }

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String ds = "latency-" + ProcessHandle.current().pid();
        post(http, url + "/datasets", "{\"name\":\"" + ds + "\",\"path\":\"" + data + "\"}", 201);
        post(http, url + "/models", "{\"name\":\"" + ds + "\",\"dataset\":\"" + ds + "\",\"type\":\"knn\",\"metric\":\""
                + metric + "\",\"k\":" + k + "}", 201);
        String predict = url + "/models/" + ds + "/predict";
        try {
            run(predict, bodies, warmup, 1, new double[warmup]); // JIT warm-up, not counted
            for (int c : clients) {
                double[] server = new double[requests];
                double[] t = run(predict, bodies, requests, c, server);
                Arrays.sort(t);
                Arrays.sort(server);
                System.out.printf(Locale.ROOT, "%d one-row kNN predicts (%s, k=%d), %d client%s: p50 %.2f ms, p99 %.2f ms,"
                        + " mean %.2f ms, max %.2f ms; the model's own time (answer's \"seconds\"): p50 %.2f ms,"
                        + " p99 %.2f ms%n", requests, metric, k, c, c == 1 ? "" : "s", pct(t, 0.50), pct(t, 0.99),
                        Arrays.stream(t).average().orElse(0), t[t.length - 1], pct(server, 0.50), pct(server, 0.99));
            }
        } finally {
            delete(http, url + "/models/" + ds);
            delete(http, url + "/datasets/" + ds);
        }
    }

    /**
     * Request times (ms) of {@code n} requests sent by {@code clients} concurrent clients, each in turn; the
     * server's own time for each (its answer's {@code seconds}, in ms) goes into {@code server}.
     */
    static double[] run(String url, byte[][] bodies, int n, int clients, double[] server)
            throws Exception {
        double[] times = new double[n];
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                fs.add(pool.submit(() -> {
                    // one keep-alive connection per client, HTTP/1.1 written and read by hand: the time measured is
                    // the server's and the network stack's, not an HTTP client library's thread hand-offs
                    URI u = URI.create(url);
                    try (java.net.Socket sock = new java.net.Socket(u.getHost(), u.getPort())) {
                        sock.setTcpNoDelay(true);
                        java.io.OutputStream out = new java.io.BufferedOutputStream(sock.getOutputStream(), 1 << 16);
                        java.io.InputStream in = new java.io.BufferedInputStream(sock.getInputStream(), 1 << 16);
                        for (int i = client; i < n; i += clients) {
                            byte[] body = bodies[i % bodies.length];
                            byte[] head = ("POST " + u.getRawPath() + " HTTP/1.1\r\nHost: " + u.getHost() + ":"
                                    + u.getPort() + "\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                            long t0 = System.nanoTime();
                            out.write(head);
                            out.write(body);
                            out.flush();
                            Reply r = readReply(in);
                            times[i] = (System.nanoTime() - t0) / 1e6;
                            if (r.status() != 200) {
                                throw new IllegalStateException("predict answered " + r.status() + ": "
                                        + new String(r.body(), StandardCharsets.UTF_8));
                            }
                            server[i] = JSON.readTree(r.body()).path("seconds").asDouble() * 1e3;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        return times;
    }

    record Reply(int status, byte[] body) {
    }

    /** One HTTP/1.1 response with a Content-Length (as vecml serve sends them). */
    static Reply readReply(java.io.InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int status = -1;
        long length = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the server closed the connection");
            }
            if (c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
                continue;
            }
            String l = line.toString();
            line.setLength(0);
            if (l.isEmpty()) {
                break;
            }
            if (status < 0) {
                status = Integer.parseInt(l.split(" ")[1]);
            } else if (l.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Long.parseLong(l.substring(15).strip());
            }
        }
        if (length < 0) {
            throw new IOException("a response without Content-Length");
        }
        return new Reply(status, in.readNBytes((int) length));
    }

    static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** One row of {@code d} as a (1, D) uint8 .npy (float32 for float data). */
    public static byte[] npyRow(Dataset d, int r) {
        boolean u8 = d.type() == Dataset.Type.UINT8;
        String header = "{'descr': '" + (u8 ? "|u1" : "<f4") + "', 'fortran_order': False, 'shape': (1, " + d.dims()
                + "), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        StringBuilder h = new StringBuilder(header).append(" ".repeat(pad)).append('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(h.length() & 0xff);
        out.write(h.length() >> 8);
        out.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
        for (int c = 0; c < d.dims(); c++) {
            if (u8) {
                out.write(d.u8(r, c));
            } else {
                int bits = Float.floatToIntBits(d.f32(r, c));
                for (int b = 0; b < 4; b++) {
                    out.write(bits >>> (8 * b));
                }
            }
        }
        return out.toByteArray();
    }

    /** GB/s of a one-thread streaming read ({@link #pass}) over {@code bytes} off-heap; median of 9 runs. */
    static double bandwidth(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(bytes, 64);
            for (long i = 0; i < bytes; i += 8) {
                s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i);
            }
            double[] t = new double[9];
            long sink = 0;
            pass(s, bytes); // compile it
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                sink += pass(s, bytes);
                t[i] = (System.nanoTime() - t0) / 1e9;
            }
            if (sink == 42) {
                System.out.print("");
            }
            Arrays.sort(t);
            return bytes / t[t.length / 2] / 1e9;
        }
    }

    /** Milliseconds to read {@code bytes} of {@code s} once ({@link #pass}, one thread), median of 21 runs. */
    static double stream(MemorySegment s, long bytes) {
        double[] t = new double[21];
        long sink = 0;
        for (int i = 0; i < 5; i++) {
            sink += pass(s, bytes); // compile it
        }
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            sink += pass(s, bytes);
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        if (sink == 42) {
            System.out.print("");
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }

    /** Bytes per kernel call of a streaming pass: a few pages, so the call overhead is negligible. */
    private static final int PIECE = 16 << 10;

    /**
     * One pass over {@code bytes} of {@code s} with the engine's selected uint8 L1 kernel against a zero row,
     * {@link #PIECE} bytes per call: the read pattern of a kNN scan, through the same SIMD code.
     */
    static long pass(MemorySegment s, long bytes) {
        Kernels k = KernelSelection.current().kernels();
        long sum = 0;
        for (long i = 0; i < bytes; i += PIECE) {
            sum += k.l1U8(s, i, ZEROS, 0, (int) Math.min(PIECE, bytes - i));
        }
        return sum;
    }

    private static final MemorySegment ZEROS = Arena.global().allocate(PIECE, 64);

    private static void post(HttpClient http, String url, String json, int expect) throws IOException,
            InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expect) {
            JsonNode e = JSON.readTree(r.body());
            throw new IllegalStateException("POST " + url + " answered " + r.statusCode() + ": " + e.path("error"));
        }
    }

    private static void delete(HttpClient http, String url) throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create(url)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }
}
