package io.ringpool.call;

import io.ringpool.failure.DomainFailure;

/** The first event of a call names no dialled number, from a provider whose events always should. */
public final class NumberMissing extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public NumberMissing() {
        super(Kind.INVALID, "missing_field", "'to' is required on the first event of a call", "to");
    }
}
