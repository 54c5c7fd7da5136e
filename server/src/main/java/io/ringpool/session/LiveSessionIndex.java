package io.ringpool.session;

import io.ringpool.security.KeyHash;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * This node's live sessions, found by session id and by site and visitor id.
 *
 * <h2>Why not two concurrent maps</h2>
 * A node holds hundreds of thousands of live sessions, and each map entry of a
 * {@code ConcurrentHashMap} is an object of its own (32 bytes, plus its table slot), twice per
 * session; the tables themselves grow into single arrays of megabytes that the collector must
 * place as humongous objects. Here each index is 64 small open-addressing tables of references to
 * the sessions themselves (linear probing, entries removed by shifting back, between an eighth and
 * three quarters full): 11-64 bytes a session per index (a reference and a 32-bit hash a slot),
 * no entry objects. The keys are the strings the session already holds, compared on lookup; slots
 * are chosen by a seeded {@link KeyHash}, so visitor ids a client makes up cannot be chosen to
 * pile onto one slot.
 *
 * <p>Each table has its own lock; lookups take it too (a few probes). {@link #forEach} sees a
 * snapshot of each table in turn, like a concurrent map's weakly consistent iteration.
 */
final class LiveSessionIndex {
    private static final int STRIPES = 64;
    private static final int INITIAL_CAPACITY = 8;

    private final Table[] bySession = new Table[STRIPES];
    private final Table[] byVisitor = new Table[STRIPES];
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicInteger untracked = new AtomicInteger();

    LiveSessionIndex() {
        for (int i = 0; i < STRIPES; i++) {
            bySession[i] = new Table(false);
            byVisitor[i] = new Table(true);
        }
    }

    /** Live sessions indexed by id. */
    int size() {
        return size.get();
    }

    /** Of {@link #size}, the untracked ones (visits that got the default number and wait for one). */
    int untrackedSize() {
        return untracked.get();
    }

    LiveSession get(String sessionId) {
        if (sessionId == null) {
            return null;
        }
        long hash = KeyHash.of(sessionId);
        return stripe(bySession, hash).get(null, sessionId, hash);
    }

    /** The session a visitor of a site holds, or null. */
    LiveSession ofVisitor(String siteId, String visitorId) {
        long hash = KeyHash.of(siteId, visitorId);
        return stripe(byVisitor, hash).get(siteId, visitorId, hash);
    }

    /** Indexes {@code s} by its id and by its visitor, replacing what held either key. */
    void put(LiveSession s) {
        putById(s);
        long hash = KeyHash.of(s.siteId, s.visitorId);
        stripe(byVisitor, hash).put(s, hash);
    }

    /** Indexes {@code s} by its id only (a late commit whose visitor may have moved on). */
    void putById(LiveSession s) {
        long hash = KeyHash.of(s.sessionId);
        LiveSession replaced = stripe(bySession, hash).put(s, hash);
        if (replaced == null) {
            size.incrementAndGet();
        } else if (replaced.untracked != null) {
            untracked.decrementAndGet();
        }
        if (s.untracked != null) {
            untracked.incrementAndGet();
        }
    }

    /** Stops leading its visitor to {@code s} (kept by id: its own page still renews it). */
    void forgetVisitor(LiveSession s) {
        long visitorHash = KeyHash.of(s.siteId, s.visitorId);
        stripe(byVisitor, visitorHash).remove(s, visitorHash);
    }

    /** Removes {@code s} under each key that still leads to it (not a session that replaced it). */
    void remove(LiveSession s) {
        long hash = KeyHash.of(s.sessionId);
        if (stripe(bySession, hash).remove(s, hash)) {
            size.decrementAndGet();
            if (s.untracked != null) {
                untracked.decrementAndGet();
            }
        }
        long visitorHash = KeyHash.of(s.siteId, s.visitorId);
        stripe(byVisitor, visitorHash).remove(s, visitorHash);
    }

    /** Every session indexed by id, one table's snapshot at a time. */
    void forEach(Consumer<LiveSession> action) {
        for (Table t : bySession) {
            for (LiveSession s : t.snapshot()) {
                action.accept(s);
            }
        }
    }

    /** Slots allocated over both indexes (tests: memory follows the sessions, not the peak). */
    int slots() {
        int n = 0;
        for (int i = 0; i < STRIPES; i++) {
            n += bySession[i].capacity() + byVisitor[i].capacity();
        }
        return n;
    }

    private static Table stripe(Table[] tables, long hash) {
        // The top bits choose the table; the low bits the slot within it.
        return tables[(int) (hash >>> 58)];
    }

    /** One open-addressing table; guarded by its own monitor. */
    private static final class Table {
        /** Keyed by site and visitor id; else by session id. */
        private final boolean byVisitor;
        private LiveSession[] slots = new LiveSession[INITIAL_CAPACITY];
        /**
         * The low 32 bits of each slot's key hash. A probe compares them before it touches the
         * session and its key strings (two cache misses a slot, most of a lookup's cost at 400,000
         * sessions), and growing, shrinking and deleting find each entry's home slot from them
         * instead of hashing its key again. 4 bytes a slot.
         */
        private int[] hashes = new int[INITIAL_CAPACITY];
        private int size;

        Table(boolean byVisitor) {
            this.byVisitor = byVisitor;
        }

        synchronized int capacity() {
            return slots.length;
        }

        synchronized LiveSession get(String siteId, String id, long hash) {
            int slot = find(siteId, id, hash);
            return slot < 0 ? null : slots[slot];
        }

        /** Returns the session it replaced, or null. */
        synchronized LiveSession put(LiveSession s, long hash) {
            int slot = byVisitor ? find(s.siteId, s.visitorId, hash) : find(null, s.sessionId, hash);
            if (slot >= 0) {
                LiveSession old = slots[slot];
                slots[slot] = s;
                return old;
            }
            if ((size + 1) * 4L > slots.length * 3L) {
                resize(slots.length * 2);
            }
            int empty = emptySlot((int) hash);
            slots[empty] = s;
            hashes[empty] = (int) hash;
            size++;
            return null;
        }

        synchronized boolean remove(LiveSession s, long hash) {
            int slot = byVisitor ? find(s.siteId, s.visitorId, hash) : find(null, s.sessionId, hash);
            if (slot < 0 || slots[slot] != s) {
                return false;
            }
            delete(slot);
            if (slots.length > INITIAL_CAPACITY && size * 8L < slots.length) {
                resize(slots.length / 2);
            }
            return true;
        }

        synchronized List<LiveSession> snapshot() {
            List<LiveSession> out = new ArrayList<>(size);
            for (LiveSession s : slots) {
                if (s != null) {
                    out.add(s);
                }
            }
            return out;
        }

        private int find(String siteId, String id, long hash) {
            int mask = slots.length - 1;
            int h = (int) hash;
            for (int i = h & mask; ; i = (i + 1) & mask) {
                LiveSession s = slots[i];
                if (s == null) {
                    return -1;
                }
                if (hashes[i] == h && (byVisitor ? s.visitorId.equals(id) && s.siteId.equals(siteId) : s.sessionId.equals(id))) {
                    return i;
                }
            }
        }

        private int emptySlot(int hash) {
            int mask = slots.length - 1;
            int i = hash & mask;
            while (slots[i] != null) {
                i = (i + 1) & mask;
            }
            return i;
        }

        /** Empties {@code slot}, moving back later entries of its run that may sit nearer their home. */
        private void delete(int slot) {
            int mask = slots.length - 1;
            int gap = slot;
            for (int i = (slot + 1) & mask; slots[i] != null; i = (i + 1) & mask) {
                int home = hashes[i] & mask;
                boolean homeInRun = gap <= i ? (home > gap && home <= i) : (home > gap || home <= i);
                if (!homeInRun) {
                    slots[gap] = slots[i];
                    hashes[gap] = hashes[i];
                    gap = i;
                }
            }
            slots[gap] = null;
            size--;
        }

        private void resize(int capacity) {
            LiveSession[] old = slots;
            int[] oldHashes = hashes;
            slots = new LiveSession[capacity];
            hashes = new int[capacity];
            for (int j = 0; j < old.length; j++) {
                if (old[j] != null) {
                    int empty = emptySlot(oldHashes[j]);
                    slots[empty] = old[j];
                    hashes[empty] = oldHashes[j];
                }
            }
        }
    }
}
