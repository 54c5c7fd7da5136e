package io.ringpool.security;

import io.ringpool.failure.DomainFailure;

/** Too many requests from one session or address; try again after {@code retryAfterSeconds}. */
public final class RateLimited extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public RateLimited(String what, int retryAfterSeconds) {
        super(Kind.RATE_LIMITED, "rate_limited", "too many " + what + "; retry in " + retryAfterSeconds + " s", null,
                retryAfterSeconds);
    }
}
