package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.call.CallEvent.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The merger's promise: the final state depends only on the set of events, not order or repeats. */
class CallStateMergerPropertyTest {

    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @Provide
    Arbitrary<List<CallEvent>> calls() {
        Arbitrary<Integer> seconds = Arbitraries.integers().between(0, 600);
        Arbitrary<Integer> maybeSeconds = seconds.injectNull(0.4);
        Arbitrary<String> maybeFrom = Arbitraries.of("+79161234567", "+79160000000", "anonymous").injectNull(0.4);
        Arbitrary<String> maybeUrl = Arbitraries.of("https://r/1", "https://r/2").injectNull(0.7);
        Arbitrary<CallEvent> event = Combinators.combine(Arbitraries.of(Kind.class), seconds, maybeFrom, maybeFrom,
                        maybeSeconds, maybeSeconds, maybeUrl)
                .as((kind, at, from, to, duration, talk, url) -> new CallEvent("generic", "c1", kind,
                        T0.plusSeconds(at), from, to, duration, talk, url));
        return event.list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 500)
    void anyPermutationWithRepeatsFoldsToTheSameState(@ForAll("calls") List<CallEvent> events, @ForAll long seed) {
        Random random = new Random(seed);
        List<CallEvent> replayed = new ArrayList<>(events);
        int repeats = random.nextInt(events.size() + 1);
        for (int i = 0; i < repeats; i++) {
            replayed.add(events.get(random.nextInt(events.size())));
        }
        Collections.shuffle(replayed, random);
        assertThat(CallStateMerger.fold(replayed)).isEqualTo(CallStateMerger.fold(events));
    }

    @Property(tries = 300)
    void onceTerminalAlwaysTerminalAndTimesAreConsistent(@ForAll("calls") List<CallEvent> events) {
        CallState state = null;
        boolean terminal = false;
        for (CallEvent e : events) {
            state = CallStateMerger.merge(state, e);
            if (terminal) {
                assertThat(state.status().isTerminal()).isTrue();
            }
            terminal = state.status().isTerminal();
            if (state.endedAt() != null) {
                assertThat(state.endedAt()).isAfterOrEqualTo(state.startedAt());
            }
            if (state.answeredAt() != null) {
                assertThat(state.answeredAt()).isAfterOrEqualTo(state.startedAt());
                if (state.endedAt() != null) {
                    assertThat(state.answeredAt()).isBeforeOrEqualTo(state.endedAt());
                }
            }
            assertThat(state.answered() || state.status() != CallState.Status.ANSWERED).isTrue();
        }
    }

    /**
     * A late event never undoes the end (docs/providers.md): an answer timed after the end changes no ended call's status.
     * An end Ringpool filed because none came ({@code end_unknown}) is no end to judge an answer by: the provider was late.
     */
    @Property(tries = 300)
    void anAnswerTimedAfterTheEndLeavesTheStatusAsItWas(@ForAll("calls") List<CallEvent> events, @ForAll("seconds") int after) {
        CallState ended = CallStateMerger.fold(events);
        if (ended.endedAt() == null || ended.events().containsKey(Kind.ANSWERED) || ended.endUnknown()) {
            return;
        }
        CallEvent late = new CallEvent("generic", "c1", Kind.ANSWERED, ended.endedAt().plusSeconds(after), null, null, null, null, null);
        CallState withLate = CallStateMerger.merge(ended, late);
        assertThat(withLate.status()).isEqualTo(ended.status());
        assertThat(withLate.answeredAt()).isEqualTo(ended.answeredAt());
        assertThat(withLate.talkSeconds()).isEqualTo(ended.talkSeconds());
    }

    /** A call is completed only when somebody answered; ended unanswered, it is missed, busy or failed (audit AI1 #6). */
    @Property(tries = 500)
    void onlyAnAnsweredCallIsCompleted(@ForAll("calls") List<CallEvent> events) {
        CallState state = null;
        for (CallEvent e : events) {
            state = CallStateMerger.merge(state, e);
            if (state.status() == CallState.Status.COMPLETED) {
                assertThat(state.answered()).isTrue();
            }
            if (state.status().isTerminal() && state.status() != CallState.Status.COMPLETED) {
                assertThat(state.answered()).isFalse();
                if (state.endUnknown()) {
                    // Nobody said the call ended, so nobody said its talk was nil: unknown, or what an event stated.
                    assertThat(state.talkSeconds()).isIn(null, 0);
                } else {
                    assertThat(state.talkSeconds()).isZero();
                }
            }
        }
    }

    /** Events of a call nobody answered: no {@code answered}, no talk; a completed among them is a PBX's CDR or a recording notice. */
    @Provide
    Arbitrary<List<CallEvent>> unansweredCalls() {
        Arbitrary<Kind> kinds = Arbitraries.of(Kind.RINGING, Kind.COMPLETED, Kind.MISSED, Kind.BUSY, Kind.FAILED);
        Arbitrary<Integer> noTalk = Arbitraries.of(0).injectNull(0.5);
        Arbitrary<String> maybeUrl = Arbitraries.of("https://r/1", "https://r/2").injectNull(0.5);
        Arbitrary<CallEvent> event = Combinators.combine(kinds, Arbitraries.integers().between(0, 600),
                        Arbitraries.integers().between(0, 600).injectNull(0.4), noTalk, maybeUrl)
                .as((kind, at, duration, talk, url) -> new CallEvent("generic", "c1", kind, T0.plusSeconds(at), null, null, duration,
                        talk, url));
        return event.list().ofMinSize(1).ofMaxSize(8);
    }

