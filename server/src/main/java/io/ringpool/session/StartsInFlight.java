package io.ringpool.session;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts choosing a number right now, by site and visitor: while one is in flight, another start
 * of that visitor (two tabs opened at once, a retried request) waits for it and resumes the
 * session it makes, instead of leasing the visitor a second number. Entries live only as long
 * as their start; a crowd of different visitors never waits on each other.
 *
 * <p>Threading: claimed on the thread that begins a start (the event loop), settled on whichever
 * thread completes it (often the commit thread); a concurrent map, no lock held across a start.
 * Whoever waits on another start must continue on a worker, never on the settling thread.
 */
final class StartsInFlight {

    record Visitor(String siteId, String visitorId) {}

    private final Map<Visitor, CompletableFuture<Void>> starting = new ConcurrentHashMap<>();

    /** Makes {@code ours} the visitor's start in flight; returns the one already in flight instead, or null when ours now is. */
    CompletableFuture<Void> claim(Visitor visitor, CompletableFuture<Void> ours) {
        return starting.putIfAbsent(visitor, ours);
    }

    /** Our start is over (whatever its outcome): forget it and let the starts waiting for it go on. */
    void settle(Visitor visitor, CompletableFuture<Void> ours) {
        starting.remove(visitor, ours);
        ours.complete(null);
    }
}
