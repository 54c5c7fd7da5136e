package io.ringpool.app;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import io.ringpool.pool.Leasing;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolService;
import io.ringpool.pool.PoolStore;
import io.ringpool.session.SessionService;
import io.ringpool.site.NewSite;
import io.ringpool.site.SecretCipher;
import io.ringpool.site.SiteAccess;
import io.ringpool.site.SiteChanges;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.SiteService;
import io.ringpool.site.SiteStore;
import io.ringpool.store.Database;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.Migrator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * The domain services wired as the composition root wires them, on a real H2 file store in a
 * temporary directory, with a clock the test moves, and no HTTP at all. {@link #restart} builds
 * fresh services on the same store, as a restarted server would.
 */
public final class TestDomain implements AutoCloseable {
    public static final String ADMIN_KEY = "admin-key-for-domain-tests";
    private static final String SECRET_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    public final AdjustableClock clock;
    private final Path dir;
    private Database db;
    private GroupCommitWriter writer;
    public SiteRegistry siteRegistry;
    public SiteService sites;
    public SiteAccess access;
    public PoolRegistry poolRegistry;
    public PoolService pools;
    public SessionService sessions;
    /** The current services' meters (replaced by {@link #restart()}). */
    public SimpleMeterRegistry registry;

    public TestDomain(Path dir) {
        this.dir = dir;
        this.clock = new AdjustableClock(Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC));
        open();
    }

    private void open() {
        var config = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString()));
        registry = new SimpleMeterRegistry();
        db = new Database(config.store(), registry);
        new Migrator(db).migrate();
        writer = new GroupCommitWriter(db, 1_000, 100, registry);
        siteRegistry = new SiteRegistry();
        sites = new SiteService(new SiteStore(db), siteRegistry, new SecretCipher(SECRET_KEY), clock);
        access = new SiteAccess(siteRegistry, ADMIN_KEY);
        poolRegistry = new PoolRegistry();
        pools = new PoolService(new PoolStore(db), poolRegistry, siteRegistry, clock, registry);
        sessions = new SessionService(siteRegistry, poolRegistry, new Leasing(poolRegistry, writer, registry), writer, db, clock,
                0, registry);
        sites.loadAll();
        sessions.restore(pools.loadAll());
    }

    /** The store of the current services. */
    public Database db() {
        return db;
    }

    /** The group-commit writer of the current services. */
    public GroupCommitWriter writer() {
        return writer;
    }

    /** Closes the services and opens new ones on the same store. */
    public void restart() {
        closeStore();
        open();
    }

    /** Settings for a shop on example.com whose default number is +74951234567. */
    public static SiteChanges shop() {
        return new SiteChanges("Shop", null, null, null, null, null, null, null, null, null, null,
                List.of("example.com"), "+74951234567", null, "Europe/Moscow", "RUB", null);
    }

    public SiteService.CreatedSite createShop() {
        return sites.create(new NewSite(shop()));
    }

    private void closeStore() {
        writer.close();
        db.close();
    }

    @Override
    public void close() {
        closeStore();
    }
}
