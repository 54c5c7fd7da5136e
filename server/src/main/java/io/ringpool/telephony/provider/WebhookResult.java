package io.ringpool.telephony.provider;

import io.ringpool.call.CallEvent;
import java.util.List;
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
 */
public record WebhookResult(List<CallEvent> events, Reply reply, String note, List<ReplayGuard.Key> replayKeys) {

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
    }

    public static WebhookResult of(List<CallEvent> events, Reply reply) {
        return new WebhookResult(events, reply, null, List.of());
    }

    public static WebhookResult ignored(String note, Reply reply) {
        return new WebhookResult(List.of(), reply, note, List.of());
    }

    public WebhookResult withReplayKeys(List<ReplayGuard.Key> keys) {
        return new WebhookResult(events, reply, note, keys);
    }

    public WebhookResult withNote(String newNote) {
        return new WebhookResult(events, reply, newNote, replayKeys);
    }
}
