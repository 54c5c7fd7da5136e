package io.ringpool.http;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an endpoint answers; the HTTP layer encodes it.
 *
 * @param file   when not null, the body is this slice of a file, streamed from disk by the HTTP layer
 *               (zero-copy where the transport allows) instead of {@code body}, which is then empty
 * @param stream when not null, the body is what this writes, sent as it is written (see {@link StreamedBody});
 *               {@code body} is then empty
 */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers, FileSlice file, StreamedBody stream) {

    /**
     * A body written by the endpoint's code as it produces it (rows of an export read from a
     * cursor), on the worker thread that ran the endpoint, to a plain {@link OutputStream}: the
     * writer knows nothing of the transport.
     *
     * <p>A body that ends within {@link ChunkedBodyOutput#WHOLE_BYTES} is sent whole, with a
     * Content-Length and the returned headers among the others. A longer one is sent as it comes
     * (chunked): its headers go out before the writer is done, so the returned headers are sent
     * as trailers instead, named in a {@code Trailer} header. Writes block while the client is
     * slower than the writer, so only a bounded amount waits in memory.
     *
     * <p>Failures: thrown before the body was committed, the failure is answered as any endpoint's
     * (a {@code DomainFailure}'s status); thrown after, the connection is closed without the end
     * of the chunked body, so the client sees a truncated transfer, never a complete-looking one.
     */
    @FunctionalInterface
    public interface StreamedBody {
        /** Writes the body; returns headers known only at the end (counts), sent as said above. */
        Map<String, String> writeTo(OutputStream out) throws Exception;
    }

    public Response(int status, String contentType, byte[] body, Map<String, String> headers, FileSlice file) {
        this(status, contentType, body, headers, file, null);
    }

    /**
     * A body written as it is produced.
     *
     * @param trailers the names of the headers {@code body} returns, announced when they come as trailers
     */
    public static Response streamed(int status, String contentType, Map<String, String> headers, java.util.List<String> trailers,
            StreamedBody body) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (!trailers.isEmpty()) {
            all.put(ChunkedBodyOutput.TRAILER_NAMES, String.join(", ", trailers));
        }
        return new Response(status, contentType, new byte[0], Map.copyOf(all), null, java.util.Objects.requireNonNull(body));
    }

    /** A byte range of a file on disk: {@code length} bytes from {@code offset}. */
    public record FileSlice(java.nio.file.Path path, long offset, long length) {
        public FileSlice {
            java.util.Objects.requireNonNull(path, "path");
            if (offset < 0 || length < 0) {
                throw new IllegalArgumentException("offset and length must be >= 0");
            }
        }
    }

    public Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        this(status, contentType, body, headers, null);
    }

    /** The number of body bytes this response sends (Content-Length). */
    public long contentLength() {
        return file != null ? file.length() : body.length;
    }

    public static final String JSON = "application/json; charset=utf-8";

    public static Response json(int status, Object value) {
        return new Response(status, JSON, Json.write(value), Map.of());
    }

    public static Response ok(Object value) {
        return json(200, value);
    }

    public static Response created(Object value) {
        return json(201, value);
    }

    public static Response noContent() {
        return new Response(204, null, new byte[0], Map.of());
    }

    public static Response text(int status, String contentType, String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /**
     * The error shape of API.md, {@code {"error": {"code", "message", "field"}}}, with {@code field}
     * null when no single field is at fault. Endpoints throw {@code DomainFailure}s, which
     * {@link FailureResponses} turns into this; the HTTP layer uses it directly for what it finds
     * before any endpoint runs (no such route, an undecodable request, a full queue).
     */
    public static Response error(int status, String code, String message, String field) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("field", field);
        return json(status, Map.of("error", error));
    }

    public static Response error(int status, String code, String message) {
        return error(status, code, message, null);
    }

    /** A copy with one more header. */
    public Response withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new Response(status, contentType, body, Map.copyOf(copy), file, stream);
    }
}
