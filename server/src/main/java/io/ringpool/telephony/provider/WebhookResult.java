package io.ringpool.telephony.provider;

import io.ringpool.call.CallEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a handler made of an authenticated request.
 *
 * @param events     the call events to ingest, in order (often one; none for a notice we do not track)
 * @param reply      what to answer the provider
 * @param note       why nothing was ingested, or a remark for the diagnostics log; may be null
 * @param replayKeys keys to remember once the events are stored, so the same request is known when
 *                   it comes again: refused as a replay where the provider signs every delivery anew,
 *                   answered again without storing where the provider's retry is the same request
 *                   (see {@link ReplayGuard}); empty where the provider signs nothing to remember
 * @param impliedStarts for a final event the provider sent without a time of its own (so dated on
 *                   receipt, its hang-up), the call's start its other fields imply: the event is
 *                   ingested by {@link io.ringpool.call.CallService#ingestWithImpliedStart}, so a call
 *                   reported only once it ended is attributed when it began, not to whoever held the
 *                   number at the hang-up (docs/calls.md, "A final event without at"); empty for events
 *                   that carry their own times
 */
public record WebhookResult(List<CallEvent> events, Reply reply, String note, List<ReplayGuard.Key> replayKeys,
        Map<CallEvent, Instant> impliedStarts) {

    /** An HTTP answer in the provider's terms. */
    public record Reply(int status, String contentType, String body) {
        public static final Reply NO_CONTENT = new Reply(204, null, "");
        public static final Reply OK_EMPTY = new Reply(200, "text/plain; charset=utf-8", "");

        public static Reply xml(String body) {
            return new Reply(200, "application/xml", body);
        }

        public static Reply json(String body) {
            return new Reply(200, "application/json", body);
        }

        public static Reply text(String body) {
            return new Reply(200, "text/plain; charset=utf-8", body);
        }
    }

    public WebhookResult {
        events = List.copyOf(events);
        Objects.requireNonNull(reply, "reply");
        replayKeys = List.copyOf(replayKeys);
        impliedStarts = Map.copyOf(impliedStarts);
    }

    public WebhookResult(List<CallEvent> events, Reply reply, String note, List<ReplayGuard.Key> replayKeys) {
        this(events, reply, note, replayKeys, Map.of());
    }

    public static WebhookResult of(List<CallEvent> events, Reply reply) {
        return new WebhookResult(events, reply, null, List.of());
    }

    public static WebhookResult ignored(String note, Reply reply) {
        return new WebhookResult(List.of(), reply, note, List.of());
    }

    public WebhookResult withReplayKeys(List<ReplayGuard.Key> keys) {
        return new WebhookResult(events, reply, note, keys, impliedStarts);
    }

    public WebhookResult withNote(String newNote) {
        return new WebhookResult(events, reply, newNote, replayKeys, impliedStarts);
    }

    /** This result with {@code start} as the call's start that {@code end}, one of its events dated on receipt, implies. */
    public WebhookResult withImpliedStart(CallEvent end, Instant start) {
        if (!events.contains(end)) {
            throw new IllegalArgumentException("not one of this result's events: " + end);
        }
        Map<CallEvent, Instant> starts = new java.util.HashMap<>(impliedStarts);
        starts.put(end, start);
        return new WebhookResult(events, reply, note, replayKeys, starts);
    }
}
