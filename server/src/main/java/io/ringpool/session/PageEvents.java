package io.ringpool.session;

import static io.ringpool.session.LiveSessions.ended;

import io.ringpool.failure.DomainFailure;
import io.ringpool.pool.Leasing;
import io.ringpool.security.ScriptLimits;
import io.ringpool.session.SessionService.Intent;
import io.ringpool.session.SessionService.PageView;
import io.ringpool.site.SiteSettings;
import io.ringpool.store.GroupCommitWriter;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/**
 * What a live session's pages report: page views and call intents, each stored (an intent also
 * holds a tracked number longer). Past the session's caps they are counted on the session and not
 * stored: the bound on what one session adds to the disk.
 *
 * <p>Threading: runs on the event loop and must not block; the rows are queued on the group-commit
 * writer, and the future completes on the commit thread once they are committed.
 */
final class PageEvents {
    private final Leasing leasing;
    private final GroupCommitWriter writer;
    private final Clock clock;
    private final ScriptLimits limits;
    private final SessionCaps caps;
    private final StoredUrls urls;
    private final LiveSessions live;

    PageEvents(Leasing leasing, GroupCommitWriter writer, Clock clock, ScriptLimits limits, SessionCaps caps, StoredUrls urls,
            LiveSessions live) {
        this.leasing = leasing;
        this.writer = writer;
        this.clock = clock;
        this.limits = limits;
        this.caps = caps;
        this.urls = urls;
        this.live = live;
    }

    /** See {@link SessionService#pageviewAsync}. */
    CompletableFuture<Void> pageviewAsync(PageView view) {
        if (view.url() == null || view.url().isBlank()) {
            throw DomainFailure.missing("url");
        }
        LiveSession s = live.liveOrNull(view.sessionId());
        if (s == null) {
            return live.notLive(view.sessionId());
        }
        live.requireOrigin(s, view.origin());
        limits.check(ScriptLimits.Kind.PAGEVIEW, null, s.sessionId, view.clientIp());
        long now = clock.millis();
        SiteSettings settings = live.settingsOf(s);
        String url = urls.stored(view.url(), settings);
        String title = settings.storeTitles() ? SessionStore.cap(view.title(), caps.maxTitleChars()) : null;
        // Past the cap the view is counted on the session, not stored: the bound on what one session adds.
        boolean store = s.countPageview() <= caps.pageviewsStored();
        return writer.submit(c -> SessionStore.insertPageview(c, s.siteId, s.sessionId, url, title, now, store));
    }

    /** See {@link SessionService#intentAsync}. */
    CompletableFuture<Void> intentAsync(Intent intent) {
        LiveSession s = live.liveOrNull(intent.sessionId());
        if (s == null) {
            return live.notLive(intent.sessionId());
        }
        live.requireOrigin(s, intent.origin());
        limits.check(ScriptLimits.Kind.INTENT, null, s.sessionId, intent.clientIp());
        long now = clock.millis();
        String kind = intent.kind().wireName();
        boolean store = s.countIntent() <= caps.intentsStored();
        if (s.tracked()) {
            CompletableFuture<Void> stored = leasing.intentAsync(s.pool, s.lease, live.settingsOf(s), now, c -> {
                if (store) {
                    SessionStore.insertIntent(c, s.siteId, s.sessionId, kind, now);
                }
            });
            if (stored == null) {
                live.markOver(s);
                throw ended();
            }
            return stored;
        }
        if (store) {
            return writer.submit(c -> SessionStore.insertIntent(c, s.siteId, s.sessionId, kind, now));
        }
        return CompletableFuture.completedFuture(null);
    }
}
