package io.ringpool.http;

import io.ringpool.failure.DomainFailure;

/**
 * A bridge for code not yet moved to {@link DomainFailure}: a failure stated as an HTTP status,
 * turned into the kind that status stands for, so that {@link FailureResponses} remains the one
 * mapping. New code throws {@link DomainFailure}s (or a package's own subclasses) instead; delete
 * this class once nothing uses it.
 */
@Deprecated(forRemoval = true)
public final class ApiException extends DomainFailure {
    private static final long serialVersionUID = 1L;

    private final int status;

    public ApiException(int status, String code, String message, String field) {
        super(kindOf(status), code, message, field);
        this.status = status;
    }

    public ApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public int status() {
        return status;
    }

    private static Kind kindOf(int status) {
        return switch (status) {
            case 400 -> Kind.MALFORMED;
            case 401 -> Kind.UNAUTHENTICATED;
            case 403 -> Kind.FORBIDDEN;
            case 404 -> Kind.NOT_FOUND;
            case 409 -> Kind.CONFLICT;
            case 410 -> Kind.GONE;
            case 413 -> Kind.TOO_LARGE;
            case 415 -> Kind.UNSUPPORTED_MEDIA_TYPE;
            case 422 -> Kind.INVALID;
            case 429 -> Kind.RATE_LIMITED;
            case 503 -> Kind.UNAVAILABLE;
            default -> throw new IllegalArgumentException("no failure kind for status " + status);
        };
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
