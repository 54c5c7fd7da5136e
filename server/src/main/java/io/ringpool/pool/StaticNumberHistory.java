package io.ringpool.pool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What one static number stood for over time (audit AM1 F5): the attribution it was added with,
 * each change, and its retirement, each with the instant it began. A call is credited to the entry
 * in force at the call's own time, as a pool number's call reads the lease history, so a call
 * posted late (a provider's retry, a PBX that queued its events) after a PATCH keeps the source the
 * number had when the call happened. Immutable: a change makes a new history.
 */
final class StaticNumberHistory {
    /** From {@code beganAt} (epoch ms) the number stood for {@code number}'s source; null: retired from then on. */
    record Entry(long beganAt, StaticNumber number) {}

    private final List<Entry> entries; // by beganAt, no two alike

    private StaticNumberHistory(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    static StaticNumberHistory of(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::beganAt));
        return new StaticNumberHistory(sorted);
    }

    /**
     * With {@code number} (null: retired) in force from {@code beganAt}; an entry that began at the
     * same millisecond is replaced, as the store's row is (it was in force for no time at all).
     */
    StaticNumberHistory with(long beganAt, StaticNumber number) {
        List<Entry> next = new ArrayList<>(entries);
        next.removeIf(e -> e.beganAt() == beganAt);
        next.add(new Entry(beganAt, number));
        return of(next);
    }

    /**
     * The attribution in force at {@code at} (epoch ms): the latest entry that began at or before
     * it; empty when the number was retired then. A call dated before the number's first entry
     * gets that first entry, as every call to a static number in use did before the history was
     * kept (a PBX's clock a little behind the moment the number was added).
     */
    Optional<StaticNumber> at(long at) {
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Entry inForce = entries.get(0);
        for (Entry e : entries) {
            if (e.beganAt() > at) {
                break;
            }
            inForce = e;
        }
        return Optional.ofNullable(inForce.number());
    }
}
