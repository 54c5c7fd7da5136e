package io.ringpool.site;

import io.ringpool.failure.DomainFailure;

/** No such site, or one the caller's key may not see (the two are indistinguishable on purpose). */
public final class UnknownSite extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public UnknownSite() {
        super(Kind.NOT_FOUND, "not_found", "site not found");
    }
}
