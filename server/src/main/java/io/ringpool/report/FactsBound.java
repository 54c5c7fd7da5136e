package io.ringpool.report;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * How much of the site's history the node's report facts hold: at most {@link #maxVisits()}
 * visits over all sites (config {@code server.reportMaxVisits}), and for each site nothing older
 * than what its retention keeps in the store.
 *
 * <h2>Past the bound: a bounded cache</h2>
 * When the held visits pass the bound, the oldest visits across the node are dropped until
 * {@link #lowWater()} remain: one cut instant for every site, so every site's reports reach back
 * equally far, and a quiet site keeps its history while a busy one pushes the cut forward only as
 * far as the node needs. (Shares per site would keep a quiet site's years while a busy site kept
 * days, and would need a share to be chosen per site.) Dropping to 90 % rather than just below the
 * bound makes an eviction round — a pass over every site's columns — happen once per tenth of the
 * bound of new visits, not on every refresh.
 *
 * <h2>The default bound</h2>
 * {@code reportMaxVisits: 0} gives a fifth of the JVM's max heap at {@link #BYTES_PER_VISIT}
 * bytes a visit (up to ~30 % with the empty ends of growing columns). The live sessions take up
 * to about another 30 % at their own default cap ({@code leasing.maxLiveSessions}: one per 2 KB of
 * heap, ~0.4–0.6 KB each), which leaves 40 % or more for the server itself, the store's cache,
 * requests and the collector's headroom.
 */
public final class FactsBound {
    /**
     * Heap a held visit costs, with its share of calls (one per ten visits), of the visitor index
     * (four visits a visitor) and of the dictionaries: 120.4 bytes measured with
     * {@code ReportFactsFootprint} when a site's columns are full (as at the bound); rounded up.
     * A site below the bound has columns up to a third empty (185 bytes a visit measured then).
     */
    public static final long BYTES_PER_VISIT = 128;
    /** Share of the max heap the default bound gives the report facts, percent. */
    public static final int HEAP_PERCENT = 20;
    /** Share of the bound left after an eviction round, percent. */
    static final int LOW_WATER_PERCENT = 90;

    private final int maxVisits;
    private final ToLongFunction<String> retainedFrom;
    private final AtomicLong evicted = new AtomicLong();

    /**
     * @param maxVisits    most visits held over all sites
     * @param retainedFrom a site's retention cut-off: the store deletes visits started before it
     *                     (epoch millis; Long.MIN_VALUE when it keeps them all)
     */
    public FactsBound(int maxVisits, ToLongFunction<String> retainedFrom) {
        if (maxVisits < 1) {
            throw new IllegalArgumentException("maxVisits must be at least 1, got " + maxVisits);
        }
        this.maxVisits = maxVisits;
        this.retainedFrom = retainedFrom;
    }

    /** No bound and no retention: every visit of every site is held (tests of other things). */
    static FactsBound unbounded() {
        return new FactsBound(Integer.MAX_VALUE, site -> Long.MIN_VALUE);
    }

    /** The bound for {@code server.reportMaxVisits}: the value itself, or for 0 the default for this heap. */
    public static int resolve(int configured, long maxHeapBytes) {
        return configured > 0 ? configured : derived(maxHeapBytes);
    }

    /** {@link #HEAP_PERCENT} of the heap at {@link #BYTES_PER_VISIT}: 838,860 visits at -Xmx512m, 1,677,721 at -Xmx1g. */
    public static int derived(long maxHeapBytes) {
        return (int) Math.max(1_000, Math.min(Integer.MAX_VALUE - 8, maxHeapBytes / 100 * HEAP_PERCENT / BYTES_PER_VISIT));
    }

    public int maxVisits() {
        return maxVisits;
    }

    /** What an eviction round leaves: {@link #LOW_WATER_PERCENT} of the bound. */
    int lowWater() {
        return (int) ((long) maxVisits * LOW_WATER_PERCENT / 100);
    }

    /**
     * The site's retention cut-off rounded up to the hour: the facts then drop at most an hour more
     * than the store (never less, so "everything from heldFrom on is held" stays true), and a
     * report's {@code heldFrom} does not change with every millisecond.
     */
    long retainedFrom(String siteId) {
        long cutoff = retainedFrom.applyAsLong(siteId);
        return cutoff == Long.MIN_VALUE ? cutoff : Math.floorDiv(cutoff + HOUR_MILLIS - 1, HOUR_MILLIS) * HOUR_MILLIS;
    }

    private static final long HOUR_MILLIS = 3_600_000L;

    void evicted(int visits) {
        evicted.addAndGet(visits);
    }

    /** Visits dropped from memory since start (by the bound or by retention). */
    public long evicted() {
        return evicted.get();
    }
}
