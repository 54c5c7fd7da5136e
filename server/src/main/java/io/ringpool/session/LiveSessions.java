package io.ringpool.session;

import io.ringpool.site.SiteRegistry;
import io.ringpool.site.SiteSettings;
import io.ringpool.site.UnknownSite;
import io.ringpool.store.StoreException;
import io.ringpool.store.StoreOverloadedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * This node's live sessions and the rules every session step applies to them alike: whether a
 * session is live, the 404/410 of one that is not (the store says whether it ever existed), the
 * origin check, and the one way a session becomes over ({@link #markOver}). The steps
 * ({@link VisitStarts}, {@link Heartbeats}, {@link PageEvents}, {@link SessionEnds}) share this one
 * instance, so a session over for one is over for all.
 *
 * <p>Threading: any thread; everything here is in memory and lock-free except the store read of
 * {@link #known}, which runs on {@code blockingReads}, never on the caller's thread (the event
 * loop must not block).
 */
final class LiveSessions {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{8,100}");

    /** Live sessions by id and by site and visitor (compact tables: issue 17). */
    final LiveSessionIndex index;
    final LapsedTags lapsedTags;
    private final SiteRegistry sites;
    private final SessionStore store;
    private final Executor blockingReads;

    LiveSessions(LiveSessionIndex index, LapsedTags lapsedTags, SiteRegistry sites, SessionStore store, Executor blockingReads) {
        this.index = index;
        this.lapsedTags = lapsedTags;
        this.sites = sites;
        this.store = store;
        this.blockingReads = blockingReads;
    }

    boolean isLive(LiveSession s, long now) {
        if (s.over) {
            return false;
        }
        return s.tracked() ? s.pool.isLive(s.lease, now) : s.untracked.expiresAt > now;
    }

    /** The session if it is live in memory; null when it is over or not here. */
    LiveSession liveOrNull(String sessionId) {
        LiveSession s = sessionId == null ? null : index.get(sessionId);
        return s != null && !s.over ? s : null;
    }

    /** The session is over: no step finds it any more, and its tags are kept for a continued page ({@link LapsedTags}). */
    void markOver(LiveSession s) {
        s.over = true;
        index.remove(s);
        lapsedTags.remember(s);
    }

    /** For a session not live here: {@link SessionEnded} if the store has ever seen it, else {@link UnknownSession}. */
    <T> CompletableFuture<T> notLive(String sessionId) {
        return known(sessionId).thenApply(known -> {
            throw known ? ended() : new UnknownSession();
        });
    }

    /** Whether the store has ever seen this session id; read on {@code blockingReads}, never on the caller's thread. */
    CompletableFuture<Boolean> known(String sessionId) {
        if (sessionId == null || !ID.matcher(sessionId).matches()) {
            return CompletableFuture.completedFuture(false);
        }
        try {
            return CompletableFuture.supplyAsync(() -> store.find(sessionId) != null, blockingReads);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new StoreOverloadedException("too many session look-ups waiting"));
        }
    }

    /** See {@link SessionService#fromAdmittedOrigin}. */
    <T> CompletableFuture<T> fromAdmittedOrigin(String sessionId, String origin, Supplier<CompletableFuture<T>> request) {
        LiveSession s = liveOrNull(sessionId);
        if (s == null) {
            return notLive(sessionId);
        }
        requireOrigin(s, origin);
        return request.get();
    }

    /** A request on a session from a page of another origin than its site's domains changes nothing (a start is checked alike). */
    void requireOrigin(LiveSession s, String origin) {
        if (origin != null && !SiteRegistry.originAllowed(sites.byId(s.siteId).orElseThrow(UnknownSite::new).site(), origin)) {
            throw new OriginNotAllowed();
        }
    }

    SiteSettings settingsOf(LiveSession s) {
        return sites.byId(s.siteId).orElseThrow(UnknownSite::new).site().settings();
    }

    /** The failure a composed future carries, as the exception the blocking methods throw. */
    static RuntimeException unwrapped(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof RuntimeException runtime ? runtime : new StoreException("write failed", cause);
    }

    static SessionEnded ended() {
        return new SessionEnded();
    }
}
