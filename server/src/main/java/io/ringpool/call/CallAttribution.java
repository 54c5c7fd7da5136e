package io.ringpool.call;

import io.ringpool.visit.VisitSource;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The attribution stored with a call: how it was decided ({@link AttributionMethod}), for which
 * call time, the chosen visit and the source data the call inherits from it, every candidate with
 * its reason, and the visitor's earlier visits (the channel path). Decided once, at the call's
 * start, from {@link Attribution#attribute}, and kept: later leases never rewrite history.
 *
 * @param decidedFor    the call time the decision was made for (the call's startedAt then)
 * @param visit         the chosen visit's data; null for static and none, or when the visit is gone
 * @param staticNumber  the static number's source for method static, else null
 * @param candidates    every plausible session, best first (see {@link AttributionResult})
 * @param earlierVisits the chosen visitor's visits before the chosen one, oldest first (at most
 *                      {@link CallAttributor#EARLIER_VISITS_MAX})
 */
public record CallAttribution(
        AttributionMethod method,
        Instant decidedFor,
        String sessionId,
        String visitorId,
        VisitSource visit,
        StaticNumberSource staticNumber,
        List<AttributionResult.Candidate> candidates,
        List<EarlierVisit> earlierVisits) {

    public CallAttribution {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(decidedFor, "decidedFor");
        candidates = candidates == null ? List.of() : List.copyOf(candidates);
        earlierVisits = earlierVisits == null ? List.of() : List.copyOf(earlierVisits);
    }

    /** One earlier visit of the same visitor, enough to draw a channel path. */
    public record EarlierVisit(String sessionId, Instant startedAt, String source, String medium, String channel) {}
}
