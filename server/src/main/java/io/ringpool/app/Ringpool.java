package io.ringpool.app;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ringpool.call.CallApi;
import io.ringpool.call.CallService;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.dashboard.DashboardApi;
import io.ringpool.export.ExportApi;
import io.ringpool.export.ExportService;
import io.ringpool.lead.LeadApi;
import io.ringpool.lead.LeadService;
import io.ringpool.pool.Leasing;
import io.ringpool.pool.PoolApi;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolService;
import io.ringpool.pool.PoolStore;
import io.ringpool.report.ReportApi;
import io.ringpool.report.ReportService;
import io.ringpool.session.SessionApi;
import io.ringpool.session.SessionService;
import io.ringpool.site.SecretCipher;
import io.ringpool.site.SiteAccess;
import io.ringpool.site.SiteApi;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.SiteService;
import io.ringpool.site.SiteStore;
import io.ringpool.store.Database;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.Migrator;
import io.ringpool.telephony.ProviderCatalog;
import io.ringpool.telephony.TelephonyApi;
import io.ringpool.telephony.asterisk.AsteriskConnections;
import io.ringpool.telephony.provider.ProviderSettingsService;
import io.ringpool.telephony.provider.Providers;
import io.ringpool.telephony.provider.ProvidersApi;
import io.ringpool.telephony.provider.WebhookLog;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every component by constructor, in dependency order, declares the
 * routes, and owns start and stop. Tests start the very same object on port 0.
 */
