package io.ringpool.pool;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.failure.DomainFailure;
import io.ringpool.site.E164;
import io.ringpool.site.Keys;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.UnknownSite;
import io.ringpool.store.ConstraintViolationException;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Creating pools, adding and retiring numbers, static numbers; loading all of it at start. Takes
 * typed commands and fails with {@link NumberInUse}, {@link UnknownPool}, {@link NumberNotInPool},
 * {@link io.ringpool.site.InvalidNumber} and {@link DomainFailure#invalid invalid values} naming the field.
 */
public final class PoolService {
    public static final int MAX_NUMBERS_PER_REQUEST = 10_000;

    private final PoolStore store;
    private final PoolRegistry pools;
    private final SiteRegistry sites;
    private final Clock clock;
    private final MeterRegistry registry;
    /** Each site's static numbers in use. */
    private final Map<String, Map<String, StaticNumber>> staticBySite = new ConcurrentHashMap<>();
    /** Each site's retired static numbers: their calls' history, and when the site gave each up. */
    private final Map<String, Map<String, RetiredStatic>> retiredStaticBySite = new ConcurrentHashMap<>();
    /** Each site's static numbers' attribution over time (retired ones too): what a call is credited to at its own time. */
    private final Map<String, Map<String, StaticNumberHistory>> staticHistoryBySite = new ConcurrentHashMap<>();

    /**
     * Held while a static number's row is written and this node's maps follow it, so two changes
     * at once (a PATCH and a DELETE, a change and another node's reload) leave the maps as the
     * store's last commit says. Never held while waiting for a catch-up, which reloads under it.
     */
    private final Object staticWrites = new Object();

    /** A static number as it was when its site retired it at {@code retiredAt} (epoch ms). */
    private record RetiredStatic(StaticNumber number, long retiredAt) {}

    private volatile boolean occupancyFromStore;

    public PoolService(PoolStore store, PoolRegistry pools, SiteRegistry sites, Clock clock, MeterRegistry registry) {
        this.store = store;
        this.pools = pools;
        this.sites = sites;
        this.clock = clock;
        this.registry = registry;
    }

    /** Rebuilds every pool's live state from the store; one node alone on its store takes every live lease. */
    public List<PoolStore.StoredLease> loadAll() {
        return loadAll(null);
    }

    /**
     * Rebuilds every pool's live state from the store (numbers, exhaustion counts) and takes over
     * the live leases node {@code nodeId} held (all of them when null).
     */
    public List<PoolStore.StoredLease> loadAll(String nodeId) {
        Map<String, Long> exhaustions = store.exhaustionCounts();
        Map<String, PoolStore.StoredStats> stats = store.loadStats();
        for (Pool pool : store.loadPools()) {
            PoolState state = new PoolState(pool);
            state.setExhaustions(exhaustions.getOrDefault(pool.poolId(), 0L));
            PoolStore.StoredStats saved = stats.get(pool.poolId());
            if (saved != null) {
                state.restoreStats(saved);
            }
            pools.add(state);
            registerGauges(state);
        }
        for (PoolStore.StoredNumber n : store.loadNumbers()) {
            pools.byId(siteOf(n.poolId()), n.poolId()).ifPresent(p -> {
                p.addNumber(n.number(), n.releasedAt() == null ? 0 : n.releasedAt(), n.lastVisitorId(), n.retired());
                if (n.retired()) {
                    p.retire(n.number(), n.retiredAt());
                }
            });
        }
        for (PoolStore.StoredStatic s : store.loadStaticNumbers(null)) {
            keep(s);
        }
        staticHistoryBySite.putAll(histories(store.loadStaticAttributions(null)));
        return store.claimLiveLeases(nodeId);
    }

    /**
     * Re-reads one pool another node created or changed: a new pool joins this node's registry;
     * a known one gains the numbers added and stops giving out the numbers retired. Leases live
     * on are untouched (the store arbitrates numbers between nodes).
     */
    public void reload(String siteId, String poolId) {
        PoolState known = pools.byId(siteId, poolId).orElse(null);
        if (known != null) {
            addStoredNumbers(known, poolId);
            return;
        }
        List<Pool> found = store.loadPools(poolId);
        if (found.isEmpty()) {
            return;
        }
        // Published with its numbers: a request that finds the pool half-loaded would answer
        // "exhausted" or size 0 for a pool that has numbers.
        PoolState fresh = new PoolState(found.get(0));
        addStoredNumbers(fresh, poolId);
        synchronized (this) {
            if (pools.byId(siteId, poolId).isEmpty()) {
                pools.add(fresh);
                registerGauges(fresh);
                return;
            }
        }
        addStoredNumbers(pools.byId(siteId, poolId).orElseThrow(), poolId); // another reload published it first
    }

    private void addStoredNumbers(PoolState state, String poolId) {
        for (PoolStore.StoredNumber n : store.loadNumbers(poolId)) {
            state.addNumber(n.number(), n.releasedAt() == null ? 0 : n.releasedAt(), n.lastVisitorId(), n.retired());
            if (n.retired()) {
                state.retire(n.number(), n.retiredAt());
            } else {
                state.unretire(n.number()); // brought back through another node
            }
        }
    }

    /** Re-reads a site's static numbers another node added, changed or retired. */
    public void reloadStatic(String siteId) {
        synchronized (staticWrites) {
            Map<String, StaticNumber> inUse = new ConcurrentHashMap<>();
            Map<String, RetiredStatic> retired = new ConcurrentHashMap<>();
            for (PoolStore.StoredStatic s : store.loadStaticNumbers(siteId)) {
                if (s.retiredAt() == null) {
                    inUse.put(s.number().number(), s.number());
                } else {
                    retired.put(s.number().number(), new RetiredStatic(s.number(), s.retiredAt()));
                }
            }
            staticBySite.put(siteId, inUse);
            retiredStaticBySite.put(siteId, retired);
            staticHistoryBySite.put(siteId, histories(store.loadStaticAttributions(siteId)).getOrDefault(siteId, new ConcurrentHashMap<>()));
        }
    }

    private static Map<String, Map<String, StaticNumberHistory>> histories(List<PoolStore.StoredStaticAttribution> stored) {
        Map<String, Map<String, List<StaticNumberHistory.Entry>>> bySite = new java.util.HashMap<>();
        for (PoolStore.StoredStaticAttribution a : stored) {
            bySite.computeIfAbsent(a.siteId(), k -> new java.util.HashMap<>()).computeIfAbsent(a.number(), k -> new java.util.ArrayList<>())
                    .add(new StaticNumberHistory.Entry(a.beganAt(), a.attribution()));
        }
        Map<String, Map<String, StaticNumberHistory>> out = new java.util.HashMap<>();
        bySite.forEach((site, numbers) -> {
            Map<String, StaticNumberHistory> histories = new ConcurrentHashMap<>();
            numbers.forEach((number, entries) -> histories.put(number, StaticNumberHistory.of(entries)));
            out.put(site, histories);
        });
        return out;
    }

    /** Adds {@code number}'s attribution (null: its retirement) from {@code beganAt} to this node's history of it; under {@link #staticWrites}. */
    private void recordStatic(String siteId, String number, long beganAt, StaticNumber attribution) {
        staticHistoryBySite.computeIfAbsent(siteId, k -> new ConcurrentHashMap<>())
                .merge(number, StaticNumberHistory.of(List.of(new StaticNumberHistory.Entry(beganAt, attribution))),
                        (was, added) -> was.with(beganAt, attribution));
    }

    private void keep(PoolStore.StoredStatic s) {
        StaticNumber n = s.number();
        if (s.retiredAt() == null) {
            staticBySite.computeIfAbsent(n.siteId(), k -> new ConcurrentHashMap<>()).put(n.number(), n);
        } else {
            retiredStaticBySite.computeIfAbsent(n.siteId(), k -> new ConcurrentHashMap<>()).put(n.number(), new RetiredStatic(n, s.retiredAt()));
        }
    }

    private String siteOf(String poolId) {
        for (PoolState p : pools.all()) {
            if (p.pool().poolId().equals(poolId)) {
                return p.pool().siteId();
            }
        }
        return "";
    }

    /**
     * The pool {@code poolId} of site {@code siteId}. One this node does not know is looked for once
     * more after catching up with the other nodes' changes (a pool created through another node a
     * moment ago), so this blocks for up to one read of the store: request workers only.
     */
    public PoolState pool(String siteId, String poolId) {
        Optional<PoolState> known = pools.byId(siteId, poolId);
        if (known.isEmpty() && poolId != null && sites.awaitCatchUp()) {
            known = pools.byId(siteId, poolId);
        }
        return known.orElseThrow(UnknownPool::new);
    }

    /**
     * Most pools a site may have in use (with a number not retired). Each pool is a series of gauges
     * on /metrics and a row of every pool report, so one site key with thousands of them grew the
     * operator's scrape without bound and a pool report ran the heap out (audit AK2 F0); a site
     * routes its channels through a few pools (one per source or campaign group), and static numbers
     * are for the rest. A pool cannot be deleted, only its numbers retired, so a pool retired whole
     * does not count here (audit AL1 F1: the hundredth pool was the last one for ever); it counts
     * towards {@link #MAX_POOLS_EVER_PER_SITE}. Counted among the pools this node knows: two nodes
     * creating a site's last pools in the same second may both pass.
     */
    public static final int MAX_POOLS_PER_SITE = 100;
    /** Most pools a site may have, retired ones included: what bounds the gauges and report rows. */
    public static final int MAX_POOLS_EVER_PER_SITE = 1_000;

    public PoolState create(String siteId, NewPool command) {
        List<PoolState> existing = pools.ofSite(siteId);
        if (existing.stream().filter(PoolState::hasActiveNumbers).count() >= MAX_POOLS_PER_SITE) {
            throw DomainFailure.conflict("too_many_pools", "a site may have at most " + MAX_POOLS_PER_SITE
                    + " pools in use; add numbers to an existing pool, retire a pool's numbers to make room,"
                    + " or use static numbers for narrow channels", null);
        }
        if (existing.size() >= MAX_POOLS_EVER_PER_SITE) {
            throw DomainFailure.conflict("too_many_pools", "a site may have at most " + MAX_POOLS_EVER_PER_SITE
                    + " pools, retired ones included; add numbers to an existing pool", null);
        }
        String name = command.name() != null ? required("name", command.name()) : "Pool " + (pools.ofSite(siteId).size() + 1);
        int priority = command.priority() == null ? 0 : command.priority();
        if (priority < -1_000_000 || priority > 1_000_000) {
            throw DomainFailure.invalid("priority", "'priority' must be between -1000000 and 1000000");
        }
        PoolMatch match = PoolMatch.of(command.match(), "match");
        List<String> numbers = numbers(command.numbers(), false, country(siteId));
        ensureNotUsed(siteId, numbers, "numbers", null);
        Pool pool = new Pool(Keys.id("pl_"), siteId, name, priority, match, clock.instant());
        long now = clock.millis();
        claiming(siteId, numbers, "numbers", "a number is already in a pool of this site", () -> store.insertPool(pool, numbers, now));
        PoolState state = new PoolState(pool);
        numbers.forEach(n -> state.addNumber(n, 0, null, false));
        pools.add(state);
        registerGauges(state);
        return state;
    }

    /**
     * Adds numbers to a pool; returns them in E.164 form. A number retired from this pool comes
     * back: it is given out again, with its history (leases, calls, last visitor, cool-down) as it
     * was, unless another site has claimed it meanwhile (retiring gave the claim up).
     */
    public List<String> addNumbers(String siteId, String poolId, List<String> given) {
        PoolState pool = pool(siteId, poolId);
        if (!pool.hasActiveNumbers()
                && pools.ofSite(siteId).stream().filter(PoolState::hasActiveNumbers).count() >= MAX_POOLS_PER_SITE) {
            // A pool retired whole made room for another; bringing it back must not pass the cap.
            throw DomainFailure.conflict("too_many_pools", "a site may have at most " + MAX_POOLS_PER_SITE
                    + " pools in use, and this pool's numbers are all retired; add the numbers to a pool in use", null);
        }
        List<String> numbers = numbers(given, true, country(siteId));
        List<String> returning = ensureNotUsed(siteId, numbers, "numbers", pool);
        List<String> fresh = numbers.stream().filter(n -> !returning.contains(n)).toList();
        claiming(siteId, numbers, "numbers", "a number is already in a pool of this site",
                () -> store.addNumbers(pool.pool(), fresh, returning, clock.millis()));
        fresh.forEach(n -> pool.addNumber(n, 0, null, false));
        returning.forEach(pool::unretire);
        return numbers;
    }

    /** Retires a number: no new leases, its history kept. Returns it in E.164 form. */
    public String retire(String siteId, String poolId, String rawNumber) {
        PoolState pool = pool(siteId, poolId);
        // Shape only: a number stored before impossible numbers were refused can still be retired.
        String number = E164.require("number", rawNumber, country(siteId));
        if (!pool.hasNumber(number)) {
            throw new NumberNotInPool();
        }
        long now = clock.millis();
        store.retireNumber(siteId, poolId, number, now);
        pool.retire(number, now);
        return number;
    }

    /**
     * Adds a static number. One this site retired comes back with the command's source (the calls
     * it was given keep theirs), unless another site has claimed it meanwhile.
     */
    public StaticNumber addStatic(String siteId, NewStaticNumber command) {
        String number = E164.requirePossible("number", command.number(), country(siteId));
        String source = required("source", command.source());
        ensureNotUsed(siteId, List.of(number), "number", null);
        StaticNumber s = new StaticNumber(siteId, number, source, command.medium(), command.campaign(), command.label(),
                clock.instant());
        synchronized (staticWrites) {
            claiming(siteId, List.of(number), "number", "this number is already a static number of this site", () -> store.insertStaticNumber(s));
            staticBySite.computeIfAbsent(siteId, k -> new ConcurrentHashMap<>()).put(number, s);
            recordStatic(siteId, number, s.createdAt().toEpochMilli(), s);
            Map<String, RetiredStatic> retired = retiredStaticBySite.get(siteId);
            if (retired != null) {
                retired.remove(number); // it came back
            }
        }
        return s;
    }

    /**
     * The static number {@code rawNumber} of the site, in use. One this node does not know is
     * looked for once more after catching up with the other nodes' changes, as {@link #pool} does.
     *
     * @throws UnknownStaticNumber when the site has no such static number in use (a retired one included)
     */
    public StaticNumber staticNumberInUse(String siteId, String rawNumber) {
        // Shape only, as for retiring a pool number: one stored before impossible numbers were refused can still be named.
        String number = E164.require("number", rawNumber, country(siteId));
        Optional<StaticNumber> known = staticNumber(siteId, number);
        if (known.isEmpty() && sites.awaitCatchUp()) {
            known = staticNumber(siteId, number);
        }
        return known.orElseThrow(UnknownStaticNumber::new);
    }

    /**
     * Changes a static number's source and attribution. Calls already stored keep the attribution
     * they were given; calls that start from now on get the new one.
     */
    public StaticNumber changeStatic(String siteId, String rawNumber, StaticNumberChange change) {
        String number = staticNumberInUse(siteId, rawNumber).number();
        synchronized (staticWrites) {
            StaticNumber was = staticNumber(siteId, number).orElseThrow(UnknownStaticNumber::new); // retired meanwhile
            StaticNumber now = change.applyTo(was);
            required("source", now.source());
            long changedAt = clock.millis();
            if (!store.updateStaticNumber(now, changedAt)) {
                reloadStatic(siteId); // retired through another node a moment ago
                throw new UnknownStaticNumber();
            }
            staticBySite.get(siteId).put(number, now);
            recordStatic(siteId, number, changedAt, now);
            return now;
        }
    }

    /**
     * Retires a static number: no call that starts from now on is attributed to its source, the
     * calls it was given keep their attribution, and the site gives up its claim, so another site
     * (or a pool of this one) may take the number; added as this site's static number again, it
     * comes back.
     */
    public StaticNumber retireStatic(String siteId, String rawNumber) {
        String number = staticNumberInUse(siteId, rawNumber).number();
        synchronized (staticWrites) {
            StaticNumber s = staticNumber(siteId, number).orElseThrow(UnknownStaticNumber::new); // retired meanwhile
            long now = clock.millis();
            if (!store.retireStaticNumber(siteId, number, now)) {
                reloadStatic(siteId); // retired through another node a moment ago
                throw new UnknownStaticNumber();
            }
            staticBySite.get(siteId).remove(number);
            retiredStaticBySite.computeIfAbsent(siteId, k -> new ConcurrentHashMap<>()).put(number, new RetiredStatic(s, now));
            recordStatic(siteId, number, now, null);
            return s;
        }
    }

    /**
     * Runs {@code write}, which claims {@code numbers} in the store, and turns the store's refusals
     * into {@link NumberInUse} naming {@code field}: another site's pool or static number (the
     * claim's key), or a site's default number (checked in the claim's transaction).
     */
    private void claiming(String siteId, List<String> numbers, String field, String ownDuplicate, Runnable write) {
        try {
            write.run();
        } catch (ConstraintViolationException e) {
            throw conflict(siteId, numbers, field, ownDuplicate);
        } catch (PoolStore.NumberOfASite e) {
            boolean ours = siteId.equals(e.siteId);
            if (!e.forwarding) {
                String entry = entryField(field, numbers, e.number);
                throw ours ? NumberInUse.defaultOfThisSite(e.number, entry)
                        : new NumberInUse(e.number + " is the default number of another site (what its visitors see untracked);"
                                + " a number can belong to one site only", entry);
            }
            throw new NumberInUse(ours
                    ? e.number + " is where this site forwards its calls (forwardTo); as a tracking number its calls"
                            + " would be dialled back into it"
                    : e.number + " is where another site forwards its calls; a number can belong to one site only",
                    entryField(field, numbers, e.number));
        }
    }

    /**
     * The store refused a claim: name the number another site holds (not which site: tenants see
     * nothing of each other), or, when none does, this site's own duplicate (another node added it).
     */
    private NumberInUse conflict(String siteId, List<String> numbers, String field, String ownDuplicate) {
        List<String> elsewhere = store.claimedElsewhere(siteId, numbers);
        if (!elsewhere.isEmpty()) {
            return new NumberInUse(elsewhere.get(0) + " is a tracking number of another site (in a pool or as a static number there);"
                    + " a number can belong to one site only", entryField(field, numbers, elsewhere.get(0)));
        }
        return new NumberInUse(ownDuplicate, field); // which one another node added is not known here
    }

    /**
     * The request's field that gave {@code number}: {@code numbers[i]} for an entry of a list, as a
     * malformed or repeated entry is named (audit AK2 F5: a 409 named the whole list), else
     * {@code field}. The list is the request's in its order ({@link #numbers} refuses repeats).
     */
    private static String entryField(String field, List<String> numbers, String number) {
        int i = numbers.indexOf(number);
        return field.equals("numbers") && i >= 0 ? field + "[" + i + "]" : field;
    }

    /** Is {@code number} in one of the site's pools or one of its static numbers (retired ones too)? */
    public boolean isTrackingNumber(String siteId, String number) {
        return pools.holding(siteId, number).isPresent() || staticNumber(siteId, number).isPresent()
                || retiredStaticBySite.getOrDefault(siteId, Map.of()).containsKey(number);
    }

    /** The site's static number {@code number} in use (E.164), if it is one. */
    public Optional<StaticNumber> staticNumber(String siteId, String number) {
        return Optional.ofNullable(staticBySite.getOrDefault(siteId, Map.of()).get(number));
    }

    /**
     * The static number whose source a call to {@code number} that starts at {@code callAt} belongs
     * to, as it was then: the entry of its attribution history in force at {@code callAt} (audit
     * AM1 F5: a call posted late after a PATCH was credited to the new source); empty when the site
     * had retired it by then, or never had it.
     */
    public Optional<StaticNumber> staticNumberAt(String siteId, String number, java.time.Instant callAt) {
        StaticNumberHistory history = staticHistoryBySite.getOrDefault(siteId, Map.of()).get(number);
        if (history != null) {
            return history.at(callAt.toEpochMilli());
        }
        // No history on this node (none is expected since V155): the number as it is now, as before.
        Optional<StaticNumber> inUse = staticNumber(siteId, number);
        if (inUse.isPresent()) {
            return inUse;
        }
        RetiredStatic retired = retiredStaticBySite.getOrDefault(siteId, Map.of()).get(number);
        return retired != null && callAt.toEpochMilli() < retired.retiredAt() ? Optional.of(retired.number()) : Optional.empty();
    }

    /**
     * When the site gave {@code number} up, if it did and another site holds it now (in one of its
     * pools or as its static number, as this node knows them): a call that starts from then on is
     * the other site's, not this one's (audit s37 #4). Empty while the site still uses the number
     * (its pool or static number in use), or never had it, or no other site took it.
     */
    public OptionalLong givenUpTo(String siteId, String number) {
        long givenUpAt = -1;
        Optional<PoolState> pool = pools.holding(siteId, number);
        if (pool.isPresent()) {
            givenUpAt = pool.get().retiredAt(number);
            if (givenUpAt < 0) {
                return OptionalLong.empty(); // in use
            }
        }
        if (staticNumber(siteId, number).isPresent()) {
            return OptionalLong.empty();
        }
        RetiredStatic retired = retiredStaticBySite.getOrDefault(siteId, Map.of()).get(number);
        if (retired != null) {
            givenUpAt = Math.max(givenUpAt, retired.retiredAt());
        }
        if (givenUpAt < 0 || !heldByAnotherSite(siteId, number)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(givenUpAt);
    }

    private boolean heldByAnotherSite(String siteId, String number) {
        for (Map.Entry<String, Map<String, StaticNumber>> site : staticBySite.entrySet()) {
            if (!site.getKey().equals(siteId) && site.getValue().containsKey(number)) {
                return true;
            }
        }
        for (PoolState p : pools.all()) {
            if (!p.pool().siteId().equals(siteId) && p.hasNumber(number) && !p.isRetired(number)) {
                return true;
            }
        }
        return false;
    }

    public List<StaticNumber> staticNumbers(String siteId) {
        return staticBySite.getOrDefault(siteId, Map.of()).values().stream()
                .sorted((a, b) -> a.number().compareTo(b.number())).toList();
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw DomainFailure.missing(field);
        }
        return value;
    }

    /** The site's country, which reads numbers written locally; null for a site this node does not know. */
    private String country(String siteId) {
        return sites.byId(siteId).map(e -> e.site().settings().country()).orElse(null);
    }

    /**
     * Numbers given for a pool, in E.164 form. Two forms of one number ({@code 8 495 200-00-02} and
     * {@code +74952000002}) are one number: the second is a repeat.
     */
    private static List<String> numbers(List<String> given, boolean required, String country) {
        if (given == null || given.isEmpty()) {
            if (required) {
                throw new DomainFailure(DomainFailure.Kind.INVALID, "missing_field", "'numbers' must list at least one number", "numbers");
            }
            return List.of();
        }
        if (given.size() > MAX_NUMBERS_PER_REQUEST) {
            throw DomainFailure.invalid("numbers", "'numbers' has more than " + MAX_NUMBERS_PER_REQUEST + " items");
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < given.size(); i++) {
            String n = E164.requirePossible("numbers[" + i + "]", given.get(i), country);
            if (!out.add(n)) {
                throw DomainFailure.invalid("numbers[" + i + "]", "'numbers[" + i + "]' repeats " + n);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Refuses numbers the site already uses, as this node knows them (the store checks other
     * sites' claims and every default number again, in the claim's transaction). A number retired
     * from a pool of the site keeps that pool's history (its leases and the calls to them), so it
     * may come back only to that pool.
     *
     * @param field    the request's field the numbers came in ({@code numbers}, or a static number's {@code number})
     * @param returnTo the pool numbers are being added to, or null (a new pool, a static number)
     * @return the numbers retired from {@code returnTo}, which the addition brings back
     */
    private List<String> ensureNotUsed(String siteId, List<String> numbers, String field, PoolState returnTo) {
        var site = sites.byId(siteId).orElseThrow(UnknownSite::new);
        List<String> returning = new java.util.ArrayList<>();
        for (String n : numbers) {
            Optional<PoolState> holder = pools.holding(siteId, n);
            if (holder.isPresent()) {
                PoolState pool = holder.get();
                if (!pool.isRetired(n)) {
                    throw new NumberInUse(n + " is already in a pool of this site", entryField(field, numbers, n));
                }
                if (pool != returnTo) {
                    throw new NumberInUse(n + " was retired from pool '" + pool.pool().name() + "' (" + pool.pool().poolId()
                            + ") of this site, which keeps its history; add it back to that pool", entryField(field, numbers, n));
                }
                returning.add(n);
                continue;
            }
            if (staticNumber(siteId, n).isPresent()) {
                throw new NumberInUse(n + " is already a static number of this site", entryField(field, numbers, n));
            }
            if (n.equals(site.site().settings().defaultNumber())) {
                throw NumberInUse.defaultOfThisSite(n, entryField(field, numbers, n));
            }
        }
        return returning;
    }

    private void registerGauges(PoolState state) {
        gauge("ringpool.pool.size", "tracking numbers in the pool (not retired)", state, s -> snapshot(s).size());
        gauge("ringpool.pool.leased", "numbers leased to live sessions", state, s -> snapshot(s).leased());
        gauge("ringpool.pool.cooling", "numbers resting after a lease", state, s -> snapshot(s).coolingDown());
        gauge("ringpool.pool.free", "numbers ready for a new visitor", state, s -> snapshot(s).free());
        Leasing.exhaustions(registry, state.pool());
    }

    private void gauge(String name, String description, PoolState state, ToDoubleFunction<PoolState> value) {
        Gauge.builder(name, state, value).description(description)
                .tag("site", state.pool().siteId()).tag("pool", state.pool().poolId()).register(registry);
    }

    /** Counts as of now, with the site's cool-down. */
    public PoolState.Snapshot snapshot(PoolState state) {
        long coolDown = sites.byId(state.pool().siteId()).map(e -> e.site().settings().coolDown().toMillis()).orElse(0L);
        return state.snapshot(clock.millis(), coolDown);
    }

    /**
     * Counts for the pool endpoints. A node alone on its store holds every lease in memory, so
     * memory answers. On a store shared by several nodes each node's memory knows only the leases
     * it holds (audit AC3 #3: one node said "leased 0, free 11" while another held 2), so leased,
     * cooling and free are read from the store: every node's live leases and each number's last
     * release. Not a hot path; the {@code /metrics} gauges stay per node (docs/scaling.md).
     */
    public PoolState.Snapshot occupancy(PoolState state) {
        PoolState.Snapshot mine = snapshot(state);
        if (!occupancyFromStore) {
            return mine;
        }
        long coolDown = sites.byId(state.pool().siteId()).map(e -> e.site().settings().coolDown().toMillis()).orElse(0L);
        long now = clock.millis();
        PoolStore.StoredOccupancy stored = store.occupancy(state.pool().siteId(), state.pool().poolId());
        int size = 0;
        int leased = 0;
        int cooling = 0;
        int retiredLeased = 0;
        for (PoolStore.StoredNumber n : stored.numbers()) {
            boolean live = stored.live().contains(n.number());
            if (n.retired()) {
                retiredLeased += live ? 1 : 0;
                continue;
            }
            size++;
            if (live) {
                leased++;
            } else if (n.releasedAt() != null && n.releasedAt() + coolDown > now) {
                cooling++;
            }
        }
        return new PoolState.Snapshot(size, leased, cooling, size - leased - cooling, mine.retired(), mine.exhaustions(),
                mine.peakLeased(), mine.averageLeaseMillis(), mine.leasesStarted(), mine.endedLeases(), mine.endedLeaseMillis(),
                retiredLeased);
    }

    /** Reads pool counts from the store: several nodes share it ({@link #occupancy}). */
    public void countOccupancyFromStore() {
        occupancyFromStore = true;
    }

    /**
     * Adds to every pool's lifetime counts in the store (peak, leases, lengths) what this node
     * counted since its last save, so advice survives a restart and sums what every node sharing
     * the store counted; every 30 s and at stop. One save at a time (the sweeper's and the stop's
     * may meet): two saves reading the same unsaved counts would add them twice. A save that
     * fails leaves them unsaved for the next; a kill loses at most what the last save had not added.
     */
    public synchronized void saveStats() {
        Map<PoolState, PoolStore.StoredStats> unsaved = new java.util.LinkedHashMap<>();
        for (PoolState p : pools.all()) {
            PoolStore.StoredStats counted = p.unsavedStats();
            if (!counted.equals(PoolStore.StoredStats.NONE)) {
                unsaved.put(p, counted);
            }
        }
        if (unsaved.isEmpty()) {
            return;
        }
        Map<String, PoolStore.StoredStats> byPool = new java.util.LinkedHashMap<>();
        unsaved.forEach((p, counted) -> byPool.put(p.pool().poolId(), counted));
        store.addStats(byPool, clock.millis());
        unsaved.forEach(PoolState::statsSaved);
    }

    /** Pool size advice from everything the pool has seen ({@link PoolAdvice}); null size = not enough data. */
    public PoolAdvice advice(PoolState state) {
        PoolState.Snapshot s = snapshot(state);
        long coolDown = sites.byId(state.pool().siteId()).map(e -> e.site().settings().coolDown().toMillis()).orElse(0L);
        return PoolAdvice.of(s.peakLeased(), s.leasesStarted(), s.endedLeases(), s.averageLeaseMillis(), s.exhaustions(), coolDown);
    }

    /** {@link #advice}'s number, or null with not enough data. */
    public Integer recommendedSize(PoolState state) {
        return advice(state).recommendedSize();
    }
}
