package io.ringpool.site;

import io.ringpool.failure.DomainFailure;

/** A valid site key used where only the operator's admin key may act (creating sites). */
public final class AdminKeyRequired extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public AdminKeyRequired() {
        super(Kind.FORBIDDEN, "forbidden", "this needs the operator's admin key, not a site key");
    }
}
