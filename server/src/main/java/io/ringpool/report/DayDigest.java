package io.ringpool.report;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A site's whole local days counted from its facts, as the sources report counts them: for each
 * day, each attribution model and each combination of all the {@link Dimension}s (traffic-source
 * fields credited by the model, device fields the visit's or call's own), the report's counters.
 * Any {@code groupBy} of the sources report is a projection of these groups, so a report can add
 * sealed days to what the facts give. One pass over the facts for all the days asked.
 */
final class DayDigest {
    private DayDigest() {
    }

    /** One group of one day and model: its dimension values (by {@link Dimension} ordinal) and counters. */
    record Group(LocalDate day, Model model, String[] values, Aggregates.Counts counts) {}

    /** The groups of the days wholly in {@code [from, to)} (site time, {@code zone}), keyed by day; days without traffic map to no groups. */
    static Map<LocalDate, List<Group>> of(SiteFacts f, long from, long to, ZoneId zone, int uniquenessDays) {
        ContactWindow.Firsts firsts = f.contacts(uniquenessDays);
        Aggregates.LocalClock clock = new Aggregates.LocalClock(zone);
        Map<Key, Aggregates.Counts> groups = new HashMap<>();
        int[] codes = new int[Dimension.COUNT];
        for (Model m : Model.values()) {
            for (int i = 0; i < f.visits; i++) {
                long t = f.vStart[i];
                if (t < from || t >= to) {
                    continue;
                }
                int c = m.credited(f, i);
                for (int d = 0; d < Dimension.COUNT; d++) {
                    codes[d] = f.vDim[d][TRAFFIC[d] ? c : i];
                }
                group(groups, clock.epochDay(t), m, codes).visits++;
            }
            for (int j = 0; j < f.calls; j++) {
                long t = f.cStart[j];
                if (t < from || t >= to) {
                    continue;
                }
                int v = m == Model.LAST_CLICK ? -1 : f.visitOfCall(j);
                int c = v < 0 ? -1 : m.credited(f, v);
                for (int d = 0; d < Dimension.COUNT; d++) {
                    codes[d] = c >= 0 && c != v && TRAFFIC[d] ? f.vDim[d][c] : f.cDim[d][j];
                }
                Aggregates.Counts g = group(groups, clock.epochDay(t), m, codes);
                g.addCall(f.cFlags[j]);
                g.contacts += firsts.calls()[j] ? 1 : 0;
            }
            for (int k = 0; k < f.leads; k++) {
                long t = f.lStart[k];
                if (t < from || t >= to || f.isSpam(k)) {
                    continue;
                }
                int v = m == Model.LAST_CLICK ? -1 : f.visitOfLead(k);
                int c = v < 0 ? -1 : m.credited(f, v);
                for (int d = 0; d < Dimension.COUNT; d++) {
                    codes[d] = c >= 0 && c != v && TRAFFIC[d] ? f.vDim[d][c] : f.lDim[d][k];
                }
                group(groups, clock.epochDay(t), m, codes).addLead(f.lFlags[k], firsts.leads()[k]);
            }
        }
        Map<LocalDate, List<Group>> byDay = new HashMap<>();
        groups.forEach((key, counts) -> {
            String[] values = new String[Dimension.COUNT];
            for (int d = 0; d < Dimension.COUNT; d++) {
                values[d] = f.dicts[d].value(key.codes[d]);
            }
            LocalDate day = LocalDate.ofEpochDay(key.epochDay);
            byDay.computeIfAbsent(day, x -> new ArrayList<>()).add(new Group(day, key.model, values, counts));
        });
        return byDay;
    }

    private static final boolean[] TRAFFIC = new boolean[Dimension.COUNT];

    static {
        for (Dimension d : Dimension.values()) {
            TRAFFIC[d.ordinal()] = d.trafficSource();
        }
    }

    private static Aggregates.Counts group(Map<Key, Aggregates.Counts> groups, long epochDay, Model model, int[] codes) {
        Key probe = new Key(epochDay, model, codes);
        Aggregates.Counts found = groups.get(probe);
        if (found == null) {
            int[] own = codes.clone();
            found = new Aggregates.Counts(own);
            groups.put(new Key(epochDay, model, own), found);
        }
        return found;
    }

    /** Day, model and dimension codes; the probe shares the caller's array, a stored key owns its copy. */
    private record Key(long epochDay, Model model, int[] codes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.epochDay == epochDay && k.model == model && Arrays.equals(k.codes, codes);
        }

        @Override
        public int hashCode() {
            return (Long.hashCode(epochDay) * 31 + model.hashCode()) * 31 + Arrays.hashCode(codes);
        }
    }
}
