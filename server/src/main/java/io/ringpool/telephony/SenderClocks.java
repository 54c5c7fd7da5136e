package io.ringpool.telephony;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call's time is the caller's time, not a PBX clock's (PRODUCT.md §5). A signed event carries
 * two readings of the sender's clock: the signature's {@code t} (when it signed, i.e. sent) and
 * the event's {@code at}. The server knows when it received the request, so
 * {@code offset = received − t} is how far the sender's clock is behind ours (negative: ahead),
 * and the event's true time is {@code at + offset}. Measured on every request, so a clock that
 * drifts or is fixed later is followed at once, and a number that changed hands between the
 * PBX's wrong time and the true one is attributed to the right visit.
 *
 * <p>Bounds: the offset is at most the signature window (5 minutes; an older or newer {@code t}
 * is refused as stale before we get here), and offsets within {@link #DEAD_BAND} are taken as
 * "in sync" and not applied: {@code t} has one-second resolution and the request spends some
 * milliseconds in flight, so a synchronised sender measures 0–1 s of offset that is noise.
 *
 * <p>The last offset per site is a gauge, {@code ringpool.telephony.sender.clock.offset{site}}
 * (seconds; positive = the sender is behind), so an operator sees a PBX without NTP.
 */
public final class SenderClocks {
    private static final Logger LOG = LoggerFactory.getLogger(SenderClocks.class);

    /** Offsets up to this are measurement noise (1 s resolution of {@code t} plus transit). */
    static final Duration DEAD_BAND = Duration.ofSeconds(2);

    /** An offset this large is worth a log line when first seen for a site: the PBX lacks NTP. */
    static final Duration WORTH_LOGGING = Duration.ofSeconds(30);

    private final Duration window;
    private final MeterRegistry registry;
    private final ConcurrentMap<String, AtomicLong> offsets = new ConcurrentHashMap<>();

    /** @param window the signature tolerance; offsets are clamped to it */
    public SenderClocks(Duration window, MeterRegistry registry) {
        this.window = window;
        this.registry = registry;
    }

    /** The sender's offset in seconds ({@code received − signedAt}), clamped to the window, and recorded for {@code siteId}. */
    public long measure(String siteId, long signedAtEpochSecond, Instant received) {
        long raw = received.getEpochSecond() - signedAtEpochSecond;
        long bound = window.toSeconds();
        long offset = Math.max(-bound, Math.min(bound, raw));
        AtomicLong last = offsets.computeIfAbsent(siteId, id -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("ringpool.telephony.sender.clock.offset", value, AtomicLong::get)
                    .description("last measured clock offset of the site's signed-event sender (received - signature t); positive = sender behind")
                    .baseUnit("seconds").tag("site", id).register(registry);
            return value;
        });
        long previous = last.getAndSet(offset);
        if (Math.abs(offset) >= WORTH_LOGGING.toSeconds() && Math.abs(previous) < WORTH_LOGGING.toSeconds()) {
            LOG.warn("sender_clock_skew site={} offsetSeconds={} (event times are corrected; set up NTP on the sender)", siteId, offset);
        }
        return offset;
    }

    /** {@code at} moved onto our clock by {@code offsetSeconds}, unless the offset is within the dead band. */
    public static Instant corrected(Instant at, long offsetSeconds) {
        return Math.abs(offsetSeconds) <= DEAD_BAND.toSeconds() ? at : at.plusSeconds(offsetSeconds);
    }
}
