package io.ringpool.http;

/**
 * An expected failure with its HTTP status and the one JSON error shape of API.md:
 * {@code {"error": {"code", "message", "field"}}}. Thrown anywhere below an endpoint and mapped
 * in one place; any other exception becomes a 500 without internals.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String field;

    public ApiException(int status, String code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public ApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public static ApiException invalid(String field, String message) {
        return new ApiException(422, "invalid_value", message, field);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what + " not found");
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "unauthorized", "missing or invalid credentials: send Authorization: Bearer <key>");
    }
}
