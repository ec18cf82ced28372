package io.vecml.cli.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading bounded request bodies and writing responses. */
final class Http {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Http() {
    }

    /** The declared Content-Length, or -1; a body declared larger than {@code limit} is refused before reading. */
    static long checkLength(Exchange ex, long limit) {
        String cl = ex.header("Content-Length");
        if (cl == null) {
            return -1;
        }
        long n;
        try {
            n = Long.parseLong(cl.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Content-Length is not a number: '" + cl + "'");
        }
        if (n > limit) {
            throw tooLarge(limit);
        }
        return n;
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "the request body is larger than the limit of " + limit + " bytes"
                + " (vecml serve --max-body; JSON requests are capped at " + ServeConfig.MAX_JSON + " bytes)");
    }

    /** The whole body, at most {@code limit} bytes. */
    static byte[] readBody(Exchange ex, long limit) throws IOException {
        checkLength(ex, limit);
        InputStream in = ex.body();
        byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        if (b.length > limit) {
            throw tooLarge(limit);
        }
        ex.startWork();
        return b;
    }

    /** Streams the body into {@code target}, at most {@code limit} bytes; returns the byte count. */
    static long copyBody(Exchange ex, Path target, long limit) throws IOException {
        checkLength(ex, limit);
        long total = 0;
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(target)) {
            InputStream in = ex.body();
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > limit) {
                    throw tooLarge(limit);
                }
                out.write(buf, 0, n);
            }
        }
        ex.startWork();
        return total;
    }

    static byte[] json(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write JSON: " + e.getMessage(), e);
        }
    }

    static void send(Exchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.send(status, contentType, body);
    }

    static void sendJson(Exchange ex, int status, Object value) throws IOException {
        byte[] b = json(value);
        byte[] withNewline = new byte[b.length + 1];
        System.arraycopy(b, 0, withNewline, 0, b.length);
        withNewline[b.length] = '\n';
        send(ex, status, "application/json; charset=utf-8", withNewline);
    }

    static void sendError(Exchange ex, int status, String message) throws IOException {
        sendJson(ex, status, java.util.Map.of("error", message == null ? "error" : message));
    }

    /** {@code v} as a 1-D little-endian int32 {@code .npy} (format 1.0, header padded to 64 bytes), in memory. */
    static byte[] npyInts(int[] v) {
        String dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (" + v.length + ",), }";
        int pad = 63 - (10 + dict.length()) % 64;
        byte[] header = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.US_ASCII);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + header.length + 4 * v.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length).put(header);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
