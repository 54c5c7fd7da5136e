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
 * day, each {@link DayCube}, each of its attribution models and each combination of the cube's
 * fields (traffic-source fields credited by the model, device fields the visit's or call's own),
 * the report's counters. A {@code groupBy} within a cube is a projection of its groups, so a report
 * can add sealed days to what the facts give. One pass over the facts per cube and model.
 */
final class DayDigest {
    private DayDigest() {
    }

    /** One group of one day and model: its dimension values (by {@link Dimension} ordinal) and counters. */
    record Group(LocalDate day, DayCube cube, Model model, String[] values, Aggregates.Counts counts) {}

    /** The groups of the days wholly in {@code [from, to)} (site time, {@code zone}), keyed by day; days without traffic map to no groups. */
    static Map<LocalDate, List<Group>> of(SiteFacts f, long from, long to, ZoneId zone, int uniquenessDays) {
        ContactWindow.Firsts firsts = f.contacts(uniquenessDays);
        Aggregates.LocalClock clock = new Aggregates.LocalClock(zone);
        Map<Key, Aggregates.Counts> groups = new HashMap<>();
        int[] codes = new int[Dimension.COUNT];
        for (DayCube cube : DayCube.values()) {
            boolean[] in = new boolean[Dimension.COUNT];
            for (int d = 0; d < Dimension.COUNT; d++) {
                in[d] = cube.has(d);
            }
            for (Model m : cube.models()) {
                count(f, from, to, cube, in, m, firsts, clock, groups, codes);
            }
        }
        Map<LocalDate, List<Group>> byDay = new HashMap<>();
        groups.forEach((key, counts) -> {
            String[] values = new String[Dimension.COUNT];
            for (int d = 0; d < Dimension.COUNT; d++) {
                values[d] = f.dicts[d].value(key.codes[d]);
            }
            LocalDate day = LocalDate.ofEpochDay(key.epochDay);
            byDay.computeIfAbsent(day, x -> new ArrayList<>()).add(new Group(day, key.cube, key.model, values, counts));
        });
        return byDay;
    }

    /** The groups of one cube and model; fields outside the cube are code 0 (no value). */
    private static void count(SiteFacts f, long from, long to, DayCube cube, boolean[] in, Model m, ContactWindow.Firsts firsts,
            Aggregates.LocalClock clock, Map<Key, Aggregates.Counts> groups, int[] codes) {
        for (int i = 0; i < f.visits; i++) {
            long t = f.vStart[i];
            if (t < from || t >= to) {
                continue;
            }
            int c = m.credited(f, i);
            for (int d = 0; d < Dimension.COUNT; d++) {
                codes[d] = in[d] ? f.vDim[d][TRAFFIC[d] ? c : i] : 0;
            }
            group(groups, clock.epochDay(t), cube, m, codes).visits++;
        }
        for (int j = 0; j < f.calls; j++) {
            long t = f.cStart[j];
            if (t < from || t >= to) {
                continue;
            }
            int v = m == Model.LAST_CLICK ? -1 : f.visitOfCall(j);
            int c = v < 0 ? -1 : m.credited(f, v);
            for (int d = 0; d < Dimension.COUNT; d++) {
                codes[d] = !in[d] ? 0 : c >= 0 && c != v && TRAFFIC[d] ? f.vDim[d][c] : f.cDim[d][j];
            }
            Aggregates.Counts g = group(groups, clock.epochDay(t), cube, m, codes);
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
                codes[d] = !in[d] ? 0 : c >= 0 && c != v && TRAFFIC[d] ? f.vDim[d][c] : f.lDim[d][k];
            }
            group(groups, clock.epochDay(t), cube, m, codes).addLead(f.lFlags[k], firsts.leads()[k]);
        }
    }

    private static final boolean[] TRAFFIC = new boolean[Dimension.COUNT];

    static {
        for (Dimension d : Dimension.values()) {
            TRAFFIC[d.ordinal()] = d.trafficSource();
        }
    }

    private static Aggregates.Counts group(Map<Key, Aggregates.Counts> groups, long epochDay, DayCube cube, Model model, int[] codes) {
        Key probe = new Key(epochDay, cube, model, codes);
        Aggregates.Counts found = groups.get(probe);
        if (found == null) {
            int[] own = codes.clone();
            found = new Aggregates.Counts(own);
            groups.put(new Key(epochDay, cube, model, own), found);
        }
        return found;
    }

    /** Day, cube, model and dimension codes; the probe shares the caller's array, a stored key owns its copy. */
    private record Key(long epochDay, DayCube cube, Model model, int[] codes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.epochDay == epochDay && k.cube == cube && k.model == model && Arrays.equals(k.codes, codes);
        }

        @Override
        public int hashCode() {
            return ((Long.hashCode(epochDay) * 31 + cube.ordinal()) * 31 + model.ordinal()) * 31 + Arrays.hashCode(codes);
        }
    }
}
