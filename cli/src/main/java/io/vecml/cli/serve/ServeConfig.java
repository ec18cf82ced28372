package io.vecml.cli.serve;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link VecmlServer} runs.
 *
 * @param host     the address to bind (127.0.0.1 by default: there is no authentication)
 * @param port     the port; 0 picks a free one ({@link VecmlServer#port()} tells which)
 * @param dataDir  the only folder datasets may be loaded from by path, or null (then only
 *                 {@code embedded:digits} and uploads)
 * @param maxBody  the largest request body accepted, in bytes (larger: 413)
 * @param threads  threads of each computation (kNN search, training, prediction), and of the pool predictions
 *                 run on ({@link ComputePool})
 * @param workers  requests handled at the same time (more wait in line)
 * @param version  reported by {@code GET /health}
 * @param log      one line per request goes here (method, path, status, milliseconds)
 * @param readTimeoutMillis a request (its headers, or its body) that sends no byte for this long is cut off
 *                 (408 where a response can still be written); also the grace period before the minimum
 *                 rate applies
 * @param minRate  once {@code readTimeoutMillis} has passed, a request body must arrive at this many bytes per
 *                 second on average (else 408); 0 turns the check off
 * @param maxHeader the largest request line plus headers, in bytes (a longer URL: 414, larger headers: 431)
 * @param modelDir the folder models are saved to and loaded from ({@code POST /models/NAME/save},
 *                 {@code POST /models} with a {@code path}), or null (then neither is possible)
 */
public record ServeConfig(String host, int port, Path dataDir, long maxBody, int threads, int workers,
        String version, PrintStream log, long readTimeoutMillis, long minRate, int maxHeader, Path modelDir) {

    /** Defaults of the options that {@code vecml serve} documents. */
    public static final long DEFAULT_READ_TIMEOUT_MILLIS = 10_000;
    public static final long DEFAULT_MIN_RATE = 1024;
    public static final int DEFAULT_MAX_HEADER = 16 << 10;

    /** With the default read timeout, minimum rate and header limit. */
    public ServeConfig(String host, int port, Path dataDir, long maxBody, int threads, int workers,
            String version, PrintStream log) {
        this(host, port, dataDir, maxBody, threads, workers, version, log, DEFAULT_READ_TIMEOUT_MILLIS,
                DEFAULT_MIN_RATE, DEFAULT_MAX_HEADER);
    }

    /** Without a model folder. */
    public ServeConfig(String host, int port, Path dataDir, long maxBody, int threads, int workers,
            String version, PrintStream log, long readTimeoutMillis, long minRate, int maxHeader) {
        this(host, port, dataDir, maxBody, threads, workers, version, log, readTimeoutMillis, minRate, maxHeader, null);
    }

    /** A copy with other request limits. */
    public ServeConfig withLimits(long readTimeoutMillis, long minRate, int maxHeader) {
        return new ServeConfig(host, port, dataDir, maxBody, threads, workers, version, log, readTimeoutMillis,
                minRate, maxHeader, modelDir);
    }

    /** A copy with a model folder (or none). */
    public ServeConfig withModelDir(Path dir) {
        return new ServeConfig(host, port, dataDir, maxBody, threads, workers, version, log, readTimeoutMillis,
                minRate, maxHeader, dir);
    }

    /** JSON requests are small: they are capped at this many bytes (or maxBody if smaller). */
    static final long MAX_JSON = 4L << 20;

    public ServeConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(log, "log");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        }
        if (maxBody < 1) {
            throw new IllegalArgumentException("--max-body must be >= 1 byte, got " + maxBody);
        }
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("--threads must be 1..1024, got " + threads);
        }
        if (workers < 1 || workers > 1024) {
            throw new IllegalArgumentException("--workers must be 1..1024, got " + workers);
        }
        if (readTimeoutMillis < 100 || readTimeoutMillis > 3_600_000) {
            throw new IllegalArgumentException("--read-timeout must be 100 ms..1 h, got " + readTimeoutMillis + " ms");
        }
        if (minRate < 0) {
            throw new IllegalArgumentException("--min-rate must be >= 0 bytes/s, got " + minRate);
        }
        if (maxHeader < 1024 || maxHeader > (1 << 20)) {
            throw new IllegalArgumentException("--max-header must be 1KB..1MB, got " + maxHeader + " bytes");
        }
    }

    long maxJson() {
        return Math.min(maxBody, MAX_JSON);
    }
}
