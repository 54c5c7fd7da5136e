package io.ringpool.pool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Every pool's live state on this node, and each site's pools in the order visits try them. */
public final class PoolRegistry {

    /** Higher priority first; among equals, the older pool first. */
    static final Comparator<PoolState> TRY_ORDER = Comparator.comparing(Place::of);

    /**
     * A pool's place in {@link #TRY_ORDER}, which never changes: a pool is never deleted, and its
     * priority and creation time are never edited. The pool list's cursor is the last pool's place.
     */
    record Place(int priority, java.time.Instant createdAt, String poolId) implements Comparable<Place> {
        private static final Comparator<Place> ORDER = Comparator.<Place>comparingInt(p -> -p.priority())
                .thenComparing(Place::createdAt)
                .thenComparing(Place::poolId);

        static Place of(PoolState state) {
            Pool pool = state.pool();
            return new Place(pool.priority(), pool.createdAt(), pool.poolId());
        }

        @Override
        public int compareTo(Place other) {
            return ORDER.compare(this, other);
        }
    }

    private final Map<String, PoolState> byId = new ConcurrentHashMap<>();
    private final Map<String, List<PoolState>> bySite = new ConcurrentHashMap<>();

    public synchronized void add(PoolState state) {
        byId.put(state.pool().poolId(), state);
        List<PoolState> pools = new ArrayList<>(bySite.getOrDefault(state.pool().siteId(), List.of()));
        pools.add(state);
        pools.sort(TRY_ORDER);
        bySite.put(state.pool().siteId(), List.copyOf(pools));
    }

    public Optional<PoolState> byId(String siteId, String poolId) {
        PoolState p = poolId == null ? null : byId.get(poolId);
        return p != null && p.pool().siteId().equals(siteId) ? Optional.of(p) : Optional.empty();
    }

    public List<PoolState> ofSite(String siteId) {
        return bySite.getOrDefault(siteId, List.of());
    }

    public List<PoolState> all() {
        return List.copyOf(byId.values());
    }

    /** The pool of this site that holds {@code number}, if any. */
    public Optional<PoolState> holding(String siteId, String number) {
        for (PoolState p : ofSite(siteId)) {
            if (p.hasNumber(number)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
