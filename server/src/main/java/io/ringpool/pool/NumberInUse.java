package io.ringpool.pool;

import io.ringpool.failure.DomainFailure;

/** A number a site already uses: in one of its pools, as a static number, or as its default number. */
public final class NumberInUse extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public NumberInUse(String message, String field) {
        super(Kind.CONFLICT, "number_in_use", message, field);
    }
}
