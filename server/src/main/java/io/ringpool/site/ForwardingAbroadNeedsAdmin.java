package io.ringpool.site;

import io.ringpool.failure.DomainFailure;

/**
 * A site key tried to forward the site's calls to a number outside the site's country. Calls to
 * the tracking numbers are forwarded there at the operator's cost, and a leaked site key must not
 * be enough to send them abroad (or to a premium number elsewhere): that takes the admin key.
 */
public final class ForwardingAbroadNeedsAdmin extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public ForwardingAbroadNeedsAdmin(String country) {
        super(Kind.FORBIDDEN, "forward_to_needs_admin_key", "'forwardTo' outside the site's country (" + country
                + ") can only be set with the admin key", "forwardTo");
    }

    /** A premium-rate or shared-cost number at home (audit AI1 #8: +7 809…, +1 900… passed the country check). */
    static ForwardingAbroadNeedsAdmin premiumRate() {
        return new ForwardingAbroadNeedsAdmin();
    }

    private ForwardingAbroadNeedsAdmin() {
        super(Kind.FORBIDDEN, "forward_to_needs_admin_key", "'forwardTo' is a premium-rate or shared-cost number: every forwarded "
                + "call would be billed at its rate, so it can only be set with the admin key", "forwardTo");
    }
}
