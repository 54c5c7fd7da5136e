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

    /** A remembered credential: provider + site + the value, and until when a replay is possible. */
    public record Key(String value, Instant until) {
        public Key {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(until, "until");
        }
    }

    private final Clock clock;
    private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

    public ReplayGuard(Clock clock) {
        this.clock = clock;
    }

    /** A key for {@code value} of {@code provider} on {@code siteId}, remembered for {@code window} from now. */
    public Key key(String provider, String siteId, String value, Duration window) {
        return new Key(provider + "|" + siteId + "|" + value, clock.instant().plus(window));
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
