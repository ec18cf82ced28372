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
        String serverLog = null;
        String ownLog = null;
        long serverPid = -1;
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
                case "--server-log" -> serverLog = args[++i];
                case "--own-log" -> ownLog = args[++i];
                case "--server-pid" -> serverPid = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --url, --data, --local, --requests, --warmup, --clients, --metric, --k,"
                        + " --bandwidth-mb, --server-log, --own-log, --server-pid)");
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
            run(predict, bodies, warmup, 1); // JIT warm-up, not counted
            System.out.printf(Locale.ROOT, "Warm-up: %d requests from 1 client, then before each run %d more from as"
                    + " many clients as it has (not counted).%n", warmup, warmup);
            System.out.println("Closed loop: each client sends its next request when the previous answer has been read,"
                    + " so a stall delays only the requests in flight (no coordinated-omission correction); a request's"
                    + " time runs from writing its first byte to reading its last.");
            for (int c : clients) {
                // the paths that concurrency adds (more threads, queues) compiled before the run, not inside it
                run(predict, bodies, warmup, c);
                // the load generator's own garbage from the previous phase is collected now, not inside the phase
                System.gc();
                var server0 = schedstat(serverPid);
                var own0 = schedstat(ProcessHandle.current().pid());
                Phase ph = run(predict, bodies, requests, c);
                var server1 = schedstat(serverPid);
                var own1 = schedstat(ProcessHandle.current().pid());
                double[] t = ph.sortedTimes();
                double[] server = ph.sortedServer();
                System.out.printf(Locale.ROOT, "%d one-row kNN predicts (%s, k=%d), %d client%s: p50 %.2f ms, p99 %.2f ms,"
                        + " mean %.2f ms, max %.2f ms; the model's own time (answer's \"seconds\"): p50 %.2f ms,"
                        + " p99 %.2f ms (%.0f requests/s)%n", requests, metric, k, c, c == 1 ? "" : "s", pct(t, 0.50),
                        pct(t, 0.99), Arrays.stream(t).average().orElse(0), t[t.length - 1], pct(server, 0.50),
                        pct(server, 0.99), requests / ((ph.endMillis() - ph.startMillis()) / 1e3));
                attribute(ph, serverLog, ownLog);
                System.out.println("  CPU time and time runnable but waiting for a core (run queue, /proc/PID/task/*/schedstat),"
                        + " per request: server " + cpuWait(server0, server1, requests) + "; load generator "
                        + cpuWait(own0, own1, requests));
            }
        } finally {
            delete(http, url + "/models/" + ds);
            delete(http, url + "/datasets/" + ds);
        }
    }

    /**
     * One request: when it was sent (wall clock, ms since the epoch, fractional), how long it took and the
     * model's own time in the server (ms).
     */
    record Sample(double startMillis, double millis, double serverMillis) {
        double endMillis() {
            return startMillis + millis;
        }
    }

    /** The requests of one run and its wall-clock window (ms since the epoch). */
    record Phase(int clients, Sample[] samples, double startMillis, double endMillis) {
        double[] sortedTimes() {
            return Arrays.stream(samples).mapToDouble(Sample::millis).sorted().toArray();
        }

        double[] sortedServer() {
            return Arrays.stream(samples).mapToDouble(Sample::serverMillis).sorted().toArray();
        }
    }

    /**
     * {@code n} requests sent by {@code clients} concurrent clients (closed loop: each client sends its next
     * request once it has read the previous answer), each on its own keep-alive connection.
     */
    static Phase run(String url, byte[][] bodies, int n, int clients) throws Exception {
        Sample[] samples = new Sample[n];
        // wall clock of System.nanoTime() readings, to set requests beside the JVMs' logs
        long nanoBase = System.nanoTime();
        double epochBase = System.currentTimeMillis();
        URI u = URI.create(url);
        // every body has the same length (one row): the request head is made once
        int length = bodies[0].length;
        byte[] head = ("POST " + u.getRawPath() + " HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort()
                + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                fs.add(pool.submit(() -> {
                    // HTTP/1.1 written and read by hand: the time measured is the server's and the network
                    // stack's, not an HTTP client library's thread hand-offs
                    try (java.net.Socket sock = new java.net.Socket(u.getHost(), u.getPort())) {
                        sock.setTcpNoDelay(true);
                        java.io.OutputStream out = new java.io.BufferedOutputStream(sock.getOutputStream(), 1 << 16);
                        java.io.InputStream in = new java.io.BufferedInputStream(sock.getInputStream(), 1 << 16);
                        for (int i = client; i < n; i += clients) {
                            byte[] body = bodies[i % bodies.length];
                            if (body.length != length) {
                                throw new IllegalStateException("request bodies differ in length");
                            }
                            long t0 = System.nanoTime();
                            out.write(head);
                            out.write(body);
                            out.flush();
                            Reply r = readReply(in);
                            long t1 = System.nanoTime();
                            if (r.status() != 200) {
                                throw new IllegalStateException("predict answered " + r.status() + ": "
                                        + new String(r.body(), StandardCharsets.UTF_8));
                            }
                            samples[i] = new Sample(epochBase + (t0 - nanoBase) / 1e6, (t1 - t0) / 1e6,
                                    seconds(r.body()) * 1e3);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        double start = Double.MAX_VALUE;
        double end = 0;
        for (Sample x : samples) {
            start = Math.min(start, x.startMillis());
            end = Math.max(end, x.endMillis());
        }
        return new Phase(clients, samples, start, end);
    }

    /**
     * CPU nanoseconds and run-queue nanoseconds (runnable, waiting for a core) of the threads of process
     * {@code pid}, summed by thread name with its digits dropped ("GC Thread#" for all collector threads), from
     * Linux's {@code /proc/PID/task/TID/schedstat}; null where unavailable (another system, no such process).
     * Threads that end in between are not counted.
     */
    static java.util.Map<String, long[]> schedstat(long pid) {
        if (pid < 0) {
            return null;
        }
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc", Long.toString(pid), "task");
        java.util.Map<String, long[]> sum = new java.util.TreeMap<>();
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(tasks)) {
            for (java.nio.file.Path t : s.toList()) {
                try {
                    String[] f = java.nio.file.Files.readString(t.resolve("schedstat")).trim().split("\\s+");
                    String name = java.nio.file.Files.readString(t.resolve("comm")).strip().replaceAll("\\d+", "");
                    long[] v = sum.computeIfAbsent(name, x -> new long[2]);
                    v[0] += Long.parseLong(f[0]);
                    v[1] += Long.parseLong(f[1]);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return sum;
    }

    /**
     * "CPU a ms, waiting for a core b ms" per request between two {@link #schedstat} readings, then the thread
     * groups that used at least 5 % of that CPU.
     */
    static String cpuWait(java.util.Map<String, long[]> before, java.util.Map<String, long[]> after, int requests) {
        if (before == null || after == null) {
            return "not available";
        }
        long cpu = 0;
        long wait = 0;
        java.util.Map<String, long[]> d = new java.util.TreeMap<>();
        for (var e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long[] v = {Math.max(0, e.getValue()[0] - b[0]), Math.max(0, e.getValue()[1] - b[1])};
            d.put(e.getKey(), v);
            cpu += v[0];
            wait += v[1];
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "CPU %.2f ms, waiting for a core %.2f ms",
                cpu / 1e6 / requests, wait / 1e6 / requests));
        List<java.util.Map.Entry<String, long[]>> top = new ArrayList<>(d.entrySet());
        top.sort((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]));
        sb.append(" (CPU by thread:");
        for (var e : top) {
            if (e.getValue()[0] >= 0.05 * cpu) {
                sb.append(String.format(Locale.ROOT, " %s %.2f", e.getKey(), e.getValue()[0] / 1e6 / requests));
            }
        }
        return sb.append(")").toString();
    }

    /** The number after {@code "seconds" :} in a JSON answer (NaN when missing). */
    static double seconds(byte[] json) {
        String s = new String(json, StandardCharsets.US_ASCII);
        int i = s.indexOf("\"seconds\"");
        if (i < 0) {
            return Double.NaN;
        }
        int from = i + 9;
        while (from < s.length() && (s.charAt(from) == ' ' || s.charAt(from) == ':')) {
            from++;
        }
        int to = from;
        while (to < s.length() && "+-.0123456789eE".indexOf(s.charAt(to)) >= 0) {
            to++;
        }
        return Double.parseDouble(s.substring(from, to));
    }

    /** A stop of every Java thread of one JVM, from its {@code -Xlog:safepoint} line. */
    record Pause(String what, double endMillis, double millis) {
        double startMillis() {
            return endMillis - millis;
        }

        /** Milliseconds of this pause within [from, to]. */
        double overlap(double from, double to) {
            return Math.max(0, Math.min(to, endMillis) - Math.max(from, startMillis()));
        }
    }

    private static final java.util.regex.Pattern SAFEPOINT = java.util.regex.Pattern.compile(
            "^\\[(\\d+)ms\\].*Safepoint \"([^\"]+)\".*Total: (\\d+) ns");

    /**
     * The safepoints (every stop-the-world pause: collections, deoptimisations, ...) in a log written with
     * {@code -Xlog:safepoint:file=F:timemillis}; the line is written as the pause ends.
     */
    static List<Pause> pauses(java.nio.file.Path log) throws IOException {
        List<Pause> out = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(log, StandardCharsets.UTF_8)) {
            java.util.regex.Matcher m = SAFEPOINT.matcher(line);
            if (m.find()) {
                out.add(new Pause(m.group(2), Long.parseLong(m.group(1)), Long.parseLong(m.group(3)) / 1e6));
            }
        }
        return out;
    }

    /**
     * Where the slow requests of a phase spent their time: the JVMs' pauses inside the phase (from the server's
     * and this process's safepoint logs, when given), the share of the slowest 1 % of requests that overlap a
     * pause, and the slowest requests with their model time and the pause time they contain.
     */
    static void attribute(Phase ph, String serverLog, String ownLog) throws IOException {
        List<Pause> server = serverLog == null ? List.of() : pauses(java.nio.file.Path.of(serverLog));
        List<Pause> own = ownLog == null ? List.of() : pauses(java.nio.file.Path.of(ownLog));
        if (serverLog != null) {
            System.out.println("  server JVM:         " + summary(server, ph));
        }
        if (ownLog != null) {
            System.out.println("  load generator JVM: " + summary(own, ph));
        }
        Sample[] byTime = ph.samples().clone();
        Arrays.sort(byTime, java.util.Comparator.comparingDouble(Sample::millis).reversed());
        int tail = Math.max(1, byTime.length / 100);
        double tailMs = 0;
        double tailModel = 0;
        double tailServerPause = 0;
        double tailOwnPause = 0;
        for (int i = 0; i < tail; i++) {
            Sample x = byTime[i];
            tailMs += x.millis();
            tailModel += x.serverMillis();
            tailServerPause += overlap(server, x);
            tailOwnPause += overlap(own, x);
        }
        System.out.printf(Locale.ROOT, "  slowest %d requests (1 %%): %.1f ms in all; the model's own time %.1f ms, server"
                + " pauses inside them %.1f ms, load-generator pauses %.1f ms, the rest (waiting for a core, HTTP) %.1f ms%n",
                tail, tailMs, tailModel, tailServerPause, tailOwnPause,
                tailMs - tailModel - tailServerPause - tailOwnPause);
        for (int i = 0; i < Math.min(5, byTime.length); i++) {
            Sample x = byTime[i];
            System.out.printf(Locale.ROOT, "    at +%.0f ms: %.1f ms (model %.1f ms, server pauses %.1f ms, load-generator"
                    + " pauses %.1f ms)%n", x.startMillis() - ph.startMillis(), x.millis(), x.serverMillis(),
                    overlap(server, x), overlap(own, x));
        }
    }

    static double overlap(List<Pause> pauses, Sample x) {
        double sum = 0;
        for (Pause p : pauses) {
            sum += p.overlap(x.startMillis(), x.endMillis());
        }
        return sum;
    }

    /** Count, total and longest of the pauses inside the phase, by kind. */
    static String summary(List<Pause> pauses, Phase ph) {
        int n = 0;
        double total = 0;
        double max = 0;
        java.util.Map<String, Integer> kinds = new java.util.TreeMap<>();
        for (Pause p : pauses) {
            double o = p.overlap(ph.startMillis(), ph.endMillis());
            if (o > 0 || (p.millis() == 0 && p.endMillis() >= ph.startMillis() && p.endMillis() <= ph.endMillis())) {
                n++;
                total += o;
                max = Math.max(max, p.millis());
                kinds.merge(p.what(), 1, Integer::sum);
            }
        }
        return String.format(Locale.ROOT, "%d safepoint pauses in the phase (%.0f ms long), %.1f ms in all, longest"
                + " %.1f ms %s", n, ph.endMillis() - ph.startMillis(), total, max, kinds);
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
