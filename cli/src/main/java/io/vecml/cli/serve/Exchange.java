package io.vecml.cli.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;

/**
 * One request and its response, with a body that is read under a deadline: a read that gets no byte for
 * {@code readTimeoutMillis} (the connector's idle timeout) or a body that, once that long has passed,
 * arrives slower than {@code minRate} bytes per second on average, fails with 408.
 */
final class Exchange {

    private final Request request;
    private final Response response;
    private final long readTimeoutNanos;
    private final long minRate;
    private final Semaphore workers;
    private boolean working;
    private InputStream body;
    /** The JSON request read from the body, if any (its {@code warnings} go into the answer). */
    private JsonRequest json;

    Exchange(Request request, Response response, long readTimeoutMillis, long minRate, Semaphore workers) {
        this.request = request;
        this.response = response;
        this.readTimeoutNanos = readTimeoutMillis * 1_000_000L;
        this.minRate = minRate;
        this.workers = workers;
    }

    JsonRequest remember(JsonRequest r) {
        this.json = r;
        return r;
    }

    /** Warnings about the request (old field names), for the answer. */
    java.util.List<String> warnings() {
        return json == null ? java.util.List.of() : json.warnings();
    }

    String method() {
        return request.getMethod();
    }

    String rawPath() {
        return request.getHttpURI().getPath();
    }

    String rawQuery() {
        return request.getHttpURI().getQuery();
    }

    String header(String name) {
        return request.getHeaders().get(name);
    }

    InetAddress remoteAddress() {
        SocketAddress a = request.getConnectionMetaData().getRemoteSocketAddress();
        return a instanceof InetSocketAddress i ? i.getAddress() : null;
    }

    void setHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    boolean committed() {
        return response.isCommitted();
    }

    /** The request body, read under the deadline and the minimum rate. */
    InputStream body() {
        if (body == null) {
            body = new DeadlineInput(Content.Source.asInputStream(request));
        }
        return body;
    }

    /**
     * Takes one of the {@code --workers} permits (once): called when the body has been read, so that
     * slow clients never hold a worker, only their own connection.
     */
    void startWork() throws InterruptedIOException {
        if (working || workers == null) {
            return;
        }
        try {
            workers.acquire();
            working = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a worker");
        }
    }

    void endWork() {
        if (working) {
            working = false;
            workers.release();
        }
    }

    /** Sends the whole response and waits until it is written. */
    void send(int status, String contentType, byte[] bytes) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(new HttpField(HttpHeader.CONTENT_LENGTH, Long.toString(bytes.length)));
        try (Blocker.Callback cb = Blocker.callback()) {
            response.write(true, ByteBuffer.wrap(bytes), cb);
            cb.block();
        }
    }

    /** True when {@code e} is (caused by) a read deadline or the minimum rate. */
    static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof ReadTimeout) {
                return true;
            }
        }
        return false;
    }

    /** The body arrived slower than the minimum rate. */
    static final class ReadTimeout extends IOException {
        private static final long serialVersionUID = 1L;

        ReadTimeout(String message) {
            super(message);
        }
    }

    private final class DeadlineInput extends InputStream {
        private final InputStream in;
        private final long start = System.nanoTime();
        private long bytes;

        DeadlineInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                bytes += n;
                long elapsed = System.nanoTime() - start;
                // a grace period of one read timeout, then the average rate must reach the minimum
                if (minRate > 0 && elapsed > readTimeoutNanos && bytes < (double) minRate * elapsed / 1e9) {
                    throw new ReadTimeout(String.format(java.util.Locale.ROOT,
                            "the request body arrived at %.0f bytes/s, below the minimum of %d (vecml serve"
                                    + " --min-rate)", bytes / (elapsed / 1e9), minRate));
                }
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
