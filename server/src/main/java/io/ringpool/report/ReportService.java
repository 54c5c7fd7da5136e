package io.ringpool.report;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolService;
import io.ringpool.pool.PoolState;
import io.ringpool.site.Site;
import io.ringpool.store.Database;
import io.ringpool.store.Dialect;
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
 */
public final class ReportService {
    private static final Logger LOG = LoggerFactory.getLogger(ReportService.class);

    /** How stale occupancy may be: lease ends are not tracked by the facts version. */
    static final Duration POOLS_TTL = Duration.ofSeconds(5);

    private final Database db;
    private final PoolRegistry pools;
    private final PoolService poolService;
    private final Clock clock;
    private final Map<String, SiteFacts> facts = new ConcurrentHashMap<>();
    private final Dialect dialect;
    private final Cache<String, Map<String, Object>> cache;
    private final Cache<String, Map<String, Object>> poolCache;

    public ReportService(Database db, PoolRegistry pools, PoolService poolService, Clock clock) {
        this.db = db;
        this.dialect = db.dialect();
        this.pools = pools;
        this.poolService = poolService;
        this.clock = clock;
        // Entries age on the injected clock, like everything else: a test advances it instead of sleeping.
        Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
        this.cache = Caffeine.newBuilder().ticker(ticker).maximumSize(2_000).expireAfterAccess(Duration.ofMinutes(10)).build();
        this.poolCache = Caffeine.newBuilder().ticker(ticker).maximumSize(500).expireAfterWrite(POOLS_TTL).build();
    }

    /** The server's time, for ranges that default to "up to today". */
    public Instant now() {
        return clock.instant();
    }

    private long nowMillis() {
        return clock.millis();
    }

    /** Loads the facts of these sites in the background, so a first report after a restart is fast. */
    public void warmUpInBackground(List<String> siteIds) {
        if (siteIds.isEmpty()) {
            return;
        }
        Thread.ofPlatform().name("ringpool-report-warmup").daemon(true).start(() -> {
            for (String siteId : siteIds) {
                try {
                    long start = System.nanoTime();
                    SiteFacts f = factsOf(siteId);
                    synchronized (f) {
                        db.read(c -> f.refresh(c, nowMillis()));
                        LOG.info("report_facts_loaded site={} visits={} calls={} leads={} millis={}", siteId, f.visits, f.calls, f.leads,
                                (System.nanoTime() - start) / 1_000_000);
                    }
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
        for (String siteId : siteIds) {
            try {
                SiteFacts f = factsOf(siteId);
                synchronized (f) {
                    db.read(c -> f.refresh(c, nowMillis()));
                }
            } catch (RuntimeException e) {
                LOG.warn("report_refresh_failed site={} reason={}", siteId, e.toString());
            }
        }
    }

    Map<String, Object> sources(Site site, ReportRange range, Model model, List<Dimension> groupBy, String sort,
            boolean ascending, int limit) {
        // The contact window is a site setting the facts' version does not follow, so it is part of the key.
        int uniquenessDays = site.settings().uniquenessDays();
        String key = "sources|" + range.cacheKey() + "|" + model + "|" + groupBy + "|" + sort + "|" + ascending + "|" + limit + "|"
                + uniquenessDays;
        return cached(site, key, f -> withRange(range, Map.of("model", model.wireName(), "uniquenessDays", uniquenessDays),
                Aggregates.grouped(f, range, model, groupBy, sort, ascending, limit, uniquenessDays)));
    }

    Map<String, Object> time(Site site, ReportRange range) {
        return cached(site, "time|" + range.cacheKey(), f -> withRange(range, Map.of(), Aggregates.weekdayHour(f, range)));
    }

    Map<String, Object> daily(Site site, ReportRange range, Model model) {
        return cached(site, "daily|" + range.cacheKey() + "|" + model,
                f -> withRange(range, Map.of("model", model.wireName()), Aggregates.daily(f, range, model)));
    }

    Map<String, Object> paths(Site site, ReportRange range, int limit) {
        return cached(site, "paths|" + range.cacheKey() + "|" + limit, f -> withRange(range, Map.of(), Aggregates.paths(f, range, limit)));
    }

    Map<String, Object> pools(Site site, ReportRange range, long bucketMillis) {
        SiteFacts f = factsOf(site.siteId());
        synchronized (f) {
            db.read(c -> f.refresh(c, nowMillis()));
            String key = site.siteId() + "|" + f.version() + "|pools|" + range.cacheKey() + "|" + bucketMillis;
            return poolCache.get(key, k -> computePools(site, range, bucketMillis, f));
        }
    }

    /** Under {@code f}'s monitor, refreshed: the leases come from the facts, the exhaustion counts from the store. */
    private Map<String, Object> computePools(Site site, ReportRange range, long bucketMillis, SiteFacts f) {
        long now = nowMillis();
        long coolDown = site.settings().coolDown().toMillis();
        List<PoolState> states = new ArrayList<>(pools.ofSite(site.siteId()));
        states.sort(Comparator.comparingInt((PoolState s) -> s.pool().priority()).thenComparing(s -> s.pool().poolId()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (PoolState state : states) {
            String poolId = state.pool().poolId();
            PoolState.Snapshot snapshot = poolService.snapshot(state);
            List<long[]> exhaustions = db.read(c -> PoolOccupancy.exhaustions(c, site.siteId(), poolId, range.from(), range.to()));
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
        body.put("formula", "recommendedSize = ceil(peakConcurrent × (leases + exhaustions) ÷ leases × (averageLease + coolDown) ÷ averageLease × 1.2);"
                + " null (not enough data) until a lease has ended");
        body.put("pools", out);
        return withRange(range, Map.of(), body);
    }

    private Map<String, Object> cached(Site site, String key, Function<SiteFacts, Map<String, Object>> compute) {
        SiteFacts f = factsOf(site.siteId());
        synchronized (f) {
            db.read(c -> f.refresh(c, nowMillis()));
            String full = site.siteId() + "|" + f.version() + "|" + key;
            return cache.get(full, k -> compute.apply(f));
        }
    }

    private SiteFacts factsOf(String siteId) {
        return facts.computeIfAbsent(siteId, id -> new SiteFacts(id, dialect));
    }

    private static Map<String, Object> withRange(ReportRange range, Map<String, Object> extra, Map<String, Object> body) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("from", Instant.ofEpochMilli(range.from()));
        out.put("to", Instant.ofEpochMilli(range.to()));
        out.put("timeZone", range.zone().getId());
        out.putAll(extra);
        out.putAll(body);
        return out;
    }
}
