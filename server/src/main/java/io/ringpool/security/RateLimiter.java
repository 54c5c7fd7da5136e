package io.ringpool.security;

import java.time.Clock;
import java.util.Arrays;

/**
 * Token buckets by key: {@code perMinute} tokens a minute, a burst of the same size. Time comes
 * from the clock, so tests move it instead of sleeping.
 *
 * <h2>Why not a cache of objects</h2>
 * Every visitor's address has a bucket while it is live, so this table is as big as the live
 * traffic. A cache of {@code key string → bucket object} took ~190 bytes a key (the joined key
 * string, the bucket, the cache's node and map entry: the largest single cost of a live session,
 * issue 17). Here a bucket is three array slots — the key's 64-bit {@link KeyHash}, the last
 * refill time, the tokens — 24 bytes, in open-addressing tables kept between a quarter and three
 * quarters full: 32-96 bytes a key, no objects, nothing for the collector to trace.
 *
 * <h2>Forgetting</h2>
 * A bucket that has refilled is dropped when its table needs room: a key seen again starts full
 * either way, so this changes no answer. With the default budgets a bucket is full again a second
 * or two after its last use (a session start refills in half a second at 120 a minute), so the
 * tables hold the clients of the last seconds, not every live session. The table grows to hold at least {@code maxKeys} keys;
 * past that it forgets the least recently used half of a segment (an evicted bucket comes back
 * full: the bound then is per {@code maxKeys} keys, not per key). So memory is bounded by
 * {@code maxKeys} whatever a flood of distinct keys does.
 *
 * <p>Sixteen segments, each with its own lock, chosen by the hash's top bits.
 */
public final class RateLimiter {
    private static final int SEGMENTS = 16;
    private static final int INITIAL_CAPACITY = 16;

    private final int perMinute;
    private final Clock clock;
    private final Segment[] segments;

    /** @param perMinute tokens per minute and burst; 0 = unlimited (then nothing is remembered) */
    public RateLimiter(int perMinute, Clock clock, long maxKeys) {
        this.perMinute = perMinute;
        this.clock = clock;
        int maxCapacity = ceilingPowerOfTwo(Math.max(INITIAL_CAPACITY, (maxKeys + SEGMENTS - 1) / SEGMENTS * 4 / 3 + 1));
        this.segments = new Segment[perMinute > 0 ? SEGMENTS : 0];
        for (int i = 0; i < segments.length; i++) {
            segments[i] = new Segment(maxCapacity);
        }
    }

    public int perMinute() {
        return perMinute;
    }

    /** Takes a token; returns 0 when granted, else the whole seconds until one is there (≥ 1). */
    public int tryAcquire(String key) {
        if (perMinute <= 0) {
            return 0;
        }
        long hash = KeyHash.of(key);
        Segment segment = segments[(int) (hash >>> 60)];
        synchronized (segment) {
            return segment.acquire(hash, clock.millis(), perMinute);
        }
    }

    /** Keys remembered now (tests, and the bound). */
    int keys() {
        int n = 0;
        for (Segment s : segments) {
            synchronized (s) {
                n += s.size;
            }
        }
        return n;
    }

    /** Slots allocated now, over all segments: what the memory is (24 bytes each). */
    int slots() {
        int n = 0;
        for (Segment s : segments) {
            synchronized (s) {
                n += s.keys.length;
            }
        }
        return n;
    }

    private static int ceilingPowerOfTwo(long n) {
        return (int) Math.min(1 << 30, Long.highestOneBit(Math.max(1, n - 1)) << 1);
    }

    /** One open-addressing table (linear probing); guarded by its own monitor. */
    private static final class Segment {
        private final int maxCapacity;
        /** 0 = empty slot ({@link KeyHash} is never 0). */
        long[] keys = new long[INITIAL_CAPACITY];
        long[] touched = new long[INITIAL_CAPACITY];
        double[] tokens = new double[INITIAL_CAPACITY];
        int size;

