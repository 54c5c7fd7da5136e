package io.ringpool.call;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import io.ringpool.pool.Pool;
import io.ringpool.pool.PoolMatch;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolService;
import io.ringpool.pool.PoolState;
import io.ringpool.pool.PoolStore;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import io.ringpool.store.Database;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.Migrator;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The call services without HTTP: a real H2 file store in a temporary directory, the real
 * group-commit writer and {@link CallService}, one Moscow site with one pool, a clock the test
 * moves. Visits are put in as the session store records them (one {@code sessions} row each).
 */
public final class CallStoreFixture implements AutoCloseable {
    public static final String PROVIDER = "test";
    public static final String POOL_ID = "pl_main";

    public final FakeClock clock = new FakeClock(Instant.parse("2026-11-26T09:00:00Z"));
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final Database db;
    public final GroupCommitWriter writer;
    public final PoolRegistry pools = new PoolRegistry();
    public final PoolService poolService;
    public final CallService calls;
    public final Site site;
    public final List<String> numbers;

    public CallStoreFixture(Path dir, String siteId, List<String> numbers) {
        this.numbers = numbers;
        db = new Database(ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString())).store(), registry);
        new Migrator(db).migrate();
        writer = new GroupCommitWriter(db, 1_000, 64, registry);
        site = TestSites.moscow(siteId);
        db.inTransaction(c -> c.createStatement().executeUpdate("INSERT INTO sites(site_id, name, public_key, api_key_hash, "
                + "webhook_secret_enc, settings_json, created_at) VALUES ('" + siteId + "', 'Shop', 'pk', 'h', 'e', '{}', 0)"));
        PoolState pool = new PoolState(new Pool(POOL_ID, siteId, "main", 0, PoolMatch.ANY, clock.instant()));
        numbers.forEach(n -> pool.addNumber(n, 0, null, false));
        pools.add(pool);
        poolService = new PoolService(new PoolStore(db), pools, new SiteRegistry(), clock, registry);
        calls = new CallService(db, writer, pools, poolService, clock, registry);
    }

    /** One event of the test provider. */
    public static CallEvent event(String providerCallId, CallEvent.Kind kind, String from, String to, Instant at, Integer talkSeconds) {
        return new CallEvent(PROVIDER, providerCallId, kind, at, from, to, talkSeconds == null ? null : talkSeconds + 5, talkSeconds, null);
    }

    /**
     * A completed call of {@code talkSeconds} (0: missed) from {@code caller} to {@code number} at
     * {@code at}, reported as it happened: received at {@code at} when that is after the clock's
     * now (tests lay out a day ahead of the fixed clock; an event is never received before it
     * happens, and one dated ahead of its receipt is not kept at its own time: CallEventTimes).
     */
    public StoredCall call(String providerCallId, String caller, String number, Instant at, int talkSeconds) {
        CallEvent.Kind kind = talkSeconds > 0 ? CallEvent.Kind.COMPLETED : CallEvent.Kind.MISSED;
        Instant received = at.isAfter(clock.instant()) ? at : clock.instant();
        return calls.ingest(site, event(providerCallId, kind, caller, number, at, talkSeconds > 0 ? talkSeconds : null), true, received)
                .call();
    }

    /**
     * A visit that leased {@code number} from {@code start} until {@code end} (null: still live),
     * as the session store records it.
     */
    public void visit(String sessionId, String visitorId, String number, Instant start, Instant end, String source, String medium,
            String channel, String gclid) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions(session_id, site_id, visitor_id, pool_id, number, "
                    + "live_number, tracked, reused_cooling, started_at, lease_expires_at, ended_at, landing_page, source, medium, "
                    + "channel, click_ids_json, device_type, browser, os, pageviews) "
                    + "VALUES (?,?,?,?,?,?,TRUE,FALSE,?,?,?,?,?,?,?,?,'desktop','Chrome','Windows',1)")) {
                ps.setString(1, sessionId);
                ps.setString(2, site.siteId());
                ps.setString(3, visitorId);
                ps.setString(4, number == null ? null : POOL_ID);
                ps.setString(5, number);
                ps.setString(6, end == null ? number : null);
                ps.setLong(7, start.toEpochMilli());
                ps.setObject(8, number == null ? null : (end == null ? start.plusSeconds(180) : end).toEpochMilli());
                ps.setObject(9, end == null ? null : end.toEpochMilli());
                ps.setString(10, "https://example.com/" + (gclid == null ? "" : "?gclid=" + gclid));
                ps.setString(11, source);
                ps.setString(12, medium);
                ps.setString(13, channel);
                ps.setString(14, gclid == null ? null : "{\"gclid\":\"" + gclid + "\"}");
                return ps.executeUpdate();
            }
        });
    }

    /** A counter's count, 0 when it was never registered. */
    public double count(String name, String... tags) {
        Counter counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        writer.close();
        db.close();
    }
}
