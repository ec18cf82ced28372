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
 * @param threads  threads of each computation (kNN search, training, prediction)
 * @param workers  requests handled at the same time (more wait in line)
 * @param version  reported by {@code GET /health}
 * @param log      one line per request goes here (method, path, status, milliseconds)
 */
public record ServeConfig(String host, int port, Path dataDir, long maxBody, int threads, int workers,
        String version, PrintStream log) {

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
    }

    long maxJson() {
        return Math.min(maxBody, MAX_JSON);
    }
}
