package io.ringpool.call;

import io.ringpool.failure.DomainFailure;

/** No such call on this site (another site's call is reported the same way, on purpose). */
public final class UnknownCall extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public UnknownCall() {
        super(Kind.NOT_FOUND, "not_found", "call not found");
    }
}
