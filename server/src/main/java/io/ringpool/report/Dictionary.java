package io.ringpool.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interns the values of one dimension to small ints so the in-memory facts are plain int arrays.
 * Code 0 is always "no value" (SQL NULL or empty). Guarded by the owning {@link SiteFacts}' lock.
 */
final class Dictionary {
    private final Map<String, Integer> codes = new HashMap<>();
    private final List<String> values = new ArrayList<>();

    Dictionary() {
        values.add(null);
    }

    int code(String value) {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        Integer c = codes.get(value);
        if (c != null) {
            return c;
        }
        int next = values.size();
        codes.put(value, next);
        values.add(value);
        return next;
    }

    /** The code of a value already seen, or -1. */
    int existing(String value) {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        Integer c = codes.get(value);
        return c == null ? -1 : c;
    }

    String value(int code) {
        return values.get(code);
    }

    int size() {
        return values.size();
    }
}
