package io.ringpool.session;

import io.ringpool.failure.DomainFailure;

/** The script named a {@code siteKey} no site has. */
public final class UnknownSiteKey extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public UnknownSiteKey() {
        super(Kind.NOT_FOUND, "unknown_site", "no site has this siteKey", "siteKey");
    }
}