    /**
     * Audit AI1 #6, in every order of arrival: an unanswered {@code completed} never overrides a
     * missed, busy or failed end known before it or arriving after it; alone, it ends the call missed.
     */
    @Property(tries = 1000)
    void anUnansweredCompletedIsTheWeakestEnd(@ForAll("unansweredCalls") List<CallEvent> events) {
        CallState state = null;
        List<Kind> seen = new ArrayList<>();
        for (CallEvent e : events) {
            state = CallStateMerger.merge(state, e);
            seen.add(e.kind());
            CallState.Status expected = seen.contains(Kind.BUSY) ? CallState.Status.BUSY
                    : seen.contains(Kind.FAILED) ? CallState.Status.FAILED
                    : seen.contains(Kind.MISSED) || seen.contains(Kind.COMPLETED) ? CallState.Status.MISSED
                    : CallState.Status.RINGING;
            assertThat(state.status()).as(seen.toString()).isEqualTo(expected);
            assertThat(state.answered()).isFalse();
            assertThat(state.answeredAt()).isNull();
        }
    }

    /** A recording notice (a completed with nothing but the link) after the end of a call nobody answered adds only the link. */
    @Property(tries = 500)
    void aRecordingNoticeChangesNothingButTheLinkOfAnUnansweredEndedCall(@ForAll("calls") List<CallEvent> events,
            @ForAll("seconds") int after) {
        CallState ended = CallStateMerger.fold(events);
        if (ended.endedAt() == null || ended.answered() || ended.endUnknown()) {
            return; // after an end_unknown, a provider's completed is the real end (aReportedEndAlwaysWinsOverAnEndUnknown)
        }
        CallEvent notice = new CallEvent("generic", "c1", Kind.COMPLETED, ended.endedAt().plusSeconds(after), null, null, null, null,
                "https://r/0");
        CallState withNotice = CallStateMerger.merge(ended, notice);
        assertThat(withNotice.status()).isEqualTo(ended.status());
        assertThat(withNotice.answered()).isFalse();
        assertThat(withNotice.endedAt()).isEqualTo(ended.endedAt());
        assertThat(withNotice.talkSeconds()).isEqualTo(ended.talkSeconds());
        assertThat(withNotice.durationSeconds()).isEqualTo(ended.durationSeconds());
        assertThat(withNotice.recordingUrl()).isNotNull();
    }

    /**
     * Audit AI2 #6: the {@code end_unknown} Ringpool files for a call whose end never came (at the
     * latest time heard of it, with no values: {@code UnendedCalls}) changes nothing of a call that
     * has a reported end, whichever came first; without one, the call is final, and the end it shows
     * is the latest time heard of.
     */
    @Property(tries = 500)
    void aReportedEndAlwaysWinsOverAnEndUnknown(@ForAll("calls") List<CallEvent> events, @ForAll("seconds") int later) {
        List<CallEvent> reported = events.stream().filter(e -> e.kind() != Kind.END_UNKNOWN).toList();
        if (reported.isEmpty()) {
            return;
        }
        CallState without = CallStateMerger.fold(reported);
        Instant latest = reported.stream().map(CallEvent::at).max(Instant::compareTo).orElseThrow();
        CallEvent closing = new CallEvent("generic", "c1", Kind.END_UNKNOWN, latest, null, null, null, null, null);
        List<CallEvent> with = new ArrayList<>(reported);
        with.add(0, closing);
        CallState closed = CallStateMerger.fold(with);
        if (without.status().isTerminal()) {
            assertThat(closed.status()).isEqualTo(without.status());
            assertThat(closed.endedAt()).isEqualTo(without.endedAt());
            assertThat(closed.talkSeconds()).isEqualTo(without.talkSeconds());
            assertThat(closed.durationSeconds()).isEqualTo(without.durationSeconds());
            assertThat(closed.answeredAt()).isEqualTo(without.answeredAt());
            assertThat(closed.endUnknown()).isFalse();
        } else {
            assertThat(closed.status()).isEqualTo(without.answered() ? CallState.Status.COMPLETED : CallState.Status.MISSED);
            assertThat(closed.endUnknown()).isTrue();
            assertThat(closed.endedAt()).isEqualTo(latest);
            // A late event, even one timed after it, is news to a call closed this way.
            CallEvent lateEnd = new CallEvent("generic", "c1", Kind.COMPLETED, latest.plusSeconds(later), null, null, null, 30, null);
            CallState ended = CallStateMerger.merge(closed, lateEnd);
            assertThat(ended.endUnknown()).isFalse();
            assertThat(ended.endedAt()).isEqualTo(latest.plusSeconds(later));
        }
    }

    @Provide
    Arbitrary<Integer> seconds() {
        return Arbitraries.integers().between(1, 3_600);
    }
}
