package io.ringpool.report;

import io.ringpool.site.SiteSettings;
import io.ringpool.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Keeps a site's past days reportable after their visits leave the facts or the store: before a
 * trim drops a prefix of the facts (the bound, or retention), every whole local day in that prefix
 * not sealed yet is counted ({@link DayDigest}) and written ({@link SealedDays}). Reports then take
 * the days before the facts' {@code heldFrom} from there.
 *
 * <h2>Invariant</h2>
 * Every sealed day ends at or before the facts' {@code heldFrom} (a trim seals only what it drops;
 * a load starts at the end of the latest sealed day at the earliest), so a report adds sealed days
 * and facts without counting anything twice.
 *
 * <h2>Day-aligned cuts</h2>
 * A day is sealed only when the facts hold all of it. A trim that cut inside a day would leave that
 * day never sealable (its start gone from memory, its end not yet dropped), so trims cut at the next
 * local midnight instead, once that day is over by {@link #SETTLED_MILLIS}. A cut inside a day not
 * over yet (an eviction round in a flood) stays where it is, and that day stays unsealed.
 */
public final class DaySeal {
    /** How long a day must be over before a trim may round up to its end and seal it: rows that commit late still land in it. */
    static final long SETTLED_MILLIS = Duration.ofHours(1).toMillis();

    private final SealedDays store;
    private final java.util.concurrent.atomic.AtomicLong sealedDays = new java.util.concurrent.atomic.AtomicLong();
    private final Function<String, Optional<SiteSettings>> settings;
    private final Clock clock;

    /** @param settings a site's settings (time zone, contact window); empty for a site that no longer exists */
    public DaySeal(Database db, Function<String, Optional<SiteSettings>> settings, Clock clock) {
        this(new SealedDays(db), settings, clock);
    }

    private DaySeal(SealedDays store, Function<String, Optional<SiteSettings>> settings, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
    }

    /** Nothing is sealed: trims just drop (tests of other things, and the constructors without a DaySeal). */
    static DaySeal none() {
        return new DaySeal((SealedDays) null, site -> Optional.empty(), Clock.systemUTC());
    }

    private Optional<SiteSettings> site(String siteId) {
        return store == null ? Optional.empty() : settings.apply(siteId);
    }

    /** Where a trim to {@code heldFrom} cuts: the next local midnight when that day is settled, else {@code heldFrom}. */
    long aligned(String siteId, long heldFrom) {
        Optional<SiteSettings> s = site(siteId);
        if (s.isEmpty() || heldFrom == Long.MIN_VALUE) {
            return heldFrom;
        }
        ZoneId zone = s.get().timeZone();
        LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(heldFrom), zone);
        long start = startOf(day, zone);
        if (start == heldFrom) {
            return heldFrom;
        }
        long end = startOf(day.plusDays(1), zone);
        return end <= clock.millis() - SETTLED_MILLIS ? end : heldFrom;
    }

    /**
     * Seals every whole local day the facts hold before {@code heldFrom} that is not sealed yet;
     * call holding the facts' monitor, before trimming them there. Returns the days this call sealed.
     */
    int sealBefore(SiteFacts f, long heldFrom) {
        Optional<SiteSettings> s = site(f.siteId);
        if (s.isEmpty() || heldFrom <= f.heldFrom) {
            return 0;
        }
        ZoneId zone = s.get().timeZone();
        boolean wholeHistory = f.heldFrom == Long.MIN_VALUE;
        long from = wholeHistory ? oldestEvent(f) : f.heldFrom;
        if (from == Long.MAX_VALUE || from >= heldFrom) {
            return 0;
        }
        LocalDate first = LocalDate.ofInstant(Instant.ofEpochMilli(from), zone);
        if (!wholeHistory && startOf(first, zone) < from) {
            first = first.plusDays(1); // the facts hold only the end of that day
        }
        LocalDate last = LocalDate.ofInstant(Instant.ofEpochMilli(heldFrom), zone).minusDays(1);
        if (last.isBefore(first)) {
            return 0;
        }
        Set<LocalDate> sealed = new HashSet<>();
        for (SealedDays.Seal seal : store.between(f.siteId, first, last)) {
            sealed.add(seal.day());
        }
        int uniquenessDays = s.get().uniquenessDays();
        Map<LocalDate, List<DayDigest.Group>> groups = DayDigest.of(f, startOf(first, zone), startOf(last.plusDays(1), zone), zone,
                uniquenessDays);
        int count = 0;
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            if (sealed.contains(day)) {
                continue;
            }
            long start = startOf(day, zone);
            SealedDays.Seal seal = new SealedDays.Seal(day, start, startOf(day.plusDays(1), zone),
                    wholeHistory && day.equals(first) ? 0 : start);
            if (store.seal(f.siteId, seal, zone, uniquenessDays, groups.getOrDefault(day, List.of()), clock.millis())) {
                count++;
                sealedDays.incrementAndGet();
            }
        }
        return count;
    }

    /** Days this node has sealed since start. */
    public long sealed() {
        return sealedDays.get();
    }

    /** The end of the site's latest sealed day; Long.MIN_VALUE when none (or sealing is off). */
    long sealedThrough(String siteId) {
        return store == null ? Long.MIN_VALUE : store.sealedThrough(siteId);
    }

    /**
     * What the sealed days give of a report's range before {@code heldFrom}: the days used, and
     * whether they and the facts together cover the whole range ({@code complete}).
     */
    record Coverage(List<SealedDays.Seal> days, boolean complete) {
        static final Coverage FACTS_ONLY = new Coverage(List.of(), true);

        boolean any() {
            return !days.isEmpty();
        }

        LocalDate firstDay() {
            return days.getFirst().day();
        }

        LocalDate lastDay() {
            return days.getLast().day();
        }
    }

    Coverage coverage(String siteId, ReportRange range, long heldFrom) {
        if (heldFrom == Long.MIN_VALUE || range.from() >= heldFrom) {
            return Coverage.FACTS_ONLY;
        }
        List<SealedDays.Seal> days = new ArrayList<>();
        if (store != null) {
            for (SealedDays.Seal seal : store.between(siteId, range.firstDay(), range.lastDay())) {
                if (seal.dayStart() >= range.from() && seal.dayEnd() <= range.to() && seal.dayEnd() <= heldFrom) {
                    days.add(seal);
                }
            }
        }
        long reached = range.from();
        for (SealedDays.Seal seal : days) {
            if (seal.coveredFrom() <= reached && seal.dayEnd() > reached) {
                reached = seal.dayEnd();
            }
        }
        return new Coverage(days, reached >= Math.min(heldFrom, range.to()));
    }

    /** The groups of {@code cube} of the covered days for {@code model}. */
    List<SealedDays.Row> rows(String siteId, Coverage coverage, DayCube cube, Model model) {
        if (!coverage.any()) {
            return List.of();
        }
        Set<LocalDate> used = new HashSet<>();
        coverage.days().forEach(s -> used.add(s.day()));
        List<SealedDays.Row> rows = new ArrayList<>();
        for (SealedDays.Row row : store.rows(siteId, cube, model, coverage.firstDay(), coverage.lastDay())) {
            if (used.contains(row.day())) {
                rows.add(row);
            }
        }
        return rows;
    }

    private static long oldestEvent(SiteFacts f) {
        long oldest = f.oldestVisit();
        for (int j = 0; j < f.calls; j++) {
            oldest = Math.min(oldest, f.cStart[j]);
        }
        for (int k = 0; k < f.leads; k++) {
            oldest = Math.min(oldest, f.lStart[k]);
        }
        return oldest;
    }

    private static long startOf(LocalDate day, ZoneId zone) {
        return day.atStartOfDay(zone).toInstant().toEpochMilli();
    }
}
