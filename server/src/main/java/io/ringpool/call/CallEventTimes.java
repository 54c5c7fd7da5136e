package io.ringpool.call;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.site.Site;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The time a call event is kept with: the one rule for every provider, applied where an event is
 * received (the call journal for webhooks a caller waits on and AMI events, {@link CallService#ingest}
 * for the rest; a journaled event's delivery applies it again with the same receive time, which
 * changes nothing).
 *
 * <p>A sender's clock can be wrong, and refusing its event would lose the call (PRODUCT.md: "it
 * never drops a call"; a refused event is gone). So a time that cannot be the event's is replaced
 * by the time this server received it, counted in {@code ringpool.call.event.times.corrected
 * {provider, reason}} (every provider's series registered at 0, so an alert sees the first) and
 * logged once per call ({@code call_event_time_replaced}):
 * <ul>
 *   <li>{@code future}: more than {@link #FUTURE_TOLERANCE} after receipt. Nothing is sent before
 *       it happens, so the receipt is the nearest true time; the tolerance is the one leads and
 *       signed events get for a sender's clock running ahead.</li>
 *   <li>{@code past}: older than the site's retention ({@code retentionDays} before receipt), or
 *       not after 1970. The hourly retention job would erase such a call's caller at once and no
 *       report of the present would show it: the signature of a PBX whose clock lost its date (a
 *       board without a clock battery boots in 1970 or at its build date). A late delivery is
 *       hours or days old, well inside any retention.</li>
 * </ul>
 * Every other past time is kept as sent, also one before the call's other events: providers
 * retry, a PBX queues its events while the network is down, a CDR is posted at hangup, events
 * arrive out of order. Attribution at the event's own time reads the number's stored lease
 * history and finds the visit that held it then; the receipt time would give the call to
 * whoever holds the number now, which is wrong (PRODUCT.md: better "unknown" than wrong).
 */
public final class CallEventTimes {
    private static final Logger LOG = LoggerFactory.getLogger(CallEventTimes.class);

    /** How far after its receipt an event's time may be, as for leads and the signature window (5 minutes). */
    public static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(5);

    /**
     * Calls remembered as already logged, most recent first (a few hundred kilobytes at most). A
     * call forgotten past it logs once more; a flood of events of one call logs once.
     */
    static final int LOGGED_CALLS_REMEMBERED = 10_000;

    /** Why a time was replaced (the metric's {@code reason}). */
    public enum Correction {
        FUTURE, PAST;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Map<String, Boolean> loggedCalls = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > LOGGED_CALLS_REMEMBERED;
        }
    };

    /** @param providers the providers whose series are registered at 0 from the start */
    public CallEventTimes(MeterRegistry registry, Collection<String> providers) {
        this.registry = registry;
        for (String provider : providers) {
            for (Correction c : Correction.values()) {
                counter(provider, c);
            }
        }
    }

    /**
     * {@code sent} as it is kept: within the store's limits ({@link CallEvent#withinStoreLimits}), with
     * lengths a call can have ({@link CallLengths}), and at a time it can have happened, counted and
     * logged when its time was replaced.
     *
     * @param receivedAt when this server received the event (for a journaled one: when it was journaled)
     */
    public CallEvent kept(Site site, CallEvent sent, Instant receivedAt) {
        CallEvent limited = CallLengths.kept(site.siteId(), sent.withinStoreLimits(receivedAt));
        Correction correction = correction(sent.at(), receivedAt, site.settings().retentionDays());
        if (correction == null) {
            return limited;
        }
        counter(sent.provider(), correction).increment();
        if (firstFor(site.siteId(), limited)) {
            LOG.warn("call_event_time_replaced site={} provider={} call={} kind={} reason={} sent={} kept={} "
                    + "(the sender's clock is wrong: the call is kept with its time of receipt)", site.siteId(), sent.provider(),
                    CallService.shortId(limited.providerCallId()), sent.kind().wireName(), correction.wireName(), sent.at(), receivedAt);
        }
        return limited.at().equals(receivedAt) ? limited : new CallEvent(limited.provider(), limited.providerCallId(), limited.kind(),
                receivedAt, limited.from(), limited.to(), limited.durationSeconds(), limited.talkSeconds(), limited.recordingUrl());
    }

    /**
     * Whether an event dated {@code at} and received at {@code receivedAt} keeps that time, rather
     * than having it replaced: the times an adapter may compute a length from (a span from a time
     * this rule replaces is as wrong as the time).
     */
    public static boolean keepsTime(Instant at, Instant receivedAt, int retentionDays) {
        return !at.isAfter(CallEvent.LATEST_AT) && correction(at, receivedAt, retentionDays) == null;
    }

    /** Why {@code at} is not kept for an event received at {@code receivedAt} on a site keeping {@code retentionDays}; null when it is. */
    static Correction correction(Instant at, Instant receivedAt, int retentionDays) {
        if (at.isAfter(receivedAt.plus(FUTURE_TOLERANCE))) {
            return Correction.FUTURE;
        }
        if (!at.isAfter(CallEvent.EARLIEST_AT) || at.isBefore(receivedAt.minus(Duration.ofDays(retentionDays)))) {
            return Correction.PAST;
        }
        return null;
    }

    private boolean firstFor(String siteId, CallEvent event) {
        String key = siteId + '\n' + event.provider() + '\n' + event.providerCallId();
        synchronized (loggedCalls) {
            return loggedCalls.put(key, Boolean.TRUE) == null;
        }
    }

    private Counter counter(String provider, Correction correction) {
        return Counter.builder("ringpool.call.event.times.corrected")
                .description("call events whose time was replaced by the time of receipt (a sender's clock far ahead, or before the site's retention)")
                .tag("provider", provider).tag("reason", correction.wireName()).register(registry);
    }
}
