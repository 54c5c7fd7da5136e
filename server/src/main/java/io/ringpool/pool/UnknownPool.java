package io.ringpool.pool;

import io.ringpool.failure.DomainFailure;

/** No such pool on this site (another site's pool is no such pool too). */
public final class UnknownPool extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public UnknownPool() {
        super(Kind.NOT_FOUND, "not_found", "pool not found");
    }
}
