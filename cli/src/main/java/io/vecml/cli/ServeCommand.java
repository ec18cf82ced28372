package io.vecml.cli;

import io.vecml.cli.serve.ServeConfig;
import io.vecml.cli.serve.VecmlServer;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"An HTTP+JSON server for notebooks and programs.", "",
            "A long-lived HTTP+JSON server: datasets and fitted models stay in memory, "
            + "so the JIT warm-up and the loading are paid once.",
            "",
            "Binds to 127.0.0.1 (this machine only) by default. There is NO authentication: "
            + "on another address anyone who can reach the port can load files from "
            + "--data-dir and use the CPU and memory (a warning is printed).",
            "",
            "Endpoints (JSON; errors are 4xx/5xx with {\"error\": \"...\"}):",
            "  GET  /health                       status, version, kernels, GEMM",
            "  GET  /datasets                     rows per split, dims, type, classes",
            "  POST /datasets                     {name, path (under --data-dir, or",
            "                                     embedded:digits), testFraction, splitSeed...}",
            "  PUT  /datasets/NAME/upload?split=train|test&part=features|labels  (.npy body)",
            "  GET|DELETE /datasets/NAME",
            "  POST /models                       {name, dataset, type: knn|template|linear,",
            "                                     parameters}",
            "  GET  /models,  GET|DELETE /models/NAME",
            "  POST /models                       {name, path}: load a saved model (--model-dir)",
            "  POST /models/NAME/predict[?format=npy]  {dataset, split, k, metric, probabilities,",
            "                                     scores, neighbors} or a raw .npy body",
            "                                     (Content-Type: application/octet-stream;",
            "                                     ?k=5&probabilities=true... as query parameters)",
            "  POST /models/NAME/save             {overwrite}: NAME.vecml in --model-dir",
            "  GET  /saved-models                 the .vecml files in --model-dir",
            "  POST /models/NAME/evaluate         {dataset, split}",
            "  POST /grid/knn                     the report of vecml grid knn --json",
            "  POST /grid/linear                  the report of vecml grid linear --json",
            "  POST /shutdown                     graceful stop (loopback only; SIGTERM too)"},
        footer = {"", "Examples:",
            "  vecml serve --data-dir /usr/share/datasets --port 8080",
            "  curl -s localhost:8080/datasets \\",
            "       -d '{\"name\":\"digits\",\"path\":\"embedded:digits\",\"testFraction\":0.2}'",
            "  curl -s localhost:8080/models \\",
            "       -d '{\"name\":\"m\",\"dataset\":\"digits\",\"type\":\"knn\",\"k\":3}'",
            "  curl -s localhost:8080/models/m/evaluate -d '{\"dataset\":\"digits\"}'"})
