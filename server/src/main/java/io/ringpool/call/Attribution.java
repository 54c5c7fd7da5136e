package io.ringpool.call;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The attribution engine: which visit made this call? A pure function of what the store knows
 * about the dialled number around the call time. PRODUCT.md §2: "Better unknown than wrong."
 *
 * <h2>Candidates</h2>
 * A session is a candidate only if one of its leases of the dialled number
 * <ul>
 *   <li><b>covers</b> the call time ({@code from <= t < to}, or still live), or</li>
 *   <li><b>was cooling</b>: it ended at or before the call and at most {@code coolDown} before it
 *       ({@code to <= t <= to + coolDown}; a call exactly at the lease end is cooling).</li>
 * </ul>
 * A lease that ended longer ago than the cool-down is never a candidate, even if the number was
 * idle since: that visitor had their grace, and guessing beyond it is how wrong answers are made.
 * Leases starting after the call are ignored: the number is only "reissued" by a lease that started
 * before the call.
 *
 * <h2>Method, in order</h2>
 * <ol>
 *   <li><b>static</b> when the number is a static number. The store never leases static numbers,
 *       and the operator's configuration is the truth about what the number stands for.</li>
 *   <li><b>active</b>: one session covers the call and every other candidate (if any) is the same
 *       visitor (a visitor who came back and got the number again is not a competing claim).</li>
 *   <li><b>cooling</b>: nobody covers the call, and the cooling candidates are all one visitor.</li>
 *   <li><b>ambiguous</b>: candidates of different visitors. Typically the pool was exhausted and
 *       reused a cooling number: A's lease ended, B got the number while A's cool-down was still
 *       running at the call time. Also two leases covering at once (should not happen, see
 *       PRODUCT.md §5, but we never assume the data is perfect). Also a <b>redial</b>, checked
 *       before the others: the caller's latest earlier attributed call dialled this same number
 *       and went to a visit, started at most {@link #REDIAL_WINDOW} ago, of a visitor the leases
 *       alone would not choose; that earlier visit is chosen, the holders listed after it.</li>
 *   <li><b>repeat</b>: no candidates, but the caller's previous call was attributed: that visit.</li>
 *   <li><b>none</b>.</li>
 * </ol>
 *
 * <h2>Choosing among candidates, and scores</h2>
 * The <b>current holder</b> is chosen: the covering session that started latest, or, when nobody
 * covers the call, the session whose lease ended last. Why: the holder's page shows the number
 * right now (or showed it most recently), so it needs no memory or note to dial; the cooling
 * visitor had to keep the number in mind after leaving. And reuse from cool-down only happens when
 * the pool is exhausted, i.e. when many visitors are on the site; the newest one is the likelier.
 *
 * <p>Scores make that explicit: a covering lease weighs {@value #HOLDER_WEIGHT}; a cooling lease
 * weighs at most {@value #COOLING_WEIGHT}, falling linearly to {@value #COOLING_FLOOR} of that at
 * the end of the cool-down (a visitor who left 10 s ago is likelier than one who left 4 min ago).
 * Weights are divided by their sum so a call's scores add up to 1, rounded to 2 decimals. Ties
 * go to the later lease start.
 */
public final class Attribution {

    /** Weight of a lease that covers the call time. */
    static final double HOLDER_WEIGHT = 1.0;

    /** Weight of a cooling lease that ended at the call time; half a holder, see the class comment. */
    static final double COOLING_WEIGHT = 0.5;

    /** Share of {@link #COOLING_WEIGHT} left at the very end of the cool-down; never zero, it is still a candidate. */
    static final double COOLING_FLOOR = 0.2;

    private Attribution() {}

    /**
     * Attributes one call.
     *
     * @param callAt        when the call started (the provider's time)
     * @param dialledNumber the tracking number dialled, E.164
     * @param leases        the dialled number's leases near the call time, any order; every one
     *                      must be of {@code dialledNumber} (leases of other numbers are a caller bug)
     * @param coolDown      the site's cool-down
     * @param staticSource  the number's static source, or null if it is not a static number
     * @param previous      the caller's previous attribution, or null
     */
    public static AttributionResult attribute(
            Instant callAt,
            String dialledNumber,
            List<LeaseInterval> leases,
            Duration coolDown,
            StaticNumberSource staticSource,
            PreviousAttribution previous) {
        Objects.requireNonNull(callAt, "callAt");
        Objects.requireNonNull(dialledNumber, "dialledNumber");
        Objects.requireNonNull(coolDown, "coolDown");
        if (coolDown.isNegative()) {
            throw new IllegalArgumentException("coolDown must not be negative: " + coolDown);
        }
        for (LeaseInterval l : leases) {
            if (!l.numberE164().equals(dialledNumber)) {
                throw new IllegalArgumentException("lease of " + l.numberE164() + " passed to attribute a call to "
                        + dialledNumber);
            }
        }

        if (staticSource != null) {
            return new AttributionResult(AttributionMethod.STATIC, null, null, List.of(), staticSource);
        }

        List<Claim> claims = claims(callAt, leases, coolDown);
        if (!claims.isEmpty() && redialsOwnNumber(previous, dialledNumber, callAt)) {
            AttributionResult byLeases = decide(claims);
            return chosenIsPrevious(byLeases, previous) ? byLeases : redial(previous, claims);
        }
        if (!claims.isEmpty()) {
            return decide(claims);
        }
        if (previous != null && (previous.sessionId() != null || previous.visitorId() != null) && repeatable(previous, callAt)) {
            return new AttributionResult(AttributionMethod.REPEAT, previous.sessionId(), previous.visitorId(),
                    List.of(new AttributionResult.Candidate(previous.sessionId(), previous.visitorId(),
                            "no live or cooling lease; the caller's previous call was attributed to this visit", 1.0)),
                    null);
        }
        return AttributionResult.none();
    }

    /**
     * How old the visit a caller's earlier call went to (its start: the ad click) may be for a call
     * that no lease claims to go to it as {@code repeat}: 90 days, the look-back of the reports'
     * last-non-direct model and the longest click-through window an ad platform credits (Google Ads
     * refuses an older click with EXPIRED_EVENT). A repeat is itself the next call's "earlier call",
     * so without a bound a caller who kept phoning kept a click of years ago as their source, and in
     * every export. Past it the call is {@code none}: better unknown than wrong.
     */
    static final Duration REPEAT_WINDOW = Duration.ofDays(90);

    /**
     * The earlier call's visit is recent enough for a repeat. A visit removed by retention has no
     * start to check and nothing left to inherit: no repeat.
     */
    private static boolean repeatable(PreviousAttribution previous, Instant callAt) {
        return previous.visitStartedAt() != null && !previous.visitStartedAt().isBefore(callAt.minus(REPEAT_WINDOW));
    }

    /** Weight of a repeat caller redialling the number an earlier call of theirs was attributed through. */
    static final double REDIAL_WEIGHT = 1.5;

    /**
     * How long after a visit (its start: the ad click) a redial of a number an earlier call of the
     * caller went through to it still goes to that visit over the number's current holders, and
     * how recent that earlier call must be: 30 days. People redial from
     * their phone's call history days after the visit (the load simulator's repeat callers phone
     * 0.5–1.5 days later, loadtest/README.md); a month is as long as the ad platforms credit a
     * click by default (Google Ads' click-through conversion window), and past it the holder, whose
     * page shows the number now, is the better answer than a visit the platforms have let go of.
     * Independent of the cool-down, which is minutes and protects the gap between a visit and its call.
     */
    static final Duration REDIAL_WINDOW = Duration.ofDays(30);

    /**
     * The caller phoned this very number before, and that call was attributed to a visit that
     * started at most {@link #REDIAL_WINDOW} before this call. The age is the visit's, not the earlier call's: measured from the
     * call, a caller who kept phoning every few weeks kept a months-old click chosen over the
     * number's holder for ever, past any platform's click window (audit U). People
     * redial numbers from their phone's history days after the visit, long after the number went
     * to someone else. The caller's own history is then stronger evidence than whoever holds the
     * number now (measured by the load simulator: all wrong attributions at the recommended pool
     * size were such redials). Whether that visitor also has a claim of their own on the number
     * does not matter: when the leases alone would choose them, that answer stands; when they would
     * not (their lease cooling, the number reissued to someone else), the history still wins (audit
     * AG3 #2: a caller who redialled seconds after the number went to another visitor was credited to
     * that visitor, while the same redial after the cool-down went to the caller's own visit).
     */
    private static boolean redialsOwnNumber(PreviousAttribution previous, String dialledNumber, Instant callAt) {
        if (previous == null || previous.visitorId() == null || !dialledNumber.equals(previous.number())) {
            return false;
        }
        Instant windowStart = callAt.minus(REDIAL_WINDOW);
        return previous.at() != null && !previous.at().isBefore(windowStart)
                && previous.visitStartedAt() != null && !previous.visitStartedAt().isBefore(windowStart);
    }

    private static boolean chosenIsPrevious(AttributionResult byLeases, PreviousAttribution previous) {
        return ofPrevious(byLeases.sessionId(), byLeases.visitorId(), previous);
    }

    private static boolean ofPrevious(Claim c, PreviousAttribution previous) {
        return ofPrevious(c.lease().sessionId(), c.lease().visitorId(), previous);
    }

    /** The visit, or another of the visitor, that the caller's earlier call went to. */
    private static boolean ofPrevious(String sessionId, String visitorId, PreviousAttribution previous) {
        return previous.visitorId().equals(visitorId) || (previous.sessionId() != null && previous.sessionId().equals(sessionId));
    }

    /**
     * The earlier call's visit first, weighing {@link #REDIAL_WEIGHT} plus its visitor's own claims
     * on the number (listed in it, not again after it), then the other holders.
     */
    private static AttributionResult redial(PreviousAttribution previous, List<Claim> claims) {
        claims.sort(CLAIM_ORDER.reversed());
        List<Claim> own = claims.stream().filter(c -> ofPrevious(c, previous)).toList();
        List<Claim> others = claims.stream().filter(c -> !ofPrevious(c, previous)).toList();
        double previousWeight = REDIAL_WEIGHT + own.stream().mapToDouble(Claim::weight).sum();
        double total = previousWeight + others.stream().mapToDouble(Claim::weight).sum();
        String reason = "this caller called this number before and that call was attributed to this visit; chosen over the "
                + "number's current holders" + (own.isEmpty() ? "" : " (this visitor's own " + own.get(0).reason() + ")");
        List<AttributionResult.Candidate> candidates = new ArrayList<>();
        candidates.add(new AttributionResult.Candidate(previous.sessionId(), previous.visitorId(), reason,
                Math.round(previousWeight / total * 100) / 100.0));
        for (Claim c : others) {
            candidates.add(new AttributionResult.Candidate(c.lease().sessionId(), c.lease().visitorId(), c.reason(),
                    Math.round(c.weight() / total * 100) / 100.0));
        }
        return new AttributionResult(AttributionMethod.AMBIGUOUS, previous.sessionId(), previous.visitorId(), candidates, null);
    }

    /** A session's best evidence: covering beats cooling; among cooling leases the latest end. */
    private record Claim(LeaseInterval lease, boolean covering, double weight, String reason) {}

    private static List<Claim> claims(Instant t, List<LeaseInterval> leases, Duration coolDown) {
        Map<String, Claim> bySession = new LinkedHashMap<>();
        for (LeaseInterval l : leases) {
            Claim c = claim(t, l, coolDown);
            if (c != null) {
                bySession.merge(l.sessionId(), c, (a, b) -> stronger(a, b) ? a : b);
            }
        }
        return new ArrayList<>(bySession.values());
    }

    private static Claim claim(Instant t, LeaseInterval l, Duration coolDown) {
        if (l.covers(t)) {
            return new Claim(l, true, HOLDER_WEIGHT, "lease covers the call time");
        }
        if (l.to() == null || l.to().isAfter(t) || l.from().isAfter(t)) {
            return null; // starts after the call: irrelevant
        }
        Duration since = Duration.between(l.to(), t);
        if (since.compareTo(coolDown) > 0) {
            return null; // its cool-down was over: not a candidate
        }
        double elapsed = coolDown.isZero() ? 0 : (double) since.toMillis() / coolDown.toMillis();
        double weight = COOLING_WEIGHT * (1 - (1 - COOLING_FLOOR) * elapsed);
        return new Claim(l, false, weight, "lease ended " + since.toSeconds() + " s before the call, within the "
                + coolDown.toSeconds() + " s cool-down");
    }

    private static boolean stronger(Claim a, Claim b) {
        return CLAIM_ORDER.compare(a, b) >= 0;
    }

    /**
     * Stronger claims compare greater: covering, then heavier (for cooling: ended later), then the
     * later start (the current holder), then the later end.
     */
    private static final Comparator<Claim> CLAIM_ORDER = Comparator
            .comparing(Claim::covering)
            .thenComparingDouble(Claim::weight)
            .thenComparing(c -> c.lease().from())
            .thenComparing(c -> c.lease().to() == null ? Instant.MAX : c.lease().to())
            // Last resorts, only so the result never depends on the order of the input:
            .thenComparing(c -> c.lease().sessionId())
            .thenComparing(c -> c.lease().visitorId(), Comparator.nullsFirst(Comparator.naturalOrder()));

    private static AttributionResult decide(List<Claim> claims) {
        claims.sort(CLAIM_ORDER.reversed());
        Claim chosen = claims.get(0);
        boolean anyCovering = chosen.covering();
        long coveringSessions = claims.stream().filter(Claim::covering).count();
        boolean otherVisitor = claims.stream().anyMatch(c -> !sameVisitor(c, chosen));

        AttributionMethod method;
        if (otherVisitor || coveringSessions > 1) {
            method = AttributionMethod.AMBIGUOUS;
        } else {
            method = anyCovering ? AttributionMethod.ACTIVE : AttributionMethod.COOLING;
        }

        double total = claims.stream().mapToDouble(Claim::weight).sum();
        List<AttributionResult.Candidate> candidates = new ArrayList<>();
        for (Claim c : claims) {
            String reason = c.reason();
            if (c == chosen && method == AttributionMethod.AMBIGUOUS) {
                // Said only of a lease that covers the call: a cooling one chosen is the latest holder (audit AM1 F6).
                reason += c.covering() ? "; chosen as the current holder of the number"
                        : "; chosen as the latest holder of the number";
            }
            candidates.add(new AttributionResult.Candidate(c.lease().sessionId(), c.lease().visitorId(), reason,
                    Math.round(c.weight() / total * 100) / 100.0));
        }
        return new AttributionResult(method, chosen.lease().sessionId(), chosen.lease().visitorId(), candidates, null);
    }

    private static boolean sameVisitor(Claim a, Claim b) {
        if (a.lease().sessionId().equals(b.lease().sessionId())) {
            return true;
        }
        return a.lease().visitorId() != null && a.lease().visitorId().equals(b.lease().visitorId());
    }
}
