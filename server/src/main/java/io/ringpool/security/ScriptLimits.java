package io.ringpool.security;

import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The bounds on the public site-script routes, which anyone can call: how often one session and
 * one client address may send each kind of request, per minute. Every script route checks here
 * before it stores anything, and so must any new one (leads use {@link Kind#LEAD}); every way to
 * obtain a number (a new session, resuming one by visitor id, a heartbeat that upgrades an
 * untracked visit) takes a {@link Kind#START} token of the address.
 *
 * <p>Addresses are keyed as {@link ClientAddress#limitKey()} says (IPv6 by /64). Loopback is exempt
 * only when no proxy is configured: then a loopback peer is a local tool or test, never a browser;
 * with a proxy configured, loopback may be that proxy speaking for everyone, so it is limited like
 * any address.
 */
public final class ScriptLimits {

    /** The kinds of script request, each with its own budgets. */
    public enum Kind {
        START("session starts"),
        PAGEVIEW("page views"),
        INTENT("intents"),
        HEARTBEAT("heartbeats"),
        LEAD("leads");

        final String plural;

        Kind(String plural) {
            this.plural = plural;
        }
    }

    /** Per-minute budgets of one kind; 0 = unlimited. */
    public record Budget(int perSession, int perAddress) {}

    /** Whose budget refused a request. */
    public enum Scope {
        SESSION,
        ADDRESS
    }

    /**
     * A refused token: the seconds to wait, and which budget ran out with its size, so the answer
     * can say which limit was met (a visit's and an address's differ, and both exist).
     */
    public record Refusal(int waitSeconds, Scope scope, int perMinute) {}

    /** Keys each limiter remembers at least: 32-96 bytes each (RateLimiter), so 6-19 MB a limiter at most. */
    private static final long MAX_KEYS = 200_000;

    private final Map<Kind, RateLimiter> bySession = new EnumMap<>(Kind.class);
    private final Map<Kind, RateLimiter> byAddress = new EnumMap<>(Kind.class);
    private final boolean loopbackExempt;

    public ScriptLimits(Map<Kind, Budget> budgets, boolean loopbackExempt, Clock clock) {
        for (Kind kind : Kind.values()) {
            Budget b = budgets.getOrDefault(kind, new Budget(0, 0));
            bySession.put(kind, new RateLimiter(b.perSession(), clock, MAX_KEYS));
            byAddress.put(kind, new RateLimiter(b.perAddress(), clock, MAX_KEYS));
        }
        this.loopbackExempt = loopbackExempt;
    }

    /** No limits at all (unit tests of other things). */
    public static ScriptLimits unlimited(Clock clock) {
        return new ScriptLimits(Map.of(), true, clock);
    }

    /**
     * Takes one token of {@code kind} for the session (when given) and the address.
     *
     * @param scope     what the per-address budget is counted within besides the address (the site
     *                  for starts, so one address's visits to two sites do not share a budget), or null
     * @param sessionId the session, or null for a start
     * @param clientIp  the client address as {@code Request.clientIp} has it, or null
     * @throws RateLimited with the seconds to wait
     */
    public void check(Kind kind, String scope, String sessionId, String clientIp) {
        int wait = tryAcquire(kind, scope, sessionId, clientIp);
        if (wait > 0) {
            throw new RateLimited(kind.plural, wait);
        }
    }

    /** As {@link #check}, but answers the seconds to wait (0 = granted) instead of throwing. */
    public int tryAcquire(Kind kind, String scope, String sessionId, String clientIp) {
        return acquire(kind, scope, sessionId, clientIp).map(Refusal::waitSeconds).orElse(0);
    }

    /** As {@link #check}, but answers the refusal, with whose budget it was, or empty when granted. */
    public Optional<Refusal> acquire(Kind kind, String scope, String sessionId, String clientIp) {
        if (sessionId != null) {
            RateLimiter session = bySession.get(kind);
            int wait = session.tryAcquire(sessionId);
            if (wait > 0) {
                return Optional.of(new Refusal(wait, Scope.SESSION, session.perMinute()));
            }
        }
        if (clientIp == null || (loopbackExempt && isLoopback(clientIp))) {
            return Optional.empty();
        }
        String key = ClientAddress.limitKeyOf(clientIp);
        RateLimiter address = byAddress.get(kind);
        int wait = address.tryAcquire(scope == null ? key : scope + '|' + key);
        return wait > 0 ? Optional.of(new Refusal(wait, Scope.ADDRESS, address.perMinute())) : Optional.empty();
    }

    private static boolean isLoopback(String ip) {
        ClientAddress a = ClientAddress.parse(ip);
        return a != null && a.isLoopback();
    }
}
