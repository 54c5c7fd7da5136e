package io.ringpool.session;

import io.ringpool.failure.DomainFailure;

/** The page that started the visit is not on one of the site's domains. */
public final class OriginNotAllowed extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public OriginNotAllowed() {
        super(Kind.FORBIDDEN, "origin_not_allowed", "this page's origin is not one of the site's domains");
    }
}
