package io.vecml.cli.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vecml.engine.gemm.BlasReport;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

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

    /** Logged URLs are cut to this many characters. */
    static final int LOG_URL_CHARS = 200;

    /** After an error answer, at most this much of the rest of the body is read and discarded (so the client reads the answer). */
    static final long DRAIN_AFTER_ERROR = 16L << 20;

    /** Predict bodies of at most this many bytes (with a Content-Length) are parsed in memory, larger ones from a file. */
    static final long IN_MEMORY_BODY = ModelService.IN_MEMORY_BODY;

    private final ServeConfig config;
    private final Server jetty;
    private final ServerConnector connector;
    private final Semaphore workers;
    private final Path staging;
    private final DatasetService datasets;
    private final ModelService models;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private HeaderDeadlines headerDeadlines;

    private VecmlServer(ServeConfig config) throws IOException {
        this.config = config;
        this.staging = Files.createTempDirectory("vecml-serve-");
        try {
            this.datasets = new DatasetService(config, staging);
            this.models = new ModelService(config, datasets, staging);
        } catch (IOException | RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
        this.workers = new Semaphore(config.workers(), true);
        // Handlers run on virtual threads: a client that is slow to send its body holds only a virtual thread
        // (until --read-timeout or --min-rate cuts it off), never one of the --workers, which are taken only
        // once a body has arrived. Headers are parsed without any thread at all.
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("vecml-serve");
        threads.setDaemon(true);
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        this.jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(config.maxHeader());
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        this.connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(config.readTimeoutMillis());
        connector.setAcceptQueueSize(64);
        jetty.addConnector(connector);
        jetty.setHandler(new GracefulHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                VecmlServer.this.handle(request, response, callback);
                return true;
            }
        }));
        jetty.setErrorHandler(VecmlServer::jettyError);
        jetty.setRequestLog(this::log);
        jetty.setStopTimeout(STOP_GRACE_SECONDS * 1000L);
    }

    /** Binds and starts serving. */
    public static VecmlServer start(ServeConfig config) throws IOException {
        VecmlServer s = new VecmlServer(config);
        try {
            s.jetty.start();
            s.headerDeadlines = HeaderDeadlines.start(s.connector, s.config);
        } catch (Exception e) {
            s.stop();
            throw e instanceof IOException io ? io : new IOException("vecml serve: could not start on " + config.host()
                    + ":" + config.port() + ": " + e.getMessage(), e);
        }
        return s;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public String url() {
        String h;
        try {
            h = InetAddress.getByName(config.host()).getHostAddress();
        } catch (IOException e) {
            h = config.host();
        }
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
            if (headerDeadlines != null) {
                headerDeadlines.stop();
            }
            try {
                jetty.stop();
            } catch (Exception e) {
                config.log().println("vecml serve: while stopping: " + e);
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

    private void handle(Request request, Response response, Callback callback) {
        // The read timeout applies to reads; a long computation is not an idle connection.
        request.addIdleTimeoutListener(t -> false);
        Exchange ex = new Exchange(request, response, config.readTimeoutMillis(), config.minRate(), workers);
        String method = ex.method().toUpperCase(Locale.ROOT);
        String path = ex.rawPath();
        try {
            route(ex, method, path);
        } catch (ApiException e) {
            fail(ex, e.status(), e.getMessage());
            // an error answered before the body was read (a bad query parameter, a 413): read and discard the
            // rest, so that the client, still sending, reads the answer instead of a reset connection
            drain(ex, DRAIN_AFTER_ERROR);
        } catch (IllegalArgumentException e) {
            fail(ex, 400, e.getMessage());
            drain(ex, DRAIN_AFTER_ERROR);
        } catch (IOException e) {
            if (Exchange.isTimeout(e)) {
                ex.setHeader("Connection", "close");
                fail(ex, 408, e instanceof Exchange.ReadTimeout ? e.getMessage() : "the request body did not arrive"
                        + " within " + config.readTimeoutMillis() + " ms (vecml serve --read-timeout)");
            } else {
                // the client went away or sent a broken body
                fail(ex, 400, "could not read the request: " + e.getMessage());
            }
        } catch (RuntimeException | Error e) {
            config.log().println("vecml serve: internal error on " + method + " " + shortUrl(path) + ": " + e);
            e.printStackTrace(config.log());
            fail(ex, 500, "internal error: " + e);
        } finally {
            ex.endWork();
            callback.succeeded();
        }
    }

    /** One line per request, also for those Jetty refuses before they reach the handler (414, 431, 400). */
    private void log(Request request, Response response) {
        config.log().printf(Locale.ROOT, "%s %s %d %.1f ms%n", request.getMethod(),
                shortUrl(request.getHttpURI().getPathQuery()), response.getStatus(),
                NanoTime.since(request.getBeginNanoTime()) / 1e6);
        config.log().flush();
    }

    /** A URL for the log: at most {@link #LOG_URL_CHARS} characters, then an ellipsis and the full length. */
    static String shortUrl(String url) {
        if (url == null) {
            return "-";
        }
        if (url.length() <= LOG_URL_CHARS) {
            return url;
        }
        return url.substring(0, LOG_URL_CHARS) + "... (" + url.length() + " chars)";
    }

    /** Errors that Jetty answers itself (URL too long, headers too large, bad request lines) get the JSON form. */
    private static boolean jettyError(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer i ? i : response.getStatus();
        String message = switch (status) {
            case 414 -> "the URL is too long (vecml serve --max-header)";
            case 431 -> "the request headers are too large (vecml serve --max-header)";
            case 408 -> "the request did not arrive in time (vecml serve --read-timeout)";
            default -> {
                Object m = request.getAttribute(ErrorHandler.ERROR_MESSAGE);
                yield m == null ? "bad request" : m.toString();
            }
        };
        byte[] body = (new String(Http.json(Map.of("error", message)), StandardCharsets.UTF_8) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, java.nio.ByteBuffer.wrap(body), callback);
        return true;
    }

    private int fail(Exchange ex, int status, String message) {
        if (ex.committed()) {
            return status; // headers already sent: nothing more to tell the client
        }
        try {
            if (status == 413 || status == 408) {
                ex.setHeader("Connection", "close");
            }
            Http.sendError(ex, status, message);
        } catch (IOException | RuntimeException ignored) {
            // the connection is gone: nothing more to tell the client
        }
        return status;
    }

    private static ApiException wrongMethod(Exchange ex, String method, String path, String allowed) {
        ex.setHeader("Allow", allowed);
        return new ApiException(405, method + " is not allowed on " + path + "; allowed: " + allowed);
    }

    private int route(Exchange ex, String method, String path) throws IOException {
        List<String> seg = segments(path);
        Map<String, String> query = query(ex.rawQuery());
        String first = seg.isEmpty() ? "" : seg.get(0);
        switch (first) {
            case "health" -> {
                if (seg.size() == 1) {
                    expect(ex, method, path, "GET");
                    return json(ex, 200, report(health()));
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
                        case "POST" -> json(ex, 201, report(models.fit(readJson(ex)).info()));
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
                if (seg.size() == 3 && seg.get(2).equals("save")) {
                    expect(ex, method, path, "POST");
                    return json(ex, 201, models.save(seg.get(1), readJsonOrEmpty(ex)));
                }
                if (seg.size() == 3 && seg.get(2).equals("evaluate")) {
                    expect(ex, method, path, "POST");
                    return json(ex, 200, report(models.evaluate(seg.get(1), readJson(ex))));
                }
            }
            case "saved-models" -> {
                if (seg.size() == 1) {
                    expect(ex, method, path, "GET");
                    return json(ex, 200, models.listSaved());
                }
            }
            case "grid" -> {
                if (seg.size() == 2 && seg.get(1).equals("knn")) {
                    expect(ex, method, path, "POST");
                    return json(ex, 200, report(KnnGrid.run(datasets, readJson(ex), config.threads())));
                }
                if (seg.size() == 2 && seg.get(1).equals("linear")) {
                    expect(ex, method, path, "POST");
                    return json(ex, 200, report(LinearGrid.run(datasets, readJson(ex), config.threads())));
                }
            }
            default -> {
                // falls through to 404
            }
        }
        throw ApiException.notFound("no such endpoint: " + path + " (see GET /health, /datasets, /models,"
                + " /saved-models, POST /grid/knn, /grid/linear, /shutdown)");
    }

    private static void expect(Exchange ex, String method, String path, String allowed) {
        for (String a : allowed.split(",\\s*")) {
            if (a.equals(method)) {
                return;
            }
        }
        throw wrongMethod(ex, method, path, allowed);
    }

    /** A JSON body, or an empty object when there is no body. */
    private JsonRequest readJsonOrEmpty(Exchange ex) throws IOException {
        byte[] b = Http.readBody(ex, config.maxJson());
        return ex.remember(JsonRequest.parse(b.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : b));
    }

    private JsonRequest readJson(Exchange ex) throws IOException {
        return ex.remember(JsonRequest.parse(Http.readBody(ex, config.maxJson())));
    }

    /** The field of {@link #report}: the BLAS in use. */
    static final String BLAS = "blas";

    /**
     * An answer that reports on a run (/health, a fit, an evaluation, a grid search): its fields, then
     * {@value #BLAS}, the BLAS in use ({@link BlasReport#current()}: the object every command's {@code --json}
     * carries), so that a result can be traced to the library that computed it.
     */
    static ObjectNode report(Object body) {
        ObjectNode n = Http.MAPPER.valueToTree(body);
        n.set(BLAS, Http.MAPPER.valueToTree(BlasReport.current()));
        return n;
    }

    /** Sends {@code body} as JSON, with a {@code warnings} list when the request used old field names. */
    private static int json(Exchange ex, int status, Object body) throws IOException {
        List<String> warnings = ex.warnings();
        if (!warnings.isEmpty()) {
            ObjectNode n = Http.MAPPER.valueToTree(body);
            n.set("warnings", Http.MAPPER.valueToTree(warnings));
            body = n;
        }
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
        m.put("readTimeoutMillis", config.readTimeoutMillis());
        m.put("minRate", config.minRate());
        m.put("dataDir", config.dataDir() != null);
        return m;
    }

    private int shutdown(Exchange ex) throws IOException {
        InetAddress from = ex.remoteAddress();
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

    private int predict(Exchange ex, String model, Map<String, String> query) throws IOException {
        for (String k : query.keySet()) {
            if (!Set.of("format", "k", "metric", "probabilities", "scores", "neighbors").contains(k)) {
                throw ApiException.badRequest("unknown query parameter '" + k + "'; expected format, k, metric,"
                        + " probabilities, scores or neighbors");
            }
        }
        String format = query.getOrDefault("format", "json").toLowerCase(Locale.ROOT);
        if (!format.equals("json") && !format.equals("npy")) {
            throw ApiException.badRequest("query parameter 'format' must be json or npy, got '" + format + "'");
        }
        String ct = ex.header("Content-Type");
        boolean raw = ct != null && (ct.startsWith("application/octet-stream") || ct.startsWith("application/x-npy"));
        if (format.equals("npy") && (Set.of("probabilities", "scores", "neighbors").stream().anyMatch(query::containsKey))) {
            throw ApiException.badRequest("format=npy returns the predicted classes only; drop probabilities, scores"
                    + " and neighbors, or use format=json");
        }
        Map<String, Object> p;
        if (raw) {
            p = models.predictBody(model, ex, PredictRequest.of(query));
        } else {
            for (String k : query.keySet()) {
                if (!k.equals("format")) {
                    throw ApiException.badRequest("query parameter '" + k + "' is for raw .npy bodies; in a JSON"
                            + " request send it as the field '" + k + "'");
                }
            }
            p = models.predictSplit(model, readJson(ex));
        }
        if (format.equals("json")) {
            return json(ex, 200, p);
        }
        if (p.containsKey("probabilities") || p.containsKey("scores") || p.containsKey("neighbors")) {
            throw ApiException.badRequest("format=npy returns the predicted classes only; drop probabilities, scores"
                    + " and neighbors, or use format=json");
        }
        int[] predictions = (int[]) p.get("predictions");
        Http.send(ex, 200, "application/octet-stream", Http.npyInts(predictions));
        return 200;
    }

    private static void drain(Exchange ex) throws IOException {
        ex.body().skip(1 << 16);
    }

    /** Reads and discards at most {@code limit} more body bytes (under the read deadline); errors end it quietly. */
    private static void drain(Exchange ex, long limit) {
        try {
            InputStream in = ex.body();
            byte[] buf = new byte[1 << 16];
            long left = limit;
            int n;
            while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException | RuntimeException ignored) {
            // a slow or broken client: the connection is closed after the response anyway
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
