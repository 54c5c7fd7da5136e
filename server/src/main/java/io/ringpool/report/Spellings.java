package io.ringpool.report;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which spelling a report shows for the values of one field that differ only in letter case
 * ({@code google}, {@code Google}, {@code GOOGLE}): the report counts them as one group, as the
 * call log's filters match them ({@code LOWER(column) = LOWER(?)}, {@code CallLogQuery}), so a
 * row's count is what the call log shows for that row's key.
 *
 * <p>Stored values keep the case they were tagged with and sealed days keep the values they were
 * sealed with; the folding happens when a report is computed, so days sealed before it came in
 * fold as well, and nothing is rewritten.
 *
 * <p>The spelling shown is the one with the most calls in the report, then the most visits, then
 * the most leads; equal counts go to the spelling first in code-point order ({@code Google} before
 * {@code google}), so the choice depends on the counts alone, never on the order the facts were
 * read in, and every node shows the same one. Where every visit and call has one spelling (an ad
 * platform's {@code Winter}), that spelling is shown as written.
 */
final class Spellings {
    /** Raw code → the code of the spelling shown for its group; codes never counted map to themselves. */
    private final Map<Integer, Integer> shown;

    private Spellings(Map<Integer, Integer> shown) {
        this.shown = shown;
    }

    /** True when no two counted values differ only in case: every code shows itself. */
    boolean asCounted() {
        for (Map.Entry<Integer, Integer> e : shown.entrySet()) {
            if (!e.getKey().equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** The code shown for the value of {@code code}. */
    int shown(int code) {
        return shown.getOrDefault(code, code);
    }

    /**
     * The key two values share when they differ only in letter case. Java's root-locale lowering,
     * as H2's LOWER; PostgreSQL's LOWER agrees under a UTF-8 ctype (Cyrillic included), which the
     * call log relies on too.
     */
    static String folded(String value) {
        return value.toLowerCase(Locale.ROOT);
    }

    /**
     * Counts per spelling of one field, from which {@link #choose()} picks the spelling of each
     * group. Unboxed ({@link LongIntMap} to a slot in one array): the paths report adds every visit
     * of its range.
     */
    static final class Tally {
        private final Dictionary values;
        /** code → slot */
        private final LongIntMap slots = new LongIntMap(64);
        /** per slot: its code, then its calls, visits and leads */
        private long[] counts = new long[4 * 64];
        private int used;

        Tally(Dictionary values) {
            this.values = values;
        }

        void add(int code, long calls, long visits, long leads) {
            if (code == 0) {
                return; // "no value" has no spelling
            }
            int slot = slots.get(code, -1);
            if (slot < 0) {
                slot = used++;
                slots.put(code, slot);
                if (4 * used > counts.length) {
                    counts = java.util.Arrays.copyOf(counts, counts.length * 2);
                }
                counts[4 * slot] = code;
            }
            counts[4 * slot + 1] += calls;
            counts[4 * slot + 2] += visits;
            counts[4 * slot + 3] += leads;
        }

        /** Makes every value of the dictionary a candidate, counted or not (a path shows visits from before the range). */
        void addEveryValue() {
            for (int code = 1; code < values.size(); code++) {
                add(code, 0, 0, 0);
            }
        }

        Spellings choose() {
            Map<String, Integer> best = new HashMap<>();
            String[] keys = new String[used];
            for (int slot = 0; slot < used; slot++) {
                keys[slot] = folded(values.value((int) counts[4 * slot]));
                best.merge(keys[slot], slot, this::preferred);
            }
            Map<Integer, Integer> shown = new HashMap<>(used * 2);
            for (int slot = 0; slot < used; slot++) {
                shown.put((int) counts[4 * slot], (int) counts[4 * best.get(keys[slot])]);
            }
            return new Spellings(shown);
        }

        /** Of two slots, the one whose spelling is shown: more calls, visits, leads; then code-point order. */
        private int preferred(int a, int b) {
            for (int i = 1; i < 4; i++) {
                long x = counts[4 * a + i];
                long y = counts[4 * b + i];
                if (x != y) {
                    return x > y ? a : b;
                }
            }
            return values.value((int) counts[4 * a]).compareTo(values.value((int) counts[4 * b])) <= 0 ? a : b;
        }
    }
}
