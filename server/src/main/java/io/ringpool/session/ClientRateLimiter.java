package io.ringpool.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One IP cannot drain a pool: each client IP may start {@code perMinute} new sessions per minute
 * per site (a token bucket with a burst of the same size). Sessions a visitor already has do not
 * count. Buckets idle for two minutes are forgotten, which bounds memory.
 *
 * <p>Loopback clients are not limited: a browser never reaches us from loopback, while a local
 * reverse proxy does (it names the real client in X-Forwarded-For, which is what gets limited),
 * and so do operators' tools and tests on the same machine.
 */
public final class ClientRateLimiter {
    private final int perMinute;
    private final Clock clock;
    private final Cache<String, Bucket> buckets;

    private static final class Bucket {
        double tokens;
        long updatedAt;
    }

    public ClientRateLimiter(int perMinute, Clock clock) {
        this.perMinute = perMinute;
        this.clock = clock;
        // Idle buckets age on the injected clock, like the buckets' tokens.
        this.buckets = Caffeine.newBuilder().ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .expireAfterAccess(Duration.ofMinutes(2)).maximumSize(1_000_000).build();
    }

    static boolean isLoopback(String ip) {
        return ip != null && (ip.startsWith("127.") || ip.equals("::1") || ip.equals("0:0:0:0:0:0:0:1"));
    }

    public boolean tryAcquire(String siteId, String clientIp) {
        if (perMinute <= 0 || isLoopback(clientIp)) {
            return true;
        }
        Bucket bucket = buckets.get(siteId + '|' + clientIp, k -> {
            Bucket b = new Bucket();
            b.tokens = perMinute;
            b.updatedAt = clock.millis();
            return b;
        });
        synchronized (bucket) {
            long now = clock.millis();
            bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.updatedAt) * perMinute / 60_000.0);
            bucket.updatedAt = now;
            if (bucket.tokens < 1) {
                return false;
            }
            bucket.tokens -= 1;
            return true;
        }
    }
}
