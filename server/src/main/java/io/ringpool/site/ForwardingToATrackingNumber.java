package io.ringpool.site;

import io.ringpool.failure.DomainFailure;

/**
 * A {@code forwardTo} that is a tracking number (a pool or static number) of some site: a call to
 * the site's numbers would be forwarded to a number that is itself tracked, ringing back into this
 * site (a loop that never reaches the business) or into another site's calls.
 */
public final class ForwardingToATrackingNumber extends DomainFailure {
    private static final long serialVersionUID = 1L;

    ForwardingToATrackingNumber(String number) {
        super(Kind.CONFLICT, "number_in_use", number + " is a tracking number (in a pool or as a static number of a site):"
                + " forward calls to the business's own line", "forwardTo");
    }
}
