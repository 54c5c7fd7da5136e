package io.ringpool.call;

import io.ringpool.failure.DomainFailure;

/**
 * An event names a dialled number that is neither a pool nor a static number of the site: nothing
 * is stored, so one site can never write into another's calls.
 */
public final class NotATrackingNumber extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public NotATrackingNumber() {
        this("'to' is not a tracking number of this site (neither a pool nor a static number)");
    }

    private NotATrackingNumber(String message) {
        super(Kind.INVALID, "unknown_number", message, "to");
    }

    /** The site retired the number, another site tracks it now, and the call began after the retirement. */
    static NotATrackingNumber givenUp() {
        return new NotATrackingNumber("'to' was retired by this site and is now a tracking number of another site;"
                + " a call that begins after the retirement is not this site's");
    }
}
