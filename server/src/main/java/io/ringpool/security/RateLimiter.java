package io.ringpool.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Token buckets by key: {@code perMinute} tokens a minute, a burst of the same size. Buckets idle
 * for two minutes are full again, so they are forgotten, which with {@code maxKeys} bounds memory
 * (an evicted bucket comes back full: the bound then is per {@code maxKeys} keys, not per key).
 * Time comes from the clock, so tests move it instead of sleeping.
 */
public final class RateLimiter {
    private final int perMinute;
    private final Clock clock;
    private final Cache<String, Bucket> buckets;

    private static final class Bucket {
        double tokens;
        long updatedAt;
    }

    /** @param perMinute tokens per minute and burst; 0 = unlimited */
    public RateLimiter(int perMinute, Clock clock, long maxKeys) {
        this.perMinute = perMinute;
        this.clock = clock;
        // Idle buckets age on the injected clock, like their tokens.
        this.buckets = Caffeine.newBuilder().ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .expireAfterAccess(Duration.ofMinutes(2)).maximumSize(maxKeys).build();
    }

    public int perMinute() {
        return perMinute;
    }

    /** Takes a token; returns 0 when granted, else the whole seconds until one is there (≥ 1). */
    public int tryAcquire(String key) {
        if (perMinute <= 0) {
            return 0;
        }
        Bucket bucket = buckets.get(key, k -> {
            Bucket b = new Bucket();
            b.tokens = perMinute;
            b.updatedAt = clock.millis();
            return b;
        });
        synchronized (bucket) {
            long now = clock.millis();
            double perMilli = perMinute / 60_000.0;
            bucket.tokens = Math.min(perMinute, bucket.tokens + Math.max(0, now - bucket.updatedAt) * perMilli);
            bucket.updatedAt = now;
            if (bucket.tokens < 1) {
                return (int) Math.max(1, Math.ceil((1 - bucket.tokens) / perMilli / 1000.0));
            }
            bucket.tokens -= 1;
            return 0;
        }
    }
}
