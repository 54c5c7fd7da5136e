package io.ringpool.recording;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.call.RecordingHook;
import io.ringpool.call.StoredCall;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.failure.DomainFailure;
import io.ringpool.site.SiteRegistry;
import io.ringpool.store.Database;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Call recordings: queued with the call event that reports them ({@link RecordingHook}), fetched
 * by one background worker with retries, kept as content-addressed files, served for playback,
 * and deleted by retention and by a caller's erasure.
 *
 * <h2>The fetch queue</h2>
 * The queue is the {@code call_recordings} table (see {@link RecordingStore}): it survives a
 * restart, and a claim is a compare-and-set, so several nodes may run workers. The worker wakes on
 * every reported recording and every {@code pollInterval}; a failed attempt is retried after
 * {@link #backoff} (30 s doubling, at most 6 h) up to {@code maxAttempts}; a permanent failure
 * (refused address, wrong type, too large) stops at once. It could move onto the outbox of
 * issue 12 once that lands; the table would then keep only the stored file's facts.
 *
 * <p>A site whose {@code recordCalls} is off keeps no recordings: reported URLs stay on the call
 * ({@code recordingUrl}) and nothing is downloaded.
 */
public final class RecordingService implements RecordingHook, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecordingService.class);
    /** Due rows taken per look at the queue. */
    private static final int BATCH = 10;
    /** First retry delay; doubled per attempt. */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(30);
    static final Duration MAX_BACKOFF = Duration.ofHours(6);
    /** How long a playback link works. */
    static final Duration LINK_LIFETIME = Duration.ofHours(2);
    private static final Pattern TWILIO_ACCOUNT = Pattern.compile("/Accounts/(AC[0-9a-fA-F]{32})/");

    /** A kept recording ready to be served. */
    public record Playable(Path file, long size, String contentType, Integer durationSeconds) {}

    private final Database db;
    private final SiteRegistry sites;
    private final Clock clock;
    private final MeterRegistry registry;
    private final RingpoolConfig.Recordings config;
    private final RecordingStore store = new RecordingStore();
    private final RecordingSettingsStore settings;
    private final RecordingFiles files;
    private final RecordingDownloader downloader;
    private final ProviderRecordingApis providerApis;
    private final PlaybackLinks links;
    private final ScheduledExecutorService worker;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();

    public RecordingService(Database db, SiteRegistry sites, Path dataDir, RingpoolConfig.Recordings config, byte[] linkKey,
            Clock clock, MeterRegistry registry) {
        this(db, sites, dataDir, config, linkKey, clock, registry, (site, provider, field) -> java.util.Optional.empty());
    }

    /**
     * @param providerSettings a site's provider setting ({@code (siteId, provider, field)}), for the
     *                         providers whose recordings are fetched through their APIs (Mango, Zadarma)
     */
    public RecordingService(Database db, SiteRegistry sites, Path dataDir, RingpoolConfig.Recordings config, byte[] linkKey,
            Clock clock, MeterRegistry registry, ProviderSettingLookup providerSettings) {
        this.providerApis = new ProviderRecordingApis(providerSettings);
        this.db = db;
        this.sites = sites;
        this.clock = clock;
        this.registry = registry;
        this.config = config;
        this.settings = new RecordingSettingsStore(db);
        this.settings.loadAll();
        this.files = new RecordingFiles(dataDir);
        this.downloader = new RecordingDownloader(new io.ringpool.outbound.AddressPolicy(config.fetchAllow()), config.maxBytes(), config.fetchTimeout());
        this.links = new PlaybackLinks(linkKey, clock);
        this.worker = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("ringpool-recordings").daemon(true).unstarted(r));
    }

    /** Starts the fetch worker. */
    public void start() {
        long every = config.pollInterval().toMillis();
        worker.scheduleWithFixedDelay(this::drainQuietly, 0, every, TimeUnit.MILLISECONDS);
    }

    /** The site fields for {@code PATCH /v1/sites/{siteId}}. */
    public io.ringpool.site.SiteFields siteFields() {
        return new RecordingSiteFields(settings, clock);
    }

    /** The site's recording settings (from memory when the store is down). */
    public RecordingSettings settings(String siteId) {
        return settings.of(siteId);
    }

    /** The site's recording settings from memory only, for the call path that must not touch the store. */
    public RecordingSettings settingsFromMemory(String siteId) {
        return settings.remembered(siteId);
    }

    // ---- RecordingHook: the call path --------------------------------------------------------

    @Override
    public void reported(Connection c, StoredCall call, long now) throws SQLException {
        if (!RecordingSettingsStore.read(c, call.siteId()).recordCalls()) {
            return;
        }
        String url = call.recordingUrl();
        if (!url.toLowerCase(Locale.ROOT).matches("https?://.+") && !ProviderRecordingApis.isReference(url)) {
            return;
        }
        store.enqueue(c, call.siteId(), call.callId(), call.provider(), url, now);
    }

    @Override
    public void erased(Connection c, String siteId, List<String> callIds, long now) throws SQLException {
        store.markDeleted(c, siteId, callIds, "erased", now);
    }

    @Override
    public void afterReport() {
        if (wakeQueued.compareAndSet(false, true)) {
            try {
                worker.execute(() -> {
                    wakeQueued.set(false);
                    drainQuietly();
                });
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                wakeQueued.set(false);
            }
        }
    }

    @Override
    public void afterErasure(String siteId) {
        removeFiles(siteId);
    }

    // ---- the worker --------------------------------------------------------------------------

    private void drainQuietly() {
        try {
            drain();
        } catch (RuntimeException e) {
            io.ringpool.failure.FailureLog.SHARED.warn(LOG, "recording_fetch_round_failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Fetches every due recording, one after another; returns how many were attempted. */
    int drain() throws InterruptedException {
        int attempted = 0;
        while (true) {
            long now = clock.millis();
            List<RecordingStore.Row> due = db.read(c -> store.due(c, now, BATCH));
            if (due.isEmpty()) {
                return attempted;
            }
            int claimedThisRound = 0;
            for (RecordingStore.Row row : due) {
                long claimUntil = clock.millis() + config.fetchTimeout().toMillis() + 60_000;
                if (!db.inTransaction(c -> store.claim(c, row, claimUntil))) {
                    continue; // another worker took it
                }
                claimedThisRound++;
                attempted++;
                fetchOne(row);
            }
            if (claimedThisRound == 0) {
                return attempted;
            }
        }
    }

    private void fetchOne(RecordingStore.Row row) throws InterruptedException {
        if (ProviderRecordingApis.isReference(row.sourceUrl())) {
            fetchThrough(row, temp -> row.sourceUrl().startsWith(ProviderRecordingApis.MANGO_PREFIX)
                    ? providerApis.mango(row.siteId(), row.sourceUrl(), downloader, temp)
                    : providerApis.zadarma(row.siteId(), row.sourceUrl(), downloader, temp));
            return;
        }
        URI url;
        try {
            url = URI.create(fetchUrl(row.provider(), row.sourceUrl()));
        } catch (IllegalArgumentException bad) {
            failed(row, new RecordingDownloader.Failed("unparseable URL", false));
            return;
        }
        fetchThrough(row, temp -> downloader.fetch(url, authorization(row), temp));
    }

    /** One way of bringing a recording's bytes into a temporary file (a plain URL, or a provider's API). */
    @FunctionalInterface
    private interface Download {
        RecordingDownloader.Outcome into(Path temp) throws IOException, InterruptedException;
    }

    /** Downloads into a temporary file that is always removed, and records the outcome on the row. */
    private void fetchThrough(RecordingStore.Row row, Download download) throws InterruptedException {
        Path temp = null;
        try {
            temp = files.temporary();
            switch (download.into(temp)) {
                case RecordingDownloader.Failed f -> failed(row, f);
                case RecordingDownloader.Fetched f -> keep(row, f);
            }
        } catch (IOException e) {
            failed(row, new RecordingDownloader.Failed("local io " + e, true));
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // tmp/ is only ours; a leftover is harmless
                }
            }
        }
    }

    private void keep(RecordingStore.Row row, RecordingDownloader.Fetched f) throws IOException {
        Integer seconds = AudioDuration.seconds(f.file(), f.size());
        if (seconds != null && seconds == 0 && f.size() > 0) {
            seconds = 1; // under half a second rounds to 0, but there is audio
        }
        StoredFile file = files.keep(f.file(), f.sha256(), f.contentType(), f.size());
        Integer duration = seconds;
        boolean kept = db.inTransaction(c -> store.stored(c, row, file, duration, clock.millis()));
        if (!kept) {
            // Erased while we fetched: the row is no longer queued. Remove the file unless another recording has it.
            removeFiles(row.siteId());
            deleteIfUnreferenced(file.sha256(), file.location(), row.siteId(), row.callId());
            return;
        }
        count("stored");
        LOG.info("recording_stored site={} call={} provider={} bytes={} seconds={} sha256={}", row.siteId(), row.callId(),
                row.provider(), file.size(), duration, file.sha256().substring(0, 12));
    }

    private void failed(RecordingStore.Row row, RecordingDownloader.Failed f) {
        int attempts = row.attempts() + 1;
        Long next = f.retryable() && attempts < config.maxAttempts() ? clock.millis() + backoff(attempts).toMillis() : null;
        db.inTransaction(c -> {
            store.attemptFailed(c, row, f.reason(), next, clock.millis());
            return null;
        });
        count(next == null ? "failed" : "retry");
        LOG.info("recording_fetch_failed site={} call={} provider={} attempt={} reason={} next={}", row.siteId(), row.callId(),
                row.provider(), attempts, f.reason(), next == null ? "none" : java.time.Instant.ofEpochMilli(next));
    }

    /** Delay before attempt {@code attempts + 1}: 30 s, 60 s, 120 s, … at most 6 h. */
    static Duration backoff(int attempts) {
        long seconds = FIRST_BACKOFF.toSeconds() << Math.min(attempts - 1, 20);
        return Duration.ofSeconds(Math.min(seconds, MAX_BACKOFF.toSeconds()));
    }

    /** Twilio serves the recording as WAV at its URL and as MP3 at URL + ".mp3": MP3 is a quarter of the size. */
    static String fetchUrl(String provider, String url) {
        if ("twilio".equals(provider)) {
            URI u = URI.create(url);
            String path = u.getPath() == null ? "" : u.getPath();
            String last = path.substring(path.lastIndexOf('/') + 1);
            if (!last.contains(".") && u.getQuery() == null) {
                return url + ".mp3";
            }
        }
        return url;
    }

    /** Twilio: HTTP Basic with the account SID (from the URL) and the site's auth token. Others: pre-signed URLs, none. */
    private String authorization(RecordingStore.Row row) {
        if (!"twilio".equals(row.provider())) {
            return null;
        }
        Matcher m = TWILIO_ACCOUNT.matcher(row.sourceUrl());
        String token = sites.byId(row.siteId()).map(e -> e.secrets().twilioAuthToken()).orElse(null);
        if (!m.find() || token == null || token.isBlank()) {
            return null;
        }
        String pair = m.group(1) + ":" + token;
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    // ---- playback ------------------------------------------------------------------------------

    /**
     * The call's kept recording, checked against its checksum.
     *
     * @throws DomainFailure 404 {@code recording_not_found} (none, not yet fetched, failed), 410
     *                       {@code recording_deleted} (retention or erasure), 503 {@code recording_unavailable}
     *                       (the file is missing or does not match its checksum)
     */
    public Playable playable(String siteId, String callId) {
        RecordingStore.Row row = db.read(c -> store.find(c, siteId, callId)).orElseThrow(RecordingService::notFound);
        if (RecordingStore.DELETED.equals(row.state())) {
            throw new DomainFailure(DomainFailure.Kind.GONE, "recording_deleted", "this call's recording was deleted (" + row.lastError() + ")");
        }
        if (!RecordingStore.STORED.equals(row.state())) {
            throw notFound();
        }
        try {
            Path file = files.open(row.location(), row.sha256(), row.sizeBytes());
            return new Playable(file, row.sizeBytes(), row.contentType(), row.durationSeconds());
        } catch (IOException e) {
            LOG.error("recording_unreadable site={} call={} location={} reason={}", siteId, callId, row.location(), e.toString());
            count("corrupt");
            throw new DomainFailure(DomainFailure.Kind.UNAVAILABLE, "recording_unavailable",
                    "the recording's file cannot be read or does not match its checksum; the operator has been told in the log");
        }
    }

    private static DomainFailure notFound() {
        return new DomainFailure(DomainFailure.Kind.NOT_FOUND, "recording_not_found", "this call has no recording to play (yet)");
    }

    /** A link that plays the call's recording without the key, for an audio element's {@code src}; expires after two hours. */
    public PlaybackLinks.Link link(String siteId, String callId) {
        playable(siteId, callId);
        return links.issue(siteId, callId, LINK_LIFETIME);
    }

    public boolean linkValid(String siteId, String callId, String token) {
        return links.valid(siteId, callId, token);
    }

    // ---- retention and deletion ----------------------------------------------------------------

    /** Deletes the site's recordings of calls older than its {@code recordingRetentionDays}; returns how many. */
    public int applyRetention(String siteId) {
        RecordingSettings s = settings.of(siteId);
        long before = clock.millis() - Duration.ofDays(s.retentionDays()).toMillis();
        int deleted = db.inTransaction(c -> store.markDeleted(c, siteId, store.storedBefore(c, siteId, before), "retention", clock.millis()));
        removeFiles(siteId);
        if (deleted > 0) {
            LOG.info("recordings_expired site={} recordings={} retentionDays={}", siteId, deleted, s.retentionDays());
        }
        return deleted;
    }

    /** Applies every site's retention (hourly). */
    public void applyRetention() {
        for (SiteRegistry.Entry e : sites.all()) {
            applyRetention(e.site().siteId());
        }
    }

    /** Removes the files of the site's deleted recordings (a file another kept recording shares stays). */
    private void removeFiles(String siteId) {
        List<RecordingStore.Row> rows = db.read(c -> store.filesToRemove(c, siteId));
        for (RecordingStore.Row row : rows) {
            deleteIfUnreferenced(row.sha256(), row.location(), siteId, row.callId());
            db.inTransaction(c -> {
                store.clearLocation(c, siteId, row.callId());
                return null;
            });
        }
    }

    private void deleteIfUnreferenced(String sha256, String location, String siteId, String callId) {
        try {
            if (!db.read(c -> store.sharedElsewhere(c, sha256, siteId, callId))) {
                files.delete(location);
            }
        } catch (IOException e) {
            LOG.warn("recording_file_delete_failed location={} reason={}", location, e.toString());
        }
    }

    /** Where a call's recording stands, for tests and diagnostics. */
    public Optional<String> state(String siteId, String callId) {
        return db.read(c -> store.find(c, siteId, callId)).map(RecordingStore.Row::state);
    }

    /** The file a kept recording is at (tests check it is removed). */
    public Optional<Path> fileOf(String siteId, String callId) {
        return db.read(c -> store.find(c, siteId, callId)).filter(r -> r.sha256() != null).map(r -> files.pathOf(r.sha256()));
    }

    private void count(String outcome) {
        Counter.builder("ringpool.recordings.fetches").description("recording downloads by outcome (stored, retry, failed, corrupt)")
                .tag("outcome", outcome).register(registry).increment();
    }

    @Override
    public void close() {
        // a fetch under way finishes first: an interrupt during its store write would close H2's
        // file channel for every thread; only one still running after 5 s is interrupted
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
                worker.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
