package io.ringpool.http;

import io.ringpool.failure.DomainFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failure becomes an HTTP answer: a {@link DomainFailure}'s kind picks the
 * status, its code, message and field fill the error shape of API.md
 * ({@code {"error": {"code", "message", "field"}}}), and its {@code retryAfterSeconds} becomes a
 * {@code Retry-After} header. Anything else an endpoint throws is first offered to the
 * {@link FailureMapper} (the store's outages, which this package does not know); what nobody
 * recognises is a bug and answers 500 without its internals.
 */
public final class FailureResponses {
    private static final Logger LOG = LoggerFactory.getLogger(FailureResponses.class);

    private FailureResponses() {}

    /** The status of each kind; the 400/422 rule itself is written on {@link DomainFailure.Kind}. */
    public static int status(DomainFailure.Kind kind) {
        return switch (kind) {
            case MALFORMED -> 400;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case PRECONDITION_FAILED -> 412;
            case GONE -> 410;
            case TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case INVALID -> 422;
            case RATE_LIMITED -> 429;
            case UNAVAILABLE -> 503;
            case INSUFFICIENT_STORAGE -> 507;
        };
    }

    public static Response of(DomainFailure failure) {
        Response response = Response.error(status(failure.kind()), failure.code(), failure.getMessage(), failure.field());
        Integer retryAfter = failure.retryAfterSeconds();
        return retryAfter == null ? response : response.withHeader("Retry-After", Integer.toString(retryAfter));
    }

    /** A request not answered within the timeout: 503 with Retry-After, as for every 503 (docs/api.md). */
    public static Response timedOut() {
        return Response.error(503, "timeout", "the server could not answer in time; retry later").withHeader("Retry-After", "1");
    }

    /** Whatever an endpoint threw, as a response: domain failures by kind, known faults by the mapper, the rest as 500. */
    public static Response of(Throwable thrown, FailureMapper mapper) {
        if (thrown instanceof DomainFailure failure) {
            return of(failure);
        }
        if (thrown instanceof io.ringpool.concurrent.Cancellation.Stopped) {
            return timedOut(); // its 503 was sent already; this answer is dropped
        }
        DomainFailure mapped = mapper.map(thrown);
        if (mapped != null) {
            return of(mapped);
        }
        LOG.error("internal_error", thrown);
        return Response.error(500, "internal_error", "an internal error occurred");
    }
}
