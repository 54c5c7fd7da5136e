package io.ringpool.app;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ringpool.account.AccessApi;
import io.ringpool.account.AuditLog;
import io.ringpool.account.Authoriser;
import io.ringpool.account.PasswordHasher;
import io.ringpool.account.SignIn;
import io.ringpool.account.SignInApi;
import io.ringpool.account.UserStore;
import io.ringpool.account.WorkspaceApi;
import io.ringpool.account.WorkspaceStore;
import io.ringpool.account.Workspaces;
import io.ringpool.backup.BackupApi;
import io.ringpool.backup.StoreBackup;
import io.ringpool.call.CallApi;
import io.ringpool.cluster.ChangeCatchUp;
import io.ringpool.cluster.ChangeFollower;
import io.ringpool.cluster.ChangeNotifications;
import io.ringpool.cluster.ClusterMembership;
import io.ringpool.cluster.ClusterSecretKey;
import io.ringpool.cluster.ConnectionHeadroom;
import io.ringpool.cluster.UpgradeGate;
import io.ringpool.session.LeaseRenewals;
import io.ringpool.store.ChangeLog;
import io.ringpool.call.CallEventTimes;
import io.ringpool.call.CallService;
import io.ringpool.call.ClassificationSettings;
import io.ringpool.call.ClassificationStamps;
import io.ringpool.call.ContactLeads;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.dashboard.DashboardApi;
import io.ringpool.dashboard.DemoPage;
import io.ringpool.export.ExportApi;
import io.ringpool.export.ExportService;
import io.ringpool.failure.DomainFailure;
import io.ringpool.journal.CallJournal;
import io.ringpool.feed.FeedApi;
import io.ringpool.feed.FeedService;
import io.ringpool.outbound.AddressPolicy;
import io.ringpool.outbound.OutboundHttp;
import io.ringpool.outbox.CallEvents;
import io.ringpool.outbox.LeadEvents;
import io.ringpool.outbox.Outbox;
import io.ringpool.upload.DestinationApi;
import io.ringpool.upload.DestinationService;
import io.ringpool.upload.DestinationTarget;
import io.ringpool.webhook.WebhookApi;
import io.ringpool.webhook.WebhookService;
import io.ringpool.webhook.WebhookTarget;
import io.ringpool.lead.LeadApi;
import io.ringpool.lead.LeadService;
import io.ringpool.pool.ExhaustionTally;
import io.ringpool.pool.Leasing;
import io.ringpool.pool.PoolApi;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolService;
import io.ringpool.pool.PoolStore;
import io.ringpool.recording.RecordingApi;
import io.ringpool.recording.RecordingService;
import io.ringpool.report.DaySeal;
import io.ringpool.report.FactsBound;
import io.ringpool.report.ReportApi;
import io.ringpool.report.ReportService;
import io.ringpool.session.SessionApi;
import io.ringpool.security.ScriptLimits;
import io.ringpool.security.TrustedProxies;
import io.ringpool.session.SessionCaps;
import io.ringpool.session.SessionService;
import io.ringpool.session.VisitRetention;
import io.ringpool.site.KeyRotation;
import io.ringpool.site.KeysApi;
import java.util.EnumMap;
import java.util.Map;
import io.ringpool.site.Keys;
import io.ringpool.site.SecretCipher;
import io.ringpool.site.SiteAccess;
import io.ringpool.site.SiteApi;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.SiteService;
import io.ringpool.site.SiteStore;
import io.ringpool.store.Database;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.Migrator;
import io.ringpool.store.StoreException;
import io.ringpool.store.StoreProbe;
import io.ringpool.telephony.GenericEvent;
import io.ringpool.telephony.ProviderCatalog;
import io.ringpool.telephony.TwilioForm;
import io.ringpool.telephony.TelephonyApi;
import io.ringpool.telephony.asterisk.AsteriskConnections;
import io.ringpool.telephony.provider.CallRecording;
import io.ringpool.telephony.provider.ProviderSettingsService;
import io.ringpool.telephony.provider.Providers;
import io.ringpool.telephony.provider.ProvidersApi;
import io.ringpool.telephony.provider.WebhookLog;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
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
 *
 * <p>The start, in this order, and why each step is where it is (keep the order when adding a step):
 * <ol>
 * <li>The JVM's meters, then the executors (HTTP workers, report workers) with their queue gauges:
 *     the HTTP server is bound with them, and the metrics' registration order is what /metrics shows.</li>
 * <li>The port is bound before anything is written: a start on a port in use must leave a new data
 *     directory uncreated, unmigrated and unseeded (issue 10, item 9). Connections wait in the
 *     kernel's backlog until every route is declared (step 13).</li>
 * <li>The demo file is read before the data directory and the store are touched (audit R #3): a
 *     broken file refuses the start with nothing created.</li>
 * <li>The store: the data directory's lock (a second server on the directory is refused before it
 *     touches anything), a store held by another directory refused, the directory made owner-only,
 *     the GC log (only the holder owns it), H2's files created owner-only before H2 creates them
 *     with the umask, the admin key; then the database, and on PostgreSQL the node id and the
 *     upgrade gate before the migration (a migration must not change the schema under running
 *     nodes of an older version); the store probe; the secret key (on PostgreSQL agreed through the
 *     migrated store); the group-commit writer, which every hot-path write below goes through.</li>
 * <li>Sites, keys, pools and leasing; the sites and rotated keys are loaded (decrypted) here, so a
 *     store restored without its secret.key is refused, and the key this start generated removed
 *     (audit AC3 #4), before anything is written with the wrong key.</li>
 * <li>Cluster membership's first beat, then the session service (its renewals ask the membership).</li>
 * <li>Providers and outbound HTTP; on PostgreSQL the change follower starts before the loading
 *     below (a change made meanwhile is applied again, harmlessly), with its own executor.</li>
 * <li>Provider settings, pools and the live sessions are loaded from the store.</li>
 * <li>The demo site is seeded, only into an empty store (after the loading: it must know whether
 *     the store is empty), and its keys written to demo-keys.env.</li>
 * <li>Outbox, recordings, calls, leads, accounts, reports and their meters, in dependency order.</li>
 * <li>The call journal starts after the call service (its sink ingests into it) and replays what a
 *     stop or a store outage left; Asterisk connections go through it; the call lane's threads.</li>
 * <li>The routes, in the order requests are matched.</li>
 * <li>Background work, once everything it touches exists: report preload and refresher, the
 *     outbox (or paused: a restored copy must not send the live server's deliveries again, audit
 *     P #6), the resumption of interrupted reclassifications, the sweeper's jobs, recordings, and
 *     on PostgreSQL the cluster's beats, reclaim, schema check, change poll and headroom check.</li>
 * <li>Last, Asterisk connects and the HTTP server opens: requests are answered only once every
 *     route and service is in place; then the {@code listening} line. Only a server that said it
 *     was listening says {@code stopped} (audit R #4).</li>
 * </ol>
 * {@link #close()} stops in the reverse dependency order (its comments say why), and works on a
 * start that failed half way: it closes only what was opened.
 */
public final class Ringpool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ringpool.class);

    /** Threads answering store-free webhooks; each answer is a map lookup and one fsync. */
    private static final int CALL_LANE_THREADS = 4;

    private final RingpoolConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Clock clock;
    private final UnaryOperator<DataSource> storeBoundary;
    private Database db;
    /** The store's state for /health, kept off the requests' path. */
    private StoreProbe storeProbe;
    private GroupCommitWriter writer;
    private ThreadPoolExecutor workers;
    private ScheduledExecutorService sweeper;
    private ScheduledExecutorService reportRefresher;
    private ReportService reports;
    /** How often the report facts are written to disk: what a restart after a crash re-reads from the store at most. */
    static final long REPORT_SNAPSHOT_MINUTES = 10;
    /** How often a node on PostgreSQL compares the server's free connection slots with what it may still open. */
    static final long HEADROOM_CHECK_SECONDS = 30;
    private Leasing leasing;
    private ScheduledExecutorService cluster;
    private ClusterMembership membership;
    private ChangeNotifications changeNotifications;
    private RingpoolApi http;
    private CallJournal journal;
    private PoolService poolService;
    private ThreadPoolExecutor callLane;
    private DataDirLock dataDirLock;
    private boolean closed;
    private SessionService sessions;
    private CallService calls;
    private Outbox outbox;
    private LeadService leads;
    private RecordingService recordings;
    private SiteRegistry sites;
    private VisitRetention visitRetention;
    private ThreadPoolExecutor reportWorkers;
    private AsteriskConnections asterisk;
    private String adminKey;
    private boolean adminKeyGenerated;
    private volatile boolean stoppedUnderNewerSchema;
    private volatile Runnable selfStop = () -> { };
    /** The secret.key this start generated, removed again if the store turns out to need another (audit AC3 #4). */
    private Path generatedSecretKey;
    private java.nio.file.Path demoKeysFile;
    private int port;
    /** Set with the {@code listening} line: only a server that announced itself announces its stop. */
    private volatile boolean listening;

    public Ringpool(RingpoolConfig config, Clock clock) {
        this(config, clock, UnaryOperator.identity());
    }

    /** @param storeBoundary wraps the store's DataSource (tests: a store that can be made to fail) */
    public Ringpool(RingpoolConfig config, Clock clock, UnaryOperator<DataSource> storeBoundary) {
        this.storeBoundary = storeBoundary;
        this.config = config;
        // The store keeps milliseconds: a time answered at creation (a site's createdAt) must be
        // the one every later read and a restart give, so the server's clock ticks in milliseconds.
        Clock millis = clock instanceof AdjustableClock ? clock : Clock.tick(clock, java.time.Duration.ofMillis(1));
        this.clock = config.leasing().testClock() && !(clock instanceof AdjustableClock) ? new AdjustableClock(millis) : millis;
        if (this.clock instanceof AdjustableClock adjustable && config.leasing().testClockStart() != null
                && config.leasing().testClockStart().isAfter(adjustable.instant())) {
            adjustable.advance(java.time.Duration.between(adjustable.instant(), config.leasing().testClockStart()));
        }
    }

    public static Ringpool start(RingpoolConfig config) {
        Ringpool app = new Ringpool(config, Clock.systemUTC());
        app.startOrClose();
        return app;
    }

    /**
     * {@link #start()}, and on any failure {@link #close()} before rethrowing: a failed start must
     * not leave threads behind that keep the process alive.
     *
     * @throws StartupFailure for causes the operator fixes (port in use, data directory held)
     */
    public void startOrClose() {
        try {
            start();
        } catch (StartupFailure e) {
            close();
            throw e;
        } catch (Exception e) {
            // Netty rethrows checked exceptions undeclared: without this catch-all a failed start
            // left its threads running and the process never exited.
            close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
        }
    }

    public void start() throws InterruptedException {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        // The port first, before anything is written: a start on a port in use must leave a new
        // data directory uncreated, unmigrated and unseeded (issue 10, item 9). Connections wait
        // in the kernel's backlog until every route is declared.
        RingpoolConfig.Server server = config.server();
        if (config.demo().enabled()) {
            // The demo is for trying things on this machine: reachable from elsewhere only if the operator says so.
            server = server.withHost(config.demo().host());
            LOG.info("demo_on bind={}", config.demo().host());
        }
        AtomicInteger workerNumber = new AtomicInteger();
        workers = new ThreadPoolExecutor(server.workerThreads(), server.workerThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(server.workerQueue()),
                r -> Thread.ofPlatform().name("ringpool-worker-" + workerNumber.incrementAndGet()).daemon(true).unstarted(r),
                new ThreadPoolExecutor.AbortPolicy());
        registry.gauge("ringpool.http.worker.queue", workers, w -> w.getQueue().size());
        AtomicInteger reportNumber = new AtomicInteger();
        // Half the cores by default: reports are CPU work, and the visitors need a core of their own.
        int reportThreads = server.reportThreads() > 0 ? server.reportThreads()
                : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        reportWorkers = new ThreadPoolExecutor(reportThreads, reportThreads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(server.reportQueue()),
                r -> Thread.ofPlatform().name("ringpool-report-" + reportNumber.incrementAndGet()).daemon(true).unstarted(r),
                new ThreadPoolExecutor.AbortPolicy());
        registry.gauge("ringpool.http.report.queue", reportWorkers, w -> w.getQueue().size());
        TrustedProxies proxies = TrustedProxies.parse(server.trustedProxies());
        SiteRegistry siteRegistry = new SiteRegistry();
        sites = siteRegistry;
        http = new RingpoolApi();
        port = http.bind(server, siteRegistry::isAnySitesOrigin, workers, registry, proxies, config.security(), clock, reportWorkers);

        String publicUrl = server.publicUrlAt(port);
        // Not configured: the URL above is a guess, and providers that sign the URL are checked against the request's Host too.
        boolean publicUrlGuessed = server.publicUrl().isEmpty();
        RingpoolConfig.Store storeConfig = config.store();
        // The demo file is checked before the data directory and the store are touched (audit R #3).
        DemoSeeder.DemoSite demoSite = config.demo().enabled() ? DemoSeeder.read(config.demo().file()) : null;
        dataDirLock = DataDirLock.acquire(storeConfig.dataDir(), port);
        DataDirLock.refuseStoreHeldElsewhere(storeConfig.url(), storeConfig.dataDir());
        KeyFiles.prepareDataDir(storeConfig.dataDir());
        io.ringpool.launch.GcLog.startIfAsked(storeConfig.dataDir()); // only the process that holds the directory owns its gc.log
        if (storeConfig.url().equals(io.ringpool.config.ConfigLoader.defaultH2Url(storeConfig.dataDir()))) {
            // H2 creates its file with the process umask (often 0644); an empty file it finds is a new store.
            KeyFiles.createOwnerOnly(storeConfig.dataDir().resolve("ringpool.mv.db"));
            // H2 appends to the trace file it finds; it makes a new one (process umask) only when the
            // trace passes 16 MB and rotates, inside the 0700 directory.
            KeyFiles.createOwnerOnly(storeConfig.dataDir().resolve("ringpool.trace.db"));
        }
        adminKeyGenerated = config.security().adminKey().isEmpty()
                && !java.nio.file.Files.exists(storeConfig.dataDir().resolve("admin.key"));
        adminKey = KeyFiles.resolve(config.security().adminKey(), storeConfig.dataDir(), "admin.key", false);

        db = new Database(storeConfig, registry, storeBoundary);
        // Several nodes may share a PostgreSQL store; an H2 file serves one node, which needs no id.
        RingpoolConfig.Cluster clusterConfig = config.cluster();
        String nodeId = db.isH2() ? null : KeyFiles.resolveNodeId(clusterConfig.nodeId(), storeConfig.dataDir());
        if (nodeId != null) {
            try {
                UpgradeGate.awaitOtherNodesStopped(db, nodeId, clusterConfig.nodeBeat().toMillis());
            } catch (UpgradeGate.NodesStillRunning e) {
                throw new StartupFailure(e.getMessage(), 2);
            }
        }
        try {
            new Migrator(db).migrate();
        } catch (Migrator.SchemaTooNew e) {
            throw new StartupFailure(e.getMessage(), 2);
        }
        storeProbe = StoreProbe.start(db);
        db.failFastWhile(storeProbe::lastProbeFailed);
        String secretKey = secretKey(config.security().secretKey(), storeConfig.dataDir());
        writer = new GroupCommitWriter(db, storeConfig.writerQueueMax(), storeConfig.writerBatchMax(), registry,
                storeConfig.syncCommits() && db.isH2() ? "CHECKPOINT SYNC" : null);


        SecretCipher cipher = new SecretCipher(secretKey);
        SiteService siteService = new SiteService(new SiteStore(db), siteRegistry, cipher, clock,
                (siteId, number) -> this.poolService.isTrackingNumber(siteId, number), this::reclassify);
        SiteAccess access = new SiteAccess(siteRegistry, adminKey, clock);
        KeyRotation keyRotation = new KeyRotation(db, siteRegistry, cipher, clock);
        PoolRegistry poolRegistry = new PoolRegistry();
        PoolStore poolStore = new PoolStore(db);
        PoolService poolService = new PoolService(poolStore, poolRegistry, siteRegistry, clock, registry);
        this.poolService = poolService;
        if (nodeId != null) {
            poolService.countOccupancyFromStore();
        }
        ExhaustionTally exhaustionTally = new ExhaustionTally();
        leasing = new Leasing(poolRegistry, writer, registry, exhaustionTally, config.leasing().addressCapPercent());
        try {
            siteService.loadAll();
            keyRotation.loadAll();
        } catch (SecretCipher.WrongKey e) {
            forgetGeneratedSecretKey();
            throw new StartupFailure(generatedSecretKey == null ? e.getMessage()
                    : "cannot decrypt a stored secret: there was no " + generatedSecretKey + " and security.secretKey "
                            + "(RINGPOOL_SECRET_KEY) is not set; put the secret.key this store was created with there "
                            + "(a restored store needs its key); none was generated", 2);
        }
        if (nodeId != null) {
            membership = new ClusterMembership(db, nodeId, clusterConfig.nodeBeat().toMillis(),
                    () -> siteRegistry.all().stream().mapToLong(e -> e.site().settings().leaseTtl().toMillis()).max().orElse(0),
                    registry);
            membership.beat(clock.millis());
        }
        ClusterMembership members = membership;
        sessions = new SessionService(siteRegistry, poolRegistry, leasing, writer, db, clock, scriptLimits(), sessionCaps(),
                config.leasing().maxLiveSessions(), registry,
                new LeaseRenewals(writer, config.leasing().renewalFlush().toMillis()), nodeId,
                members == null ? () -> true : members::mayRenew, workers);

        RingpoolConfig.Outbound outboundConfig = config.outbound();
        AddressPolicy addressPolicy = new AddressPolicy(outboundConfig.allow());
        Providers providers = ProviderCatalog.standard(addressPolicy);
        ProviderSettingsService providerSettings = new ProviderSettingsService(providers, db, cipher, clock);
        OutboundHttp outboundHttp = new OutboundHttp(addressPolicy, outboundConfig.timeout());
        DestinationTarget destinationTarget = new DestinationTarget(db, outboundHttp, cipher, siteRegistry, clock);
        // Webhooks and feeds are read from the store on every use, so their changes need no reload
        // here; a destination leaves a per-node batch-size cache to drop.
        ChangeFollower changes = nodeId == null ? null : new ChangeFollower(db, Map.of(
                ChangeLog.SITE, (siteId, ref) -> {
                    siteService.reload(siteId, keyRotation.previousOf(siteId));
                    // The recording settings are the site's too (PATCH /v1/sites), and voice webhooks read them from memory.
                    if (recordings != null) {
                        recordings.settings(siteId);
                    }
                },
                ChangeLog.POOL, poolService::reload,
                ChangeLog.STATIC_NUMBERS, (siteId, ref) -> poolService.reloadStatic(siteId),
                ChangeLog.PROVIDERS, (siteId, ref) -> providerSettings.reload(siteId),
                ChangeLog.WEBHOOK, (siteId, ref) -> { },
                ChangeLog.FEED, (siteId, ref) -> { },
                ChangeLog.DESTINATION, (siteId, ref) -> destinationTarget.forget(ref)));
        if (changes != null) {
            changes.startFromNow(); // before loading: a change made meanwhile is applied again, harmlessly
            // Its own threads: a slow reload must not delay the beat that keeps this node's leases.
            cluster = Executors.newScheduledThreadPool(2, r -> Thread.ofPlatform().name("ringpool-cluster").daemon(true).unstarted(r));
            siteRegistry.catchUpWith(new ChangeCatchUp(() -> changes.poll(clock.millis()), cluster, registry));
        }
        providerSettings.loadAll();
        sessions.restore(poolService.loadAll(nodeId));
        // Seeded on this start or an earlier one: the page at /demo finds it by the file's id.
        String demoSiteId = demoSite == null ? null : demoSite.siteId();
        if (demoSite != null && siteRegistry.isEmpty()) {
            SiteService.CreatedSite demo = DemoSeeder.seed(demoSite, siteService, poolService);
            if (demo != null) {
                demoSiteId = demo.site().siteId();
                demoKeysFile = storeConfig.dataDir().resolve("demo-keys.env");
                try {
                    java.nio.file.Files.deleteIfExists(demoKeysFile);
                    KeyFiles.writeOwnerOnly(demoKeysFile, DemoSeeder.keysFile(demo));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot write " + demoKeysFile, e);
                }
            }
        }

        // Conversions out (issue 12): the outbox is written inside call writes, and delivered by its worker.
        outbox = new Outbox(db, clock, List.of(new WebhookTarget(db, outboundHttp, cipher, clock), destinationTarget),
                new Outbox.Settings(outboundConfig.threads(), outboundConfig.perSiteConcurrency(), outboundConfig.perTargetConcurrency(),
                        outboundConfig.slowThreads(), outboundConfig.timeout(), outboundConfig.poll(), outboundConfig.lease()), registry);
        recordings = new RecordingService(db, siteRegistry, storeConfig.dataDir(), config.recordings(),
                Keys.derive(secretKey, "recording-playback-links"), clock, registry,
                (siteId, provider, field) -> providerSettings.settings(siteId, provider).map(s -> s.get(field)).filter(v -> !v.isBlank()));
        // One rule for call event times, at both places events are received (journal, direct ingestion): each call logged once.
        List<String> providerNames = new java.util.ArrayList<>(List.of(TwilioForm.PROVIDER, GenericEvent.PROVIDER));
        providers.all().forEach(p -> providerNames.add(p.name()));
        CallEventTimes callEventTimes = new CallEventTimes(registry, providerNames);
        io.ringpool.telephony.WebhookRejections.fromZero(registry, providerNames);
        // A call's leads, for the call log and for its webhook events alike: one lookup, so an event shows what GET shows.
        ContactLeads contactLeads = LeadService::leadsBefore;
        calls = new CallService(db, writer, poolRegistry, poolService, clock, registry, recordings, new CallEvents(outbox, contactLeads),
                callEventTimes, contactLeads);
        calls.countReceivedFromZero(providerNames);
        // Every site's start outcomes from 0 (a site created later: from its first start).
        siteRegistry.all().forEach(e -> sessions.countFromZero(e.site().siteId()));
        ExportService exportService = new ExportService(db);
        // Retention asks the reports first: they seal the days they still hold before the visits go.
        visitRetention = new VisitRetention(db, (siteId, cutoff) -> reports.deletableBefore(siteId, cutoff));
        // The lead route of the site script takes its tokens from the same limits as the other script routes.
        leads = new LeadService(siteRegistry, db, writer, clock, sessions.limits(), calls::eraseCaller,
                registry, new LeadEvents(outbox));
        UserStore userStore = new UserStore(db);
        WorkspaceStore workspaceStore = new WorkspaceStore(db);
        PasswordHasher hasher = new PasswordHasher();
        SignIn signIn = new SignIn(userStore, hasher, clock, registry);
        Workspaces workspaces = new Workspaces(workspaceStore, userStore, hasher, siteRegistry, clock, publicUrl);
        AuditLog audit = new AuditLog(db, workspaceStore, clock);
        AccessApi guard = new AccessApi(new Authoriser(access, siteRegistry, signIn, workspaceStore));
        // The retention job deletes a site's ended visits older than its retentionDays: the facts drop them too.
        FactsBound factsBound = new FactsBound(FactsBound.resolve(config.server().reportMaxVisits(), Runtime.getRuntime().maxMemory()),
                siteId -> siteRegistry.byId(siteId)
                        .map(e -> clock.millis() - java.time.Duration.ofDays(e.site().settings().retentionDays()).toMillis())
                        .orElse(Long.MIN_VALUE));
        // Days the facts drop (bound or retention) are sealed as daily aggregates first, so past months still show.
        DaySeal daySeal = new DaySeal(db, siteId -> siteRegistry.byId(siteId).map(e -> e.site().settings()), clock);
        reports = new ReportService(db, poolRegistry, poolService, clock, storeConfig.dataDir().resolve(ReportService.FACTS_DIRECTORY), factsBound, daySeal,
                exhaustionTally);
        registry.gauge("ringpool.report.facts.visits", reports, ReportService::heldVisits);
        registry.gauge("ringpool.report.facts.max.visits", factsBound, FactsBound::maxVisits);
        io.micrometer.core.instrument.FunctionCounter.builder("ringpool.report.facts.evicted", factsBound, FactsBound::evicted)
                .description("visits dropped from the report facts in memory (bound or retention), not from the store").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("ringpool.report.days.sealed", daySeal, DaySeal::sealed)
                .description("days written as daily report aggregates before their visits left memory or the store").register(registry);
        LOG.info("report_facts_bound max_visits={} max_heap_mb={}", factsBound.maxVisits(), Runtime.getRuntime().maxMemory() >> 20);
        journal = new CallJournal(storeConfig.dataDir().resolve("journal"), config.journal().maxBytes(),
                journalSink(siteRegistry, calls), clock, registry, callEventTimes);
        journal.start();
        // AMI events go through the journal like webhooks: a call seen while the store is down is kept, not logged and lost.
        asterisk = new AsteriskConnections(providerSettings, siteRegistry, calls, journal, clock, registry,
                AsteriskConnections.DEFAULT_INITIAL_BACKOFF, addressPolicy);
        // Webhooks answered from memory get their own threads: with a slow store every shared
        // worker may be waiting for a connection, and a ringing call must not queue behind them.
        AtomicInteger laneNumber = new AtomicInteger();
        callLane = new ThreadPoolExecutor(CALL_LANE_THREADS, CALL_LANE_THREADS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024),
                r -> Thread.ofPlatform().name("ringpool-call-lane-" + laneNumber.incrementAndGet()).daemon(true).unstarted(r),
                new ThreadPoolExecutor.AbortPolicy());
        RecordingService recordingSettings = recordings;
        ProvidersApi providersApi = new ProvidersApi(providers, providerSettings, siteRegistry, guard, calls, journal, callLane,
                new WebhookLog(), publicUrl, publicUrlGuessed, clock, registry, siteId -> {
                    // From memory: a ringing call's answer must not wait for the store (audit I #1: 10 s with it hung).
                    var r = recordingSettings.settingsFromMemory(siteId);
                    return new CallRecording(r.recordCalls(), r.notice());
                });
        SiteApi siteApi = new SiteApi(siteService, guard, audit, List.of(providersApi), List.of(recordings.siteFields()));
        // The route table, in the order requests are matched (RingpoolApi adds /s.js first).
        http.add(new OpsApi(storeProbe, registry, sessions::liveSessions, () -> journal, asterisk::states, config.security().metricsToken())::routes);
        http.add(new SignInApi(signIn, workspaces, siteRegistry, guard, publicUrl)::routes);
        http.add(new WorkspaceApi(workspaces, siteApi, siteRegistry, guard, audit, signIn)::routes);
        http.add(siteApi::routes);
        http.add(new KeysApi(keyRotation, guard, audit)::routes);
        http.add(new PoolApi(poolService, poolRegistry, guard, audit)::routes);
        http.add(new SessionApi(sessions)::routes);
        http.add(new CallApi(calls, guard, audit)::routes);
        http.add(new LeadApi(leads, guard, audit)::routes);
        http.add(new RecordingApi(recordings, guard, audit)::routes);
        http.add(new TelephonyApi(siteRegistry, calls, journal, callLane, publicUrl, publicUrlGuessed, clock, registry, recordings)::routes);
        http.add(providersApi::routes);
        http.add(new ReportApi(reports, guard)::routes);
        http.add(new ExportApi(exportService, guard, clock)::routes);
        http.add(new WebhookApi(new WebhookService(db, outbox, addressPolicy, cipher, clock), guard, audit)::routes);
        http.add(new DestinationApi(new DestinationService(db, outbox, addressPolicy, cipher, destinationTarget, clock), guard, audit)::routes);
        http.add(new FeedApi(new FeedService(db, exportService, siteRegistry, publicUrl, clock), guard, audit)::routes);
        http.add(new DashboardApi(siteRegistry)::routes);
        if (demoSiteId != null) {
            http.add(new DemoPage(siteRegistry, poolRegistry, demoSiteId)::routes);
        }
        http.add(new BackupApi(new StoreBackup(db, storeConfig.dataDir().resolve("backups"), clock), guard)::routes);
        if (clock instanceof AdjustableClock adjustable) {
            http.add(new TestClockApi(adjustable, access, () -> {
                sessions.sweep();
                retentionAfterClockJump();
            })::routes);
        }
        boolean preload = config.server().reportPreload();
        if (preload) {
            reports.warmUpInBackground(siteRegistry.all().stream().map(e -> e.site().siteId()).toList());
        }
        // Its own thread: a refresh after a burst of traffic may take seconds and must not delay the sweeper.
        reportRefresher = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("ringpool-report-refresh").daemon(true).unstarted(r));
        reportRefresher.scheduleWithFixedDelay(() -> reports.refreshAll(siteRegistry.all().stream().map(e -> e.site().siteId()).toList(),
                preload), 5, 5, TimeUnit.SECONDS);
        // The facts on disk, so a restart reads only what changed since (after a crash: since the last of these).
        reportRefresher.scheduleWithFixedDelay(reports::saveSnapshots, REPORT_SNAPSHOT_MINUTES, REPORT_SNAPSHOT_MINUTES, TimeUnit.MINUTES);

        if (outboundConfig.paused()) {
            // A restored copy checked beside the live server must not send the live server's deliveries again (audit P #6).
            outbox.startPaused();
            LOG.warn("outbound_paused pending={} (outbound.paused / RINGPOOL_OUTBOUND_PAUSED: no webhook or upload is sent; "
                    + "deliveries stay pending until a start without it)", outbox.pendingNow());
        } else {
            outbox.start();
        }
        finishInterruptedReclassifications(siteRegistry);
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("ringpool-sweeper").daemon(true).unstarted(r));
        long interval = config.leasing().sweepInterval().toMillis();
        sweeper.scheduleWithFixedDelay(this::sweepQuietly, interval, interval, TimeUnit.MILLISECONDS);
        sweeper.scheduleWithFixedDelay(db::refreshStatistics, 2, 10, TimeUnit.SECONDS);
        sweeper.scheduleWithFixedDelay(this::applyRetentionQuietly, 1, 60, TimeUnit.MINUTES);
        // Counted events: exhaustions written per pool and minute, refusals logged per site and minute (issue 17).
        sweeper.scheduleWithFixedDelay(() -> leasing.flushExhaustions(clock.millis(), false), 5, 5, TimeUnit.SECONDS);
        sweeper.scheduleWithFixedDelay(sessions::logRefusals, 60, 60, TimeUnit.SECONDS);
        // H2's background compaction runs on the group-commit thread, between its batches (GroupCommitWriter).
        // Pool advice survives restarts: peaks and lease lengths are saved every 30 s and at stop.
        sweeper.scheduleWithFixedDelay(this::savePoolStatsQuietly, 30, 30, TimeUnit.SECONDS);
        sweeper.scheduleWithFixedDelay(this::expireRecordingsQuietly, 2, 60, TimeUnit.MINUTES);
        recordings.start();

        if (nodeId != null) {
            long beat = clusterConfig.nodeBeat().toMillis();
            cluster.scheduleWithFixedDelay(() -> quietly("cluster_beat_failed", () -> members.beat(clock.millis())),
                    beat, beat, TimeUnit.MILLISECONDS);
            cluster.scheduleWithFixedDelay(() -> quietly("cluster_reclaim_failed", members::reclaimFromSilentNodes),
                    beat, 5 * beat, TimeUnit.MILLISECONDS);
            cluster.scheduleWithFixedDelay(() -> quietly("cluster_schema_check_failed", this::stopUnderNewerSchema),
                    5 * beat, 5 * beat, TimeUnit.MILLISECONDS);
            long poll = clusterConfig.changePoll().toMillis();
            cluster.scheduleWithFixedDelay(() -> quietly("cluster_changes_failed", () -> changes.poll(clock.millis())),
                    poll, poll, TimeUnit.MILLISECONDS);
            if (clusterConfig.listenForChanges()) {
                // Other nodes' changes the moment they commit; the poll above is the bound while this is down.
                changeNotifications = new ChangeNotifications(() -> db.openOwnConnection("ringpool-listen " + nodeId),
                        () -> quietly("cluster_changes_failed", () -> changes.poll(clock.millis())), registry);
                changeNotifications.start();
            }
            // PostgreSQL's free connection slots against what this node may still open: said before a request waits for one.
            ConnectionHeadroom headroom = new ConnectionHeadroom(db, () -> db.poolConnectionsNotOpen()
                    + (changeNotifications != null && !changeNotifications.isListening() ? 1 : 0), registry);
            cluster.scheduleWithFixedDelay(() -> quietly("cluster_headroom_failed", headroom::check),
                    5, HEADROOM_CHECK_SECONDS, TimeUnit.SECONDS);
        }

        asterisk.start();
        http.open();
        LOG.info("listening port={} store={} node={} script_gzip_bytes={} public_url={}{}", port, db.isH2() ? "h2" : "postgresql",
                nodeId == null ? "single" : nodeId, http.scriptGzippedSize(), publicUrl,
                config.server().publicUrl().isEmpty() ? " (server.publicUrl not set)" : "");
        listening = true;
    }

    /**
     * The key site secrets are encrypted with: on an H2 file (one node) the given one or the data
     * directory's, generated there once; on PostgreSQL the one every node of the store agrees on
     * ({@link ClusterSecretKey}), so a site created through one node is readable through all.
     */
    private String secretKey(String configured, Path dataDir) {
        if (db.isH2()) {
            Path file = dataDir.resolve("secret.key");
            boolean generating = configured.isEmpty() && !java.nio.file.Files.exists(file);
            String key = KeyFiles.resolve(configured, dataDir, "secret.key", true);
            generatedSecretKey = generating ? file : null;
            return key;
        }
        String inDataDir = KeyFiles.readIfPresent(dataDir, "secret.key");
        ClusterSecretKey.Agreed agreed;
        try {
            agreed = ClusterSecretKey.agree(db, configured, inDataDir, KeyFiles::newHexKey, clock);
        } catch (ClusterSecretKey.KeyDisagrees e) {
            throw new StartupFailure(e.getMessage());
        }
        if (agreed.source() == ClusterSecretKey.Source.STORE || agreed.source() == ClusterSecretKey.Source.GENERATED) {
            // Said at every start: the operator may not know a copy of the database now reads its secrets.
            LOG.warn("secret_key_kept_in_store source={} advice=\"give every node the same RINGPOOL_SECRET_KEY to keep site secrets"
                    + " unreadable from a copy of the database\"", agreed.source().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (inDataDir != null && !inDataDir.equals(agreed.key())) {
            LOG.warn("secret_key_file_ignored file={} reason=the_nodes_of_this_database_use_another_key", dataDir.resolve("secret.key"));
        }
        return agreed.key();
    }

    /**
     * A change of the rule that classified the site's calls and leads classifies them again before
     * the change is answered (docs/calls.md "Classification"), so no report mixes two rules.
     */
    private void reclassify(io.ringpool.site.Site before, io.ringpool.site.Site after) {
        var was = before.settings();
        var now = after.settings();
        if (was.uniquenessDays() == now.uniquenessDays() && was.targetCallSeconds() == now.targetCallSeconds()) {
            return;
        }
        // The old rule, for a site never stamped: a stop before the end below then leaves a stamp that says so.
        db.inTransaction(c -> {
            ClassificationStamps.recordIfAbsent(c, before.siteId(), classification(before), clock.millis());
            return null;
        });
        calls.reclassifyAll(after);
        if (was.uniquenessDays() != now.uniquenessDays()) {
            leads.reclassifyAll(after);
        }
        stampClassification(after);
    }

    private static ClassificationSettings classification(io.ringpool.site.Site site) {
        return new ClassificationSettings(site.settings().uniquenessDays(), site.settings().targetCallSeconds());
    }

    private void stampClassification(io.ringpool.site.Site site) {
        db.inTransaction(c -> {
            ClassificationStamps.record(c, site.siteId(), classification(site), clock.millis());
            return null;
        });
    }

    /**
     * Finishes what a stop cut short: a site whose calls and leads were last wholly classified with
     * other settings than its own (its settings committed, the reclassification that follows
     * stopped half way) is classified again; a site with no stamp (made before stamps) is stamped.
     * On its own thread after the start: a big site's reclassification takes seconds, and ingestion
     * meanwhile already classifies with the new settings.
     */
    private void finishInterruptedReclassifications(SiteRegistry siteRegistry) {
        Thread.ofPlatform().name("ringpool-reclassify").daemon(true).start(() -> quietly("reclassify_failed", () -> {
            Map<String, ClassificationSettings> stamps = db.read(ClassificationStamps::all);
            for (SiteRegistry.Entry entry : siteRegistry.all()) {
                io.ringpool.site.Site site = entry.site();
                ClassificationSettings current = classification(site);
                ClassificationSettings stamped = stamps.get(site.siteId());
                if (stamped != null && !stamped.equals(current)) {
                    LOG.warn("reclassification_resumed site={} from={} to={}", site.siteId(), stamped, current);
                    calls.reclassifyAll(site);
                    leads.reclassifyAll(site);
                }
                if (!current.equals(stamped)) {
                    stampClassification(site);
                }
            }
        }));
    }

    /**
     * Delivers journaled call events to the store. A refusal by the domain (a number no longer the
     * site's, a site deleted) is final; a store failure is retried by the journal.
     */
    private static CallJournal.Sink journalSink(SiteRegistry sites, CallService calls) {
        return (siteId, event, receivedAt) -> {
            var entry = sites.byId(siteId);
            if (entry.isEmpty()) {
                return CallJournal.Outcome.REJECTED;
            }
            try {
                calls.ingest(entry.get().site(), event, false, receivedAt);
                return CallJournal.Outcome.DELIVERED;
            } catch (DomainFailure refused) {
                return CallJournal.Outcome.REJECTED;
            } catch (StoreException unavailable) {
                return CallJournal.Outcome.STORE_UNAVAILABLE;
            }
        };
    }

    /**
     * The one retention job (hourly): for every site, callers of calls older than its
     * {@code retentionDays} are erased, so are leads' personal data, and ended visits older than
     * that are deleted with their page views and intents (in batches).
     */
    public void applyRetention() {
        retentionRanAt = clock.millis();
        for (SiteRegistry.Entry e : sites.all()) {
            // One pseudonym per site and run: a caller's calls and leads purged together still count as one contact.
            io.ringpool.call.PersonPseudonym pseudonym = io.ringpool.call.PersonPseudonym.fresh();
            calls.purgeExpiredCallers(e.site(), pseudonym);
            leads.purgeExpired(e.site(), pseudonym);
            long before = clock.millis() - java.time.Duration.ofDays(e.site().settings().retentionDays()).toMillis();
            int visits = visitRetention.deleteEndedBefore(e.site().siteId(), before);
            if (visits > 0) {
                LOG.info("visits_purged site={} visits={} retentionDays={}", e.site().siteId(), visits,
                        e.site().settings().retentionDays());
            }
        }
    }

    /** Kept for callers from before visits had a retention too: the whole job. */
    public void purgeExpiredCallers() {
        applyRetention();
    }

    /** Clock time of the last retention run (the test clock's, when it is on). */
    private volatile long retentionRanAt = -1; // none yet
    private final java.util.concurrent.atomic.AtomicBoolean retentionQueued = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean retentionAgain = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * With the test clock: once the clock has moved an hour or more past the last retention run,
     * the run the hourly job would have made in that time starts now, on the sweeper thread (not
     * in the request: deleting a simulated month of visits takes a while). Without it a simulator
     * that jumps days ahead would find retention an hour of real time behind.
     */
    private void retentionAfterClockJump() {
        ScheduledExecutorService s = sweeper;
        if (s == null || retentionRanAt >= 0 && clock.millis() - retentionRanAt < TimeUnit.HOURS.toMillis(1)) {
            return;
        }
        if (!retentionQueued.compareAndSet(false, true)) {
            retentionAgain.set(true); // a run is under way with an earlier clock: one more after it
            return;
        }
        try {
            s.execute(() -> {
                try {
                    applyRetentionQuietly();
                } finally {
                    retentionQueued.set(false);
                }
                if (retentionAgain.getAndSet(false)) {
                    retentionAfterClockJump();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            retentionQueued.set(false);
        }
    }

    private void applyRetentionQuietly() {
        try {
            applyRetention();
        } catch (RuntimeException e) {
            LOG.warn("retention_purge_failed reason={}", e.toString());
        }
    }

    private void savePoolStatsQuietly() {
        try {
            poolService.saveStats();
        } catch (RuntimeException e) {
            LOG.warn("pool_stats_not_saved reason={}", e.toString());
        }
    }

    private ScriptLimits scriptLimits() {
        RingpoolConfig.Limits l = config.limits();
        Map<ScriptLimits.Kind, ScriptLimits.Budget> budgets = new EnumMap<>(ScriptLimits.Kind.class);
        budgets.put(ScriptLimits.Kind.START, new ScriptLimits.Budget(0, config.leasing().sessionsPerIpPerMinute()));
        budgets.put(ScriptLimits.Kind.PAGEVIEW, new ScriptLimits.Budget(l.pageviewsPerSession(), l.pageviewsPerAddress()));
        budgets.put(ScriptLimits.Kind.INTENT, new ScriptLimits.Budget(l.intentsPerSession(), l.intentsPerAddress()));
        budgets.put(ScriptLimits.Kind.HEARTBEAT, new ScriptLimits.Budget(l.heartbeatsPerSession(), l.heartbeatsPerAddress()));
        budgets.put(ScriptLimits.Kind.LEAD, new ScriptLimits.Budget(l.leadsPerSession(), config.leads().perIpPerMinute()));
        // Loopback is exempt only with no proxy configured: behind a local proxy, loopback is everyone.
        return new ScriptLimits(budgets, config.server().trustedProxies().isEmpty(), clock);
    }

    private SessionCaps sessionCaps() {
        RingpoolConfig.Limits l = config.limits();
        return new SessionCaps(l.pageviewsStoredPerSession(), l.intentsStoredPerSession(), l.maxUrlChars(), l.maxTitleChars());
    }

    private static void quietly(String event, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("{} reason={}", event, e.toString());
        }
    }

    private void expireRecordingsQuietly() {
        try {
            recordings.applyRetention();
        } catch (RuntimeException e) {
            LOG.warn("recording_retention_failed reason={}", e.toString());
        }
    }

    /** Call recordings: fetching, playback, retention (tests drive retention through it). */
    public RecordingService recordings() {
        return recordings;
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

    /** Whether this start generated the admin key (then it is shown once). */
    public boolean adminKeyGenerated() {
        return adminKeyGenerated;
    }

    /** The file with the demo site's keys when this start seeded it, else null. */
    public java.nio.file.Path demoKeysFile() {
        return demoKeysFile;
    }

    public Clock clock() {
        return clock;
    }

    /** The lease owner, for tests that flush counted exhaustions instead of waiting for the minute. */
    public Leasing leasing() {
        return leasing;
    }

    public SessionService sessions() {
        return sessions;
    }

    public Outbox outbox() {
        return outbox;
    }

    /** The HTTP side: its route table, for tests that hold the API reference to the router. */
    public RingpoolApi api() {
        return http;
    }

    public ReportService reports() {
        return reports;
    }

    /** The group-commit writer every hot-path write goes through (tests hold it to stall the store). */
    public GroupCommitWriter writer() {
        return writer;
    }

    /** The store, for tests that set up a state only a crash leaves behind. */
    Database database() {
        return db;
    }

    public CallJournal journal() {
        return journal;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Cancels the executor's scheduled rounds and waits (a few seconds at most) for the running one. */
    private static void stopAfterCurrentRound(java.util.concurrent.ExecutorService executor) {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("background_work_abandoned at_stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A key generated for a store that turned out to hold secrets under another key (a backup
     * restored without its secret.key) matches nothing: left behind, it is what an operator
     * looking for "the key" would find. Removed only on this refusal: after any other failure the
     * key may already protect what the start wrote (the demo site).
     */
    private void forgetGeneratedSecretKey() {
        if (generatedSecretKey == null) {
            return;
        }
        try {
            java.nio.file.Files.deleteIfExists(generatedSecretKey);
        } catch (java.io.IOException e) {
            LOG.warn("secret_key_not_removed file={} reason={}", generatedSecretKey, e.toString());
        }
    }

    /**
     * A node of a newer version migrated the shared store while this one ran (it waits for running
     * nodes' beats to age, so this one was paused, or is of a version before that wait): this node
     * would go on writing rows as its version knows them under a schema that expects more (audit
     * AC3 #2), so it stops, and says why.
     */
    private void stopUnderNewerSchema() {
        java.util.OptionalInt newer = UpgradeGate.newerSchema(db);
        if (newer.isEmpty() || stoppedUnderNewerSchema) {
            return;
        }
        stoppedUnderNewerSchema = true;
        LOG.error("schema_newer_than_this_node stored={} known={} action=stopping advice=\"start this node with the version that "
                + "migrated the database\"", newer.getAsInt(), UpgradeGate.knownNewest());
        // Not on the cluster thread: closing waits for that thread's round to end.
        Thread.ofPlatform().name("ringpool-schema-stop").start(() -> {
            close();
            selfStop.run();
        });
    }

    /** Run after the server stopped on its own (a newer schema): {@code Main} exits with status 2. */
    public void onSelfStop(Runnable then) {
        this.selfStop = then;
    }

    /** Whether this node stopped because another node migrated its store to a newer schema. */
    public boolean stoppedUnderNewerSchema() {
        return stoppedUnderNewerSchema;
    }

    /** Stops in reverse order of start; logs {@code stopped} once everything is closed. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Not "port bound and store open": a start refused after that (a store from a newer Ringpool)
        // logged a stop of a server that never ran (audit R #4).
        boolean wasListening = listening;
        if (http != null) {
            http.close();
        }
        if (asterisk != null) {
            asterisk.close();
        }
        // Background threads are stopped by letting their current round finish, never by an
        // interrupt: one that lands inside H2's file I/O closes the file channel for every thread
        // (ClosedByInterruptException), and the final writes below then fail (exhaustion counts,
        // pool statistics, renewals were lost at every clean stop that way).
        stopAfterCurrentRound(sweeper);
        if (changeNotifications != null) {
            changeNotifications.close();
        }
        stopAfterCurrentRound(cluster);
        if (reportRefresher != null) {
            reportRefresher.shutdown();
            try {
                // A refresh or snapshot under way finishes, so the one below is not cut short.
                reportRefresher.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reportRefresher.shutdownNow();
        }
        if (reports != null) {
            reports.saveSnapshots();
        }
        stopAfterCurrentRound(reportWorkers);
        if (outbox != null) {
            outbox.close();
        }
        if (workers != null) {
            workers.shutdown();
            try {
                workers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (leasing != null && writer != null) {
            try {
                leasing.flushExhaustions(clock.millis(), true).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("exhaustion_counts_lost reason={}", e.toString());
            }
        }
        if (sessions != null) {
            sessions.logRefusals();
        }
        if (callLane != null) {
            callLane.shutdown();
        }
        if (poolService != null && db != null) {
            savePoolStatsQuietly();
        }
        if (journal != null) {
            journal.close();
        }
        if (sessions != null && writer != null) {
            try {
                sessions.flushRenewals(); // a clean stop leaves the store's expiries current
            } catch (RuntimeException e) {
                LOG.warn("renewal_flush_failed reason={}", e.toString());
            }
        }
        if (recordings != null) {
            recordings.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (storeProbe != null) {
            storeProbe.close();
        }
        if (db != null) {
            db.close();
        }
        if (dataDirLock != null) {
            dataDirLock.close();
        }
        if (wasListening) {
            LOG.info("stopped port={}", port);
        }
    }
}
