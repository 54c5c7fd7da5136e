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
import io.ringpool.account.Permission;
import io.ringpool.account.SessionCookie;
import io.ringpool.account.SignIn;
import io.ringpool.account.SignInApi;
import io.ringpool.account.StandingAccess;
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
import io.ringpool.cluster.UpgradeGate;
import io.ringpool.session.LeaseRenewals;
import io.ringpool.store.ChangeLog;
import io.ringpool.call.CallEventTimes;
import io.ringpool.call.CallService;
import io.ringpool.call.ContactLeads;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.dashboard.DashboardApi;
import io.ringpool.dashboard.DemoPage;
import io.ringpool.export.ExportApi;
import io.ringpool.export.ExportService;
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
import io.ringpool.security.TrustedProxies;
import io.ringpool.session.SessionService;
import io.ringpool.session.VisitRetention;
import io.ringpool.site.KeyRotation;
import io.ringpool.site.KeysApi;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every component by constructor, in dependency order, declares the
 * routes, and owns start and stop. Tests start the very same object on port 0.
 *
 * <p>The start, in this order, and why each step is where it is (keep the order when adding a step;
 * the phase method doing each step is named first):
 * <ol>
 * <li>{@code bindJvmMeters}, {@code bindPort}: the JVM's meters, then the executors (HTTP workers,
 *     report workers; {@link ServerThreads}) with their queue gauges: the HTTP server is bound with
 *     them, and the metrics' registration order is what /metrics shows.</li>
 * <li>The port is bound before anything is written: a start on a port in use must leave a new data
 *     directory uncreated, unmigrated and unseeded (issue 10, item 9). Until the HTTP server opens
 *     (the last step), every request is answered 503 {@code starting} (audit AM3 F4: a probe used to
 *     hang in the kernel's backlog for the whole start).</li>
 * <li>(in {@code start}) The demo file is read before the data directory and the store are touched
 *     (audit R #3): a broken file refuses the start with nothing created.</li>
 * <li>{@code openStore} ({@link StoreOpening}): the data directory's lock (a second server on the directory is refused before it
 *     touches anything), a store held by another directory refused, the directory made owner-only,
 *     the GC log (only the holder owns it), H2's files created owner-only before H2 creates them
 *     with the umask, the admin key; then the database, and on PostgreSQL the node id and the
 *     upgrade gate before the migration (a migration must not change the schema under running
 *     nodes of an older version); the store probe; the secret key (on PostgreSQL agreed through the
 *     migrated store); the group-commit writer, which every hot-path write below goes through.</li>
 * <li>{@code loadSitesAndPools}: sites, keys, pools and leasing; the sites and rotated keys are loaded (decrypted) here, so a
 *     store restored without its secret.key is refused, and the key this start generated removed
 *     (audit AC3 #4), before anything is written with the wrong key.</li>
 * <li>{@code joinClusterAndStartSessions}: cluster membership's first beat, then the session service (its renewals ask the membership).</li>
 * <li>{@code prepareOutboundAndFollowChanges}: providers and outbound HTTP; on PostgreSQL the change follower starts before the loading
 *     below (a change made meanwhile is applied again, harmlessly), with its own executor.</li>
 * <li>(in {@code start}) Provider settings, pools and the live sessions are loaded from the store.</li>
 * <li>{@code seedDemo}: the demo site is seeded, only into an empty store (after the loading: it must know whether
 *     the store is empty), and its keys written to demo-keys.env.</li>
 * <li>{@code buildCallsAndLeads}, {@code buildAccounts}, {@code buildReports}: outbox, recordings,
 *     calls, leads (with {@link Reclassification} and {@link RetentionRuns}), accounts, reports and
 *     their meters, in dependency order.</li>
 * <li>{@code startJournal}: the call journal starts after the call service (its sink ingests into it) and replays what a
 *     stop or a store outage left; Asterisk connections go through it; the call lane's threads.</li>
 * <li>{@code declareRoutes}: the routes, in the order requests are matched.</li>
 * <li>{@code startBackgroundWork} ({@link BackgroundJobs}): background work, once everything it touches exists: report preload and refresher, the
 *     outbox (or paused: a restored copy must not send the live server's deliveries again, audit
 *     P #6), the resumption of interrupted reclassifications, the sweeper's jobs, recordings, and
 *     on PostgreSQL the cluster's beats, reclaim, schema check, change poll and headroom check.</li>
 * <li>{@code openForRequests}: last, Asterisk connects and the HTTP server opens: requests are answered only once every
 *     route and service is in place; then the {@code listening} line. Only a server that said it
 *     was listening says {@code stopped} (audit R #4).</li>
 * </ol>
 * {@link #close()} stops in the reverse dependency order (its comments say why), and works on a
 * start that failed half way: it closes only what was opened.
 */
public final class Ringpool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ringpool.class);

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
    /**
     * Longest wait of a call event for the other nodes' changes when its dialled number is not in
     * this node's memory: one read of the change log takes milliseconds; past it, the node's answer.
     */
    static final long DIALLED_NUMBER_CATCH_UP_MILLIS = 500;
    private Leasing leasing;
    private ScheduledExecutorService cluster;
    private ClusterMembership membership;
    private ChangeNotifications changeNotifications;
    private RingpoolApi http;
    private CallJournal journal;
    private PoolService poolService;
    private ThreadPoolExecutor callLane;
    private ThreadPoolExecutor webhookStore;
    /** The data directory and the store: opened by the start, closed last. */
    private StoreOpening store;
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
    private Reclassification reclassification;
    private RetentionRuns retention;
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

    /** The start's phases, in the order the class comment explains; any failure leaves {@link #close()} to undo them. */
    public void start() throws InterruptedException {
        bindJvmMeters();
        RingpoolConfig.Server server = bindPort();
        String publicUrl = server.publicUrlAt(port);
        // Not configured: the URL above is a guess, and providers that sign the URL are checked against the request's Host too.
        boolean publicUrlGuessed = server.publicUrl().isEmpty();
        // The demo file is checked before the data directory and the store are touched (audit R #3).
        DemoSeeder.DemoSite demoSite = config.demo().enabled() ? DemoSeeder.read(config.demo().file()) : null;
        openStore(server.host());
        SiteParts siteParts = loadSitesAndPools();
        joinClusterAndStartSessions(siteParts.poolRegistry());
        OutboundParts outbound = prepareOutboundAndFollowChanges(siteParts);
        outbound.providerSettings().loadAll();
        sessions.restore(poolService.loadAll(store.nodeId()));
        String demoSiteId = seedDemo(demoSite, siteParts.siteService());
        CallParts callParts = buildCallsAndLeads(siteParts, outbound);
        Accounts accounts = buildAccounts(siteParts.access(), publicUrl);
        buildReports(siteParts);
        startJournal(callParts.callEventTimes(), outbound);
        declareRoutes(siteParts, outbound, accounts, callParts.exportService(), publicUrl, publicUrlGuessed, demoSiteId);
        startBackgroundWork(outbound.changes());
        openForRequests(publicUrl);
    }

    /** What the sites and pools phase built, for the phases after it. */
    private record SiteParts(SecretCipher cipher, SiteService siteService, SiteAccess access, KeyRotation keyRotation,
            PoolRegistry poolRegistry, ExhaustionTally exhaustionTally) {}

    /** What the outbound phase built: providers, outbound HTTP and, on PostgreSQL, the change follower (else null). */
    private record OutboundParts(AddressPolicy addressPolicy, Providers providers, ProviderSettingsService providerSettings,
            OutboundHttp outboundHttp, DestinationTarget destinationTarget, ChangeFollower changes) {}

    private record CallParts(CallEventTimes callEventTimes, ExportService exportService) {}

    private record Accounts(SignIn signIn, Workspaces workspaces, AuditLog audit, AccessApi guard) {}

    private void bindJvmMeters() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The executors the HTTP server hands requests to, and the port; returns the server settings it was bound with. */
    private RingpoolConfig.Server bindPort() throws InterruptedException {
        // The port first, before anything is written: a start on a port in use must leave a new
        // data directory uncreated, unmigrated and unseeded (issue 10, item 9). Requests are
        // answered 503 "starting" until every route is declared (openForRequests).
        RingpoolConfig.Server server = config.server();
        if (config.demo().enabled()) {
            // The demo is for trying things on this machine: reachable from elsewhere only if the operator says so.
            server = server.withHost(config.demo().host());
            LOG.info("demo_on bind={}", config.demo().host());
        }
        workers = ServerThreads.workers(server, registry);
        reportWorkers = ServerThreads.reportWorkers(server, registry);
        TrustedProxies proxies = TrustedProxies.parse(server.trustedProxies());
        sites = new SiteRegistry();
        http = new RingpoolApi();
        port = http.bind(server, sites::isAnySitesOrigin, workers, registry, proxies, config.security(), clock, reportWorkers);
        return server;
    }

    private void openStore(String host) {
        store = new StoreOpening(config, clock, registry, storeBoundary);
        store.holdDataDir(host, port);
        adminKeyGenerated = store.adminKeyGenerated();
        adminKey = store.adminKey();
        store.open();
        db = store.database();
        storeProbe = store.probe();
        writer = store.writer();
    }

    /** Sites, keys, pools and leasing; the stored sites and rotated keys loaded, which proves the secret key. */
    private SiteParts loadSitesAndPools() {
        SiteRegistry siteRegistry = sites;
        SecretCipher cipher = new SecretCipher(store.secretKey());
        SiteService siteService = new SiteService(new SiteStore(db), siteRegistry, cipher, clock,
                (siteId, number) -> this.poolService.isTrackingNumber(siteId, number),
                (before, after) -> reclassification.changed(before, after));
        SiteAccess access = new SiteAccess(siteRegistry, adminKey, clock);
        KeyRotation keyRotation = new KeyRotation(db, siteRegistry, cipher, clock);
        PoolRegistry poolRegistry = new PoolRegistry();
        PoolStore poolStore = new PoolStore(db);
        poolService = new PoolService(poolStore, poolRegistry, siteRegistry, clock, registry);
        if (store.nodeId() != null) {
            poolService.countOccupancyFromStore();
        }
        ExhaustionTally exhaustionTally = new ExhaustionTally();
        leasing = new Leasing(poolRegistry, writer, registry, exhaustionTally, config.leasing().addressCapPercent(),
                config.leasing().networkCapPercent());
        try {
            siteService.loadAll();
            keyRotation.loadAll();
        } catch (SecretCipher.WrongKey e) {
            store.forgetGeneratedSecretKey();
            Path generatedSecretKey = store.generatedSecretKey();
            throw new StartupFailure(generatedSecretKey == null ? e.getMessage()
                    : "cannot decrypt a stored secret: there was no " + generatedSecretKey + " and security.secretKey "
                            + "(RINGPOOL_SECRET_KEY) is not set; put the secret.key this store was created with there "
                            + "(a restored store needs its key); none was generated", 2);
        }
        return new SiteParts(cipher, siteService, access, keyRotation, poolRegistry, exhaustionTally);
    }

    /** On PostgreSQL this node's first beat, then the sessions, whose renewals ask the membership. */
    private void joinClusterAndStartSessions(PoolRegistry poolRegistry) {
        SiteRegistry siteRegistry = sites;
        String nodeId = store.nodeId();
        if (nodeId != null) {
            membership = new ClusterMembership(db, nodeId, config.cluster().nodeBeat().toMillis(),
                    () -> siteRegistry.all().stream().mapToLong(e -> e.site().settings().leaseTtl().toMillis()).max().orElse(0),
                    siteId -> siteRegistry.byId(siteId).map(e -> e.site().settings().leaseTtl().toMillis()).orElse(-1L),
                    registry);
            membership.onReclaimed((siteId, number) -> poolRegistry.holding(siteId, number)
                    .ifPresent(pool -> pool.heldElsewhereReleased(number, clock.millis())));
            membership.beat(clock.millis());
        }
        ClusterMembership members = membership;
        sessions = new SessionService(siteRegistry, poolRegistry, leasing, writer, db, clock, ScriptBudgets.limits(config, clock),
                ScriptBudgets.sessionCaps(config), config.leasing().maxLiveSessions(), registry,
                new LeaseRenewals(writer, config.leasing().renewalFlush().toMillis()), nodeId,
                members == null ? () -> true : members::mayRenew, workers);
    }

    /** Providers and outbound HTTP; on PostgreSQL the change follower, started before the loading that follows. */
    private OutboundParts prepareOutboundAndFollowChanges(SiteParts siteParts) {
        SiteRegistry siteRegistry = sites;
        SiteService siteService = siteParts.siteService();
        KeyRotation keyRotation = siteParts.keyRotation();
        PoolService poolService = this.poolService;
        RingpoolConfig.Outbound outboundConfig = config.outbound();
        AddressPolicy addressPolicy = new AddressPolicy(outboundConfig.allow());
        Providers providers = ProviderCatalog.standard(addressPolicy);
        ProviderSettingsService providerSettings = new ProviderSettingsService(providers, db, siteParts.cipher(), clock);
        OutboundHttp outboundHttp = new OutboundHttp(addressPolicy, outboundConfig.timeout());
        DestinationTarget destinationTarget = new DestinationTarget(db, outboundHttp, siteParts.cipher(), siteRegistry, clock);
        // Webhooks and feeds are read from the store on every use, so their changes need no reload
        // here; a destination leaves a per-node batch-size cache to drop.
        ChangeFollower changes = store.nodeId() == null ? null : new ChangeFollower(db, Map.of(
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
            cluster = ServerThreads.cluster();
            siteRegistry.catchUpWith(new ChangeCatchUp(() -> changes.poll(clock.millis()), cluster, registry));
        }
        return new OutboundParts(addressPolicy, providers, providerSettings, outboundHttp, destinationTarget, changes);
    }

    /**
     * The demo site, seeded into an empty store only (on this start or an earlier one: the page at
     * /demo finds it by the file's id); its keys go to demo-keys.env.
     *
     * @return the demo site's id, null with no demo
     */
    private String seedDemo(DemoSeeder.DemoSite demoSite, SiteService siteService) {
        String demoSiteId = demoSite == null ? null : demoSite.siteId();
        if (demoSite != null && sites.isEmpty()) {
            SiteService.CreatedSite demo = DemoSeeder.seed(demoSite, siteService, poolService);
            if (demo != null) {
                demoSiteId = demo.site().siteId();
                demoKeysFile = config.store().dataDir().resolve("demo-keys.env");
                try {
                    java.nio.file.Files.deleteIfExists(demoKeysFile);
                    KeyFiles.writeOwnerOnly(demoKeysFile, DemoSeeder.keysFile(demo));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot write " + demoKeysFile, e);
                }
            }
        }
        return demoSiteId;
    }

    /** The outbox, recordings, calls and leads, and what hangs on them (reclassification, retention). */
    private CallParts buildCallsAndLeads(SiteParts siteParts, OutboundParts outbound) {
        SiteRegistry siteRegistry = sites;
        RingpoolConfig.Outbound outboundConfig = config.outbound();
        ProviderSettingsService providerSettings = outbound.providerSettings();
        // Conversions out (issue 12): the outbox is written inside call writes, and delivered by its worker.
        outbox = new Outbox(db, clock, List.of(new WebhookTarget(db, outbound.outboundHttp(), siteParts.cipher(), clock),
                        outbound.destinationTarget()),
                new Outbox.Settings(outboundConfig.threads(), outboundConfig.perSiteConcurrency(), outboundConfig.perTargetConcurrency(),
                        outboundConfig.slowThreads(), outboundConfig.timeout(), outboundConfig.poll(), outboundConfig.lease()), registry);
        recordings = new RecordingService(db, siteRegistry, config.store().dataDir(), config.recordings(),
                Keys.derive(store.secretKey(), "recording-playback-links"), clock, registry,
                (siteId, provider, field) -> providerSettings.settings(siteId, provider).map(s -> s.get(field)).filter(v -> !v.isBlank()));
        // One rule for call event times, at both places events are received (journal, direct ingestion): each call logged once.
        List<String> providerNames = new java.util.ArrayList<>(List.of(TwilioForm.PROVIDER, GenericEvent.PROVIDER));
        outbound.providers().all().forEach(p -> providerNames.add(p.name()));
        CallEventTimes callEventTimes = new CallEventTimes(registry, providerNames);
        io.ringpool.telephony.WebhookRejections.fromZero(registry, providerNames);
        // A call's leads, for the call log and for its webhook events alike: one lookup, so an event shows what GET shows.
        ContactLeads contactLeads = LeadService::leadsBefore;
        calls = new CallService(db, writer, siteParts.poolRegistry(), poolService, clock, registry, recordings,
                new CallEvents(outbox, contactLeads), callEventTimes, contactLeads);
        calls.countReceivedFromZero(providerNames);
        // A caller may be on the line (voice webhooks are answered from memory): a short wait for the
        // other nodes' changes, not the 3 s an unknown site gets. One node alone waits for nothing.
        calls.catchUpWith(() -> siteRegistry.awaitCatchUp(DIALLED_NUMBER_CATCH_UP_MILLIS));
        // Every site's start outcomes from 0 (a site created later: from its first start).
        siteRegistry.all().forEach(e -> sessions.countFromZero(e.site().siteId()));
        ExportService exportService = new ExportService(db);
        // Retention asks the reports first: they seal the days they still hold before the visits go.
        visitRetention = new VisitRetention(db, (siteId, cutoff) -> reports.deletableBefore(siteId, cutoff));
        // The lead route of the site script takes its tokens from the same limits as the other script routes.
        leads = new LeadService(siteRegistry, db, writer, clock, sessions.limits(), calls::eraseCaller,
                registry, new LeadEvents(outbox));
        reclassification = new Reclassification(db, clock, calls, leads);
        retention = new RetentionRuns(clock, siteRegistry, calls, leads, visitRetention, outbox, () -> sweeper);
        return new CallParts(callEventTimes, exportService);
    }

    /** People, workspaces, sign-in, the audit log, and the one guard every route asks. */
    private Accounts buildAccounts(SiteAccess access, String publicUrl) {
        UserStore userStore = new UserStore(db);
        WorkspaceStore workspaceStore = new WorkspaceStore(db);
        PasswordHasher hasher = new PasswordHasher();
        SignIn signIn = new SignIn(userStore, hasher, clock, registry);
        Workspaces workspaces = new Workspaces(workspaceStore, userStore, hasher, sites, clock, publicUrl);
        AuditLog audit = new AuditLog(db, workspaceStore, clock);
        AccessApi guard = new AccessApi(new Authoriser(access, sites, signIn, workspaceStore), new SessionCookie(publicUrl));
        return new Accounts(signIn, workspaces, audit, guard);
    }

    /** The reports, their bound in memory and their sealed days, with their meters. */
    private void buildReports(SiteParts siteParts) {
        SiteRegistry siteRegistry = sites;
        // The retention job deletes a site's ended visits older than its retentionDays: the facts drop them too.
        FactsBound factsBound = new FactsBound(FactsBound.resolve(config.server().reportMaxVisits(), Runtime.getRuntime().maxMemory()),
                siteId -> siteRegistry.byId(siteId)
                        .map(e -> clock.millis() - java.time.Duration.ofDays(e.site().settings().retentionDays()).toMillis())
                        .orElse(Long.MIN_VALUE));
        // Days the facts drop (bound or retention) are sealed as daily aggregates first, so past months still show.
        DaySeal daySeal = new DaySeal(db, siteId -> siteRegistry.byId(siteId).map(e -> e.site().settings()), clock);
        reports = new ReportService(db, siteParts.poolRegistry(), poolService, clock,
                config.store().dataDir().resolve(ReportService.FACTS_DIRECTORY), factsBound, daySeal, siteParts.exhaustionTally());
        registry.gauge("ringpool.report.facts.visits", reports, ReportService::heldVisits);
        registry.gauge("ringpool.report.facts.max.visits", factsBound, FactsBound::maxVisits);
        io.micrometer.core.instrument.FunctionCounter.builder("ringpool.report.facts.evicted", factsBound, FactsBound::evicted)
                .description("visits dropped from the report facts in memory (bound or retention), not from the store").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("ringpool.report.days.sealed", daySeal, DaySeal::sealed)
                .description("days written as daily report aggregates before their visits left memory or the store").register(registry);
        LOG.info("report_facts_bound max_visits={} max_heap_mb={}", factsBound.maxVisits(), Runtime.getRuntime().maxMemory() >> 20);
    }

    /** The call journal (it replays what a stop or an outage left, into the calls), Asterisk through it, the call lane. */
    private void startJournal(CallEventTimes callEventTimes, OutboundParts outbound) {
        journal = new CallJournal(config.store().dataDir().resolve("journal"), config.journal().maxBytes(),
                new JournalDelivery(sites, calls), clock, registry, callEventTimes);
        journal.start();
        // AMI events go through the journal like webhooks: a call seen while the store is down is kept, not logged and lost.
        asterisk = new AsteriskConnections(outbound.providerSettings(), sites, calls, journal, clock, registry,
                AsteriskConnections.DEFAULT_INITIAL_BACKOFF, outbound.addressPolicy());
        // Webhooks answered from memory get their own threads: with a slow store every shared
        // worker may be waiting for a connection, and a ringing call must not queue behind them.
        callLane = ServerThreads.callLane();
        webhookStore = ServerThreads.webhookStore(config.server());
    }

    /** The route table, in the order requests are matched (RingpoolApi adds /s.js first). */
    private void declareRoutes(SiteParts siteParts, OutboundParts outbound, Accounts accounts, ExportService exportService,
            String publicUrl, boolean publicUrlGuessed, String demoSiteId) {
        SiteRegistry siteRegistry = sites;
        PoolRegistry poolRegistry = siteParts.poolRegistry();
        SecretCipher cipher = siteParts.cipher();
        AddressPolicy addressPolicy = outbound.addressPolicy();
        AccessApi guard = accounts.guard();
        AuditLog audit = accounts.audit();
        RecordingService recordingSettings = recordings;
        WebhookLog webhookLog = new WebhookLog(); // one for the adapters' routes and Twilio's and the generic route
        ProvidersApi providersApi = new ProvidersApi(outbound.providers(), outbound.providerSettings(), siteRegistry, guard, calls,
                journal, callLane, webhookStore, webhookLog, publicUrl, publicUrlGuessed, clock, registry, siteId -> {
                    // From memory: a ringing call's answer must not wait for the store (audit I #1: 10 s with it hung).
                    var r = recordingSettings.settingsFromMemory(siteId);
                    return new CallRecording(r.recordCalls(), r.notice());
                });
        SiteApi siteApi = new SiteApi(siteParts.siteService(), guard, audit, List.of(providersApi), List.of(recordings.siteFields()));
        http.add(new OpsApi(storeProbe, registry, sessions::liveSessions, () -> journal, asterisk::states, config.security().metricsToken())::routes);
        http.add(new SignInApi(accounts.signIn(), accounts.workspaces(), siteRegistry, guard, audit, publicUrl)::routes);
        // A feed's password works without its creator's session: it ends with their right to manage the site (audit AM2 F10).
        FeedService feedService = new FeedService(db, exportService, siteRegistry, publicUrl, clock,
                (userId, siteId) -> accounts.workspaces().allows(userId, siteId, Permission.WEBHOOKS));
        StandingAccess feedsOfCreator = (userId, mayManage) -> feedService.revokeCreatedBy(userId, mayManage).stream()
                .map(f -> new StandingAccess.Ended(f.siteId(), "feed.revoke", f.feedId(), "feed " + f.format() + ", username " + f.username()))
                .toList();
        http.add(new WorkspaceApi(accounts.workspaces(), siteApi, siteRegistry, guard, audit, accounts.signIn(), feedsOfCreator)::routes);
        http.add(siteApi::routes);
        http.add(new KeysApi(siteParts.keyRotation(), guard, audit)::routes);
        http.add(new PoolApi(poolService, poolRegistry, guard, audit)::routes);
        http.add(new SessionApi(sessions)::routes);
        http.add(new CallApi(calls, guard, audit)::routes);
        http.add(new LeadApi(leads, guard, audit)::routes);
        http.add(new RecordingApi(recordings, guard, audit)::routes);
        http.add(new TelephonyApi(siteRegistry, calls, journal, callLane, publicUrl, publicUrlGuessed, clock, registry, recordings,
                webhookLog)::routes);
        http.add(providersApi::routes);
        ReportApi reportApi = new ReportApi(reports, guard);
        http.add(reportApi::routes);
        http.add(new io.ringpool.download.ReportDownload(reportApi, guard)::routes);
        http.add(new io.ringpool.download.CallLogDownload(calls, guard)::routes);
        http.add(new io.ringpool.download.LeadLogDownload(leads, guard)::routes);
        http.add(new ExportApi(exportService, guard, clock)::routes);
        http.add(new WebhookApi(new WebhookService(db, outbox, addressPolicy, cipher, clock), guard, audit)::routes);
        http.add(new DestinationApi(new DestinationService(db, outbox, addressPolicy, cipher, outbound.destinationTarget(), clock),
                guard, audit)::routes);
        http.add(new FeedApi(feedService, guard, audit)::routes);
        http.add(new DashboardApi(siteRegistry)::routes);
        if (demoSiteId != null) {
            http.add(new DemoPage(siteRegistry, poolRegistry, demoSiteId)::routes);
        }
        http.add(new BackupApi(new StoreBackup(db, config.store().dataDir().resolve("backups"), clock), guard)::routes);
        if (clock instanceof AdjustableClock adjustable) {
            http.add(new TestClockApi(adjustable, siteParts.access(), () -> {
                sessions.sweep();
                retention.afterClockJump();
            })::routes);
        }
    }

    /**
     * Once everything it touches exists: the reports' preload and refresher, the outbox (or paused),
     * interrupted reclassifications, the sweeper's jobs, recordings and, on PostgreSQL, the cluster's.
     */
    private void startBackgroundWork(ChangeFollower changes) {
        SiteRegistry siteRegistry = sites;
        boolean preload = config.server().reportPreload();
        if (preload) {
            reports.warmUpInBackground(siteRegistry.all().stream().map(e -> e.site().siteId()).toList());
        }
        // Its own thread: a refresh after a burst of traffic may take seconds and must not delay the sweeper.
        reportRefresher = ServerThreads.scheduled("ringpool-report-refresh");
        BackgroundJobs.scheduleReports(reportRefresher, reports, siteRegistry, preload);

        if (config.outbound().paused()) {
            // A restored copy checked beside the live server must not send the live server's deliveries again (audit P #6).
            outbox.startPaused();
            LOG.warn("outbound_paused pending={} (outbound.paused / RINGPOOL_OUTBOUND_PAUSED: no webhook or upload is sent; "
                    + "deliveries stay pending until a start without it)", outbox.pendingNow());
        } else {
            outbox.start();
        }
        reclassification.resumeInterrupted(siteRegistry);
        sweeper = ServerThreads.scheduled("ringpool-sweeper");
        BackgroundJobs.scheduleSweeps(sweeper, config.leasing().sweepInterval().toMillis(), sessions, db, retention, leasing, clock,
                this::savePoolStatsQuietly, recordings);
        recordings.start();

        String nodeId = store.nodeId();
        if (nodeId != null) {
            RingpoolConfig.Cluster clusterConfig = config.cluster();
            BackgroundJobs.scheduleClusterRounds(cluster, clusterConfig, membership, changes, this::stopUnderNewerSchema, clock);
            changeNotifications = BackgroundJobs.listenForChanges(clusterConfig, nodeId, changes, db, clock, registry);
            BackgroundJobs.scheduleHeadroom(cluster, db, changeNotifications, registry);
        }
    }

    /** Last: Asterisk connects, the HTTP server answers, and the server says it is listening. */
    private void openForRequests(String publicUrl) {
        String nodeId = store.nodeId();
        asterisk.start();
        http.open();
        LOG.info("listening port={} store={} node={} script_gzip_bytes={} public_url={}{}", port, db.isH2() ? "h2" : "postgresql",
                nodeId == null ? "single" : nodeId, http.scriptGzippedSize(), publicUrl,
                config.server().publicUrl().isEmpty() ? " (server.publicUrl not set)" : "");
        listening = true;
    }

    /**
     * The one retention job (hourly): for every site, callers of calls older than its
     * {@code retentionDays} are erased, so are leads' personal data, and ended visits older than
     * that are deleted with their page views and intents (in batches).
     */
    public void applyRetention() {
        retention.apply();
    }

    /** Kept for callers from before visits had a retention too: the whole job. */
    public void purgeExpiredCallers() {
        applyRetention();
    }

    /** The sweeper's save of the pools' lifetime counts (every 30 s), at once: tests. */
    public void savePoolStats() {
        poolService.saveStats();
    }

    private void savePoolStatsQuietly() {
        BackgroundJobs.quietly("pool_stats_not_saved", poolService::saveStats);
    }

    /** Call recordings: fetching, playback, retention (tests drive retention through it). */
    public RecordingService recordings() {
        return recordings;
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
                io.ringpool.failure.FailureLog.SHARED.warn(LOG, "exhaustion_counts_lost", e);
            }
        }
        if (sessions != null) {
            sessions.logRefusals();
        }
        if (callLane != null) {
            callLane.shutdown();
        }
        if (webhookStore != null) {
            webhookStore.shutdown();
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
                io.ringpool.failure.FailureLog.SHARED.warn(LOG, "renewal_flush_failed", e);
            }
        }
        if (recordings != null) {
            recordings.close();
        }
        if (store != null) {
            store.close(); // the writer, the store probe, the store, the data directory's lock
        }
        if (wasListening) {
            LOG.info("stopped port={}", port);
        }
    }
}
