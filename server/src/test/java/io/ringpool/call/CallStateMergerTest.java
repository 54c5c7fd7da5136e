package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.call.CallEvent.Kind;
import io.ringpool.call.CallState.Status;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallStateMergerTest {

    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    static CallEvent ev(Kind kind, int atSecond, Integer duration, Integer talk) {
        return new CallEvent("generic", "c1", kind, T0.plusSeconds(atSecond), "+79161234567", "+74950000001",
                duration, talk, null);
    }

    @Test
    void ringingThenAnsweredThenCompletedIsCompletedWithTalkTimeFromTheTimes() {
        CallState s = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.ANSWERED, 10, null, null),
                ev(Kind.COMPLETED, 70, null, null)));
        assertThat(s.status()).isEqualTo(Status.COMPLETED);
        assertThat(s.answered()).isTrue();
        assertThat(s.startedAt()).isEqualTo(T0);
        assertThat(s.answeredAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(s.endedAt()).isEqualTo(T0.plusSeconds(70));
        assertThat(s.talkSeconds()).isEqualTo(60);
        assertThat(s.durationSeconds()).isEqualTo(70);
        assertThat(s.from()).isEqualTo("+79161234567");
    }

    @Test
    void aLateRingingNeverUndoesCompleted() {
        CallState done = CallStateMerger.fold(List.of(ev(Kind.ANSWERED, 10, null, null), ev(Kind.COMPLETED, 70, 70, 60)));
        CallState after = CallStateMerger.merge(done, ev(Kind.RINGING, 0, null, null));
        assertThat(after.status()).isEqualTo(Status.COMPLETED);
        assertThat(after.startedAt()).isEqualTo(T0); // but it does tell us when the call began
    }

    /**
     * Found by the provider race sweep: Zadarma and Telnyx TeXML state talk time but no duration, and
     * when their events were received within one second the call was 0 s long with 75 s of talk.
     */
    @Test
    void aDurationComputedFromTheEventTimesIsNeverShorterThanTheStatedTalkTime() {
        CallState s = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.COMPLETED, 0, null, 75)));
        assertThat(s.talkSeconds()).isEqualTo(75);
        assertThat(s.durationSeconds()).isEqualTo(75);
        CallState longer = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.COMPLETED, 100, null, 75)));
        assertThat(longer.durationSeconds()).isEqualTo(100);
    }

    @Test
    void theFinalEventsDurationsWin() {
        CallState s = CallStateMerger.fold(List.of(ev(Kind.ANSWERED, 10, 999, 999), ev(Kind.COMPLETED, 70, 65, 55)));
        assertThat(s.durationSeconds()).isEqualTo(65);
        assertThat(s.talkSeconds()).isEqualTo(55);
    }

    @Test
    void completedWithTalkTimeButNoAnsweredEventCountsAsAnswered() {
        CallState s = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.COMPLETED, 70, 70, 40)));
        assertThat(s.answered()).isTrue();
        assertThat(s.status()).isEqualTo(Status.COMPLETED);
        assertThat(s.answeredAt()).isEqualTo(T0.plusSeconds(30)); // end - talk
    }

    /**
     * Audit AI1 #6. This test said COMPLETED until session 43: an ended call nobody answered was shown
     * completed, not answered, talk 0, so it never reached {@code status=missed} or the missed counts.
     * A PBX's CDR posted as completed with billsec 0 is a missed call, and so is one with no talk stated.
     */
    @Test
    void completedWithoutAnswerOrTalkIsMissed() {
        for (Integer talk : new Integer[] {0, null}) {
            CallState s = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.COMPLETED, 20, 20, talk)));
            assertThat(s.status()).as("talk " + talk).isEqualTo(Status.MISSED);
            assertThat(s.answered()).isFalse();
            assertThat(s.answeredAt()).isNull();
            assertThat(s.endedAt()).isEqualTo(T0.plusSeconds(20));
            assertThat(s.talkSeconds()).isZero();
            assertThat(s.durationSeconds()).isEqualTo(20);
        }
    }

    static CallEvent recordingNotice(int atSecond, String url) {
        return new CallEvent("generic", "c1", Kind.COMPLETED, T0.plusSeconds(atSecond), null, null, null, null, url);
    }

    /**
     * Audit AI1 #6: UIS's «Завершение звонка» with talk 0 after «Потерянный звонок», and the recording
     * notice (a completed with only the link) after a missed, busy or failed end, made the call completed.
     */
    @Test
    void anUnansweredCompletedNeverOutranksMissedBusyOrFailedInAnyOrder() {
        for (Kind end : List.of(Kind.MISSED, Kind.BUSY, Kind.FAILED)) {
            for (CallEvent completed : List.of(ev(Kind.COMPLETED, 25, 25, 0), ev(Kind.COMPLETED, 20, 25, 0), recordingNotice(40, "https://rec/1"),
                    recordingNotice(10, "https://rec/1"))) {
                List<CallEvent> events = List.of(ev(Kind.RINGING, 0, null, null), ev(end, 25, null, null), completed);
                for (List<CallEvent> order : List.of(events, List.of(events.get(2), events.get(1), events.get(0)),
                        List.of(events.get(1), events.get(2), events.get(0)), List.of(events.get(0), events.get(2), events.get(1)))) {
                    CallState s = CallStateMerger.fold(order);
                    String what = end + " with " + completed + " in " + order.stream().map(CallEvent::kind).toList();
                    assertThat(s.status().name()).as(what).isEqualTo(end.name());
                    assertThat(s.answered()).as(what).isFalse();
                    assertThat(s.endedAt()).as(what).isEqualTo(T0.plusSeconds(25));
                    assertThat(s.talkSeconds()).as(what).isZero();
                    assertThat(s.recordingUrl()).as(what).isEqualTo(completed.recordingUrl());
                }
            }
        }
    }

    @Test
    void aCompletedWithTalkTimeStillOutranksTheOtherEnds() {
        // Twilio: the caller's own call ends as missed, the forwarded leg's completed carries the talk.
        CallState s = CallStateMerger.fold(List.of(ev(Kind.MISSED, 70, 70, null), ev(Kind.ANSWERED, 10, null, null),
                ev(Kind.COMPLETED, 69, null, 59), ev(Kind.RINGING, 0, null, null)));
        assertThat(s.status()).isEqualTo(Status.COMPLETED);
        assertThat(s.endedAt()).isEqualTo(T0.plusSeconds(69));
        assertThat(s.answeredAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(s.talkSeconds()).isEqualTo(59);
        assertThat(s.durationSeconds()).isEqualTo(70);
        for (Kind end : List.of(Kind.BUSY, Kind.FAILED)) {
            assertThat(CallStateMerger.fold(List.of(ev(end, 30, null, null), ev(Kind.COMPLETED, 31, 31, 20))).status()).isEqualTo(Status.COMPLETED);
        }
    }

    @Test
    void aRecordingNoticeAddsOnlyItsLinkToAnEndedCall() {
        List<List<CallEvent>> ended = List.of(
                List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.MISSED, 25, null, null)),
                List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.COMPLETED, 25, 25, 0)),
                List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.ANSWERED, 5, null, null), ev(Kind.COMPLETED, 25, 25, 20)));
        for (List<CallEvent> events : ended) {
            CallState before = CallStateMerger.fold(events);
            CallState after = CallStateMerger.merge(before, recordingNotice(30, "https://rec/2"));
            assertThat(after.recordingUrl()).isEqualTo("https://rec/2");
            assertThat(new CallState(after.provider(), after.providerCallId(), after.status(), after.from(), after.to(), after.startedAt(),
                    after.answeredAt(), after.endedAt(), after.answered(), after.durationSeconds(), after.talkSeconds(), null,
                    before.events())).as(before.status().name()).isEqualTo(before);
        }
    }

    /** Both ends are read for the answer: one after the missed end is no answer, whatever the completed's time. */
    @Test
    void anAnswerAfterAMissedEndIsNoAnswerEvenBeforeAnUnansweredCompleted() {
        CallState s = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.MISSED, 20, null, null),
                ev(Kind.ANSWERED, 25, null, null), ev(Kind.COMPLETED, 30, 30, 0)));
        assertThat(s.status()).isEqualTo(Status.MISSED);
        assertThat(s.answered()).isFalse();
        assertThat(s.answeredAt()).isNull();
        assertThat(s.endedAt()).isEqualTo(T0.plusSeconds(20));
        // ... and one after an unanswered completed is none either, whatever the missed's time.
        CallState t = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.COMPLETED, 20, 20, null),
                ev(Kind.ANSWERED, 25, null, null), ev(Kind.MISSED, 30, null, null)));
        assertThat(t.status()).isEqualTo(Status.MISSED);
        assertThat(t.answeredAt()).isNull();
    }

    @Test
    void missedBusyFailedAreTerminalWithZeroTalk() {
        for (Kind k : List.of(Kind.MISSED, Kind.BUSY, Kind.FAILED)) {
            CallState s = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null), ev(k, 25, null, null)));
            assertThat(s.status().name()).isEqualTo(k.name());
            assertThat(s.status().isTerminal()).isTrue();
            assertThat(s.talkSeconds()).isZero();
            assertThat(s.durationSeconds()).isEqualTo(25);
            assertThat(CallStateMerger.merge(s, ev(Kind.RINGING, 30, null, null)).status()).isEqualTo(s.status());
        }
    }

    @Test
    void anAnsweredCallThatEndsWithAnotherTerminalKindIsCompleted() {
        CallState s = CallStateMerger.fold(List.of(ev(Kind.ANSWERED, 5, null, null), ev(Kind.BUSY, 30, null, null)));
        assertThat(s.status()).isEqualTo(Status.COMPLETED);
        assertThat(s.talkSeconds()).isEqualTo(25);
    }

    /** Audit B, F3: "a late event never undoes the end" (docs/providers.md), an answer included. */
    @Test
    void anAnswerTimedAfterABusyMissedOrFailedEndNeitherUndoesTheEndNorAnswersTheCall() {
        for (Kind end : List.of(Kind.BUSY, Kind.MISSED, Kind.FAILED)) {
            CallState ended = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null), ev(end, 30, null, null)));
            CallState late = CallStateMerger.merge(ended, ev(Kind.ANSWERED, 31, 40, 25));
            assertThat(late.status()).as(end.name()).isEqualTo(ended.status()).isEqualTo(Status.valueOf(end.name()));
            assertThat(late.answered()).isFalse();
            assertThat(late.answeredAt()).isNull();
            assertThat(late.endedAt()).isEqualTo(T0.plusSeconds(30));
            assertThat(late.talkSeconds()).isZero();
            assertThat(late.durationSeconds()).isEqualTo(30);
            // In either order: the state depends on the events, not on their arrival.
            assertThat(CallStateMerger.fold(List.of(ev(Kind.ANSWERED, 31, 40, 25), ev(end, 30, null, null), ev(Kind.RINGING, 0, null, null))))
                    .isEqualTo(late);
        }
    }

    @Test
    void anAnswerTimedBeforeTheEndButDeliveredAfterItCompletesTheCall() {
        CallState busy = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.BUSY, 30, null, null)));
        CallState s = CallStateMerger.merge(busy, ev(Kind.ANSWERED, 12, null, null));
        assertThat(s.status()).isEqualTo(Status.COMPLETED);
        assertThat(s.answeredAt()).isEqualTo(T0.plusSeconds(12));
        assertThat(s.talkSeconds()).isEqualTo(18);
        assertThat(CallStateMerger.merge(busy, ev(Kind.ANSWERED, 30, null, null)).status()).as("at the end itself").isEqualTo(Status.COMPLETED);
    }

    @Test
    void anAnswerTimedAfterACompletedEndNeverPutsAnsweredAtAfterEndedAt() {
        CallState s = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.COMPLETED, 70, 70, 60),
                ev(Kind.ANSWERED, 75, null, null)));
        assertThat(s.status()).isEqualTo(Status.COMPLETED);
        assertThat(s.answeredAt()).isEqualTo(T0.plusSeconds(10)); // end - talk, as without the late answer
        assertThat(s.talkSeconds()).isEqualTo(60);
    }

    @Test
    void conflictingUnansweredTerminalsPreferTheMostSpecific() {
        CallState s = CallStateMerger.fold(List.of(ev(Kind.MISSED, 30, null, null), ev(Kind.BUSY, 31, null, null)));
        assertThat(s.status()).isEqualTo(Status.BUSY);
    }

    @Test
    void liveStates() {
        assertThat(CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null))).status()).isEqualTo(Status.RINGING);
        CallState answered = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null), ev(Kind.ANSWERED, 4, null, null)));
        assertThat(answered.status()).isEqualTo(Status.ANSWERED);
        assertThat(answered.endedAt()).isNull();
        assertThat(answered.talkSeconds()).isNull();
    }

    @Test
    void aRepeatReturnsAnEqualStateSoCallersCanTellNewsFromRepeats() {
        CallState s = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null)));
        assertThat(CallStateMerger.merge(s, ev(Kind.RINGING, 0, null, null))).isEqualTo(s);
        assertThat(CallStateMerger.merge(s, ev(Kind.ANSWERED, 3, null, null))).isNotEqualTo(s);
    }

    @Test
    void callerAndNumberComeFromTheEventThatHasThem() {
        CallEvent forwardedLeg = new CallEvent("twilio", "CA1", Kind.COMPLETED, T0.plusSeconds(40), null, null, 30, 30,
                "https://rec");
        CallEvent voice = new CallEvent("twilio", "CA1", Kind.RINGING, T0, "+79161234567", "+74950000001", null, null,
                null);
        CallState s = CallStateMerger.fold(List.of(forwardedLeg, voice));
        assertThat(s.from()).isEqualTo("+79161234567");
        assertThat(s.to()).isEqualTo("+74950000001");
        assertThat(s.recordingUrl()).isEqualTo("https://rec");
        assertThat(s.status()).isEqualTo(Status.COMPLETED);
    }

    @Test
    void refusesAnEventOfAnotherCall() {
        CallState s = CallStateMerger.fold(List.of(ev(Kind.RINGING, 0, null, null)));
        CallEvent other = new CallEvent("generic", "c2", Kind.ANSWERED, T0, null, null, null, null, null);
        assertThatThrownBy(() -> CallStateMerger.merge(s, other)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CallStateMerger.fold(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eventKindsHaveWireNames() {
        assertThat(Kind.fromWire("Completed")).contains(Kind.COMPLETED);
        assertThat(Kind.fromWire("nope")).isEmpty();
        assertThat(ev(Kind.BUSY, 0, null, null).dedupKey()).isEqualTo("generic:c1:busy");
    }
}
