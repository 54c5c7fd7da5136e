package io.ringpool.pool;

import io.ringpool.security.KeyHash;

/**
 * Each visitor's last number in a pool: the slots themselves in an open-addressing table keyed by
 * the visitor id each slot holds ({@link NumberSlot#lastVisitorId}), so an entry costs a table
 * slot (4-8 bytes) instead of a map node (~40). Invariant, kept by {@link PoolState}: a slot is in
 * the table only under its current {@code lastVisitorId}; it is removed before that field changes.
 * Slots are chosen by a seeded {@link KeyHash}, since visitor ids come from clients. Not
 * thread-safe: its pool's lock guards it.
 */
final class LastNumbers {
    private static final int INITIAL_CAPACITY = 16;
    private NumberSlot[] slots = new NumberSlot[INITIAL_CAPACITY];
    private int size;

    NumberSlot get(String visitorId) {
        int i = find(visitorId);
        return i < 0 ? null : slots[i];
    }

    /** Files {@code slot} under its visitor, replacing that visitor's earlier number. */
    void put(NumberSlot slot) {
        int i = find(slot.lastVisitorId);
        if (i >= 0) {
            slots[i] = slot;
            return;
        }
        insert(slot);
    }

    /** Files {@code slot} under its visitor unless the visitor has a number on file already. */
    void putIfAbsent(NumberSlot slot) {
        if (find(slot.lastVisitorId) < 0) {
            insert(slot);
        }
    }

    /** Removes the visitor's entry if it is {@code slot}. */
    void remove(String visitorId, NumberSlot slot) {
        int i = find(visitorId);
        if (i >= 0 && slots[i] == slot) {
            delete(i);
        }
    }

    int size() {
        return size;
    }

    /** Slots in the table (tests). */
    int capacity() {
        return slots.length;
    }

    /**
     * Makes room for {@code entries} without growing later. A pool never files more visitors than
     * it has numbers (each slot is filed under one visitor at most), so sizing the table as numbers
     * are added keeps every resize on the admin path. Growing on a visitor's lease would re-hash
     * every visitor id under the pool's lock: ~13 % of the event loop's time in a benchmark whose
     * 600,000-number pool was still filling, and one long stall at each doubling.
     */
    void reserve(int entries) {
        int capacity = slots.length;
        while (entries * 4L > capacity * 3L) {
            capacity *= 2;
        }
        if (capacity != slots.length) {
            resize(capacity);
        }
    }

    private void insert(NumberSlot slot) {
        if ((size + 1) * 4L > slots.length * 3L) {
            resize(slots.length * 2);
        }
        slots[emptySlot(KeyHash.of(slot.lastVisitorId))] = slot;
        size++;
    }

    private int find(String visitorId) {
        int mask = slots.length - 1;
        for (int i = (int) KeyHash.of(visitorId) & mask; ; i = (i + 1) & mask) {
            NumberSlot s = slots[i];
            if (s == null) {
                return -1;
            }
            if (s.lastVisitorId.equals(visitorId)) {
                return i;
            }
        }
    }

    private int emptySlot(long hash) {
        int mask = slots.length - 1;
        int i = (int) hash & mask;
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
            int home = (int) KeyHash.of(slots[i].lastVisitorId) & mask;
            boolean homeInRun = gap <= i ? (home > gap && home <= i) : (home > gap || home <= i);
            if (!homeInRun) {
                slots[gap] = slots[i];
                gap = i;
            }
        }
        slots[gap] = null;
        size--;
    }

    private void resize(int capacity) {
        NumberSlot[] old = slots;
        slots = new NumberSlot[capacity];
        for (NumberSlot s : old) {
            if (s != null) {
                slots[emptySlot(KeyHash.of(s.lastVisitorId))] = s;
            }
        }
    }
}
