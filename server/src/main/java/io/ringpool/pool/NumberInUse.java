package io.ringpool.pool;

import io.ringpool.failure.DomainFailure;

/**
 * A number already in use: in a pool or as a static number of this site or another, or as a
 * site's default number. Names the number, never the other site.
 */
public final class NumberInUse extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public NumberInUse(String message, String field) {
        super(Kind.CONFLICT, "number_in_use", message, field);
    }

    static NumberInUse defaultOfThisSite(String number, String field) {
        return new NumberInUse(number + " is the site's default number, which visitors see untracked", field);
    }
}
