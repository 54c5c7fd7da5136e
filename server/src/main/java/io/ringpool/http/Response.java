package io.ringpool.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an endpoint answers; the HTTP layer encodes it.
 *
 * @param file when not null, the body is this slice of a file, streamed from disk by the HTTP layer
 *             (zero-copy where the transport allows) instead of {@code body}, which is then empty
 */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers, FileSlice file) {

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
        return new Response(status, contentType, body, Map.copyOf(copy), file);
    }
}