public final class Ringpool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ringpool.class);

    private final RingpoolConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Clock clock;
    private Database db;
    private GroupCommitWriter writer;
    private ThreadPoolExecutor workers;
    private ScheduledExecutorService sweeper;
    private ScheduledExecutorService reportRefresher;
    private RingpoolApi http;
    private SessionService sessions;
    private CallService calls;
    private LeadService leads;
    private SiteRegistry sites;
    private AsteriskConnections asterisk;
    private String adminKey;
    private int port;

    public Ringpool(RingpoolConfig config, Clock clock) {
        this.config = config;
        this.clock = config.leasing().testClock() && !(clock instanceof AdjustableClock) ? new AdjustableClock(clock) : clock;
    }

    public static Ringpool start(RingpoolConfig config) {
        Ringpool app = new Ringpool(config, Clock.systemUTC());
        try {
            app.start();
        } catch (RuntimeException | InterruptedException e) {
            app.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
        return app;
    }

    public void start() throws InterruptedException {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        RingpoolConfig.Store storeConfig = config.store();
        adminKey = KeyFiles.resolve(config.security().adminKey(), storeConfig.dataDir(), "admin.key", false);
        String secretKey = KeyFiles.resolve(config.security().secretKey(), storeConfig.dataDir(), "secret.key", true);

        db = new Database(storeConfig, registry);
        new Migrator(db).migrate();
        writer = new GroupCommitWriter(db.dataSource(), storeConfig.writerQueueMax(), storeConfig.writerBatchMax(), registry);

        SiteRegistry siteRegistry = new SiteRegistry();
        sites = siteRegistry;
        SecretCipher cipher = new SecretCipher(secretKey);
        SiteService siteService = new SiteService(new SiteStore(db), siteRegistry, cipher, clock);
        SiteAccess access = new SiteAccess(siteRegistry, adminKey);
        PoolRegistry poolRegistry = new PoolRegistry();
        PoolStore poolStore = new PoolStore(db);
        PoolService poolService = new PoolService(poolStore, poolRegistry, siteRegistry, clock, registry);
        Leasing leasing = new Leasing(poolRegistry, writer, registry);
        sessions = new SessionService(siteRegistry, poolRegistry, leasing, writer, db, clock,
                config.leasing().sessionsPerIpPerMinute(), registry);

        siteService.loadAll();
        Providers providers = ProviderCatalog.standard();
        ProviderSettingsService providerSettings = new ProviderSettingsService(providers, db, cipher, clock);
        providerSettings.loadAll();
        sessions.restore(poolService.loadAll());
        if (config.demo().enabled() && siteRegistry.isEmpty()) {
            DemoSeeder.seed(config.demo().file(), siteService, poolService);
        }

        calls = new CallService(db, writer, poolRegistry, poolService, clock, registry);
        leads = new LeadService(siteRegistry, db, writer, clock, config.leads().perIpPerMinute(), calls::eraseCaller,
                registry);
        asterisk = new AsteriskConnections(providerSettings, siteRegistry, calls, clock, registry, AsteriskConnections.DEFAULT_INITIAL_BACKOFF);
        ProvidersApi providersApi = new ProvidersApi(providers, providerSettings, siteRegistry, access, calls, new WebhookLog(),
                config.server().publicUrl(), clock, registry);
        ReportService reports = new ReportService(db, poolRegistry, poolService, clock);
        // The route table, in the order requests are matched (RingpoolApi adds /s.js first).
        http = new RingpoolApi();
        http.add(new OpsApi(db, registry, sessions::liveSessions, asterisk::states)::routes);
        http.add(new SiteApi(siteService, access, List.of(providersApi))::routes);
        http.add(new PoolApi(poolService, poolRegistry, access)::routes);
        http.add(new SessionApi(sessions)::routes);
        http.add(new CallApi(calls, access, leads::leadsBefore)::routes);
        http.add(new LeadApi(leads, access)::routes);
        http.add(new TelephonyApi(siteRegistry, calls, config.server().publicUrl(), clock, registry)::routes);
        http.add(providersApi::routes);
        http.add(new ReportApi(reports, access)::routes);
        http.add(new ExportApi(new ExportService(db), access, clock)::routes);
        http.add(new DashboardApi(siteRegistry)::routes);
        if (clock instanceof AdjustableClock adjustable) {
            http.add(new TestClockApi(adjustable, access, sessions::sweep)::routes);
        }
        reports.warmUpInBackground(siteRegistry.all().stream().map(e -> e.site().siteId()).toList());
        // Its own thread: a refresh after a burst of traffic may take seconds and must not delay the sweeper.
        reportRefresher = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("ringpool-report-refresh").daemon(true).unstarted(r));
        reportRefresher.scheduleWithFixedDelay(() -> reports.refreshAll(siteRegistry.all().stream().map(e -> e.site().siteId()).toList()),
                5, 5, TimeUnit.SECONDS);

        sweeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("ringpool-sweeper").daemon(true).unstarted(r));
        long interval = config.leasing().sweepInterval().toMillis();
        sweeper.scheduleWithFixedDelay(this::sweepQuietly, interval, interval, TimeUnit.MILLISECONDS);
        sweeper.scheduleWithFixedDelay(db::refreshStatistics, 2, 10, TimeUnit.SECONDS);
        sweeper.scheduleWithFixedDelay(this::purgeExpiredCallersQuietly, 1, 60, TimeUnit.MINUTES);

        RingpoolConfig.Server server = config.server();
        AtomicInteger workerNumber = new AtomicInteger();
        workers = new ThreadPoolExecutor(server.workerThreads(), server.workerThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(server.workerQueue()),
                r -> Thread.ofPlatform().name("ringpool-worker-" + workerNumber.incrementAndGet()).daemon(true).unstarted(r),
                new ThreadPoolExecutor.AbortPolicy());
        registry.gauge("ringpool.http.worker.queue", workers, w -> w.getQueue().size());
        asterisk.start();
        port = http.start(server, siteRegistry::isAnySitesOrigin, workers, registry);
        LOG.info("listening port={} store={} script_gzip_bytes={}", port, db.isH2() ? "h2" : "postgresql", http.scriptGzippedSize());
    }

    /** Applies every site's retention to callers' numbers and leads' personal data (hourly). */
    public void purgeExpiredCallers() {
        for (SiteRegistry.Entry e : sites.all()) {
            calls.purgeExpiredCallers(e.site());
            leads.purgeExpired(e.site());
        }
    }

    private void purgeExpiredCallersQuietly() {
        try {
            purgeExpiredCallers();
        } catch (RuntimeException e) {
            LOG.warn("retention_purge_failed reason={}", e.toString());
        }
    }

    private void sweepQuietly() {
        try {
            sessions.sweep();
        } catch (RuntimeException e) {
            LOG.warn("sweep_failed reason={}", e.toString());
        }
    }

    public int port() {
        return port;
    }

    public String adminKey() {
        return adminKey;
    }

    public Clock clock() {
        return clock;
    }

    public SessionService sessions() {
        return sessions;
    }

    /** The HTTP side: its route table, for tests that hold the API reference to the router. */
    public RingpoolApi api() {
        return http;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        if (asterisk != null) {
            asterisk.close();
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (reportRefresher != null) {
            reportRefresher.shutdownNow();
        }
        if (workers != null) {
            workers.shutdown();
            try {
                workers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (writer != null) {
            writer.close();
        }
        if (db != null) {
            db.close();
        }
    }
}
