package io.ringpool.site;

import io.ringpool.failure.DomainFailure;

/**
 * A site's default number that is a tracking number (a pool or static number) of this site or of
 * another: the visitors shown it untracked would call a number whose calls are attributed to
 * whoever holds its lease, or to another site altogether. Names the number, not the other site.
 */
public final class DefaultNumberInUse extends DomainFailure {
    private static final long serialVersionUID = 1L;

    private DefaultNumberInUse(String message) {
        super(Kind.CONFLICT, "number_in_use", message, "defaultNumber");
    }

    static DefaultNumberInUse ofThisSite(String number) {
        return new DefaultNumberInUse(number + " is a tracking number of this site (in a pool, retired ones included, or a static number)");
    }

    static DefaultNumberInUse ofAnotherSite(String number) {
        return new DefaultNumberInUse(number + " is a tracking number of another site (in a pool or as a static number there);"
                + " a number can belong to one site only");
    }
}
