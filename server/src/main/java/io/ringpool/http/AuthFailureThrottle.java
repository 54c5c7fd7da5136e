package io.ringpool.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.security.ClientAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows down, then refuses, an address that keeps presenting wrong credentials, so keys and
 * passwords cannot be guessed at network speed. Every 401 the server answers to a request that
 * presented credentials ({@link Protections#presentedCredentials}) counts one failure for the
 * client address (IPv6 by /64); a request with none guesses nothing and is not counted; the count drains by {@code slowdownAfter} every ten minutes (1 a
 * minute with the defaults). Past
 * {@code slowdownAfter} failures each further 401 is delayed (doubling from 250 ms up to 5 s; the
 * delay holds the connection, not a worker thread); past {@code blockAfter} the address's
 * credentialed requests are answered 429 with {@code Retry-After} without being looked at, until
 * the count drains below the mark.
 *
 * <p>It works on statuses, so every credential is covered as soon as its check answers 401: the
 * admin key, site keys, feed passwords and sign-in alike. Components that check credentials
 * outside an HTTP answer can call {@link #recordFailure} and {@link #retryAfterSeconds} directly.
 *
 * <p>What the operator sees (audit P #4: a scraper with a stale token locked its address out of
 * the admin key too, with no trace): every failure counts in {@code ringpool_auth_failures_total}
 * by the kind of credential, and an address is logged once each time it gets blocked,
 * {@code auth_blocked address=… failures=N retry_after_s=M}.
 */
public final class AuthFailureThrottle {
    /**
     * A security event, not access logging: logged under {@value #SECURITY_LOGGER}, outside
     * {@code io.ringpool.http}, whose level {@code RINGPOOL_HTTP_LOG_LEVEL} sets and an operator
     * turns down to quiet the request lines (audit R #6).
     */
    public static final String SECURITY_LOGGER = "io.ringpool.security.AuthFailures";
    private static final Logger LOG = LoggerFactory.getLogger(SECURITY_LOGGER);

    /** First delay once slowed down, milliseconds; doubles with each failure. */
    static final long FIRST_DELAY_MILLIS = 250;
    /** Longest delay of one 401, milliseconds: long enough to cost a guesser, short for a typo. */
    static final long MAX_DELAY_MILLIS = 5_000;

    private final int slowdownAfter;
    private final int blockAfter;
    private final Clock clock;
    private final Cache<String, Count> counts;
    private final MeterRegistry registry;
    private final Map<String, Counter> failuresByKind = new ConcurrentHashMap<>();

    private static final class Count {
        double failures;
        long updatedAt;
        /** Logged as blocked, until the count drains below the mark again. */
        boolean blocked;
    }

    public AuthFailureThrottle(int slowdownAfter, int blockAfter, Clock clock) {
        this(slowdownAfter, blockAfter, clock, null, List.of());
    }

    /**
     * @param registry where {@code ringpool_auth_failures_total{kind}} is counted (null: nowhere)
     * @param kinds    the kinds of credential whose series exist at 0 from the start, so that
     *                 {@code increase()} sees the first failure of each
     */
    public AuthFailureThrottle(int slowdownAfter, int blockAfter, Clock clock, MeterRegistry registry, List<String> kinds) {
        this.registry = registry;
        kinds.forEach(this::counter);
        this.slowdownAfter = slowdownAfter;
        this.blockAfter = blockAfter;
        this.clock = clock;
        // Forgotten an hour after the last failure (fully drained by then), on the injected clock.
        this.counts = Caffeine.newBuilder().ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .expireAfterAccess(Duration.ofHours(1)).maximumSize(100_000).build();
    }

    /** Counts one wrong credential from {@code clientIp}; returns how long to delay its answer (ms). */
    public long recordFailure(String clientIp) {
        return recordFailure(clientIp, "other");
    }

    /**
     * Counts one wrong credential of {@code kind} (a fixed word, never the credential) from
     * {@code clientIp}; returns how long to delay its answer (ms).
     */
    public long recordFailure(String clientIp, String kind) {
        Counter failures = counter(kind);
        if (failures != null) {
            failures.increment();
        }
        String address = ClientAddress.limitKeyOf(clientIp);
        Count c = counts.get(address, k -> new Count());
        synchronized (c) {
            drain(c);
            c.failures += 1;
            if (c.failures > blockAfter - 1 && !c.blocked) {
                c.blocked = true;
                LOG.warn("auth_blocked address={} failures={} retry_after_s={} last_kind={}", address, Math.round(c.failures),
                        Math.max(1, (int) Math.ceil((c.failures - (blockAfter - 1)) / drainPerMilli() / 1000)), kind);
            }
            double over = c.failures - slowdownAfter;
            if (over <= 0) {
                return 0;
            }
            return (long) Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS * Math.pow(2, Math.min(20, over - 1)));
        }
    }

    /** 0 when {@code clientIp} may try credentials now, else the seconds until it may. */
    public int retryAfterSeconds(String clientIp) {
        Count c = counts.getIfPresent(ClientAddress.limitKeyOf(clientIp));
        if (c == null) {
            return 0;
        }
        synchronized (c) {
            drain(c);
            // Blocked from the blockAfter-th failure until the count drains below blockAfter - 1.
            double over = c.failures - (blockAfter - 1);
            if (over <= 0) {
                return 0;
            }
            return (int) Math.max(1, Math.ceil(over / drainPerMilli() / 1000));
        }
    }

    /** Failures forgotten per millisecond: slow, so that a patient guesser reaches the block too. */
    private double drainPerMilli() {
        return slowdownAfter / 600_000.0;
    }

    private void drain(Count c) {
        long now = clock.millis();
        if (c.updatedAt != 0) {
            c.failures = Math.max(0, c.failures - (now - c.updatedAt) * drainPerMilli());
        }
        c.updatedAt = now;
        if (c.failures <= blockAfter - 1) {
            c.blocked = false;
        }
    }

    private Counter counter(String kind) {
        if (registry == null) {
            return null;
        }
        return failuresByKind.computeIfAbsent(kind, k -> Counter.builder("ringpool.auth.failures")
                .description("wrong credentials answered 401, by kind of credential (the address block counts these)")
                .tag("kind", k).register(registry));
    }
}
