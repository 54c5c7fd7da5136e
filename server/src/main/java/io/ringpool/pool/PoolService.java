package io.ringpool.pool;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.http.ApiException;
import io.ringpool.http.JsonBody;
import io.ringpool.site.E164;
import io.ringpool.site.Keys;
import io.ringpool.site.SiteRegistry;
import io.ringpool.store.ConstraintViolationException;
import io.ringpool.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/** Creating pools, adding and retiring numbers, static numbers; loading all of it at start. */
public final class PoolService {
    public static final int MAX_NUMBERS_PER_REQUEST = 10_000;

    private final PoolStore store;
    private final PoolRegistry pools;
    private final SiteRegistry sites;
    private final Database db;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<String, Map<String, StaticNumber>> staticBySite = new ConcurrentHashMap<>();

    public PoolService(PoolStore store, PoolRegistry pools, SiteRegistry sites, Database db, Clock clock, MeterRegistry registry) {
        this.store = store;
        this.pools = pools;
        this.sites = sites;
        this.db = db;
        this.clock = clock;
        this.registry = registry;
    }

    /** Rebuilds every pool's live state from the store (numbers, live leases, exhaustion counts). */
    public List<PoolStore.StoredLease> loadAll() {
        Map<String, Long> exhaustions = store.exhaustionCounts();
        for (Pool pool : store.loadPools()) {
            PoolState state = new PoolState(pool);
            state.setExhaustions(exhaustions.getOrDefault(pool.poolId(), 0L));
            pools.add(state);
            registerGauges(state);
        }
        for (PoolStore.StoredNumber n : store.loadNumbers()) {
            pools.byId(siteOf(n.poolId()), n.poolId()).ifPresent(p ->
                    p.addNumber(n.number(), n.releasedAt() == null ? 0 : n.releasedAt(), n.lastVisitorId(), n.retired()));
        }
        for (StaticNumber s : loadStatic()) {
            staticBySite.computeIfAbsent(s.siteId(), k -> new ConcurrentHashMap<>()).put(s.number(), s);
        }
        return store.loadLiveLeases();
    }

    private String siteOf(String poolId) {
        for (PoolState p : pools.all()) {
            if (p.pool().poolId().equals(poolId)) {
                return p.pool().siteId();
            }
        }
        return "";
    }

    public PoolState create(String siteId, JsonBody body) {
        body.rejectUnknown(Set.of("name", "priority", "match", "numbers"));
        String name = body.has("name") ? body.requiredString("name", 200) : "Pool " + (pools.ofSite(siteId).size() + 1);
        Integer priority = body.optionalInt("priority", -1_000_000, 1_000_000);
        PoolMatch match = PoolMatch.of(body.optionalStringMap("match", 20, 200), "match");
        List<String> numbers = numbers(body, false);
        ensureNotUsed(siteId, numbers);
        Pool pool = new Pool(Keys.id("pl_"), siteId, name, priority == null ? 0 : priority, match, clock.instant());
        long now = clock.millis();
        try {
            store.insertPool(pool, numbers, now);
        } catch (ConstraintViolationException e) {
            throw new ApiException(409, "number_in_use", "a number is already in a pool of this site", "numbers");
        }
        PoolState state = new PoolState(pool);
        numbers.forEach(n -> state.addNumber(n, 0, null, false));
        pools.add(state);
        registerGauges(state);
        return state;
    }

    public List<String> addNumbers(PoolState pool, JsonBody body) {
        body.rejectUnknown(Set.of("numbers"));
        List<String> numbers = numbers(body, true);
        ensureNotUsed(pool.pool().siteId(), numbers);
        try {
            store.addNumbers(pool.pool(), numbers, clock.millis());
        } catch (ConstraintViolationException e) {
            throw new ApiException(409, "number_in_use", "a number is already in a pool of this site", "numbers");
        }
        numbers.forEach(n -> pool.addNumber(n, 0, null, false));
        return numbers;
    }

    public void retire(PoolState pool, String rawNumber) {
        String number = E164.require("number", rawNumber);
        if (!pool.hasNumber(number)) {
            throw ApiException.notFound("number");
        }
        store.retireNumber(pool.pool().siteId(), number, clock.millis());
        pool.retire(number);
    }

