package io.ringpool.pool;

import io.ringpool.failure.DomainFailure;

/** The pool has no such number to retire. */
public final class NumberNotInPool extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public NumberNotInPool() {
        super(Kind.NOT_FOUND, "not_found", "number not found");
    }
}
