package io.ringpool.pool;

import io.ringpool.failure.DomainFailure;

/** The site has no such static number in use (one it retired, or another site's, reads the same). */
public final class UnknownStaticNumber extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public UnknownStaticNumber() {
        super(Kind.NOT_FOUND, "not_found", "static number not found");
    }
}
