package io.ringpool.lead;

import io.ringpool.failure.DomainFailure;
import io.ringpool.failure.DomainFailure.Kind;
import io.ringpool.security.ScriptLimits;
import io.ringpool.session.OriginNotAllowed;
import io.ringpool.session.SessionEnded;
import io.ringpool.session.UnknownSession;

/** The reasons a lead is refused, named once so tests and the API agree on codes. */
final class LeadFailures {
    private LeadFailures() {}

    /** The script named a session the store never saw: the session routes' own answer. */
    static DomainFailure sessionNotFound() {
        return new UnknownSession();
    }

    /** The session ended too long ago for a form on its page to still be sent (see LeadService.LATE_LEAD_GRACE). */
    static DomainFailure sessionEnded() {
        return new SessionEnded();
    }

    static DomainFailure originNotAllowed() {
        return new OriginNotAllowed();
    }

    /** Which limit was met, in its own words: one visit's ({@code limits.leadsPerSession}) or one address's ({@code leads.perIpPerMinute}). */
    static DomainFailure flood(ScriptLimits.Refusal refusal) {
        String whose = refusal.scope() == ScriptLimits.Scope.SESSION ? "this visit" : "this address";
        return new DomainFailure(Kind.RATE_LIMITED, "rate_limited",
                "too many leads from " + whose + " (at most " + refusal.perMinute() + " a minute); try again shortly", null,
                refusal.waitSeconds());
    }

    static DomainFailure leadNotFound() {
        return DomainFailure.notFound("lead");
    }

    static DomainFailure atInFuture() {
        return DomainFailure.invalid("at", "'at' is in the future; send the time the request was made");
    }

    static DomainFailure atPastRetention(int retentionDays) {
        return DomainFailure.invalid("at", "'at' is older than the site's retention (retentionDays " + retentionDays
                + "): a lead's personal data is not kept that long");
    }

    static DomainFailure notAContact(String field) {
        return DomainFailure.invalid(field, "give a phone number (E.164 such as +79161234567) or an e-mail address");
    }
}
