package io.ringpool.telephony.telnyx;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CallControlSessionsTest {
    static final Instant T0 = Instant.parse("2026-12-06T08:00:00Z");

    @Test
    void theCallersAnswerIsTheBusinessOnlyOnceTheCallersLegEndedWithNoOtherLeg() {
        CallControlSessions sessions = new CallControlSessions();
        assertThat(sessions.callerAnswered("st", "alone", T0.plusSeconds(5), T0)).isEmpty();
        assertThat(sessions.callerEnded("st", "alone", T0)).contains(T0.plusSeconds(5));
        // An earlier copy of the answer moves it; a later one does not.
        assertThat(sessions.callerAnswered("st", "alone", T0.plusSeconds(4), T0)).contains(T0.plusSeconds(4));
        assertThat(sessions.callerAnswered("st", "alone", T0.plusSeconds(9), T0)).contains(T0.plusSeconds(4));

        sessions.otherLeg("st", "greeted", T0);
        assertThat(sessions.callerAnswered("st", "greeted", T0.plusSeconds(1), T0)).isEmpty();
        assertThat(sessions.callerEnded("st", "greeted", T0)).isEmpty();
        // The same session id on another site is another session.
        assertThat(sessions.callerAnswered("other", "greeted", T0.plusSeconds(1), T0)).isEmpty();
        assertThat(sessions.callerEnded("other", "greeted", T0)).contains(T0.plusSeconds(1));
    }

    @Test
    void aSessionNotHeardOfForTwelveHoursIsForgottenAndTheBoundForgetsTheLeastRecentlyHeardOf() {
        CallControlSessions sessions = new CallControlSessions();
        sessions.otherLeg("st", "old", T0);
        sessions.callerAnswered("st", "old", T0.plusSeconds(1), T0);
        Instant later = T0.plus(CallControlSessions.KEPT_FOR).plus(Duration.ofSeconds(1));
        // Forgotten: the other leg is no longer known, so the caller's answer (given again) would count.
        assertThat(sessions.callerAnswered("st", "old", T0.plusSeconds(1), later)).isEmpty();
        assertThat(sessions.callerEnded("st", "old", later)).contains(T0.plusSeconds(1));
        assertThat(sessions.size()).isEqualTo(1);

        CallControlSessions bounded = new CallControlSessions();
        for (int i = 0; i <= CallControlSessions.MAX_SESSIONS; i++) {
            bounded.otherLeg("st", "s" + i, T0);
        }
        assertThat(bounded.size()).isEqualTo(CallControlSessions.MAX_SESSIONS);
        bounded.callerAnswered("st", "s0", T0.plusSeconds(1), T0); // s0 was the least recently heard of: forgotten
        assertThat(bounded.callerEnded("st", "s0", T0)).contains(T0.plusSeconds(1));
    }
}
