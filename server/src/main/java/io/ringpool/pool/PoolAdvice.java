package io.ringpool.pool;

/**
 * How many numbers a pool needs, from what it has seen.
 *
 * <p>By Little's law a number leased for an average lease L is out of circulation for L plus the
 * cool-down C, so a pool whose peak is P live leases needs about P × (L + C) ÷ L numbers. A pool
 * that ran out saw a peak capped by its own size, so the observed peak understates demand: the
 * visits it could not serve are added back in proportion, P × (started + exhaustions) ÷ started.
 * Then 20% headroom.
 *
 * <p>Without one completed lease, L is unknown and nothing honest can be said: the advice is
 * {@code null} with a note ("not enough data"), never the current size dressed up as advice.
 *
 * <p>The law describes a steady stream of visitors; from a handful it extrapolates a stream that
 * never came (audit U #2: 3 visitors ever, one 45 s lease, advice 76 numbers). No history can
 * justify more numbers than the visits that asked for one, each with its own number
 * ({@code leases + exhaustions}), so the advice is capped there, and the note says the sample was
 * too small to size from. On a pool with real traffic the cap is thousands and never binds.
 *
 * @param recommendedSize numbers to have, or null when there is not enough data
 * @param note            why there is no number, or how it was reached
 */
public record PoolAdvice(Integer recommendedSize, String note) {

    /** Headroom over the estimate: visits arrive in bursts the average does not show. */
    static final double HEADROOM = 1.2;

    public static PoolAdvice of(int peakLeased, long leasesStarted, long endedLeases, long averageLeaseMillis, long exhaustions,
            long coolDownMillis) {
        if (endedLeases == 0 || averageLeaseMillis <= 0) {
            return new PoolAdvice(null, "not enough data: no lease has ended yet, so how long visitors keep a number is unknown");
        }
        double demand = peakLeased;
        if (exhaustions > 0 && leasesStarted > 0) {
            demand = peakLeased * (leasesStarted + exhaustions) / (double) leasesStarted;
        } else if (exhaustions > 0) {
            demand = peakLeased + exhaustions;
        }
        double inUse = demand * (averageLeaseMillis + coolDownMillis) / (double) averageLeaseMillis;
        long size = (long) Math.max(1, Math.ceil(inUse * HEADROOM));
        String seen = "peak " + peakLeased + " live leases, " + exhaustions + " exhaustions in " + leasesStarted
                + " leases, average lease " + Math.round(averageLeaseMillis / 1000.0) + " s, cool-down " + coolDownMillis / 1000 + " s";
        long askedForANumber = Math.max(1, leasesStarted + exhaustions);
        if (size > askedForANumber) {
            return new PoolAdvice((int) Math.min(Integer.MAX_VALUE, askedForANumber), "too few visits to size from: "
                    + askedForANumber + " asked for a number in all, so no more numbers than that were ever needed ("
                    + seen + "; the steady-traffic estimate, " + size + ", applies once traffic is steady)");
        }
        return new PoolAdvice((int) size, seen);
    }
}
