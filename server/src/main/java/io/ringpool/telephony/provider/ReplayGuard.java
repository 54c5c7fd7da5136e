package io.ringpool.telephony.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Remembers the nonces, token ids and signatures of accepted webhooks for as long as the provider's
 * own window would accept them again, so a captured request cannot be replayed inside that window.
 *
 * <p>What the same key again means depends on what the provider signs ({@link Repeat}). Where every
 * delivery is signed anew (a nonce, a token id, a signature over the time of sending: Plivo,
 * Vonage, Telnyx), the provider's own retry carries a new key, so the same key again is somebody
 * else's copy of the request: refused ({@code 403 replayed_signature}), which costs no genuine
 * delivery and tells the operator. Where the signature covers the content alone (Mango: sha256 of
 * key + json + salt), the provider's retry of a notice we accepted (its answer was lost, it timed
 * out) is byte for byte the same request, which the provider's at-least-once delivery promises to
 * send: it is answered as the first time was, and nothing is stored again. Storing it again would
 * change nothing either (events are deduplicated), so refusing it protected nothing.
 *
 * <p>Keys are remembered only <em>after</em> the request's events were stored: a delivery that
 * failed (store down, 503) must be accepted when the provider retries it. Concurrent first
 * deliveries may both pass; ingestion is idempotent, so that costs nothing.
 *
 * <p>In memory, per node, bounded ({@link #MAX_KEYS}; the oldest are forgotten first): a replay to
 * another node or after a restart is still caught by the time window, and is harmless anyway
 * because events are deduplicated.
 */
public final class ReplayGuard {

    /** Keys kept at most: ~100 bytes each, so about 10 MB at the bound. */
    static final int MAX_KEYS = 100_000;

    /** What a request whose key was already accepted is. */
    public enum Repeat {
        /** Not the provider, which signs every delivery anew: a replay, refused. */
        REFUSED,
        /** The provider's own retry, identical because the signature covers the content alone: answered again, nothing stored. */
        ANSWERED_AGAIN
    }

    /** A remembered credential: provider + site + the value, until when a replay is possible, and what a repeat is. */
    public record Key(String value, Instant until, Repeat repeat) {
        public Key {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(until, "until");
            Objects.requireNonNull(repeat, "repeat");
        }
    }

    private final Clock clock;
    private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

    public ReplayGuard(Clock clock) {
        this.clock = clock;
    }

    /**
     * A key for {@code value} (a nonce, a token id, a signature over the time of sending) of
     * {@code provider} on {@code siteId}, remembered for {@code window} from now; seen again, it is refused.
     */
    public Key key(String provider, String siteId, String value, Duration window) {
        return new Key(provider + "|" + siteId + "|" + value, clock.instant().plus(window), Repeat.REFUSED);
    }

    /**
     * A key for a signature over the request's content alone, which the provider's own retry repeats;
     * seen again, the request is answered as the first time and nothing is stored again.
     */
    public Key contentKey(String provider, String siteId, String signature, Duration window) {
        return new Key(provider + "|" + siteId + "|" + signature, clock.instant().plus(window), Repeat.ANSWERED_AGAIN);
    }

    /** True when this key was remembered and its window has not passed. */
    public synchronized boolean seen(Key key) {
        Instant until = seen.get(key.value());
        return until != null && until.isAfter(clock.instant());
    }

    public synchronized void remember(Key key) {
        seen.remove(key.value());
        seen.put(key.value(), key.until());
        Instant now = clock.instant();
        Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
        // Insertion order is close to expiry order; drop expired heads, and the oldest beyond the bound.
        while (it.hasNext()) {
            Map.Entry<String, Instant> head = it.next();
            if (seen.size() > MAX_KEYS || !head.getValue().isAfter(now)) {
                it.remove();
            } else {
                break;
            }
        }
    }
}
