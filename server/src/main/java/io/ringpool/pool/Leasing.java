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
 * A lease past its expiry counts as ended at its expiry in each step, whether or not the sweeper
 * has ended it yet (the start then writes its end: see {@link PoolState}). A pool that matched but
 * had no free number counts an exhaustion, whichever pool then served the visit (it went to
 * another pool, or to a cooling number, because this one was full), under the outcome the visit
 * got: {@code reused_cooling} in the pool whose cooling number it got, {@code next_pool} in the
 * others, {@code untracked} in all of them when nothing was lent.
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

    /**
     * Nothing leased yet, nothing written: every matching pool is full, but the sweep is ending
     * leases whose numbers will be free once their end writes are stored, which {@code settled}
     * says. Ask again then (once: the answer after that is final).
     */
    public record FreedSoon(CompletableFuture<Void> settled) implements Outcome {}

    private final PoolRegistry pools;
    private final GroupCommitWriter writer;
    private final MeterRegistry registry;
    private final ExhaustionTally tally;
    private final int addressCapPercent;
    private final int networkCapPercent;

    public Leasing(PoolRegistry pools, GroupCommitWriter writer, MeterRegistry registry) {
        this(pools, writer, registry, new ExhaustionTally(), 0, 0);
    }

    /**
     * @param addressCapPercent share of a pool's numbers that visitors from one client address
     *                          ({@link AddressKey}) may hold at once, percent; at least one number;
     *                          0 = no cap ({@code leasing.addressCapPercent})
     * @param networkCapPercent the same for all the addresses of one IPv6 /48 together
     *                          ({@link AddressKey#network}), never below the address cap; 0 = no
     *                          cap ({@code leasing.networkCapPercent})
     */
    public Leasing(PoolRegistry pools, GroupCommitWriter writer, MeterRegistry registry, ExhaustionTally tally,
            int addressCapPercent, int networkCapPercent) {
        this.tally = tally;
        this.pools = pools;
        this.writer = writer;
        this.registry = registry;
        this.addressCapPercent = addressCapPercent;
        this.networkCapPercent = networkCapPercent;
    }

    /**
     * Most numbers of {@code pool} one address may hold at once, live or cooling from its leases
     * (see {@link CoolingCharges}): the percentage, rounded up, at least 1.
     */
    int addressCap(PoolState pool) {
        return share(pool, addressCapPercent);
    }

    /** Most numbers of {@code pool} one IPv6 /48 may hold at once: its percentage, and no fewer than one address may. */
    int networkCap(PoolState pool) {
        return Math.max(share(pool, networkCapPercent), addressCapPercent > 0 ? addressCap(pool) : 1);
    }

    private static int share(PoolState pool, int percent) {
        return Math.max(1, (int) Math.ceil(pool.activeSize() * percent / 100.0));
    }

    /**
     * Whether the address may take a number of {@code pool}: a new one ({@code returningVisitorId}
     * null), or that visitor's previous number back, which takes none more (see {@link PoolState#heldBy}).
     */
    private boolean underCap(PoolState pool, String addressKey, String returningVisitorId, long now) {
        if (addressKey == null) {
            return true;
        }
        if (addressCapPercent > 0 && pool.heldBy(addressKey, returningVisitorId, now) >= addressCap(pool)) {
            return false;
        }
        String network = networkCapPercent > 0 ? AddressKey.network(addressKey) : null;
        return network == null || pool.heldByNetwork(network, returningVisitorId, now) < networkCap(pool);
    }

    /** Without a client address: nothing is capped; never {@link FreedSoon}. */
    public Outcome acquire(String siteId, SiteSettings settings, String sessionId, String visitorId,
            Map<String, String> visit, long now, VisitRow visitRow) {
        return acquire(siteId, settings, sessionId, visitorId, null, visit, now, false, visitRow);
    }

    /**
     * @param addressKey the visitor's client address ({@link AddressKey#of}); a pool where that
     *                   address already holds its cap is passed over as if it did not match, and
     *                   when every matching pool is passed over the visit is untracked with
     *                   reason {@code address_cap} (not an exhaustion: the pool has numbers, just
     *                   not for this address)
     * @param mayWait    whether the answer may be {@link FreedSoon} (a first try) rather than an exhaustion
     */
    public Outcome acquire(String siteId, SiteSettings settings, String sessionId, String visitorId, String addressKey,
            Map<String, String> visit, long now, boolean mayWait, VisitRow visitRow) {
        long ttl = settings.leaseTtl().toMillis();
        long coolDown = settings.coolDown().toMillis();
        List<PoolState> candidates = new ArrayList<>();
        List<PoolState> matching = new ArrayList<>();
        List<PoolState> capped = new ArrayList<>();
        for (PoolState p : pools.ofSite(siteId)) {
            // A pool whose numbers are all retired is one the marketer took out of use (a pool is
            // never deleted): it matches nothing, rather than "running out" for every visit it
            // would have taken (audit AM1 F2: its exhaustions paged the operator for ever).
            if (p.activeSize() > 0 && p.pool().match().matches(visit)) {
                p.endCoolingCharges(now, coolDown);
                candidates.add(p);
                if (underCap(p, addressKey, null, now)) {
                    matching.add(p);
                } else {
                    capped.add(p);
                }
            }
        }
        // The visitor's previous number first, in a pool where its address is at its cap too:
        // taking back its own number, cooling on the address's account, takes none more.
        for (PoolState p : candidates) {
            PoolState.Granted g = capped(p, addressKey, visitorId, now,
                    () -> p.acquireReturning(sessionId, sessionId, visitorId, now, ttl, persist(visitRow, List.of(), now)));
            if (g != null) {
                return new Leased(p, g);
            }
        }
        if (matching.isEmpty()) {
            String reason = capped.isEmpty() ? "no_pool" : "address_cap";
            CompletableFuture<Void> stored = writer.submit(c -> visitRow.insert(c, null, reason));
            // Counted for the pools report, which otherwise shows no sign of these untracked visits.
            return new NotLeased(reason, capped.isEmpty() ? stored
                    : stored.thenRun(() -> capped.forEach(p -> tally.add(siteId, p.pool().poolId(), now, ExhaustionTally.ADDRESS_CAP))));
        }
        List<PoolState> exhausted = new ArrayList<>();
        for (PoolState p : matching) {
            List<PoolState> before = List.copyOf(exhausted);
            PoolState.Granted g = capped(p, addressKey, null, now, () -> p.acquireFree(sessionId, sessionId, visitorId, now, ttl, coolDown,
                    persist(visitRow, before, now)));
            if (g != null) {
                countExhaustions(exhausted);
                return new Leased(p, g);
            }
            exhausted.add(p);
        }
        CompletableFuture<Void> freedSoon = mayWait ? sweepEndsFreeing(matching, now, coolDown) : null;
        if (freedSoon != null) {
            return new FreedSoon(freedSoon);
        }
        countExhaustions(exhausted);
        if (settings.exhaustionPolicy() == ExhaustionPolicy.REUSE_COOLING) {
            for (PoolState p : matching) {
                List<PoolState> before = List.copyOf(exhausted);
                PoolState.Granted g = capped(p, addressKey, null, now, () -> p.acquireCooling(sessionId, sessionId, visitorId, now, ttl,
                        persist(visitRow, before, now)));
                if (g != null) {
                    return new Leased(p, g);
                }
            }
        }
        List<PoolState> all = List.copyOf(exhausted);
        // Counted before the visitor is answered (the answer waits for the count, not only the
        // commit): a caller who has every answer sees every exhaustion in the tally.
        CompletableFuture<Void> counted = writer.submit(c -> visitRow.insert(c, null, "pool_exhausted"))
                .thenRun(() -> all.forEach(p -> tally.add(siteId, p.pool().poolId(), now, "untracked")));
        return new NotLeased("pool_exhausted", counted);
    }

    /**
     * Runs {@code take} under the pool's lock after checking the address's cap again (for a new
     * number, or {@code returningVisitorId}'s own back), so concurrent starts from one address
     * cannot pass it together; counts the lease against it.
     */
    private PoolState.Granted capped(PoolState pool, String addressKey, String returningVisitorId, long now,
            java.util.function.Supplier<PoolState.Granted> take) {
        synchronized (pool) {
            if (!underCap(pool, addressKey, returningVisitorId, now)) {
                return null;
            }
            PoolState.Granted g = take.get();
            if (g != null && addressKey != null && (addressCapPercent > 0 || networkCapPercent > 0)) {
                pool.assignAddress(g.lease(), addressKey);
            }
            return g;
        }
    }

    /**
     * A number for a visit that started untracked: the visitor's previous number if idle, else a
     * free one, in matching pools where the address is under its cap. Never a cooling number, no
     * exhaustion counted, nothing written unless a lease is granted ({@code row} then turns the
     * visit's row into a tracked one). Null when nothing is free yet, or when {@code admitted}
     * refuses: it is asked only once a number could be granted, so a visit waiting on a full pool
     * spends none of its address's start budget (a catch-up is a start, and passes the same limiter).
     */
    public Leased catchUp(String siteId, SiteSettings settings, String sessionId, String visitorId, String addressKey,
            Map<String, String> visit, long now, java.util.function.BooleanSupplier admitted, VisitRow row) {
        long ttl = settings.leaseTtl().toMillis();
        long coolDown = settings.coolDown().toMillis();
        List<PoolState> returning = new ArrayList<>(); // where the visitor may take back its own number
        List<PoolState> matching = new ArrayList<>(); // where the address may take a new one
        for (PoolState p : pools.ofSite(siteId)) {
            if (p.pool().match().matches(visit)) {
                p.endCoolingCharges(now, coolDown);
                if (underCap(p, addressKey, visitorId, now)) {
                    returning.add(p);
                }
                if (underCap(p, addressKey, null, now)) {
                    matching.add(p);
                }
            }
        }
        boolean grantable = returning.stream().anyMatch(p -> p.hasReturningNumberFor(visitorId, now))
                || matching.stream().anyMatch(p -> p.hasNumberFor(visitorId, now, coolDown));
        if (!grantable || !admitted.getAsBoolean()) {
            return null;
        }
        for (PoolState p : returning) {
            PoolState.Granted g = capped(p, addressKey, visitorId, now,
                    () -> p.acquireReturning(sessionId, sessionId, visitorId, now, ttl, persist(row, List.of(), now)));
            if (g != null) {
                return new Leased(p, g);
            }
        }
        for (PoolState p : matching) {
            PoolState.Granted g = capped(p, addressKey, null, now,
                    () -> p.acquireFree(sessionId, sessionId, visitorId, now, ttl, coolDown, persist(row, List.of(), now)));
            if (g != null) {
                return new Leased(p, g);
            }
        }
        return null;
    }

    /** When the sweep's end writes in flight in these pools will have freed a number usable at {@code now}; null if none will. */
    private static CompletableFuture<Void> sweepEndsFreeing(List<PoolState> pools, long now, long coolDownMillis) {
        List<CompletableFuture<Void>> freeing = new ArrayList<>();
        for (PoolState p : pools) {
            CompletableFuture<Void> f = p.sweepEndsFreeing(now, coolDownMillis);
            if (f != null) {
                freeing.add(f);
            }
        }
        return freeing.isEmpty() ? null : CompletableFuture.allOf(freeing.toArray(CompletableFuture[]::new));
    }

    private void countExhaustions(List<PoolState> exhausted) {
        for (PoolState p : exhausted) {
            p.recordExhaustion();
            exhaustions(registry, p.pool()).increment();
        }
    }

    /**
     * The pool's exhaustion counter. {@code PoolService} registers it at 0 with the pool's gauges:
     * Prometheus' {@code increase()} cannot see a series' first value, so a counter born at 1 would
     * hide a pool's first exhaustion from an alert.
     */
    static Counter exhaustions(MeterRegistry registry, Pool pool) {
        return Counter.builder("ringpool.pool.exhaustions").description("times a matching pool had no free number")
                .tag("site", pool.siteId()).tag("pool", pool.poolId()).register(registry);
    }

    private PoolState.Writer persist(VisitRow visitRow, List<PoolState> exhausted, long now) {
        return new PoolState.Writer() {
            @Override
            public CompletableFuture<Void> leaseStarted(Lease lease) {
                return counted(writer.submit(c -> visitRow.insert(c, lease, null)), lease);
            }

            @Override
            public CompletableFuture<Void> leaseReplaced(Lease expired, long endedAt, Lease lease) {
                // The sweep's end of the expired lease first, in the same transaction: the store never holds both live.
                return counted(writer.submit(c -> {
                    expired.takenOverElsewhere = !PoolStore.endLease(c, expired, endedAt, "expired");
                    visitRow.insert(c, lease, null);
                }), lease);
            }

            private CompletableFuture<Void> counted(CompletableFuture<Void> stored, Lease lease) {
                if (exhausted.isEmpty()) {
                    return stored;
                }
                // As for an untracked visit: the answer waits for the count.
                return stored.thenRun(() -> exhausted.forEach(p -> tally.add(lease.siteId(), p.pool().poolId(), now, outcome(p, lease))));
            }

            @Override
            public CompletableFuture<Void> leaseEnded(Lease lease, long endedAt) {
                throw new UnsupportedOperationException("a lease being started is not ended here");
            }
        };
    }

    /**
     * What a visit that found {@code full} without a free number got instead, as {@code full}'s
     * report tells it: {@code reused_cooling} only when the reissued cooling number is
     * {@code full}'s own (audit AC1 #5: a higher pool's cooling number was counted as reused in
     * the catch-all, whose own cooling number stayed with its visitor); a number of any other
     * matching pool, free or cooling, is {@code next_pool}.
     */
    static String outcome(PoolState full, Lease lease) {
        return lease.reusedCooling && full.pool().poolId().equals(lease.poolId()) ? "reused_cooling" : "next_pool";
    }

    /**
     * Writes the exhaustion counts of complete minutes (all of them when {@code everything}, on a
     * clean stop); see {@link ExhaustionTally}. Called by the sweeper.
     */
    public CompletableFuture<Void> flushExhaustions(long now, boolean everything) {
        return tally.flush(writer, now, everything);
    }

    /**
     * The visitor of the live lease {@code from} starts a new visit on the same page (a new traffic
     * source): the number passes to that visit's new lease at {@code now}, in one transaction with
     * {@code write} (which ends {@code from}, fenced, and stores the new visit with its lease); see
     * {@link PoolState#handOver}. Null when {@code from} is no longer live. No exhaustion, no
     * cap check, no start counted against the pool: the visitor keeps the number they hold.
     */
    public Leased handOver(PoolState pool, Lease from, SiteSettings settings, String sessionId, long now,
            PoolState.HandOverWrite write) {
        PoolState.Granted granted = pool.handOver(from, sessionId, now, settings.leaseTtl().toMillis(), write);
        return granted == null ? null : new Leased(pool, granted);
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

    /**
     * Holds the number longer; {@code row} records the intent itself in the same transaction. Null
     * when the lease is gone; otherwise the future completes when the intent is committed.
     */
    public CompletableFuture<Void> intentAsync(PoolState pool, Lease lease, SiteSettings settings, long now, GroupCommitWriter.Write row) {
        synchronized (pool) {
            if (!pool.intent(lease, now, settings.intentHold().toMillis())) {
                return null;
            }
            LeaseExpiry expiry = pool.pendingExpiry(lease);
            return writer.submit(c -> {
                row.apply(c);
                if (expiry != null) {
                    PoolStore.updateExpiry(c, expiry);
                }
            });
        }
    }

    /**
     * End writes one sweep has waiting on the writer at once. A burst of expiries (every lease a
     * restarted node gave back, ending together one TTL after the restart) used to queue all of a
     * round's ends at once (up to {@link PoolState#MAX_ENDS_PER_SWEEP} a pool), and every
     * visitor's write that arrived after them waited for all of them (~100 ms of writer time).
     * In waves, a start waits for one wave at most.
     */
    static final int ENDS_PER_WAVE = 200;

    /**
     * Ends expired leases in every pool; returns the leases ended, with those a start ended since
     * the last sweep (it took their numbers: see {@link PoolState}). Called by the sweeper only.
     */
    public List<Lease> sweep(long now) {
        List<Lease> ended = new ArrayList<>();
        for (PoolState p : pools.all()) {
            ended.addAll(p.takeEndedByStarts());
            if (Thread.currentThread().isInterrupted()) {
                break; // stopping: what is due stays due for the restart
            }
            int queued = 0;
            while (queued < PoolState.MAX_ENDS_PER_SWEEP) {
                List<CompletableFuture<Void>> wave = new ArrayList<>();
                List<Lease> ending;
                try {
                    ending = p.sweep(now, endWriter(wave), Math.min(ENDS_PER_WAVE, PoolState.MAX_ENDS_PER_SWEEP - queued));
                } catch (RuntimeException e) {
                    LOG.warn("sweep_deferred pool={} reason={}", p.pool().poolId(), e.getMessage());
                    break;
                }
                ended.addAll(ending);
                queued += ending.size();
                // A sweep returns once its ends are committed (and so applied in memory): a caller that
                // sweeps and then leases, or a second sweep racing the background one, sees the numbers free.
                // Waiting here, between waves, is also what lets visitors' writes in between them.
                if (!awaitAll(wave) || wave.size() < ENDS_PER_WAVE) {
                    break; // the pool has nothing more due, or the store is in trouble: the rest next round
                }
            }
        }
        return ended;
    }

    private PoolState.Writer endWriter(List<CompletableFuture<Void>> commits) {
        return new PoolState.Writer() {
            @Override
            public CompletableFuture<Void> leaseStarted(Lease lease) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<Void> leaseEnded(Lease lease, long endedAt) {
                CompletableFuture<Void> committed = writer.submit(c -> {
                    lease.takenOverElsewhere = !PoolStore.endLease(c, lease, endedAt, "expired");
                });
                commits.add(committed);
                return committed;
            }

            @Override
            public CompletableFuture<Void> leaseReplaced(Lease expired, long endedAt, Lease lease) {
                throw new UnsupportedOperationException();
            }
        };
    }

    /** Waits for every commit; false if one failed or took too long (a failed end is undone in memory and tried again next round). */
    private static boolean awaitAll(List<CompletableFuture<Void>> commits) {
        boolean allStored = true;
        for (CompletableFuture<Void> committed : commits) {
            try {
                committed.get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                allStored = false;
            }
        }
        return allStored;
    }
}
