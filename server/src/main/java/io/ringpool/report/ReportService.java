package io.ringpool.report;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.ringpool.concurrent.Cancellation;
import io.ringpool.failure.DomainFailure;
import io.ringpool.pool.ExhaustionTally;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolService;
import io.ringpool.pool.PoolState;
import io.ringpool.site.Site;
import io.ringpool.store.Database;
import io.ringpool.store.Dialect;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes the marketer's reports and caches them.
 *
 * <h2>Cache correctness</h2>
 * Every request first brings the site's {@link SiteFacts} up to date (two index range reads of
 * what changed: see there). The facts' version changes exactly when a visit or call that could
 * change a report has been read, and it is part of each cache key, so a cached answer is reused
 * only while nothing relevant arrived — from this node or any other, with no hook in the write
 * paths. Old entries are simply never asked for again and age out (size bound, 10 min).
 *
 * <p>The pools report also depends on lease ends, which are updates of visit rows the facts do
 * not track, so its entries live {@link #POOLS_TTL} at most.
 *
 * <p>One site's reports are computed one at a time under its facts' monitor; sites do not wait
 * for each other.
 *
 * <h2>Bounded facts</h2>
 * The facts hold at most {@link FactsBound#maxVisits()} visits over all sites (see there for the
 * policy). After every refresh, when the node holds more, one eviction round ({@link #enforceBound})
 * trims every site to one cut instant; a site whose own columns reach the bound in the middle of a
 * read trims itself first, so one site never holds more than the bound. Between a refresh's read
 * and its round the node may hold that refresh's new visits beyond the bound (the background
 * refresh runs every 5 s: seconds of traffic). A report whose range starts before a site's
 * {@code heldFrom} says so ({@code complete: false}); one that ends before it is refused.
 *
 * <p>Locks: an eviction round holds {@link #evictionLock} and takes one site's monitor at a time;
 * nothing takes {@code evictionLock} while holding a site's monitor.
 */
public final class ReportService {
    private static final Logger LOG = LoggerFactory.getLogger(ReportService.class);
    /** Where, in the data directory, the report facts are saved between runs. */
    public static final String FACTS_DIRECTORY = "report-facts";

    /** How stale occupancy may be: lease ends are not tracked by the facts version. */
    static final Duration POOLS_TTL = Duration.ofSeconds(5);

    private final Database db;
    private final PoolRegistry pools;
    private final PoolService poolService;
    private final Clock clock;
    /** Each site's facts, in a holder whose monitor guards them, so a snapshot read from disk can replace them. */
    private final Map<String, Holder> facts = new ConcurrentHashMap<>();
    /** Where the facts are kept between runs (null: not kept). */
    private final Path snapshotDir;
    private final FactsBound bound;
    private final DaySeal seals;
    private final Object evictionLock = new Object();
    /** Exhaustions not yet written (null: the pools report reads the stored ones only). */
    private ExhaustionTally tally;

    /** A retention cut-off this much past a site's held-from trims it: about once an hour, not on every refresh. */
    static final long RETENTION_STEP_MILLIS = Duration.ofHours(1).toMillis();

    private static final class Holder {
        SiteFacts facts;
        /** The facts' version when last written to disk (-1: never). */
        long savedVersion = -1;
        /** A snapshot has been tried (used or refused) for these facts. */
        boolean snapshotTried;

        Holder(SiteFacts facts) {
            this.facts = facts;
        }
    }
    private final Dialect dialect;
    private final Cache<String, Map<String, Object>> cache;
    private final Cache<String, Map<String, Object>> poolCache;
    /** H2: this process is the store's one writer, so {@link Database#writes} tells whether anything changed. */
    private final boolean singleWriter;
    private final long unchangedSkipNanos;

    /** Longest the store is not read again while no write of this process ended, nanoseconds. */
    static final long UNCHANGED_SKIP_NANOS = 1_000_000_000L;

    /** The longest a visit's stamp may precede its hand-over to the writer (a thread descheduled in between). */
    static final long STAMP_MARGIN_MILLIS = 2_000;

    public ReportService(Database db, PoolRegistry pools, PoolService poolService, Clock clock) {
        this(db, pools, poolService, clock, null, FactsBound.unbounded(), DaySeal.none(), UNCHANGED_SKIP_NANOS);
    }

    /** @param snapshotDir where the facts are written between runs (see {@link #saveSnapshots}); null for none */
    public ReportService(Database db, PoolRegistry pools, PoolService poolService, Clock clock, Path snapshotDir) {
        this(db, pools, poolService, clock, snapshotDir, FactsBound.unbounded(), DaySeal.none(), UNCHANGED_SKIP_NANOS);
    }

    /**
     * @param snapshotDir where the facts are written between runs; null for none
     * @param bound       how many visits the facts hold, and each site's retention
     */
    public ReportService(Database db, PoolRegistry pools, PoolService poolService, Clock clock, Path snapshotDir, FactsBound bound) {
        this(db, pools, poolService, clock, snapshotDir, bound, DaySeal.none(), UNCHANGED_SKIP_NANOS);
    }

    /**
     * @param snapshotDir where the facts are written between runs; null for none
     * @param bound       how many visits the facts hold, and each site's retention
     * @param seals       where the days the facts drop are kept as daily aggregates
     */
    public ReportService(Database db, PoolRegistry pools, PoolService poolService, Clock clock, Path snapshotDir, FactsBound bound,
            DaySeal seals) {
        this(db, pools, poolService, clock, snapshotDir, bound, seals, UNCHANGED_SKIP_NANOS);
    }

    /**
     * @param tally the exhaustions counted and not yet written: the pools report adds them, so its
     *              range agrees with the pool's own running total at once
     */
    public ReportService(Database db, PoolRegistry pools, PoolService poolService, Clock clock, Path snapshotDir, FactsBound bound,
            DaySeal seals, ExhaustionTally tally) {
        this(db, pools, poolService, clock, snapshotDir, bound, seals, UNCHANGED_SKIP_NANOS);
        this.tally = tally;
    }

    /** @param unchangedSkipNanos longest the store is not read again while nothing was written (tests lengthen it) */
    ReportService(Database db, PoolRegistry pools, PoolService poolService, Clock clock, long unchangedSkipNanos) {
        this(db, pools, poolService, clock, null, FactsBound.unbounded(), DaySeal.none(), unchangedSkipNanos);
    }

    private ReportService(Database db, PoolRegistry pools, PoolService poolService, Clock clock, Path snapshotDir, FactsBound bound,
            DaySeal seals, long unchangedSkipNanos) {
        this.snapshotDir = snapshotDir;
        this.bound = bound;
        this.seals = seals;
        this.unchangedSkipNanos = unchangedSkipNanos;
        this.db = db;
        this.dialect = db.dialect();
        this.singleWriter = db.isH2();
        this.pools = pools;
        this.poolService = poolService;
        this.clock = clock;
        // Entries age on the injected clock, like everything else: a test advances it instead of sleeping.
        Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
        this.cache = Caffeine.newBuilder().ticker(ticker).maximumSize(2_000).expireAfterAccess(Duration.ofMinutes(10)).build();
        // Weighed by rows: one answer may hold up to ReportApi.MAX_POOL_ROWS of them, and 500 such
        // answers would be gigabytes; about eight of the largest are kept.
        this.poolCache = Caffeine.newBuilder().ticker(ticker).maximumWeight(8 * ReportApi.MAX_POOL_ROWS)
                .weigher((String key, Map<String, Object> body) -> poolRows(body)).expireAfterWrite(POOLS_TTL).build();
    }

    /** The server's time, for ranges that default to "up to today". */
    public Instant now() {
        return clock.instant();
    }

    private long nowMillis() {
        return clock.millis();
    }

    /**
     * Loads the facts of these sites in the background (from their snapshots where they have good
     * ones), so a first report after a restart finds them ready.
     */
    public void warmUpInBackground(List<String> siteIds) {
        if (siteIds.isEmpty()) {
            return;
        }
        Thread.ofPlatform().name("ringpool-report-warmup").daemon(true).start(() -> {
            for (String siteId : siteIds) {
                try {
                    long start = System.nanoTime();
                    Holder h = holderOf(siteId);
                    synchronized (h) {
                        SiteFacts f = current(h);
                        LOG.info("report_facts_loaded site={} visits={} calls={} leads={} millis={}", siteId, f.visits, f.calls, f.leads,
                                (System.nanoTime() - start) / 1_000_000);
                    }
                    enforceBound();
                } catch (RuntimeException e) {
                    LOG.warn("report_warmup_failed site={} reason={}", siteId, e.toString());
                }
            }
        });
    }

    /**
     * Pulls what changed into every site's facts. Run every few seconds in the background, so a
     * report after a burst of traffic (say a million visits) finds the facts current instead of
     * reading everything new inside the request.
     */
    public void refreshAll(List<String> siteIds) {
        refreshAll(siteIds, true);
    }

    /** As {@link #refreshAll(List)}; with {@code loadMissing} false only the sites whose facts are held already. */
    public void refreshAll(List<String> siteIds, boolean loadMissing) {
        for (String siteId : siteIds) {
            if (!loadMissing && !facts.containsKey(siteId)) {
                continue;
            }
            try {
                Holder h = holderOf(siteId);
                synchronized (h) {
                    current(h);
                }
                enforceBound();
            } catch (RuntimeException e) {
                io.ringpool.failure.FailureLog.SHARED.warn(LOG, "report_refresh_failed", "site=" + siteId, e);
            }
        }
    }

    /**
     * The holder's facts brought up to date; the caller holds its monitor. Facts not loaded yet come
     * from the site's snapshot when it is good, so only what changed since it was written is read
     * from the store; else from the store (every visit, call and lead of the site).
     */
    private SiteFacts current(Holder h) {
        if (!h.snapshotTried && !h.facts.loaded()) {
            h.snapshotTried = true;
            SiteFacts restored = restore(h.facts.siteId);
            if (restored != null) {
                h.facts = restored;
            }
        }
        SiteFacts f = h.facts;
        bind(f);
        long retained = bound.retainedFrom(f.siteId);
        if (!f.loaded()) {
            // A first load reads from the retention cut-off, and at most the room the other sites leave
            // (a tenth of the bound at least: the next eviction round then cuts every site at one instant).
            // Never before the end of the latest sealed day: reports take those days from the seals.
            f.heldFrom = Math.max(f.heldFrom, Math.max(retained, seals.sealedThrough(f.siteId)));
            f.coldLoadBudget = (int) Math.max(bound.maxVisits() / 10, Math.min(bound.maxVisits(), bound.lowWater() - heldVisits()));
        } else if (retained > f.heldFrom && (f.heldFrom == Long.MIN_VALUE || retained - f.heldFrom >= RETENTION_STEP_MILLIS)) {
            trim(f, retained, "retention");
        }
        refresh(f);
        return f;
    }

    /** Ties the facts to the bound: capped columns, and the self-trim when a read fills them. */
    private void bind(SiteFacts f) {
        f.maxVisits = bound.maxVisits();
        f.whenFull = full -> {
            long cut = EvictionCut.of(full, bound.lowWater());
            if (cut != Long.MIN_VALUE) {
                trim(full, cut, "bound");
            }
        };
    }

    /**
     * Trims {@code f} (its monitor held) at {@code heldFrom}, or at the next local midnight when that
     * day is over, after sealing the whole days it drops (see {@link DaySeal}); counts and logs it:
     * one line per site per round. When the seal cannot be written, a retention trim does not
     * happen (the visits stay, in memory and in the store: see {@link #deletableBefore}); a trim for
     * the bound does, memory first, and says which days are lost to the reports.
     */
    private void trim(SiteFacts f, long heldFrom, String reason) {
        long cut = seals.aligned(f.siteId, heldFrom);
        int sealed = 0;
        try {
            sealed = seals.sealBefore(f, cut);
        } catch (io.ringpool.store.StoreException e) {
            if (!"bound".equals(reason)) {
                throw e;
            }
            LOG.warn("report_days_not_sealed site={} from={} to={} reason={}", f.siteId,
                    f.heldFrom == Long.MIN_VALUE ? null : Instant.ofEpochMilli(f.heldFrom), Instant.ofEpochMilli(cut), e.toString());
        }
        int dropped = FactsTrim.before(f, cut);
        bound.evicted(dropped);
        // a retention cut-off moves every hour whether or not it drops anything: only a trim that
        // dropped or sealed something is worth a line at INFO
        if (dropped > 0 || sealed > 0) {
            LOG.info("report_facts_trimmed site={} visits={} heldFrom={} held={} sealedDays={} reason={}", f.siteId, dropped,
                    Instant.ofEpochMilli(cut), f.visits, sealed, reason);
        } else {
            LOG.debug("report_facts_trimmed site={} visits=0 heldFrom={} reason={}", f.siteId, Instant.ofEpochMilli(cut), reason);
        }
    }

    /**
     * Before retention deletes a site's visits started before {@code cutoff}: brings its facts up to
     * date (which trims them to the retention cut-off, sealing the days they drop) and answers the
     * instant before which the store may delete — the cut-off, or the facts' {@code heldFrom} when
     * that is earlier, so no visit the facts still hold unsealed leaves the store. Long.MIN_VALUE
     * (delete nothing) when the facts hold the site's whole history. A site whose facts this node
     * has not loaded is not loaded for this (a load starts at the retention cut-off, so it would
     * seal nothing): the days before the cut-off were sealed when the facts that held them were
     * trimmed, or are sealed from the site's snapshot when it is restored.
     */
    public long deletableBefore(String siteId, long cutoff) {
        long heldFrom;
        Holder h = facts.get(siteId);
        if (h == null) {
            return cutoff;
        }
        try {
            synchronized (h) {
                heldFrom = current(h).heldFrom;
            }
        } finally {
            enforceBound();
        }
        return Math.min(cutoff, heldFrom);
    }

    /** Visits held over all sites (read without the sites' monitors: a gauge and a trigger, not an invariant). */
    public long heldVisits() {
        long held = 0;
        for (Holder h : facts.values()) {
            held += h.facts.visits;
        }
        return held;
    }

    /** The node-wide bound on held visits. */
    public FactsBound bound() {
        return bound;
    }

    /**
     * When the node holds more than the bound, cuts every site at the one instant that leaves
     * {@link FactsBound#lowWater()} visits (see {@link EvictionCut}). Call holding no site's monitor.
     */
    void enforceBound() {
        if (heldVisits() <= bound.maxVisits()) {
            return;
        }
        synchronized (evictionLock) {
            if (heldVisits() <= bound.maxVisits()) {
                return;
            }
            List<Holder> holders = List.copyOf(facts.values());
            EvictionCut cut = new EvictionCut(bound.lowWater());
            for (Holder h : holders) {
                synchronized (h) {
                    cut.countHours(h.facts);
                }
            }
            if (cut.boundaryHour() == Long.MIN_VALUE) {
                return;
            }
            for (Holder h : holders) {
                synchronized (h) {
                    cut.countSeconds(h.facts);
                }
            }
            long heldFrom = cut.heldFrom();
            for (Holder h : holders) {
                synchronized (h) {
                    if (heldFrom > h.facts.heldFrom) {
                        trim(h.facts, heldFrom, "bound");
                    }
                }
            }
        }
    }

    // ---- Snapshots ----

    private Path snapshotOf(String siteId) {
        return snapshotDir.resolve(siteId + ".facts");
    }

    /**
     * The site's facts as last written, if they still describe the store: written by this format,
     * not from the future (a clock set back would make the incremental read skip rows), and with
     * the same visits as the store at both ends of what they hold — the hour from their held-from
     * instant (or from their oldest visit when they hold the whole history; the site's retention
     * cut-off is applied to the snapshot first) and the hour up to the slack before their last
     * refresh (a store restored from an older backup, or another store: refused). Two short index
     * range counts, not a count of the whole history (which costs as much as loading it on H2).
     * Null when refused.
     */
    private SiteFacts restore(String siteId) {
        if (snapshotDir == null || !Files.isRegularFile(snapshotOf(siteId))) {
            return null;
        }
        long start = System.nanoTime();
        SiteFacts f;
        try (FileChannel channel = FileChannel.open(snapshotOf(siteId), StandardOpenOption.READ)) {
            f = SiteFacts.readFrom(new SnapshotIo.In(channel), siteId, dialect);
        } catch (IOException | RuntimeException e) {
            LOG.warn("report_snapshot_unreadable site={} reason={}", siteId, e.toString());
            return null;
        }
        if (f == null || f.lastRefreshAt() == Long.MAX_VALUE || f.lastRefreshAt() > nowMillis()) {
            LOG.info("report_snapshot_refused site={} reason=format_or_clock", siteId);
            return null;
        }
        // What retention deleted since the snapshot was written goes first, so the check below finds
        // the store and the snapshot agreeing where the store still has everything.
        long retained = Math.max(bound.retainedFrom(siteId), seals.sealedThrough(siteId));
        if (retained > f.heldFrom) {
            trim(f, retained, "retention");
        }
        long cutoff = f.lastRefreshAt() - SiteFacts.SLACK_MILLIS;
        long oldest = f.heldFrom != Long.MIN_VALUE ? f.heldFrom : f.oldestVisit();
        long[][] windows = oldest == Long.MAX_VALUE
                ? new long[][] {{Long.MIN_VALUE, cutoff + 1}}
                : new long[][] {{f.heldFrom, oldest + CHECK_WINDOW_MILLIS}, {cutoff - CHECK_WINDOW_MILLIS + 1, cutoff + 1}};
        for (long[] w : windows) {
            long inStore = db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM sessions" + dialect.indexHint("SESSIONS_SITE_STARTED")
                        + " WHERE site_id = ? AND started_at >= ? AND started_at < ?")) {
                    ps.setString(1, siteId);
                    ps.setLong(2, w[0]);
                    ps.setLong(3, w[1]);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
            int held = f.visitsBetween(w[0], w[1]);
            if (inStore != held) {
                LOG.info("report_snapshot_refused site={} reason=store_differs from={} to={} visits_in_snapshot={} visits_in_store={}", siteId,
                        w[0], w[1], held, inStore);
                return null;
            }
        }
        LOG.info("report_snapshot_loaded site={} visits={} calls={} leads={} millis={}", siteId, f.visits, f.calls, f.leads,
                (System.nanoTime() - start) / 1_000_000);
        snapshotsLoaded.incrementAndGet();
        return f;
    }

    /** The span at each end of a snapshot's visits compared with the store. */
    static final long CHECK_WINDOW_MILLIS = Duration.ofHours(1).toMillis();

    private final java.util.concurrent.atomic.AtomicLong snapshotsLoaded = new java.util.concurrent.atomic.AtomicLong();

    /** Facts taken from snapshots since start (tests tell a restored start from a full load by it). */
    public long snapshotsLoaded() {
        return snapshotsLoaded.get();
    }

    /**
     * Writes the facts of every site that changed since its last snapshot (to a temporary file,
     * synced, then renamed over the old one, owner-only), so the next start reads them back instead
     * of the whole history. Called every few minutes and at a clean stop; after a crash the last
     * periodic snapshot is used and what came after it is read from the store.
     */
    public void saveSnapshots() {
        if (snapshotDir == null) {
            return;
        }
        for (Map.Entry<String, Holder> e : facts.entrySet()) {
            Holder h = e.getValue();
            synchronized (h) {
                SiteFacts f = h.facts;
                if (!f.loaded() || f.version() == h.savedVersion || f.lastRefreshAt() == Long.MAX_VALUE) {
                    continue;
                }
                long start = System.nanoTime();
                try {
                    writeSnapshot(f);
                    h.savedVersion = f.version();
                    LOG.info("report_snapshot_saved site={} visits={} millis={}", e.getKey(), f.visits, (System.nanoTime() - start) / 1_000_000);
                } catch (IOException | RuntimeException failure) {
                    LOG.warn("report_snapshot_failed site={} reason={}", e.getKey(), failure.toString());
                }
            }
        }
    }

    private void writeSnapshot(SiteFacts f) throws IOException {
        Files.createDirectories(snapshotDir, OWNER_DIR);
        Path target = snapshotOf(f.siteId);
        Path temp = Files.createTempFile(snapshotDir, f.siteId, ".tmp", OWNER_FILE);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                try (SnapshotIo.Out out = new SnapshotIo.Out(channel)) {
                    f.writeTo(out);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static final FileAttribute<?>[] OWNER_DIR = posix("rwx------");
    private static final FileAttribute<?>[] OWNER_FILE = posix("rw-------");

    private static FileAttribute<?>[] posix(String permissions) {
        return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))}
                : new FileAttribute<?>[0];
    }

    Map<String, Object> sources(Site site, ReportRange range, Model model, List<Dimension> groupBy, String sort,
            boolean ascending, int limit) {
        // The contact window is a site setting the facts' version does not follow, so it is part of the key.
        int uniquenessDays = site.settings().uniquenessDays();
        String key = "sources|" + range.cacheKey() + "|" + model + "|" + groupBy + "|" + sort + "|" + ascending + "|" + limit + "|"
                + uniquenessDays;
        // Without a traffic-source field the model changes nothing (device fields are the visit's own).
        Model effective = groupBy.stream().anyMatch(Dimension::trafficSource) ? model : Model.LAST_CLICK;
        java.util.Optional<DayCube> cube = DayCube.serving(groupBy);
        Map<String, Object> extra = Map.of("model", model.wireName(), "uniquenessDays", uniquenessDays);
        if (cube.isEmpty()) {
            // No sealed day is counted by all these fields together: the facts alone.
            return cached(site, range, key, f -> withRange(range, f, NO_DAYS, extra,
                    Aggregates.grouped(f, range, model, groupBy, sort, ascending, limit, uniquenessDays, List.of())));
        }
        return cachedWithDays(site, range, key, (f, days) -> withRange(range, f, days, extra,
                Aggregates.grouped(f, range, model, groupBy, sort, ascending, limit, uniquenessDays,
                        seals.rows(site.siteId(), days, cube.get(), effective))));
    }

    Map<String, Object> time(Site site, ReportRange range) {
        return cached(site, range, "time|" + range.cacheKey(), f -> withRange(range, f, NO_DAYS, Map.of(), Aggregates.weekdayHour(f, range)));
    }

    Map<String, Object> daily(Site site, ReportRange range, Model model) {
        return cachedWithDays(site, range, "daily|" + range.cacheKey() + "|" + model, (f, days) -> withRange(range, f, days,
                Map.of("model", model.wireName()), Aggregates.daily(f, range, model, seals.rows(site.siteId(), days, DayCube.SOURCES, model))));
    }

    Map<String, Object> paths(Site site, ReportRange range, int limit) {
        return cached(site, range, "paths|" + range.cacheKey() + "|" + limit, f -> withRange(range, f, NO_DAYS, Map.of(), Aggregates.paths(f, range, limit)));
    }

    /** How many pools the site has (on this node's view), which bounds the pool report's buckets. */
    int poolCount(Site site) {
        return pools.ofSite(site.siteId()).size();
    }

    Map<String, Object> pools(Site site, ReportRange range, long bucketMillis) {
        Holder h = holderOf(site.siteId());
        try {
            synchronized (h) {
                Cancellation.checkpoint(); // a request that waited here past its timeout starts nothing
                SiteFacts f = current(h);
                requireHeld(f, range);
                String key = site.siteId() + "|" + f.version() + "|pools|" + range.cacheKey() + "|" + bucketMillis;
                // A computation stopped at a checkpoint throws out of the loader, and the cache then keeps nothing.
                return poolCache.get(key, k -> computePools(site, range, bucketMillis, f));
            }
        } finally {
            enforceBound();
        }
    }

    /** The pool × bucket rows of a pool report (at least 1), the weight it has in the cache. */
    private static int poolRows(Map<String, Object> body) {
        int rows = 1;
        if (body.get("pools") instanceof List<?> list) {
            for (Object pool : list) {
                if (pool instanceof Map<?, ?> m && m.get("buckets") instanceof List<?> buckets) {
                    rows += buckets.size();
                }
            }
        }
        return rows;
    }

    /**
     * Under {@code f}'s monitor, refreshed: the leases come from the facts, the exhaustion counts
     * from the store plus those still counted in memory.
     */
    private Map<String, Object> computePools(Site site, ReportRange range, long bucketMillis, SiteFacts f) {
        long now = nowMillis();
        db.read(c -> {
            f.refreshLeaseEnds(c, now);
            return null;
        });
        long coolDown = site.settings().coolDown().toMillis();
        List<PoolState> states = new ArrayList<>(pools.ofSite(site.siteId()));
        states.sort(Comparator.comparingInt((PoolState s) -> s.pool().priority()).thenComparing(s -> s.pool().poolId()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (PoolState state : states) {
            Cancellation.checkpoint();
            String poolId = state.pool().poolId();
            PoolState.Snapshot snapshot = poolService.snapshot(state);
            List<long[]> stored = db.read(c -> PoolOccupancy.exhaustions(c, site.siteId(), poolId, range.from(), range.to()));
            List<long[]> exhaustions = tally == null ? stored
                    : PoolOccupancy.withUnwritten(stored, tally.unwritten(site.siteId(), poolId, range.from(), range.to()), range.from());
            Map<String, Object> replay = PoolOccupancy.replay(PoolOccupancy.leases(f, poolId, range.from(), range.to(), now), exhaustions,
                    range.from(), Math.min(range.to(), Math.max(range.from() + 1, now)), bucketMillis, coolDown, snapshot.size());
            Map<String, Object> pool = new LinkedHashMap<>();
            pool.put("poolId", poolId);
            pool.put("name", state.pool().name());
            pool.putAll(replay);
            Map<String, Object> current = new LinkedHashMap<>();
            current.put("size", snapshot.size());
            current.put("leased", snapshot.leased());
            current.put("coolingDown", snapshot.coolingDown());
            current.put("free", snapshot.free());
            current.put("exhaustions", snapshot.exhaustions());
            current.put("recommendedSize", poolService.recommendedSize(state));
            pool.put("now", current);
            out.add(pool);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bucketSeconds", bucketMillis / 1000);
        body.put("formula", "recommendedSize = min(leases + exhaustions, ceil(peakConcurrent × (leases + exhaustions) ÷ leases"
                + " × (averageLease + coolDown) ÷ averageLease × 1.2)); null (not enough data) until a lease has ended");
        body.put("pools", out);
        return withRange(range, f, NO_DAYS, Map.of(), body);
    }

    private Map<String, Object> cached(Site site, ReportRange range, String key, Function<SiteFacts, Map<String, Object>> compute) {
        Holder h = holderOf(site.siteId());
        try {
            synchronized (h) {
                Cancellation.checkpoint();
                SiteFacts f = current(h);
                requireHeld(f, range);
                String full = site.siteId() + "|" + f.version() + "|" + key;
                return cache.get(full, k -> compute.apply(f));
            }
        } finally {
            enforceBound();
        }
    }

    /**
     * As {@link #cached}, for the reports that also read sealed days: the days of the range before
     * the facts' {@code heldFrom} that are sealed come with the facts; refused only when neither
     * holds any of the range. The sealed days in the range are part of the key (another node may
     * seal one).
     */
    private Map<String, Object> cachedWithDays(Site site, ReportRange range, String key,
            java.util.function.BiFunction<SiteFacts, DaySeal.Coverage, Map<String, Object>> compute) {
        Holder h = holderOf(site.siteId());
        try {
            synchronized (h) {
                Cancellation.checkpoint();
                SiteFacts f = current(h);
                DaySeal.Coverage days = seals.coverage(site.siteId(), range, f.heldFrom);
                if (!days.any()) {
                    requireHeld(f, range);
                }
                String full = site.siteId() + "|" + f.version() + "|" + days.days().size() + "|" + key;
                return cache.get(full, k -> compute.apply(f, days));
            }
        } finally {
            enforceBound();
        }
    }

    /** What the reports that never read sealed days say about them: the facts alone. */
    private static final DaySeal.Coverage NO_DAYS = new DaySeal.Coverage(List.of(), false);

    /** Refuses a range of which nothing is held: an empty answer would read as "no traffic". */
    private static void requireHeld(SiteFacts f, ReportRange range) {
        if (f.heldFrom != Long.MIN_VALUE && range.to() <= f.heldFrom) {
            throw DomainFailure.invalid("from", "this node holds the site's report facts from " + Instant.ofEpochMilli(f.heldFrom)
                    + " on (the oldest visits are dropped past server.reportMaxVisits and the site's retentionDays); "
                    + "ask for a range that ends after it");
        }
    }

    private Holder holderOf(String siteId) {
        return facts.computeIfAbsent(siteId, id -> new Holder(new SiteFacts(id, dialect)));
    }

    /**
     * Brings {@code f} up to date; call holding its monitor. The refresh re-reads the visits of
     * the last {@link SiteFacts#SLACK_MILLIS} (rows whose commit lagged their time stamp) and so
     * costs the same whether anything changed or not: under a flood of report requests that was
     * most of each request's work and garbage. Where this process is the store's only writer (H2)
     * and none of its write transactions has ended since the last refresh began, nothing new can
     * be there, and the read is skipped — for at most {@link #UNCHANGED_SKIP_NANOS}, a bound for
     * a write made outside the counted paths.
     */
    private void refresh(SiteFacts f) {
        long writes = db.writes();
        long now = System.nanoTime();
        if (singleWriter && f.refreshedAtWrites == writes && now - f.refreshedAtNanos < unchangedSkipNanos) {
            return;
        }
        long at = nowMillis();
        long visitLag = visitLag();
        // Streaming: under a flood of starts a refresh reads tens of thousands of visits, and H2
        // without lazy execution first copied them all into a sorted temporary file (measured: 42 %
        // of the refresh thread's CPU during session starts).
        db.readStreaming(c -> f.refresh(c, at, visitLag));
        f.refreshedAtWrites = writes;
        f.refreshedAtNanos = now;
    }

    /**
     * How long before now a visit not yet visible to a read that begins after this call can be
     * stamped. On several nodes that is the slack. Where this process is the only writer, a visit
     * is stamped just before it is handed to the group-commit writer, so it is the age of the
     * oldest write the writer holds, plus {@link #STAMP_MARGIN_MILLIS} for the moment between stamp
     * and hand-over (and a write handed over after this call is stamped about now or later).
     */
    private long visitLag() {
        if (!singleWriter) {
            return SiteFacts.SLACK_MILLIS;
        }
        long oldest = db.oldestUncommittedSince();
        long age = oldest == Long.MAX_VALUE ? 0 : Math.max(0, System.currentTimeMillis() - oldest);
        return Math.min(SiteFacts.SLACK_MILLIS, age + STAMP_MARGIN_MILLIS);
    }

    /** The site's facts as held now (tests look into them). */
    SiteFacts factsOf(String siteId) {
        return holderOf(siteId).facts;
    }

    /**
     * The range, whether the facts hold all of it ({@code complete}), and from when they hold the
     * site's history ({@code heldFrom}; null when they hold all the store has).
     */
    private static Map<String, Object> withRange(ReportRange range, SiteFacts f, DaySeal.Coverage days, Map<String, Object> extra,
            Map<String, Object> body) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("from", Instant.ofEpochMilli(range.from()));
        out.put("to", Instant.ofEpochMilli(range.to()));
        out.put("timeZone", range.zone().getId());
        out.put("complete", f.heldFrom == Long.MIN_VALUE || range.from() >= f.heldFrom || days.complete());
        out.put("heldFrom", f.heldFrom == Long.MIN_VALUE ? null : Instant.ofEpochMilli(f.heldFrom));
        out.put("sealedDays", days.days().size());
        Map<String, Object> fromAggregates = null;
        if (days.any()) {
            fromAggregates = new LinkedHashMap<>();
            fromAggregates.put("from", Instant.ofEpochMilli(days.days().getFirst().dayStart()));
            fromAggregates.put("to", Instant.ofEpochMilli(days.days().getLast().dayEnd()));
        }
        out.put("fromAggregates", fromAggregates);
        out.putAll(extra);
        out.putAll(body);
        return out;
    }
}
