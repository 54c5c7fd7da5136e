package io.ringpool.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What an endpoint answers; the HTTP layer encodes it. */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {

    public static final String JSON = "application/json; charset=utf-8";

    public static Response json(int status, Object value) {
        return new Response(status, JSON, Json.write(value), Map.of());
    }

    /** JSON that keeps null fields ({@link Json#writeWithNulls}): for bodies whose contract lists every field. */
    public static Response jsonWithNulls(int status, Object value) {
        return new Response(status, JSON, Json.writeWithNulls(value), Map.of());
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

    public static Response error(ApiException e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", e.code());
        error.put("message", e.getMessage());
        if (e.field() != null) {
            error.put("field", e.field());
        }
        return json(e.status(), Map.of("error", error));
    }

    public static Response error(int status, String code, String message) {
        return error(new ApiException(status, code, message));
    }

    /** A copy with one more header. */
    public Response withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new Response(status, contentType, body, Map.copyOf(copy));
    }
}
