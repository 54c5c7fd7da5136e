package io.ringpool.call;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link Attribution#attribute}: how, to whom, and who else was plausible.
 *
 * @param sessionId    the chosen session; null for static and none
 * @param visitorId    the chosen visitor; null for static and none (or when unknown)
 * @param candidates   every plausible session, best first; the chosen one is first when there is one
 * @param staticSource the static number's source for method static, else null
 */
public record AttributionResult(
        AttributionMethod method,
        String sessionId,
        String visitorId,
        List<Candidate> candidates,
        StaticNumberSource staticSource) {

    /**
     * A session that may have made the call.
     *
     * @param reason why it is a candidate, for people reading the call log
     * @param score  relative likelihood in (0, 1]; the scores of one call sum to about 1
     */
    public record Candidate(String sessionId, String visitorId, String reason, double score) {}

    public AttributionResult {
        Objects.requireNonNull(method, "method");
        candidates = List.copyOf(candidates);
    }

    static AttributionResult none() {
        return new AttributionResult(AttributionMethod.NONE, null, null, List.of(), null);
    }
}
