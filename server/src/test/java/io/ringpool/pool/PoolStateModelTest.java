package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random sequences of lease / heartbeat / end / intent / time passing / sweep, checked step by
 * step against a deliberately naive reference model: a map from number to holder with explicit
 * expiry times, where a lease past its expiry is over whether or not a sweep has run. The invariant that matters most — a number is never leased to two live sessions —
 * is checked after every step, together with the number each choice should pick.
 */
class PoolStateModelTest {
    static final long TTL = 180_000;
    static final long GRACE = 30_000;
    static final long COOL = 900_000;
    static final long HOLD = 1_800_000;

    sealed interface Op {}

    record Acquire(int visitor, boolean reuse) implements Op {}

    record Heartbeat(int visitor) implements Op {}

    record End(int visitor) implements Op {}

    record Intent(int visitor) implements Op {}

    record Advance(long millis) implements Op {}

    record Sweep() implements Op {}

    /** The reference: for each number, who holds it until when, and when it was released. */
    static final class Reference {
        final List<String> numbers;
        final Map<String, Integer> holder = new HashMap<>();
        final Map<String, String> holderSession = new HashMap<>();
        final Map<String, Long> expires = new HashMap<>();
        final Map<String, Long> intentUntil = new HashMap<>();
        final Map<String, Long> released = new HashMap<>();
        final Map<String, Integer> lastVisitor = new HashMap<>();
        final Map<Integer, String> numberLastLeasedBy = new HashMap<>();

        Reference(List<String> numbers) {
            this.numbers = numbers;
            numbers.forEach(n -> released.put(n, 0L));
        }

        String numberOf(int visitor) {
            return holder.entrySet().stream().filter(e -> e.getValue() == visitor).map(Map.Entry::getKey).findFirst().orElse(null);
        }

        boolean live(String n, long now) {
            return holder.containsKey(n) && expires.get(n) > now;
        }

        /** Not held, or held by a lease past its expiry (over, whether or not a sweep has ended it). */
        boolean idle(String n, long now) {
            return !holder.containsKey(n) || expires.get(n) <= now;
        }

        /** When the number was released: a lease past its expiry at its expiry. */
        long releasedAt(String n) {
            return holder.containsKey(n) ? expires.get(n) : released.get(n);
        }

        /** The number released longest ago (ties by number) among those {@code candidate} accepts. */
        String oldest(java.util.function.Predicate<String> candidate) {
            String oldest = null;
            for (String n : numbers) {
                if (candidate.test(n) && (oldest == null || releasedAt(n) < releasedAt(oldest)
                        || (releasedAt(n) == releasedAt(oldest) && n.compareTo(oldest) < 0))) {
                    oldest = n;
                }
            }
            return oldest;
        }

        /** The number the rules say a new lease takes (null = none). */
        String choose(int visitor, long now, boolean reuse) {
            // The visitor's previous number is the one they leased last, if nobody leased it since.
            String previous = numberLastLeasedBy.get(visitor);
            if (previous != null && idle(previous, now) && Integer.valueOf(visitor).equals(lastVisitor.get(previous))) {
                return previous;
            }
            // A free number the sweep has given back, longest idle first; only when there is none do the
            // leases past their expiry count too (starts with a free number never look at them).
            String swept = oldest(n -> !holder.containsKey(n));
            if (swept != null && releasedAt(swept) + COOL <= now) {
                return swept;
            }
            String oldest = oldest(n -> idle(n, now));
            if (oldest == null) {
                return null;
            }
            if (releasedAt(oldest) + COOL <= now || reuse) {
                return oldest;
            }
            return null;
        }

        /** {@code n} goes to a new lease: a lease past its expiry on it ends at its expiry. */
        void take(String n) {
            if (holder.containsKey(n)) {
                released.put(n, expires.get(n));
                intentUntil.remove(n);
            }
        }

        void sweep(long now) {
            for (String n : new ArrayList<>(holder.keySet())) {
                if (expires.get(n) <= now) {
                    released.put(n, expires.get(n));
                    holder.remove(n);
                    holderSession.remove(n);
                    expires.remove(n);
                    intentUntil.remove(n);
                }
            }
        }
    }

    /** A writer whose writes commit at once, as a healthy store would. */
    static final PoolState.Writer INSTANT = new PoolState.Writer() {
        @Override
        public CompletableFuture<Void> leaseStarted(Lease lease) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> leaseEnded(Lease lease, long endedAt) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> leaseReplaced(Lease expired, long endedAt, Lease lease) {
            return CompletableFuture.completedFuture(null);
        }
    };

