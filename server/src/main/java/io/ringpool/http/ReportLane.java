package io.ringpool.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * A lane of its own for long requests (reports, exports): they run on {@code executor}, a small
 * bounded pool apart from the workers, so however many of them arrive, the workers stay free for
 * the site script and the webhooks. Within the lane each key (the bearer token; the client address
 * without one) may have {@code perKey} requests running or waiting; one more is 429, so one key
 * cannot fill the lane for the others either.
 */
public final class ReportLane {
    private final Predicate<Router.Route> routes;
    private final Executor executor;
    private final int perKey;
    /** Requests in the lane per key; a key with none has no entry (compute keeps each change atomic). */
    private final ConcurrentMap<String, Integer> inFlight = new ConcurrentHashMap<>();

    /**
     * @param routes   which routes use the lane
     * @param executor bounded; a full one rejects (503)
     * @param perKey   requests one key may have in the lane at once
     */
    public ReportLane(Predicate<Router.Route> routes, Executor executor, int perKey) {
        this.routes = routes;
        this.executor = executor;
        this.perKey = perKey;
    }

    boolean appliesTo(Router.Route route) {
        return routes.test(route);
    }

    Executor executor() {
        return executor;
    }

    /** The key a request counts under: a digest of its token (never the token), else its address. */
    static String keyOf(Request request) {
        String token = request.bearerToken();
        if (token == null) {
            return "ip:" + io.ringpool.security.ClientAddress.limitKeyOf(request.clientIp());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return "key:" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes a place for {@code key}; false when it already has {@code perKey}. */
    boolean tryEnter(String key) {
        boolean[] entered = new boolean[1];
        inFlight.compute(key, (k, n) -> {
            int current = n == null ? 0 : n;
            entered[0] = current < perKey;
            return entered[0] ? current + 1 : current;
        });
        return entered[0];
    }

    void leave(String key) {
        inFlight.compute(key, (k, n) -> n == null || n <= 1 ? null : n - 1);
    }
}
