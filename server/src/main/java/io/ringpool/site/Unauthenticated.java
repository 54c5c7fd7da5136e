package io.ringpool.site;

import io.ringpool.failure.DomainFailure;

/** No key, or a key that is neither the admin key nor any site's key. */
public final class Unauthenticated extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public Unauthenticated() {
        super(Kind.UNAUTHENTICATED, "unauthorized", "missing or invalid credentials: send Authorization: Bearer <key>");
    }
}
