package io.ringpool.telephony;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call's time is the caller's time, not a PBX clock's (PRODUCT.md §5). A signed event carries
 * two readings of the sender's clock: the signature's {@code t} (when it signed, i.e. sent) and
 * the event's {@code at}. The server knows when it received the request, so
 * {@code received − t} is how far the sender's clock is behind ours (negative: ahead) plus the
 * time the request took to arrive, and the event's true time is {@code at + offset}.
 *
 * <p>One request alone cannot tell a clock that is off from a request that was late: a retry
 * re-sends the same signed body, so its {@code t} is as old as the first attempt (audit AN3 F6: a
 * retry 60 s late was taken for a clock 60 s behind, its {@code at} moved to the retry, and the
 * operator told to set up NTP). A fresh delivery takes ~0 s and a late one only adds, so the
 * sender's offset is the smallest {@code received − t} of its site over the last
 * {@link #MEMORY} (minute buckets). A clock put forward (or fixed after lagging) is followed at
 * once; one that falls further behind (or is fixed after running ahead) once the smaller readings
 * age out of that memory. Several senders sharing a site's secret with clocks apart from each
 * other get the one furthest ahead: run NTP on them.
 *
 * <p>Bounds: the offset is at most the signature window (5 minutes; an older or newer {@code t}
 * is refused as stale before we get here), and offsets within {@link #DEAD_BAND} are taken as
 * "in sync" and not applied: {@code t} has one-second resolution and the request spends some
 * milliseconds in flight, so a synchronised sender measures 0–1 s of offset that is noise.
 *
 * <p>The estimated offset per site is a gauge, {@code ringpool.telephony.sender.clock.offset{site}}
 * (seconds; positive = the sender is behind), so an operator sees a PBX without NTP.
 */
public final class SenderClocks {
    private static final Logger LOG = LoggerFactory.getLogger(SenderClocks.class);

    /** Offsets up to this are measurement noise (1 s resolution of {@code t} plus transit). */
    static final Duration DEAD_BAND = Duration.ofSeconds(2);

    /** An offset this large is worth a log line when first seen for a site: the PBX lacks NTP. */
    static final Duration WORTH_LOGGING = Duration.ofSeconds(30);

    /**
     * How far back the smallest {@code received − t} is looked for: twice the signature window, so
     * a retry (at most 5 minutes late, or it is stale) still finds the fresh deliveries around its
     * first attempt.
     */
    static final Duration MEMORY = Duration.ofMinutes(10);

    private final Duration window;
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Sender> senders = new ConcurrentHashMap<>();

    /** @param window the signature tolerance; offsets are clamped to it */
    public SenderClocks(Duration window, MeterRegistry registry) {
        this.window = window;
        this.registry = registry;
    }

    /**
     * The sender's offset in seconds: the smallest {@code received − signedAt} of {@code siteId}
     * over the last {@link #MEMORY}, this request's included, clamped to the window.
     */
    public long measure(String siteId, long signedAtEpochSecond, Instant received) {
        long bound = window.toSeconds();
        long raw = Math.max(-bound, Math.min(bound, received.getEpochSecond() - signedAtEpochSecond));
        Sender sender = senders.computeIfAbsent(siteId, id -> {
            Sender fresh = new Sender();
            Gauge.builder("ringpool.telephony.sender.clock.offset", fresh, Sender::estimate)
                    .description("clock offset of the site's signed-event sender: least (received - signature t) of the last 10 minutes;"
                            + " positive = sender behind")
                    .baseUnit("seconds").tag("site", id).register(registry);
            return fresh;
        });
        long[] previousAndNow = sender.add(received.getEpochSecond() / 60, raw);
        long previous = previousAndNow[0];
        long offset = previousAndNow[1];
        if (Math.abs(offset) >= WORTH_LOGGING.toSeconds() && Math.abs(previous) < WORTH_LOGGING.toSeconds()) {
            LOG.warn("sender_clock_skew site={} offsetSeconds={} (event times are corrected; set up NTP on the sender)", siteId, offset);
        }
        return offset;
    }

    /** {@code at} moved onto our clock by {@code offsetSeconds}, unless the offset is within the dead band. */
    public static Instant corrected(Instant at, long offsetSeconds) {
        return Math.abs(offsetSeconds) <= DEAD_BAND.toSeconds() ? at : at.plusSeconds(offsetSeconds);
    }

    /** One site's smallest offset per minute, for the last {@link #MEMORY}: a fixed few longs however busy the sender. */
    private static final class Sender {
        private static final int BUCKETS = (int) MEMORY.toMinutes();
        private final long[] minute = new long[BUCKETS];
        private final long[] least = new long[BUCKETS];
        private long estimate;
        private boolean measured;

        Sender() {
            java.util.Arrays.fill(minute, Long.MIN_VALUE);
        }

        /** Records {@code raw} in its minute; returns the estimate before and after. */
        synchronized long[] add(long nowMinute, long raw) {
            int slot = (int) Math.floorMod(nowMinute, BUCKETS);
            if (minute[slot] != nowMinute) {
                minute[slot] = nowMinute;
                least[slot] = raw;
            } else {
                least[slot] = Math.min(least[slot], raw);
            }
            long smallest = raw;
            for (int i = 0; i < BUCKETS; i++) {
                if (minute[i] > nowMinute - BUCKETS && minute[i] <= nowMinute) {
                    smallest = Math.min(smallest, least[i]);
                }
            }
            long before = measured ? estimate : 0;
            estimate = smallest;
            measured = true;
            return new long[] {before, smallest};
        }

        synchronized double estimate() {
            return estimate;
        }
    }
}
