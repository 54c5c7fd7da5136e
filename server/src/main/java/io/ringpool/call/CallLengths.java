package io.ringpool.call;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lengths a call is kept with: the one rule for every provider, applied to each event where it
 * is received ({@link CallEventTimes#kept}) and to the call its events make ({@link CallStateMerger}).
 *
 * <ul>
 *   <li>A length over {@link #MAX_SECONDS} (about 115 days) is no call's: a unit mix-up, or a span
 *       from a time the sender got wrong. It is left out (unknown), as the generic route refuses it.</li>
 *   <li>The talk is part of the call (docs/calls.md), so talk longer than the stated duration shows
 *       the duration is wrong, not the talk: the talk is what classifies a call as a target one,
 *       and a provider measures it on the leg that was answered, while the whole call's length is
 *       the figure that goes wrong (counted from a later leg, or from a start time the sender's
 *       clock got wrong). The duration is raised to the talk, its lower bound. The generic route
 *       refuses such an event with 422 instead (its sender can fix it); a provider's is stored,
 *       because a refused webhook is retried into the same refusal until the call is lost.</li>
 * </ul>
 * Each correction of a received event is logged {@code call_event_value_ignored}, with the field
 * and why, as {@code webhook_value_ignored} logs what an adapter left out.
 */
public final class CallLengths {
    private static final Logger LOG = LoggerFactory.getLogger(CallLengths.class);

    /** Longest length kept, in seconds (about 115 days): anything longer is a unit mix-up or a wrong time. */
    public static final int MAX_SECONDS = 10_000_000;

    private CallLengths() {}

    /** {@code seconds}, or null when it is no call's length. */
    static Integer plausible(Integer seconds) {
        return seconds == null || seconds > MAX_SECONDS ? null : seconds;
    }

    /** The duration a call or event is kept with: raised to its talk when shorter. */
    static Integer duration(Integer duration, Integer talk) {
        return duration != null && talk != null && talk > duration ? talk : duration;
    }

    /** {@code event} with its lengths as they are kept, each correction logged. */
    static CallEvent kept(String siteId, CallEvent event) {
        Integer duration = plausible(event.durationSeconds());
        Integer talk = plausible(event.talkSeconds());
        if (duration == null && event.durationSeconds() != null) {
            logged(siteId, event, "durationSeconds", "over_" + MAX_SECONDS);
        }
        if (talk == null && event.talkSeconds() != null) {
            logged(siteId, event, "talkSeconds", "over_" + MAX_SECONDS);
        }
        Integer raised = duration(duration, talk);
        if (raised != null && !raised.equals(duration)) {
            logged(siteId, event, "durationSeconds", "shorter_than_talk (raised from " + duration + " to " + raised + ")");
        }
        if (java.util.Objects.equals(raised, event.durationSeconds()) && java.util.Objects.equals(talk, event.talkSeconds())) {
            return event;
        }
        return new CallEvent(event.provider(), event.providerCallId(), event.kind(), event.at(), event.from(), event.to(), raised, talk,
                event.recordingUrl());
    }

    private static void logged(String siteId, CallEvent event, String field, String reason) {
        LOG.warn("call_event_value_ignored site={} provider={} call={} kind={} field={} reason={}", siteId, event.provider(),
                CallService.shortId(event.providerCallId()), event.kind().wireName(), field, reason);
    }
}
