package io.ringpool.call;

import io.ringpool.failure.DomainFailure;

/**
 * An event names a dialled number that is neither a pool nor a static number of the site: nothing
 * is stored, so one site can never write into another's calls.
 */
public final class NotATrackingNumber extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public NotATrackingNumber() {
        super(Kind.INVALID, "unknown_number", "'to' is not a tracking number of this site (neither a pool nor a static number)", "to");
    }
}
