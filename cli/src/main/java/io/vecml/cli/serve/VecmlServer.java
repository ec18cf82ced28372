package io.vecml.cli.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vecml.engine.data.Npy;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The {@code vecml serve} HTTP+JSON server: datasets and fitted models stay in memory between
 * requests, so the JIT warm-up and the loading are paid once. See {@code ServeCommand} for the API.
 *
 * <p>Concurrency: datasets and models live in concurrent maps; every request takes a reference
 * ({@link Shared}) on what it uses, so a DELETE (or the shutdown) frees a dataset or model only once
 * no request (and, for a dataset, no kNN model) uses it.
 */
public final class VecmlServer implements AutoCloseable {

    /** Seconds {@link #stop()} waits for running requests before closing their connections. */
    static final int STOP_GRACE_SECONDS = 60;

    private final ServeConfig config;
    private final HttpServer http;
    private final ExecutorService pool;
    private final Path staging;
    private final DatasetService datasets;
    private final ModelService models;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private VecmlServer(ServeConfig config) throws IOException {
        this.config = config;
        this.staging = Files.createTempDirectory("vecml-serve-");
        try {
            this.datasets = new DatasetService(config, staging);
            this.models = new ModelService(config, datasets, staging);
            this.http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(config.host()), config.port()), 64);
        } catch (IOException | RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "vecml-serve-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = Executors.newFixedThreadPool(config.workers(), tf);
        http.setExecutor(pool);
        http.createContext("/", this::handle);
    }

    /** Binds and starts serving. */
    public static VecmlServer start(ServeConfig config) throws IOException {
        VecmlServer s = new VecmlServer(config);
        s.http.start();
        return s;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    public String url() {
        String h = http.getAddress().getAddress().getHostAddress();
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port();
    }

    /** Waits until the server has stopped (POST /shutdown, {@link #stop()}). */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** Waits at most {@code timeout}; true when stopped. */
    public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
        return stopped.await(timeout, unit);
    }

    /**
     * Graceful stop: stops accepting connections, lets running requests finish (up to
     * {@link #STOP_GRACE_SECONDS}), then frees every dataset and model (each as soon as nothing uses it).
     * Idempotent; later callers wait for the first to finish.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            http.stop(STOP_GRACE_SECONDS);
            pool.shutdown();
            try {
                pool.awaitTermination(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            models.retireAll();
            datasets.retireAll();
            deleteTree(staging);
        } finally {
            stopped.countDown();
        }
    }

    @Override
    public void close() {
        stop();
    }

    // ---------------------------------------------------------------- routing

    private void handle(HttpExchange ex) {
        long t0 = System.nanoTime();
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = ex.getRequestURI().getRawPath();
        int status;
        try {
            status = route(ex, method, path);
        } catch (ApiException e) {
            status = fail(ex, e.status(), e.getMessage());
        } catch (IllegalArgumentException e) {
            status = fail(ex, 400, e.getMessage());
        } catch (IOException e) {
            // the client went away or sent a broken body
            status = fail(ex, 400, "could not read the request: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            config.log().println("vecml serve: internal error on " + method + " " + path + ": " + e);
            e.printStackTrace(config.log());
            status = fail(ex, 500, "internal error: " + e);
        } finally {
            ex.close();
        }
        config.log().printf(Locale.ROOT, "%s %s %d %.1f ms%n", method, path, status, (System.nanoTime() - t0) / 1e6);
        config.log().flush();
    }

    private int fail(HttpExchange ex, int status, String message) {
        try {
            if (status == 413) {
                ex.getResponseHeaders().set("Connection", "close");
            }
            Http.sendError(ex, status, message);
        } catch (IOException | RuntimeException ignored) {
            // headers already sent or the connection is gone: nothing more to tell the client
        }
        return status;
    }

    private static ApiException wrongMethod(HttpExchange ex, String method, String path, String allowed) {
        ex.getResponseHeaders().set("Allow", allowed);
        return new ApiException(405, method + " is not allowed on " + path + "; allowed: " + allowed);
    }

    private int route(HttpExchange ex, String method, String path) throws IOException {
        List<String> seg = segments(path);
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        String first = seg.isEmpty() ? "" : seg.get(0);
        switch (first) {
            case "health" -> {
                if (seg.size() == 1) {
                    expect(ex, method, path, "GET");
                    return json(ex, 200, health());
                }
            }
            case "shutdown" -> {
                if (seg.size() == 1) {
                    expect(ex, method, path, "POST");
                    return shutdown(ex);
                }
            }
            case "datasets" -> {
                if (seg.size() == 1) {
                    return switch (method) {
                        case "GET" -> json(ex, 200, Map.of("datasets", datasets.list()));
                        case "POST" -> json(ex, 201, datasets.load(readJson(ex)).info());
                        default -> throw wrongMethod(ex, method, path, "GET, POST");
                    };
                }
                if (seg.size() == 2) {
                    return switch (method) {
                        case "GET" -> json(ex, 200, datasets.info(seg.get(1)));
                        case "DELETE" -> json(ex, 200, datasets.delete(seg.get(1)));
                        default -> throw wrongMethod(ex, method, path, "GET, DELETE");
                    };
                }
                if (seg.size() == 3 && seg.get(2).equals("upload")) {
                    expect(ex, method, path, "PUT, POST");
                    Map<String, Object> r = datasets.upload(seg.get(1), ex, query);
                    return json(ex, "created".equals(r.get("status")) ? 201 : 200, r);
                }
            }
            case "models" -> {
                if (seg.size() == 1) {
                    return switch (method) {
                        case "GET" -> json(ex, 200, Map.of("models", models.list()));
                        case "POST" -> json(ex, 201, models.fit(readJson(ex)).info());
                        default -> throw wrongMethod(ex, method, path, "GET, POST");
                    };
                }
                if (seg.size() == 2) {
                    return switch (method) {
                        case "GET" -> json(ex, 200, models.info(seg.get(1)));
                        case "DELETE" -> json(ex, 200, models.delete(seg.get(1)));
                        default -> throw wrongMethod(ex, method, path, "GET, DELETE");
                    };
                }
                if (seg.size() == 3 && seg.get(2).equals("predict")) {
                    expect(ex, method, path, "POST");
                    return predict(ex, seg.get(1), query);
                }
                if (seg.size() == 3 && seg.get(2).equals("evaluate")) {
                    expect(ex, method, path, "POST");
                    return json(ex, 200, models.evaluate(seg.get(1), readJson(ex)));
                }
            }
            case "grid" -> {
                if (seg.size() == 2 && seg.get(1).equals("knn")) {
                    expect(ex, method, path, "POST");
                    return json(ex, 200, KnnGrid.run(datasets, readJson(ex), config.threads()));
                }
            }
            default -> {
                // falls through to 404
            }
        }
        throw ApiException.notFound("no such endpoint: " + path + " (see GET /health, /datasets, /models,"
                + " POST /grid/knn, /shutdown)");
    }

    private static void expect(HttpExchange ex, String method, String path, String allowed) {
        for (String a : allowed.split(",\\s*")) {
            if (a.equals(method)) {
                return;
            }
        }
        throw wrongMethod(ex, method, path, allowed);
    }

    private JsonRequest readJson(HttpExchange ex) throws IOException {
        return JsonRequest.parse(Http.readBody(ex, config.maxJson()));
    }

    private static int json(HttpExchange ex, int status, Object body) throws IOException {
        Http.sendJson(ex, status, body);
        return status;
    }

    private Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", stopping.get() ? "stopping" : "ok");
        m.put("version", config.version());
        m.put("kernels", KernelSelection.current().kernels().name());
        m.put("gemm", GemmSelection.current().choice());
        m.put("threads", config.threads());
        m.put("workers", config.workers());
        m.put("datasets", datasets.datasets.size());
        m.put("models", models.models.size());
        m.put("maxBody", config.maxBody());
        m.put("dataDir", config.dataDir() != null);
        return m;
    }

    private int shutdown(HttpExchange ex) throws IOException {
        InetAddress from = ex.getRemoteAddress().getAddress();
        if (from == null || !from.isLoopbackAddress()) {
            throw ApiException.forbidden("POST /shutdown is only accepted from the loopback address");
        }
        drain(ex);
        json(ex, 202, Map.of("status", "stopping"));
        // stop() waits for running exchanges, this one included: run it elsewhere once this one is closed.
        Thread t = new Thread(this::stop, "vecml-serve-shutdown");
        t.setDaemon(false);
        t.start();
        return 202;
    }

    private int predict(HttpExchange ex, String model, Map<String, String> query) throws IOException {
        for (String k : query.keySet()) {
            if (!k.equals("format")) {
                throw ApiException.badRequest("unknown query parameter '" + k + "'; expected format");
            }
        }
        String format = query.getOrDefault("format", "json").toLowerCase(Locale.ROOT);
        if (!format.equals("json") && !format.equals("npy")) {
            throw ApiException.badRequest("query parameter 'format' must be json or npy, got '" + format + "'");
        }
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        boolean raw = ct != null && (ct.startsWith("application/octet-stream") || ct.startsWith("application/x-npy"));
        ModelService.Predictions p;
        if (raw) {
            Path body = Files.createTempFile(staging, ".predict-", ".npy");
            try {
                if (Http.copyBody(ex, body, config.maxBody()) == 0) {
                    throw ApiException.badRequest("the body is empty: send the .npy feature array as the body");
                }
                p = models.predictNpy(model, body);
            } finally {
                Files.deleteIfExists(body);
            }
        } else {
            p = models.predictSplit(model, readJson(ex));
        }
        if (format.equals("json")) {
            return json(ex, 200, p);
        }
        Path out = Files.createTempFile(staging, ".pred-", ".npy");
        try {
            Npy.write(out, p.predictions(), p.predictions().length);
            Http.send(ex, 200, "application/octet-stream", Files.readAllBytes(out));
            return 200;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.skip(1 << 16);
        }
    }

    static List<String> segments(String rawPath) {
        String p = rawPath == null ? "" : rawPath;
        return Stream.of(p.split("/")).filter(s -> !s.isEmpty())
                .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8)).toList();
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String kv : raw.split("&")) {
            if (kv.isEmpty()) {
                continue;
            }
            int i = kv.indexOf('=');
            String k = URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8);
            String v = i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temp folder left behind is harmless
        }
    }
}