final class ServeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "Address to bind. Default: ${DEFAULT-VALUE} (this machine only; anything else prints a"
                    + " warning: there is no authentication).")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
            description = "Port; 0 picks a free one (printed). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The folder datasets may be loaded from by path (POST /datasets). Paths are relative to"
                    + " it; paths that lead outside it, also through symbolic links, are refused. Without it only"
                    + " embedded:digits and uploads can be used.")
    Path dataDir;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "The folder models are saved to (POST /models/NAME/save writes NAME.vecml) and loaded"
                    + " from (POST /models with a path relative to it; paths that lead outside it, also through"
                    + " symbolic links, are refused). Without it models cannot be saved or loaded.")
    Path modelDir;

    @Option(names = "--max-body", defaultValue = "256MB", paramLabel = "SIZE",
            description = "Largest request body (uploads, .npy predictions): bytes, or with KB, MB, GB. Larger"
                    + " bodies get 413. JSON bodies are capped at 4 MB. Default: ${DEFAULT-VALUE}.")
    String maxBody;

    @Option(names = "--read-timeout", defaultValue = "10s", paramLabel = "TIME",
            description = "A client that sends no byte of its request (headers or body) for this long is cut off"
                    + " with 408; also the grace period before --min-rate applies. Milliseconds, or with ms, s, m."
                    + " Default: ${DEFAULT-VALUE}.")
    String readTimeout;

    @Option(names = "--min-rate", defaultValue = "1KB", paramLabel = "SIZE",
            description = "After --read-timeout, a request body must arrive at this many bytes per second on"
                    + " average, else 408 (0: no minimum). Bytes, or with KB, MB. Default: ${DEFAULT-VALUE}.")
    String minRate;

    @Option(names = "--max-header", defaultValue = "16KB", paramLabel = "SIZE",
            description = "Largest request line plus headers: a longer URL gets 414, larger headers 431."
                    + " Default: ${DEFAULT-VALUE}.")
    String maxHeader;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads of each computation, and of the pool that predictions run on, in arrival order"
                    + " (default: all processors; results do not depend on it).")
    Integer threads;

    @Option(names = "--workers", defaultValue = "8", paramLabel = "W",
            description = "Requests handled at the same time; more wait in line. Default: ${DEFAULT-VALUE}.")
    int workers;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        long header = parseSize(maxHeader, "--max-header");
        ServeConfig config = new ServeConfig(host, port, dataDir, parseSize(maxBody), t, workers,
                new Main.Version().getVersion()[0], System.err).withLimits(parseMillis(readTimeout, "--read-timeout"),
                "0".equals(minRate.strip()) ? 0 : parseSize(minRate, "--min-rate"),
                (int) Math.min(Integer.MAX_VALUE, header)).withModelDir(modelDir);
        InetAddress addr = InetAddress.getByName(host);
        if (!addr.isLoopbackAddress()) {
            err.println("vecml serve: WARNING: binding to " + host + ", which is not a loopback address: there is no"
                    + " authentication; anyone who can reach this port can use the server.");
            err.flush();
        }
        VecmlServer server = VecmlServer.start(config);
        Thread hook = new Thread(server::stop, "vecml-serve-sigterm");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf(Locale.ROOT, "vecml serve listening on %s (data dir: %s, max body %d bytes, %d threads, %d workers,"
                + " read timeout %d ms, min rate %d bytes/s)%n", server.url(),
                dataDir == null ? "none" : dataDir.toAbsolutePath().normalize(), config.maxBody(), t, workers,
                config.readTimeoutMillis(), config.minRate());
        out.flush();
        server.awaitStopped();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down (SIGTERM): the hook is running
        }
        out.println("vecml serve stopped");
        out.flush();
        return 0;
    }

    /** "256MB", "64KB", "1GB", "1000" (bytes); KiB/MiB/GiB also; K/M/G are powers of 1024. */
    static long parseSize(String s) {
        return parseSize(s, "--max-body");
    }

    /** "10s", "500ms", "2m", "1500" (milliseconds). */
    static long parseMillis(String s, String option) {
        String x = s.strip().toLowerCase(Locale.ROOT);
        long mult = 1;
        String digits = x;
        if (x.endsWith("ms")) {
            digits = x.substring(0, x.length() - 2);
        } else if (x.endsWith("s")) {
            mult = 1000;
            digits = x.substring(0, x.length() - 1);
        } else if (x.endsWith("m")) {
            mult = 60_000;
            digits = x.substring(0, x.length() - 1);
        }
        try {
            long v = Long.parseLong(digits.strip());
            if (v < 1 || v > 3_600_000 / mult) {
                throw new IllegalArgumentException(option + " must be 100 ms..1 h, got '" + s + "'");
            }
            return v * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": expected a time like 10s, 500ms or 2m, got '" + s + "'");
        }
    }

    static long parseSize(String s, String option) {
        String x = s.strip().toUpperCase(Locale.ROOT).replace("IB", "B");
        long mult = 1;
        if (x.endsWith("KB") || x.endsWith("K")) {
            mult = 1L << 10;
        } else if (x.endsWith("MB") || x.endsWith("M")) {
            mult = 1L << 20;
        } else if (x.endsWith("GB") || x.endsWith("G")) {
            mult = 1L << 30;
        } else if (x.endsWith("B")) {
            mult = 1;
        }
        String digits = x.replaceAll("[KMGB]+$", "").strip();
        try {
            long v = Long.parseLong(digits);
            if (v < 1 || v > Long.MAX_VALUE / mult) {
                throw new IllegalArgumentException(option + " must be >= 1 byte, got '" + s + "'");
            }
            return v * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": expected a size like 256MB, 64KB or 1000, got '" + s + "'");
        }
    }
}