    public StaticNumber addStatic(String siteId, JsonBody body) {
        body.rejectUnknown(Set.of("number", "source", "medium", "campaign", "label"));
        String number = E164.require("number", body.optionalString("number", 40));
        String source = body.requiredString("source", 200);
        String medium = body.optionalString("medium", 200);
        String campaign = body.optionalString("campaign", 200);
        String label = body.optionalString("label", 200);
        ensureNotUsed(siteId, List.of(number));
        StaticNumber s = new StaticNumber(siteId, number, source, medium, campaign, label, clock.instant());
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO static_numbers(site_id, number, source, medium, "
                        + "campaign, label, created_at) VALUES (?,?,?,?,?,?,?)")) {
                    ps.setString(1, siteId);
                    ps.setString(2, number);
                    ps.setString(3, source);
                    ps.setString(4, medium);
                    ps.setString(5, campaign);
                    ps.setString(6, label);
                    ps.setLong(7, s.createdAt().toEpochMilli());
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (ConstraintViolationException e) {
            throw new ApiException(409, "number_in_use", "this number is already a static number of this site", "number");
        }
        staticBySite.computeIfAbsent(siteId, k -> new ConcurrentHashMap<>()).put(number, s);
        return s;
    }

    public Optional<StaticNumber> staticNumber(String siteId, String number) {
        return Optional.ofNullable(staticBySite.getOrDefault(siteId, Map.of()).get(number));
    }

    public List<StaticNumber> staticNumbers(String siteId) {
        return staticBySite.getOrDefault(siteId, Map.of()).values().stream()
                .sorted((a, b) -> a.number().compareTo(b.number())).toList();
    }

    private List<StaticNumber> loadStatic() {
        return db.read(c -> {
            List<StaticNumber> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT site_id, number, source, medium, campaign, label, created_at FROM static_numbers");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new StaticNumber(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7))));
                }
            }
            return out;
        });
    }

    private static List<String> numbers(JsonBody body, boolean required) {
        List<String> given = body.optionalStringList("numbers", MAX_NUMBERS_PER_REQUEST, 40);
        if (given == null || given.isEmpty()) {
            if (required) {
                throw new ApiException(422, "missing_field", "'numbers' must list at least one number", "numbers");
            }
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < given.size(); i++) {
            String n = E164.require("numbers[" + i + "]", given.get(i));
            if (!out.add(n)) {
                throw ApiException.invalid("numbers[" + i + "]", "'numbers[" + i + "]' repeats " + n);
            }
        }
        return List.copyOf(out);
    }

    private void ensureNotUsed(String siteId, List<String> numbers) {
        var site = sites.byId(siteId).orElseThrow(() -> ApiException.notFound("site"));
        for (String n : numbers) {
            if (pools.holding(siteId, n).isPresent()) {
                throw new ApiException(409, "number_in_use", n + " is already in a pool of this site", "numbers");
            }
            if (staticNumber(siteId, n).isPresent()) {
                throw new ApiException(409, "number_in_use", n + " is already a static number of this site", "numbers");
            }
            if (n.equals(site.site().settings().defaultNumber())) {
                throw new ApiException(409, "number_in_use", n + " is the site's default number, which visitors see untracked", "numbers");
            }
        }
    }

    private void registerGauges(PoolState state) {
        Pool pool = state.pool();
        gauge("ringpool.pool.size", "tracking numbers in the pool (not retired)", state, s -> snapshot(s).size());
        gauge("ringpool.pool.leased", "numbers leased to live sessions", state, s -> snapshot(s).leased());
        gauge("ringpool.pool.cooling", "numbers resting after a lease", state, s -> snapshot(s).coolingDown());
        gauge("ringpool.pool.free", "numbers ready for a new visitor", state, s -> snapshot(s).free());
        registry.more();
        assert pool != null;
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
     * Pool size for no exhaustion at the peak seen so far. By Little's law a number is out of
     * circulation for a lease plus a cool-down; so numbers in use at peak ≈ peak leases × (average
     * lease + cool-down) ÷ average lease, plus 20% headroom. With no finished lease yet, the
     * current size stands.
     */
    public int recommendedSize(PoolState state) {
        PoolState.Snapshot s = snapshot(state);
        if (s.averageLeaseMillis() <= 0 || s.peakLeased() == 0) {
            return Math.max(s.size(), 1);
        }
        long coolDown = sites.byId(state.pool().siteId()).map(e -> e.site().settings().coolDown().toMillis()).orElse(0L);
        double inUse = s.peakLeased() * (s.averageLeaseMillis() + coolDown) / (double) s.averageLeaseMillis();
        return (int) Math.max(1, Math.ceil(inUse * 1.2));
    }
}
