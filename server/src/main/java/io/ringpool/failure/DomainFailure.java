package io.ringpool.failure;

import java.util.Objects;

/**
 * An expected failure of a domain operation: the caller asked for something the domain refuses
 * (an unknown pool, a number already in use, an ended session). It says <em>what kind</em> of
 * refusal this is, never an HTTP status: {@code http.FailureResponses} is the one place that turns
 * a {@link Kind} into a status and the JSON error shape of API.md.
 *
 * <p>Each capability package names its own reasons as small subclasses or factories (for example
 * {@code pool.NumberInUse}, {@code session.SessionEnded}), so a test can assert the reason without
 * knowing the wire. Unexpected faults (a store outage, a bug) are other exceptions, not these.
 */
public class DomainFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * The kind of refusal. The rule for the two "bad input" kinds is written once, here:
     * {@link #MALFORMED} when the request cannot be read at all or names something the operation
     * does not know (broken JSON, a wrong type of body, an unknown field or query parameter);
     * {@link #INVALID} when it is well-formed and every name is known but a value is not acceptable.
     */
    public enum Kind {
        MALFORMED,
        INVALID,
        UNAUTHENTICATED,
        FORBIDDEN,
        NOT_FOUND,
        CONFLICT,
        /** The request's {@code If-Match} names a version the thing has left: someone changed it since it was read. */
        PRECONDITION_FAILED,
        GONE,
        TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        RATE_LIMITED,
        UNAVAILABLE,
        /** The server's disk has no room for what was asked (a backup): retrying will not help until space is freed. */
        INSUFFICIENT_STORAGE
    }

    private final Kind kind;
    private final String code;
    private final String field;
    private final Integer retryAfterSeconds;

    public DomainFailure(Kind kind, String code, String message, String field, Integer retryAfterSeconds) {
        // No stack trace: these are answers, not bugs, and some are thrown on hot paths.
        super(message, null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.code = Objects.requireNonNull(code, "code");
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public DomainFailure(Kind kind, String code, String message, String field) {
        this(kind, code, message, field, null);
    }

    public DomainFailure(Kind kind, String code, String message) {
        this(kind, code, message, null, null);
    }

    public Kind kind() {
        return kind;
    }

    /** Stable snake_case code for machines ({@code number_in_use}). */
    public String code() {
        return code;
    }

    /** The field (JSON path or query parameter) at fault, or null. */
    public String field() {
        return field;
    }

    /** For {@link Kind#RATE_LIMITED} and {@link Kind#UNAVAILABLE}: when to try again, or null. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** A value that is well-formed but not acceptable ({@code invalid_value}). */
    public static DomainFailure invalid(String field, String message) {
        return new DomainFailure(Kind.INVALID, "invalid_value", message, field);
    }

    /** A required value that was not given ({@code missing_field}): the request is well-formed, so this is invalid, not malformed. */
    public static DomainFailure missing(String field) {
        return new DomainFailure(Kind.INVALID, "missing_field", "'" + field + "' is required", field);
    }

    /** A field or parameter the operation does not know. */
    public static DomainFailure unknownField(String field) {
        return new DomainFailure(Kind.MALFORMED, "unknown_field", "unknown field '" + field + "'", field);
    }

    /** Something that does not exist, or belongs to another tenant (indistinguishable on purpose). */
    public static DomainFailure notFound(String what) {
        return new DomainFailure(Kind.NOT_FOUND, "not_found", what + " not found");
    }

    public static DomainFailure conflict(String code, String message, String field) {
        return new DomainFailure(Kind.CONFLICT, code, message, field);
    }
}
