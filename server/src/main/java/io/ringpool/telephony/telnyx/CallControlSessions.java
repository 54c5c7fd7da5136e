package io.ringpool.telephony.telnyx;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What this node learnt of each Telnyx Call Control session's legs, for the one question a single
 * event cannot answer: was the answer of the caller's leg the business, or the robot?
 *
 * <p>Telnyx names a call's legs by {@code call_leg_id} and says {@code direction} only in
 * {@code call.initiated}. The caller's leg (incoming, to the tracking number) is answered either by
 * the business's own equipment (a number routed straight to a SIP connection: the session has no
 * other leg) or by a Call Control application that greets the caller and then transfers or dials
 * the business, which is another leg of the same {@code call_session_id}. So the caller's leg's
 * answer counts only when its leg has ended and no other leg was seen; until then it is held here.
 * An answer of another leg needs nothing remembered: it is the business.
 *
 * <p>Events come in any order and again: every question is answered from the facts gathered so far
 * (earliest caller answer, whether another leg was seen, whether the caller's leg ended), so the
 * same events give the same answer whatever their order, and a retry repeats it.
 *
 * <p>In memory, per node, bounded ({@link #MAX_SESSIONS}, least recently used forgotten first) and
 * forgotten {@link #KEPT_FOR} after their last event. A session whose events are spread over several
 * nodes, or straddle a restart, may lose the caller's answer (the call reads unanswered: better
 * unknown than wrong) or, when the node that holds the caller's answer and end saw none of the other
 * leg's events, count it (docs/providers.md).
 */
final class CallControlSessions {

    /** Sessions kept at most: ~150 bytes each, so about 8 MB at the bound. */
    static final int MAX_SESSIONS = 50_000;

    /** How long after its last event a session is remembered: longer than any call plus Telnyx's retries. */
    static final Duration KEPT_FOR = Duration.ofHours(12);

    /** The facts of one session, each of which only ever grows (an earlier answer, a leg seen, an end seen). */
    private static final class Legs {
        Instant callerAnswered;
        boolean otherLegSeen;
        boolean callerEnded;
        Instant lastEventAt;
    }

    private final LinkedHashMap<String, Legs> sessions = new LinkedHashMap<>(16, 0.75f, true);

    /** Another leg than the caller's was seen (initiated, answered, bridged or hung up). */
    synchronized void otherLeg(String siteId, String sessionId, Instant now) {
        legs(siteId, sessionId, now).otherLegSeen = true;
    }

    /**
     * The caller's leg answered at {@code at}; returns the business's answer when it is already
     * known to be one (the caller's leg has ended and no other leg was seen), else empty: held.
     */
    synchronized Optional<Instant> callerAnswered(String siteId, String sessionId, Instant at, Instant now) {
        Legs legs = legs(siteId, sessionId, now);
        if (legs.callerAnswered == null || at.isBefore(legs.callerAnswered)) {
            legs.callerAnswered = at;
        }
        return businessAnswer(legs);
    }

    /** The caller's leg ended; returns the caller's leg's answer when it was the business's (no other leg seen). */
    synchronized Optional<Instant> callerEnded(String siteId, String sessionId, Instant now) {
        Legs legs = legs(siteId, sessionId, now);
        legs.callerEnded = true;
        return businessAnswer(legs);
    }

    private static Optional<Instant> businessAnswer(Legs legs) {
        return legs.callerEnded && !legs.otherLegSeen ? Optional.ofNullable(legs.callerAnswered) : Optional.empty();
    }

    private Legs legs(String siteId, String sessionId, Instant now) {
        forgetOld(now);
        Legs legs = sessions.computeIfAbsent(siteId + "|" + sessionId, k -> new Legs());
        legs.lastEventAt = now;
        while (sessions.size() > MAX_SESSIONS) {
            Iterator<Legs> eldest = sessions.values().iterator();
            eldest.next();
            eldest.remove();
        }
        return legs;
    }

    /** Drops sessions not heard of for {@link #KEPT_FOR}: the least recently used come first, so it stops at the first fresh one. */
    private void forgetOld(Instant now) {
        Instant cutoff = now.minus(KEPT_FOR);
        Iterator<Map.Entry<String, Legs>> it = sessions.entrySet().iterator();
        while (it.hasNext()) {
            if (!it.next().getValue().lastEventAt.isBefore(cutoff)) {
                return;
            }
            it.remove();
        }
    }

    /** Sessions remembered now (for tests). */
    synchronized int size() {
        return sessions.size();
    }
}
