package io.ringpool.pool;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.site.ExhaustionPolicy;
import io.ringpool.site.SiteSettings;
import io.ringpool.store.GroupCommitWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses a number for a visit and keeps leases alive. Decisions are made in memory by the pool's
 * owner ({@link PoolState}); the rows that record them are group-committed, and callers answer
 * only after the commit.
 *
 * <p>Choice order across the site's pools that match the visit (by priority):
 * <ol>
 *   <li>the visitor's previous number, if it is idle (free, or cooling from their own lease);</li>
 *   <li>the free number released longest ago, in the first matching pool that has one;</li>
 *   <li>if none is free: in the first matching pool whose site policy is {@code reuse_cooling},
 *       the number longest in cool-down (calls to it will be attributed as ambiguous);</li>
 *   <li>otherwise nothing: the visit shows the default number, untracked.</li>
 * </ol>
 * A pool that matched but had no free number counts an exhaustion.
 */
public final class Leasing {
    private static final Logger LOG = LoggerFactory.getLogger(Leasing.class);

    /** Writes the visit's own row(s) in the same transaction as its lease (or without one). */
    @FunctionalInterface
    public interface VisitRow {
        void insert(Connection connection, Lease leaseOrNull, String untrackedReason) throws SQLException;
    }

    /** The result of asking for a number. */
    public sealed interface Outcome {}

    public record Leased(PoolState pool, PoolState.Granted granted) implements Outcome {}

    /** Nothing leased; {@code committed} completes when the visit row (and exhaustions) are stored. */
    public record NotLeased(String reason, CompletableFuture<Void> committed) implements Outcome {}

    private final PoolRegistry pools;
    private final GroupCommitWriter writer;
    private final MeterRegistry registry;
    private final ExhaustionTally tally;

    public Leasing(PoolRegistry pools, GroupCommitWriter writer, MeterRegistry registry) {
        this(pools, writer, registry, new ExhaustionTally());
    }

    public Leasing(PoolRegistry pools, GroupCommitWriter writer, MeterRegistry registry, ExhaustionTally tally) {
        this.tally = tally;
        this.pools = pools;
        this.writer = writer;
        this.registry = registry;
    }

    public Outcome acquire(String siteId, SiteSettings settings, String sessionId, String visitorId,
            Map<String, String> visit, long now, VisitRow visitRow) {
        List<PoolState> matching = new ArrayList<>();
        for (PoolState p : pools.ofSite(siteId)) {
            if (p.pool().match().matches(visit)) {
                matching.add(p);
            }
        }
        if (matching.isEmpty()) {
            return new NotLeased("no_pool", writer.submit(c -> visitRow.insert(c, null, "no_pool")));
        }
        long ttl = settings.leaseTtl().toMillis();
        long coolDown = settings.coolDown().toMillis();
        List<PoolState> exhausted = new ArrayList<>();
        for (PoolState p : matching) {
            PoolState.Granted g = p.acquireReturning(sessionId, sessionId, visitorId, now, ttl, persist(visitRow, List.of(), now));
            if (g != null) {
                return new Leased(p, g);
            }
        }
        for (PoolState p : matching) {
            PoolState.Granted g = p.acquireFree(sessionId, sessionId, visitorId, now, ttl, coolDown,
                    persist(visitRow, List.copyOf(exhausted), now));
            if (g != null) {
                countExhaustions(exhausted);
                return new Leased(p, g);
            }
            exhausted.add(p);
        }
        countExhaustions(exhausted);
        if (settings.exhaustionPolicy() == ExhaustionPolicy.REUSE_COOLING) {
            for (PoolState p : matching) {
                PoolState.Granted g = p.acquireCooling(sessionId, sessionId, visitorId, now, ttl,
                        persist(visitRow, List.copyOf(exhausted), now));
                if (g != null) {
                    return new Leased(p, g);
                }
            }
        }
        List<PoolState> all = List.copyOf(exhausted);
        CompletableFuture<Void> stored = writer.submit(c -> visitRow.insert(c, null, "pool_exhausted"));
        stored.thenRun(() -> all.forEach(p -> tally.add(siteId, p.pool().poolId(), now, "untracked")));
        return new NotLeased("pool_exhausted", stored);
    }

