package io.ringpool.report;

import java.util.Map;
import java.util.TreeMap;

/**
 * Finds the instant from which the newest {@code keep} visits of one or more sites start, without
 * copying or sorting their start times: first a count per hour (a few thousand entries for a
 * year), then, within the one hour where the cut falls, a count per second. The cut is on a
 * second boundary, so it may keep up to one second's visits fewer than {@code keep}, never more.
 *
 * <p>The caller feeds each site's facts holding that site's monitor, one site at a time; the
 * facts may grow between the passes (by newer visits only, which do not move the cut).
 */
final class EvictionCut {
    private static final long HOUR = 3_600_000L;

    private final long keep;
    private final TreeMap<Long, Long> perHour = new TreeMap<>();
    private final long[] perSecond = new long[3600];
    private long boundaryHour = Long.MIN_VALUE;
    private long keepInBoundary;

    EvictionCut(long keep) {
        this.keep = keep;
    }

    /** First pass: counts {@code f}'s visits by hour (runs of one hour are counted at once: the columns are nearly in start order). */
    void countHours(SiteFacts f) {
        long runHour = Long.MIN_VALUE;
        long run = 0;
        for (int i = 0; i < f.visits; i++) {
            long hour = Math.floorDiv(f.vStart[i], HOUR);
            if (hour != runHour) {
                if (run > 0) {
                    perHour.merge(runHour, run, Long::sum);
                }
                runHour = hour;
                run = 0;
            }
            run++;
        }
        if (run > 0) {
            perHour.merge(runHour, run, Long::sum);
        }
    }

    /** The hour the cut falls in, after {@link #countHours} of every site; Long.MIN_VALUE when all visits fit. */
    long boundaryHour() {
        long newer = 0;
        for (Map.Entry<Long, Long> e : perHour.descendingMap().entrySet()) {
            if (newer + e.getValue() > keep) {
                boundaryHour = e.getKey();
                keepInBoundary = keep - newer;
                return boundaryHour;
            }
            newer += e.getValue();
        }
        return Long.MIN_VALUE;
    }

    /** Second pass: counts {@code f}'s visits in the boundary hour by second. */
    void countSeconds(SiteFacts f) {
        long from = boundaryHour * HOUR;
        for (int i = 0; i < f.visits; i++) {
            long t = f.vStart[i];
            if (t >= from && t < from + HOUR) {
                perSecond[(int) ((t - from) / 1000)]++;
            }
        }
    }

    /** The new held-from instant, after {@link #countSeconds} of every site. */
    long heldFrom() {
        long hourStart = boundaryHour * HOUR;
        long newer = 0;
        for (int s = perSecond.length - 1; s >= 0; s--) {
            if (newer + perSecond[s] > keepInBoundary) {
                return hourStart + (s + 1) * 1000L;
            }
            newer += perSecond[s];
        }
        return hourStart;
    }

    /** The held-from instant that keeps {@code keep} of one site's visits; the caller holds its monitor. Long.MIN_VALUE when all fit. */
    static long of(SiteFacts f, long keep) {
        EvictionCut cut = new EvictionCut(keep);
        cut.countHours(f);
        if (cut.boundaryHour() == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        cut.countSeconds(f);
        return cut.heldFrom();
    }
}
