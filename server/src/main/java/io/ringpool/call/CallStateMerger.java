package io.ringpool.call;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * Folds call events into a {@link CallState}, in any order, with repeats.
 *
 * <p>Why it is order-proof: the state keeps one event per kind, and two events of the same kind
 * are joined field by field with operations that are commutative, associative and idempotent
 * (earliest time, largest duration, a non-null text over null, the lexicographically smaller of two
 * different texts). Everything else in the state is then computed from that per-kind map alone, so
 * the same set of events gives the same state whatever order or repetition they came in.
 *
 * <p>Rules, in the words of issue 3:
 * <ul>
 *   <li>A late {@code ringing} never undoes a terminal event: status comes from which kinds were
 *       seen, never from which came last.</li>
 *   <li>Answered = an {@code answered} event, or any event with talk time &gt; 0 (a provider
 *       that only reports {@code completed} with talk time still answered the call).</li>
 *   <li>An {@code answered} event whose own time is after the call's end is no answer at all: it
 *       is kept (the end it is judged against may still move), but it neither makes the call
 *       answered nor sets {@code answeredAt}, talk or duration, so a late answer never undoes a
 *       busy, missed or failed end, nor claims an answer after the end (audit B, F3). An answer
 *       timed before the end is a fact delivered out of order, and counts. When a call reports both
 *       a {@code completed} and another end, the answer must come before both: the end read for an
 *       answered call and the one read for an unanswered call.</li>
 *   <li>If the call was answered and has ended, it is COMPLETED, whatever the final event said
 *       (a {@code busy} after a conversation is a provider quirk, not a busy line); its end is read
 *       from the {@code completed} event when there is one.</li>
 *   <li>A call nobody answered is never COMPLETED. Its end is, strongest evidence first, BUSY,
 *       FAILED, MISSED, then an unanswered {@code completed} ({@code missed} is what any unanswered
 *       call looks like; a {@code completed} without an answer or talk says less still: the
 *       providers' recording notices are {@code completed} events that only carry the link, UIS
 *       sends «Завершение звонка» with talk 0 after every lost call, and a PBX script posts its CDR
 *       as {@code completed} with billsec 0, audit AI1 #6). A call whose only end is such a
 *       {@code completed} is MISSED: it ended and nobody talked, and those are the calls a business
 *       must call back.</li>
 *   <li>The final event's durations win; when it has none, the largest seen elsewhere; when
 *       nobody said, they are computed from the event times (talk = end − answer; duration =
 *       end − start). The duration is never shorter than the talk, and neither is longer than
 *       {@link CallLengths#MAX_SECONDS} (then unknown): {@link CallLengths}.</li>
 *   <li>startedAt = earliest event; answeredAt = the answered event, or end − talk when only
 *       the talk time is known; endedAt = the final event.</li>
 *   <li>{@code end_unknown} (filed by Ringpool, never sent by a provider: {@link UnendedCalls}) is
 *       the weakest end of all, last in both orders: any reported end, early or late, wins over
 *       it. While it is the only end, an answered call is COMPLETED and any other MISSED; its end
 *       is the latest time heard of the call (it lasted at least that long), an answer timed after
 *       it still counts (the end it would be judged against is not known), and talk and duration
 *       are what an event stated, else unknown (null): nothing is computed from a time that is no
 *       end.</li>
 * </ul>
 */
public final class CallStateMerger {

    /** The end of an answered call, first kind present wins: a conversation ends in {@code completed}. */
    private static final List<CallEvent.Kind> ANSWERED_END = List.of(
            CallEvent.Kind.COMPLETED, CallEvent.Kind.BUSY, CallEvent.Kind.FAILED, CallEvent.Kind.MISSED, CallEvent.Kind.END_UNKNOWN);

    /** The end of a call nobody answered, strongest evidence first (see the class comment). */
    private static final List<CallEvent.Kind> UNANSWERED_END = List.of(
            CallEvent.Kind.BUSY, CallEvent.Kind.FAILED, CallEvent.Kind.MISSED, CallEvent.Kind.COMPLETED, CallEvent.Kind.END_UNKNOWN);

    private CallStateMerger() {}

    /**
     * The state after {@code event}; {@code state} may be null for the first event of a call.
     * Returns an equal state for a repeat, so {@code !result.equals(state)} means "news".
     *
     * @throws IllegalArgumentException if the event belongs to another call
     */
    public static CallState merge(CallState state, CallEvent event) {
        Objects.requireNonNull(event, "event");
        Map<CallEvent.Kind, CallEvent> events = new EnumMap<>(CallEvent.Kind.class);
        if (state != null) {
            if (!state.provider().equals(event.provider()) || !state.providerCallId().equals(event.providerCallId())) {
                throw new IllegalArgumentException("event of call " + event.provider() + ":" + event.providerCallId()
                        + " merged into call " + state.provider() + ":" + state.providerCallId());
            }
            events.putAll(state.events());
        }
        events.merge(event.kind(), event, CallStateMerger::join);
        return derive(events);
    }

    /** Folds events of one call from nothing. */
    public static CallState fold(Iterable<CallEvent> events) {
        CallState state = null;
        for (CallEvent e : events) {
            state = merge(state, e);
        }
        if (state == null) {
            throw new IllegalArgumentException("no events");
        }
        return state;
    }

    /** Joins two events of the same kind and call (a semilattice join: order and repeats don't matter). */
    static CallEvent join(CallEvent a, CallEvent b) {
        return new CallEvent(
                a.provider(),
                a.providerCallId(),
                a.kind(),
                a.at().isBefore(b.at()) ? a.at() : b.at(),
                pick(a.from(), b.from()),
                pick(a.to(), b.to()),
                max(a.durationSeconds(), b.durationSeconds()),
                max(a.talkSeconds(), b.talkSeconds()),
                pick(a.recordingUrl(), b.recordingUrl()));
    }

    private static CallState derive(Map<CallEvent.Kind, CallEvent> events) {
        CallEvent any = events.values().iterator().next();
        CallEvent answeredEnd = first(events, ANSWERED_END);
        CallEvent unansweredEnd = first(events, UNANSWERED_END);
        CallEvent answeredEvent = events.get(CallEvent.Kind.ANSWERED);
        // What the answer, talk and duration are read from: every event but an answer timed after the end. Both
        // ends are null or neither is; the answer must precede the earlier, so that whichever is read it is no
        // answer after the call's end.
        Map<CallEvent.Kind, CallEvent> evidence = events;
        boolean endUnknown = answeredEnd != null && answeredEnd.kind() == CallEvent.Kind.END_UNKNOWN;
        if (answeredEvent != null && answeredEnd != null && !endUnknown
                && (answeredEvent.at().isAfter(answeredEnd.at()) || answeredEvent.at().isAfter(unansweredEnd.at()))) {
            answeredEvent = null;
            evidence = new EnumMap<>(events);
            evidence.remove(CallEvent.Kind.ANSWERED);
        }

        Instant startedAt = events.values().stream().map(CallEvent::at).min(Comparator.naturalOrder()).orElseThrow();
        Integer maxTalk = reduce(evidence, CallEvent::talkSeconds, CallStateMerger::max);
        Integer maxDuration = reduce(evidence, CallEvent::durationSeconds, CallStateMerger::max);
        boolean answered = answeredEvent != null || (maxTalk != null && maxTalk > 0);
        CallEvent fin = answered ? answeredEnd : unansweredEnd;

        CallState.Status status;
        if (fin == null) {
            status = answered ? CallState.Status.ANSWERED : CallState.Status.RINGING;
        } else if (answered) {
            status = CallState.Status.COMPLETED;
        } else {
            // Nobody answered: a completed end says no more than that the call is over.
            status = fin.kind() == CallEvent.Kind.COMPLETED || endUnknown ? CallState.Status.MISSED
                    : CallState.Status.valueOf(fin.kind().name());
        }

        Instant endedAt = fin == null ? null : endUnknown ? latest(events) : fin.at();
        Integer talk = fin != null && fin.talkSeconds() != null ? fin.talkSeconds() : maxTalk;
        if (talk == null && fin != null && !endUnknown) {
            // Ended without anybody stating talk time: compute it, or it is zero for an unanswered call.
            talk = answeredEvent != null ? seconds(answeredEvent.at(), endedAt) : answered ? null : 0;
        }
        talk = CallLengths.plausible(talk);
        Integer duration = fin != null && fin.durationSeconds() != null ? fin.durationSeconds() : maxDuration;
        if (duration == null && endedAt != null && !endUnknown) {
            // Nobody stated it: the span of the events we saw, but never shorter than the stated talk time (the
            // events may have been received closer together than they happened, e.g. a retried start).
            duration = Math.max(seconds(startedAt, endedAt), talk == null ? 0 : talk);
        }
        // One call's events may disagree (the talk on one, a shorter duration on another), and a span of
        // event times months apart is no call's: the rule every received event already follows.
        duration = CallLengths.duration(CallLengths.plausible(duration), talk);
        Instant answeredAt = null;
        if (answeredEvent != null) {
            answeredAt = answeredEvent.at();
        } else if (answered && endedAt != null && talk != null && !endUnknown) {
            Instant estimate = endedAt.minusSeconds(talk);
            answeredAt = estimate.isBefore(startedAt) ? startedAt : estimate;
        }
        String recording = fin != null && fin.recordingUrl() != null
                ? fin.recordingUrl()
                : firstInKindOrder(events, CallEvent::recordingUrl);

        return new CallState(
                any.provider(),
                any.providerCallId(),
                status,
                firstInKindOrder(events, CallEvent::from),
                firstInKindOrder(events, CallEvent::to),
                startedAt,
                answeredAt,
                endedAt,
                answered,
                duration,
                talk,
                recording,
                events);
    }

    /** The event of the first of {@code kinds} the call has, or null. */
    private static CallEvent first(Map<CallEvent.Kind, CallEvent> events, List<CallEvent.Kind> kinds) {
        return kinds.stream().map(events::get).filter(Objects::nonNull).findFirst().orElse(null);
    }

    /** The latest time of any event: the last Ringpool heard of the call. */
    private static Instant latest(Map<CallEvent.Kind, CallEvent> events) {
        return events.values().stream().map(CallEvent::at).max(Comparator.naturalOrder()).orElseThrow();
    }

    /** Whole seconds from a to b, never negative (providers' clocks and ours may disagree). */
    private static int seconds(Instant a, Instant b) {
        long s = Duration.between(a, b).toSeconds();
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, s));
    }

    /** The value of the first kind (RINGING first) that has one: the call's opening event knows its numbers best. */
    private static <T> T firstInKindOrder(Map<CallEvent.Kind, CallEvent> events, Function<CallEvent, T> field) {
        for (CallEvent e : events.values()) { // EnumMap iterates in declaration order
            T v = field.apply(e);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static Integer reduce(Map<CallEvent.Kind, CallEvent> events, Function<CallEvent, Integer> field,
            BinaryOperator<Integer> op) {
        Integer acc = null;
        for (CallEvent e : events.values()) {
            acc = op.apply(acc, field.apply(e));
        }
        return acc;
    }

    private static Integer max(Integer a, Integer b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return Math.max(a, b);
    }

    /** Non-null over null; of two different texts the smaller, so the choice does not depend on order. */
    private static String pick(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }
}
