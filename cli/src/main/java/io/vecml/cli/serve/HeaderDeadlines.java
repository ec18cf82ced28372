package io.vecml.cli.serve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;

/** The read deadline of the request line and headers as a whole (see {@link #sweep}), checked by one daemon thread. */
final class HeaderDeadlines {

    private final ServerConnector connector;
    private final ServeConfig config;
    /** When each connection was first seen part-way through its request line and headers. */
    private final Map<EndPoint, Long> headerSince = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vecml-serve-header-deadline");
        t.setDaemon(true);
        return t;
    });

    private HeaderDeadlines(ServerConnector connector, ServeConfig config) {
        this.connector = connector;
        this.config = config;
    }

    static HeaderDeadlines start(ServerConnector connector, ServeConfig config) {
        HeaderDeadlines h = new HeaderDeadlines(connector, config);
        long every = h.checkMillis();
        h.watch.scheduleWithFixedDelay(h::sweep, every, every, TimeUnit.MILLISECONDS);
        return h;
    }

    void stop() {
        watch.shutdownNow();
    }

    /**
     * Jetty's idle timeout cuts a connection that sends nothing for the read timeout, but a client that
     * trickles its headers a byte at a time would stay (holding no thread, but a connection) until the
     * header limit: this sweep gives the request line and headers as a whole the read timeout as deadline,
     * then answers 408 and closes.
     */
    long checkMillis() {
        return Math.max(1, Math.min(250, config.readTimeoutMillis() / 8));
    }

    private void sweep() {
        // Three check periods less than the read timeout: a connection is first seen at most one period after
        // its first byte and checked at most one period late, so the 408 goes out before Jetty's idle timeout
        // (the read timeout after the last byte) closes a stalled connection without an answer.
        long deadline = (config.readTimeoutMillis() - 3 * checkMillis()) * 1_000_000L;
        try {
            long now = System.nanoTime();
            Set<EndPoint> inHeaders = new HashSet<>();
            for (EndPoint ep : connector.getConnectedEndPoints()) {
                if (!(ep.getConnection() instanceof HttpConnection hc)) {
                    continue;
                }
                HttpParser p = hc.getParser();
                if (p.isStart() || !p.inHeaderState()) {
                    continue;
                }
                inHeaders.add(ep);
                long since = headerSince.computeIfAbsent(ep, k -> now);
                if (now - since > deadline) {
                    headerSince.remove(ep);
                    inHeaders.remove(ep);
                    byte[] body = (new String(Http.json(Map.of("error", "the request headers did not arrive within "
                            + config.readTimeoutMillis() + " ms (vecml serve --read-timeout)")), StandardCharsets.UTF_8)
                            + "\n").getBytes(StandardCharsets.UTF_8);
                    byte[] head = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\n"
                            + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII);
                    ep.write(Callback.from(ep::close, x -> ep.close()), ByteBuffer.wrap(head),
                            ByteBuffer.wrap(body));
                    config.log().printf(Locale.ROOT, "- (headers from %s) 408 %d ms%n", ep.getRemoteSocketAddress(),
                            (now - since) / 1_000_000);
                    config.log().flush();
                }
            }
            headerSince.keySet().retainAll(inHeaders);
        } catch (RuntimeException e) {
            config.log().println("vecml serve: header deadline check failed: " + e);
        }
    }
}
