package io.ringpool.pool;

/**
 * Live leases per client address, keyed by the address key's 64-bit {@link io.ringpool.security.KeyHash}:
 * an open-addressing table of two arrays (linear probing, entries removed at zero by shifting
 * back), 12 bytes a slot at most three quarters full. A map of address strings to boxed counts
 * took ~100 bytes per live lease (the key string, the node, the table slot). Not thread-safe: its
 * {@link PoolState} guards it.
 */
final class AddressCounts {
    private static final int INITIAL_CAPACITY = 16;
    /** 0 = empty ({@code KeyHash} is never 0). */
    private long[] keys = new long[INITIAL_CAPACITY];
    private int[] counts = new int[INITIAL_CAPACITY];
    private int size;

    int get(long key) {
        int slot = find(key);
        return slot < 0 ? 0 : counts[slot];
    }

    void increment(long key) {
        int slot = find(key);
        if (slot >= 0) {
            counts[slot]++;
            return;
        }
        if ((size + 1) * 4L > keys.length * 3L) {
            resize(keys.length * 2);
        }
        slot = emptySlotFor(key);
        keys[slot] = key;
        counts[slot] = 1;
        size++;
    }

    /** Counts one lease less; the entry leaves at zero. */
    void decrement(long key) {
        int slot = find(key);
        if (slot < 0) {
            return;
        }
        if (--counts[slot] > 0) {
            return;
        }
        remove(slot);
        if (keys.length > INITIAL_CAPACITY && size * 8L < keys.length) {
            resize(keys.length / 2);
        }
    }

    int size() {
        return size;
    }

    private int find(long key) {
        int mask = keys.length - 1;
        for (int i = home(key, mask); ; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return i;
            }
            if (keys[i] == 0) {
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
        return (int) (key ^ (key >>> 32)) & mask;
    }

    /** Empties {@code slot} and moves back later entries of its run that could sit nearer their home. */
    private void remove(int slot) {
        int mask = keys.length - 1;
        int gap = slot;
        for (int i = (slot + 1) & mask; keys[i] != 0; i = (i + 1) & mask) {
            int h = home(keys[i], mask);
            // Entry i may fill the gap if its home is not in (gap, i] (cyclically).
            boolean homeBetween = gap <= i ? (h > gap && h <= i) : (h > gap || h <= i);
            if (!homeBetween) {
                keys[gap] = keys[i];
                counts[gap] = counts[i];
                gap = i;
            }
        }
        keys[gap] = 0;
        counts[gap] = 0;
        size--;
    }

    private void resize(int capacity) {
        long[] oldKeys = keys;
        int[] oldCounts = counts;
        keys = new long[capacity];
        counts = new int[capacity];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int slot = emptySlotFor(oldKeys[i]);
                keys[slot] = oldKeys[i];
                counts[slot] = oldCounts[i];
            }
        }
    }
}