        Segment(int maxCapacity) {
            this.maxCapacity = Math.max(INITIAL_CAPACITY, maxCapacity);
        }

        int acquire(long key, long now, int perMinute) {
            int slot = find(key);
            if (slot < 0) {
                if ((size + 1) * 4L > keys.length * 3L) {
                    makeRoom(now, perMinute);
                }
                slot = emptySlotFor(key);
                keys[slot] = key;
                touched[slot] = now;
                tokens[slot] = perMinute;
                size++;
            }
            double perMilli = perMinute / 60_000.0;
            double t = Math.min(perMinute, tokens[slot] + Math.max(0, now - touched[slot]) * perMilli);
            touched[slot] = Math.max(touched[slot], now);
            if (t < 1) {
                tokens[slot] = t;
                return (int) Math.max(1, Math.ceil((1 - t) / perMilli / 1000.0));
            }
            tokens[slot] = t - 1;
            return 0;
        }

        private int find(long key) {
            int mask = keys.length - 1;
            for (int i = home(key, mask); ; i = (i + 1) & mask) {
                long k = keys[i];
                if (k == key) {
                    return i;
                }
                if (k == 0) {
                    return -1;
                }
            }
        }

        private int emptySlotFor(long key) {
            int mask = keys.length - 1;
            int i = home(key, mask);
            while (keys[i] != 0) {
                i = (i + 1) & mask;
            }
            return i;
        }

        private static int home(long key, int mask) {
            // The top bits chose the segment; the low bits place the key within it.
            return (int) key & mask;
        }

        /**
         * Called when one more key would fill the table past three quarters. Forgets the buckets
         * that have refilled (a key seen again starts full either way) and sizes the table to
         * what is left, at most half full; at the bound, forgets the least recently used half.
         */
        private void makeRoom(long now, int perMinute) {
            double perMilli = perMinute / 60_000.0;
            int counting = 0;
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != 0 && !refilled(i, now, perMinute, perMilli)) {
                    counting++;
                }
            }
            int capacity = INITIAL_CAPACITY;
            while ((counting + 1) * 2L > capacity && capacity < maxCapacity) {
                capacity *= 2;
            }
            if ((counting + 1) * 4L <= capacity * 3L) {
                rebuild(capacity, i -> !refilled(i, now, perMinute, perMilli));
                return;
            }
            long[] times = new long[counting];
            int n = 0;
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != 0 && !refilled(i, now, perMinute, perMilli)) {
                    times[n++] = touched[i];
                }
            }
            Arrays.sort(times);
            long median = times[counting / 2];
            int atOrAfter = 0;
            for (long t : times) {
                if (t >= median) {
                    atOrAfter++;
                }
            }
            // Many buckets touched in the same millisecond (a frozen test clock): keep only later ones.
            boolean inclusive = (atOrAfter + 1) * 4L <= keys.length * 3L;
            rebuild(keys.length, i -> !refilled(i, now, perMinute, perMilli) && (inclusive ? touched[i] >= median : touched[i] > median));
        }

        /** Whether bucket {@code i} would be full by {@code now}: then forgetting it changes nothing. */
        private boolean refilled(int i, long now, int perMinute, double perMilli) {
            return tokens[i] + Math.max(0, now - touched[i]) * perMilli >= perMinute;
        }

        private void rebuild(int capacity, java.util.function.IntPredicate keep) {
            long[] oldKeys = keys;
            long[] oldTouched = touched;
            double[] oldTokens = tokens;
            boolean[] kept = new boolean[oldKeys.length];
            for (int i = 0; i < oldKeys.length; i++) {
                kept[i] = oldKeys[i] != 0 && keep.test(i);
            }
            keys = new long[capacity];
            touched = new long[capacity];
            tokens = new double[capacity];
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (kept[i]) {
                    int slot = emptySlotFor(oldKeys[i]);
                    keys[slot] = oldKeys[i];
                    touched[slot] = oldTouched[i];
                    tokens[slot] = oldTokens[i];
                    size++;
                }
            }
        }
    }
}