    private void countExhaustions(List<PoolState> exhausted) {
        for (PoolState p : exhausted) {
            p.recordExhaustion();
            Counter.builder("ringpool.pool.exhaustions").description("times a matching pool had no free number")
                    .tag("site", p.pool().siteId()).tag("pool", p.pool().poolId())
                    .register(registry).increment();
        }
    }

    private PoolState.Writer persist(VisitRow visitRow, List<PoolState> exhausted, long now) {
        return new PoolState.Writer() {
            @Override
            public CompletableFuture<Void> leaseStarted(Lease lease) {
                CompletableFuture<Void> stored = writer.submit(c -> visitRow.insert(c, lease, null));
                if (!exhausted.isEmpty()) {
                    String outcome = lease.reusedCooling ? "reused_cooling" : "next_pool";
                    stored.thenRun(() -> exhausted.forEach(p -> tally.add(lease.siteId, p.pool().poolId(), now, outcome)));
                }
                return stored;
            }

            @Override
            public CompletableFuture<Void> leaseEnded(Lease lease, long endedAt) {
                throw new UnsupportedOperationException("a lease being started is not ended here");
            }
        };
    }

    /**
     * Writes the exhaustion counts of complete minutes (all of them when {@code everything}, on a
     * clean stop); see {@link ExhaustionTally}. Called by the sweeper.
     */
    public CompletableFuture<Void> flushExhaustions(long now, boolean everything) {
        return tally.flush(writer, now, everything);
    }

    /**
     * Renews the lease in memory only; false when the lease is gone. The new expiry reaches the
     * store later, coalesced with others (see {@code session.LeaseRenewals}); after a crash the
     * restart gives every live lease a fresh TTL, so nothing acknowledged here is lost.
     */
    public boolean renew(PoolState pool, Lease lease, SiteSettings settings, long now) {
        return pool.heartbeat(lease, now, settings.leaseTtl().toMillis());
    }

    /** Soft release in memory only (the end grace); stored like a renewal. */
    public boolean endSoftly(PoolState pool, Lease lease, SiteSettings settings, long now) {
        return pool.softEnd(lease, now, settings.endGrace().toMillis());
    }

    /** Holds the number longer; {@code row} records the intent itself in the same transaction. */
    public boolean intent(PoolState pool, Lease lease, SiteSettings settings, long now, GroupCommitWriter.Write row) {
        CompletableFuture<Void> stored;
        synchronized (pool) {
            if (!pool.intent(lease, now, settings.intentHold().toMillis())) {
                return false;
            }
            LeaseExpiry expiry = pool.pendingExpiry(lease);
            stored = writer.submit(c -> {
                row.apply(c);
                if (expiry != null) {
                    PoolStore.updateExpiry(c, expiry);
                }
            });
        }
        GroupCommitWriter.await(stored);
        return true;
    }

    /** Ends expired leases in every pool; returns how many were ended. Called by the sweeper only. */
    public List<Lease> sweep(long now) {
        List<Lease> ended = new ArrayList<>();
        PoolState.Writer endWriter = new PoolState.Writer() {
            @Override
            public CompletableFuture<Void> leaseStarted(Lease lease) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<Void> leaseEnded(Lease lease, long endedAt) {
                return writer.submit(c -> PoolStore.endLease(c, lease, endedAt, "expired"));
            }
        };
        for (PoolState p : pools.all()) {
            try {
                ended.addAll(p.sweep(now, endWriter));
            } catch (RuntimeException e) {
                LOG.warn("sweep_deferred pool={} reason={}", p.pool().poolId(), e.getMessage());
            }
        }
        return ended;
    }
}