    @Property(tries = 400)
    void theLiveStateAlwaysMatchesTheReferenceAndNoNumberHasTwoLiveHolders(@ForAll("operations") List<Op> ops) {
        List<String> numbers = List.of("+70000000001", "+70000000002", "+70000000003", "+70000000004");
        PoolState pool = new PoolState(new Pool("pl_1", "st_1", "p", 0, PoolMatch.ANY, Instant.EPOCH));
        numbers.forEach(n -> pool.addNumber(n, 0, null, false));
        Reference ref = new Reference(numbers);
        Map<Integer, Lease> leases = new HashMap<>();
        long now = 1_000_000_000L;
        int sessionCounter = 0;

        for (Op op : ops) {
            switch (op) {
                case Acquire a -> {
                    Lease current = leases.get(a.visitor());
                    if (current != null && pool.isLive(current, now)) {
                        continue;
                    }
                    String expected = ref.choose(a.visitor(), now, a.reuse());
                    String session = "s" + (++sessionCounter);
                    PoolState.Granted g = pool.acquireReturning("l" + sessionCounter, session, "v" + a.visitor(), now, TTL, INSTANT);
                    if (g == null) {
                        g = pool.acquireFree("l" + sessionCounter, session, "v" + a.visitor(), now, TTL, COOL, INSTANT);
                    }
                    if (g == null && a.reuse()) {
                        g = pool.acquireCooling("l" + sessionCounter, session, "v" + a.visitor(), now, TTL, INSTANT);
                    }
                    assertThat(g == null ? null : g.lease().number()).as("number chosen for visitor %d", a.visitor()).isEqualTo(expected);
                    if (g != null) {
                        leases.put(a.visitor(), g.lease());
                        ref.take(expected);
                        ref.holder.put(expected, a.visitor());
                        ref.holderSession.put(expected, session);
                        ref.expires.put(expected, now + TTL);
                        ref.lastVisitor.put(expected, a.visitor());
                        ref.numberLastLeasedBy.put(a.visitor(), expected);
                    }
                }
                case Heartbeat h -> {
                    Lease lease = leases.get(h.visitor());
                    if (lease == null) {
                        continue;
                    }
                    String n = lease.number();
                    boolean refLive = ref.live(n, now) && lease.sessionId().equals(sessionOf(ref, leases, n));
                    boolean ok = pool.heartbeat(lease, now, TTL);
                    assertThat(ok).isEqualTo(refLive);
                    if (ok) {
                        ref.expires.put(n, Math.max(now + TTL, ref.intentUntil.getOrDefault(n, 0L)));
                    }
                }
                case End e -> {
                    Lease lease = leases.get(e.visitor());
                    if (lease == null) {
                        continue;
                    }
                    String n = lease.number();
                    boolean refLive = ref.live(n, now) && lease.sessionId().equals(sessionOf(ref, leases, n));
                    boolean ok = pool.softEnd(lease, now, GRACE);
                    assertThat(ok).isEqualTo(refLive);
                    if (ok) {
                        ref.expires.put(n, Math.max(now + GRACE, ref.intentUntil.getOrDefault(n, 0L)));
                    }
                }
                case Intent i -> {
                    Lease lease = leases.get(i.visitor());
                    if (lease == null) {
                        continue;
                    }
                    String n = lease.number();
                    boolean refLive = ref.live(n, now) && lease.sessionId().equals(sessionOf(ref, leases, n));
                    boolean ok = pool.intent(lease, now, HOLD);
                    assertThat(ok).isEqualTo(refLive);
                    if (ok) {
                        ref.intentUntil.put(n, Math.max(ref.intentUntil.getOrDefault(n, 0L), now + HOLD));
                        ref.expires.put(n, Math.max(ref.expires.get(n), ref.intentUntil.get(n)));
                    }
                }
                case Advance adv -> now += adv.millis();
                case Sweep s -> {
                    pool.sweep(now, INSTANT);
                    ref.sweep(now);
                }
            }
            assertInvariant(pool, ref, numbers, leases, now);
        }
    }

    private static String sessionOf(Reference ref, Map<Integer, Lease> leases, String number) {
        return ref.holderSession.get(number);
    }

    private static void assertInvariant(PoolState pool, Reference ref, List<String> numbers, Map<Integer, Lease> leases, long now) {
        Set<String> liveNumbers = new HashSet<>();
        for (Lease lease : leases.values()) {
            if (pool.isLive(lease, now)) {
                assertThat(liveNumbers.add(lease.number())).as("number %s live for two sessions", lease.number()).isTrue();
            }
        }
        for (String n : numbers) {
            assertThat(pool.holderOf(n)).as("holder of %s", n).isEqualTo(ref.holderSession.get(n));
        }
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Integer> visitor = Arbitraries.integers().between(1, 7);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Combinators.combine(visitor, Arbitraries.of(true, false)).as(Acquire::new)),
                net.jqwik.api.Tuple.of(3, visitor.map(Heartbeat::new)),
                net.jqwik.api.Tuple.of(2, visitor.map(End::new)),
                net.jqwik.api.Tuple.of(1, visitor.map(Intent::new)),
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(1_000, 1_200_000).map(Advance::new)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(new Sweep())));
        return op.list().ofMinSize(5).ofMaxSize(80);
    }
}
