package io.ringpool.outbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whose turn it is among sites, or among one site's endpoints: the one served least recently
 * first, and among those never served (or served as long ago) the order given — the oldest
 * delivery first. Thread-safe: besides the poller, {@code Outbox#deliverDueNow} polls on the caller's thread.
 */
final class Turns {
    /** Forgotten past this many keys (deleted endpoints, sites gone quiet): everyone starts even again. */
    private static final int MAX_KEYS = 100_000;

    private final Map<String, Long> lastServed = new HashMap<>();
    private long turn;

    synchronized List<String> order(Collection<String> keys) {
        List<String> out = new ArrayList<>(keys);
        out.sort(Comparator.comparingLong(k -> lastServed.getOrDefault(k, 0L)));
        return out;
    }

    synchronized void served(String key) {
        if (lastServed.size() >= MAX_KEYS) {
            lastServed.clear();
        }
        lastServed.put(key, ++turn);
    }
}
