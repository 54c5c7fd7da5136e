package io.ringpool.report;

import io.ringpool.concurrent.Cancellation;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The report computations: single passes over a site's {@link SiteFacts}. Pure functions of the
 * facts and the query; the caller holds the facts' monitor. Results are plain maps and lists ready
 * for JSON.
 */
final class Aggregates {
    private Aggregates() {}

    /** Sort keys of grouped reports besides the group-by fields themselves. */
    static final List<String> METRICS = List.of("visits", "calls", "uniqueCalls", "targetCalls", "uniqueTargetCalls", "conversion",
            "leads", "uniqueLeads", "contacts");

    /** Counters of one group. */
    static final class Counts {
        final int[] codes;
        long visits;
        long calls;
        long unique;
        long target;
        long uniqueTarget;
        long leads;
        long uniqueLeads;
        long contacts;

        Counts(int[] codes) {
            this.codes = codes;
        }

        void addCall(int flags) {
            calls++;
            unique += (flags & SiteFacts.FLAG_UNIQUE) != 0 ? 1 : 0;
            target += (flags & SiteFacts.FLAG_TARGET) != 0 ? 1 : 0;
            uniqueTarget += (flags & SiteFacts.FLAG_UNIQUE_TARGET) != 0 ? 1 : 0;
        }

        /** Adds a sealed day's group. */
        void add(Counts other) {
            visits += other.visits;
            calls += other.calls;
            unique += other.unique;
            target += other.target;
            uniqueTarget += other.uniqueTarget;
            leads += other.leads;
            uniqueLeads += other.uniqueLeads;
            contacts += other.contacts;
        }

        void addLead(int flags, boolean opensContact) {
            leads++;
            uniqueLeads += (flags & SiteFacts.FLAG_UNIQUE) != 0 ? 1 : 0;
            contacts += opensContact ? 1 : 0;
        }

        Double conversion() {
            return conversionOf(calls, visits);
        }

        Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("visits", visits);
            m.put("calls", calls);
            m.put("uniqueCalls", unique);
            m.put("targetCalls", target);
            m.put("uniqueTargetCalls", uniqueTarget);
            m.put("conversion", conversion());
            m.put("leads", leads);
            m.put("uniqueLeads", uniqueLeads);
            m.put("contacts", contacts);
            return m;
        }

        Object metric(String name) {
            return switch (name) {
                case "visits" -> visits;
                case "calls" -> calls;
                case "uniqueCalls" -> unique;
                case "targetCalls" -> target;
                case "uniqueTargetCalls" -> uniqueTarget;
                case "leads" -> leads;
                case "uniqueLeads" -> uniqueLeads;
                case "contacts" -> contacts;
                default -> conversion();
            };
        }
    }

    /** Calls per visit, rounded to 4 decimals; null without visits (calls to static numbers have none). */
    static Double conversionOf(long calls, long visits) {
        return visits == 0 ? null : Math.round(calls * 10_000.0 / visits) / 10_000.0;
    }

    /**
     * Visits, calls and leads grouped by {@code groupBy}, the traffic-source fields credited by
     * {@code model}. A call or lead credits its attributed visit's history; one without a visit
     * (static number, none, a contact without a visit) keeps its own fields. {@code contacts} counts
     * the calls and leads that open a person's contact window of {@code uniquenessDays}. The
     * {@code sealed} groups (days before the facts' held-from, counted for the same model) are
     * added to the groups they project to. Keys that differ only in the letter case of a field that
     * ignores it are one group ({@link #withCaseFolded}).
     */
    static Map<String, Object> grouped(SiteFacts f, ReportRange range, Model model, List<Dimension> groupBy, String sort,
            boolean ascending, int limit, int uniquenessDays, List<SealedDays.Row> sealed) {
        ContactWindow.Firsts firsts = f.contacts(uniquenessDays);
        int n = groupBy.size();
        // Sealed values are interned before the key radix is taken from the dictionaries' sizes.
        int[][] sealedCodes = new int[sealed.size()][n];
        for (int r = 0; r < sealed.size(); r++) {
            for (int k = 0; k < n; k++) {
                int d = groupBy.get(k).ordinal();
                sealedCodes[r][k] = f.dicts[d].code(sealed.get(r).values()[d]);
            }
        }
        int[] dims = new int[n];
        boolean modelMatters = false;
        long[] radix = new long[n];
        boolean packable = true;
        long span = 1;
        for (int k = 0; k < n; k++) {
            Dimension d = groupBy.get(k);
            dims[k] = d.ordinal();
            modelMatters |= d.trafficSource();
            radix[k] = span;
            try {
                span = Math.multiplyExact(span, (long) f.dicts[d.ordinal()].size());
            } catch (ArithmeticException e) {
                packable = false;
            }
        }
        Model effective = modelMatters ? model : Model.LAST_CLICK;
        LongIntMap packed = new LongIntMap(1024);
        Map<String, Integer> wide = packable ? null : new HashMap<>();
        List<Counts> groups = new ArrayList<>();
        Counts totals = new Counts(new int[0]);
        int[] codes = new int[n];

        for (int i = 0; i < f.visits; i++) {
            Cancellation.checkpointEvery(i);
            if (!range.contains(f.vStart[i])) {
                continue;
            }
            int c = effective.credited(f, i);
            for (int k = 0; k < n; k++) {
                codes[k] = f.vDim[dims[k]][groupBy.get(k).trafficSource() ? c : i];
            }
            group(codes, radix, packed, wide, groups).visits++;
            totals.visits++;
        }
        for (int j = 0; j < f.calls; j++) {
            if (!range.contains(f.cStart[j])) {
                continue;
            }
            int v = effective == Model.LAST_CLICK ? -1 : f.visitOfCall(j);
            int c = v < 0 ? -1 : effective.credited(f, v);
            for (int k = 0; k < n; k++) {
                boolean moved = c >= 0 && c != v && groupBy.get(k).trafficSource();
                codes[k] = moved ? f.vDim[dims[k]][c] : f.cDim[dims[k]][j];
            }
            Counts g = group(codes, radix, packed, wide, groups);
            g.addCall(f.cFlags[j]);
            totals.addCall(f.cFlags[j]);
            if (firsts.calls()[j]) {
                g.contacts++;
                totals.contacts++;
            }
        }
        for (int k = 0; k < f.leads; k++) {
            if (!range.contains(f.lStart[k]) || f.isSpam(k)) {
                continue;
            }
            int v = effective == Model.LAST_CLICK ? -1 : f.visitOfLead(k);
            int c = v < 0 ? -1 : effective.credited(f, v);
            for (int q = 0; q < n; q++) {
                boolean moved = c >= 0 && c != v && groupBy.get(q).trafficSource();
                codes[q] = moved ? f.vDim[dims[q]][c] : f.lDim[dims[q]][k];
            }
            group(codes, radix, packed, wide, groups).addLead(f.lFlags[k], firsts.leads()[k]);
            totals.addLead(f.lFlags[k], firsts.leads()[k]);
        }
        for (int r = 0; r < sealed.size(); r++) {
            group(sealedCodes[r], radix, packed, wide, groups).add(sealed.get(r).counts());
            totals.add(sealed.get(r).counts());
        }

        groups = withCaseFolded(f, groupBy, groups, radix, packable);

        Comparator<Counts> order = comparator(sort, groupBy, f);
        groups.sort(ascending ? order : order.reversed());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Counts g : groups.subList(0, Math.min(limit, groups.size()))) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("key", key(f, groupBy, g.codes));
            row.putAll(g.metrics());
            rows.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("groupBy", groupBy.stream().map(Dimension::wireName).toList());
        out.put("rows", rows);
        out.put("totalRows", groups.size());
        out.put("totals", totals.metrics());
        return out;
    }

    /**
     * The groups added up where their keys differ only in the letter case of fields that ignore it
     * ({@link Dimension#ignoresCase()}), each under the spelling {@link Spellings} picks from the
     * groups' counts; {@code groups} itself when no two keys differ so. After the counting, so sealed
     * days (stored with the spellings they were counted with) fold like the facts.
     */
    private static List<Counts> withCaseFolded(SiteFacts f, List<Dimension> groupBy, List<Counts> groups, long[] radix, boolean packable) {
        int n = groupBy.size();
        Spellings[] spellings = new Spellings[n];
        boolean folds = false;
        for (int k = 0; k < n; k++) {
            if (!groupBy.get(k).ignoresCase()) {
                continue;
            }
            Spellings.Tally tally = new Spellings.Tally(f.dicts[groupBy.get(k).ordinal()]);
            for (Counts g : groups) {
                tally.add(g.codes[k], g.calls, g.visits, g.leads);
            }
            spellings[k] = tally.choose();
            folds |= !spellings[k].asCounted();
        }
        if (!folds) {
            return groups;
        }
        LongIntMap packed = new LongIntMap(1024);
        Map<String, Integer> wide = packable ? null : new HashMap<>();
        List<Counts> merged = new ArrayList<>();
        int[] codes = new int[n];
        for (Counts g : groups) {
            for (int k = 0; k < n; k++) {
                codes[k] = spellings[k] == null ? g.codes[k] : spellings[k].shown(g.codes[k]);
            }
            group(codes, radix, packed, wide, merged).add(g);
        }
        return merged;
    }

    private static Counts group(int[] codes, long[] radix, LongIntMap packed, Map<String, Integer> wide, List<Counts> groups) {
        int index;
        if (wide == null) {
            long key = 0;
            for (int k = 0; k < codes.length; k++) {
                key += codes[k] * radix[k];
            }
            // +1 keeps the all-null key (0) clear of LongIntMap's reserved empty slot.
            index = packed.get(key + 1, -1);
            if (index < 0) {
                index = groups.size();
                packed.put(key + 1, index);
                groups.add(new Counts(codes.clone()));
            }
        } else {
            String key = java.util.Arrays.toString(codes);
            Integer found = wide.get(key);
            if (found == null) {
                found = groups.size();
                wide.put(key, found);
                groups.add(new Counts(codes.clone()));
            }
            index = found;
        }
        return groups.get(index);
    }

    private static Comparator<Counts> comparator(String sort, List<Dimension> groupBy, SiteFacts f) {
        int keyIndex = -1;
        for (int k = 0; k < groupBy.size(); k++) {
            if (groupBy.get(k).wireName().equals(sort)) {
                keyIndex = k;
            }
        }
        Comparator<Counts> byKey = (a, b) -> 0;
        for (int k = groupBy.size() - 1; k >= 0; k--) {
            int kk = k;
            int d = groupBy.get(k).ordinal();
            Comparator<Counts> field = Comparator.comparing((Counts c) -> f.dicts[d].value(c.codes[kk]),
                    Comparator.nullsFirst(Comparator.reverseOrder()));
            byKey = field.thenComparing(byKey);
        }
        if (keyIndex >= 0) {
            int kk = keyIndex;
            int d = groupBy.get(kk).ordinal();
            return Comparator.comparing((Counts c) -> f.dicts[d].value(c.codes[kk]), Comparator.nullsFirst(Comparator.naturalOrder()));
        }
        Comparator<Counts> metric = switch (sort) {
            case "visits" -> Comparator.comparingLong(c -> c.visits);
            case "uniqueCalls" -> Comparator.comparingLong(c -> c.unique);
            case "targetCalls" -> Comparator.comparingLong(c -> c.target);
            case "uniqueTargetCalls" -> Comparator.comparingLong(c -> c.uniqueTarget);
            case "leads" -> Comparator.comparingLong(c -> c.leads);
            case "uniqueLeads" -> Comparator.comparingLong(c -> c.uniqueLeads);
            case "contacts" -> Comparator.comparingLong(c -> c.contacts);
            case "conversion" -> Comparator.comparing(Counts::conversion, Comparator.nullsFirst(Comparator.naturalOrder()));
            default -> Comparator.comparingLong(c -> c.calls);
        };
        // Ties: more calls, then more visits, then the key alphabetically (reversed with the rest).
        return metric.thenComparingLong(c -> c.calls).thenComparingLong(c -> c.visits).thenComparing(byKey);
    }

    private static Map<String, Object> key(SiteFacts f, List<Dimension> groupBy, int[] codes) {
        Map<String, Object> key = new LinkedHashMap<>();
        for (int k = 0; k < groupBy.size(); k++) {
            key.put(groupBy.get(k).wireName(), f.dicts[groupBy.get(k).ordinal()].value(codes[k]));
        }
        return key;
    }

    /** Local time fields of instants in one zone, with the offset looked up once per hour. */
    static final class LocalClock {
        private final ZoneRules rules;
        private long hourStart = Long.MIN_VALUE;
        private long offsetMillis;

        LocalClock(ZoneId zone) {
            this.rules = zone.getRules();
        }

        long local(long epochMillis) {
            long hour = Math.floorDiv(epochMillis, 3_600_000L);
            if (hour != hourStart) {
                hourStart = hour;
                ZoneOffset o = rules.getOffset(Instant.ofEpochMilli(hour * 3_600_000L));
                offsetMillis = o.getTotalSeconds() * 1000L;
            }
            return epochMillis + offsetMillis;
        }

        /** ISO weekday 1 (Monday) … 7 (Sunday). */
        int weekday(long epochMillis) {
            long day = Math.floorDiv(local(epochMillis), 86_400_000L);
            return (int) Math.floorMod(day + 3, 7L) + 1;
        }

        int hour(long epochMillis) {
            return (int) (Math.floorMod(local(epochMillis), 86_400_000L) / 3_600_000L);
        }

        long epochDay(long epochMillis) {
            return Math.floorDiv(local(epochMillis), 86_400_000L);
        }
    }

    /** Visits, calls and leads by ISO weekday (rows, Monday first) × hour (columns) in the site's zone. */
    static Map<String, Object> weekdayHour(SiteFacts f, ReportRange range) {
        long[][] visits = new long[7][24];
        long[][] calls = new long[7][24];
        long[][] target = new long[7][24];
        long[][] unique = new long[7][24];
        LocalClock clock = new LocalClock(range.zone());
        for (int i = 0; i < f.visits; i++) {
            Cancellation.checkpointEvery(i);
            long t = f.vStart[i];
            if (range.contains(t)) {
                visits[clock.weekday(t) - 1][clock.hour(t)]++;
            }
        }
        long total = 0;
        for (int j = 0; j < f.calls; j++) {
            long t = f.cStart[j];
            if (range.contains(t)) {
                int w = clock.weekday(t) - 1;
                int h = clock.hour(t);
                calls[w][h]++;
                total++;
                if ((f.cFlags[j] & SiteFacts.FLAG_TARGET) != 0) {
                    target[w][h]++;
                }
                if ((f.cFlags[j] & SiteFacts.FLAG_UNIQUE) != 0) {
                    unique[w][h]++;
                }
            }
        }
        long[][] leads = new long[7][24];
        long totalLeads = 0;
        for (int k = 0; k < f.leads; k++) {
            long t = f.lStart[k];
            if (range.contains(t) && !f.isSpam(k)) {
                leads[clock.weekday(t) - 1][clock.hour(t)]++;
                totalLeads++;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("weekdays", List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"));
        out.put("hours", java.util.stream.IntStream.range(0, 24).boxed().toList());
        out.put("calls", calls);
        out.put("uniqueCalls", unique);
        out.put("targetCalls", target);
        out.put("visits", visits);
        out.put("totalCalls", total);
        out.put("leads", leads);
        out.put("totalLeads", totalLeads);
        return out;
    }

    /**
     * Visits, calls and leads per day (site time), calls and leads also by channel, credited by
     * {@code model}; the {@code sealed} groups (days before the facts' held-from) added to their day.
     */
    static Map<String, Object> daily(SiteFacts f, ReportRange range, Model model, List<SealedDays.Row> sealed) {
        LocalDate first = range.firstDay();
        int days = (int) ChronoUnit.DAYS.between(first, range.lastDay()) + 1;
        long firstEpochDay = first.toEpochDay();
        int channel = Dimension.CHANNEL.ordinal();
        Map<Integer, long[]> visitsByChannel = new HashMap<>();
        Map<Integer, long[]> callsByChannel = new HashMap<>();
        long[] visits = new long[days];
        long[] calls = new long[days];
        long[] target = new long[days];
        LocalClock clock = new LocalClock(range.zone());
        for (int i = 0; i < f.visits; i++) {
            Cancellation.checkpointEvery(i);
            long t = f.vStart[i];
            if (!range.contains(t)) {
                continue;
            }
            int d = (int) (clock.epochDay(t) - firstEpochDay);
            if (d < 0 || d >= days) {
                continue;
            }
            visits[d]++;
            visitsByChannel.computeIfAbsent(f.vDim[channel][model.credited(f, i)], k -> new long[days])[d]++;
        }
        for (int j = 0; j < f.calls; j++) {
            long t = f.cStart[j];
            if (!range.contains(t)) {
                continue;
            }
            int d = (int) (clock.epochDay(t) - firstEpochDay);
            if (d < 0 || d >= days) {
                continue;
            }
            calls[d]++;
            if ((f.cFlags[j] & SiteFacts.FLAG_TARGET) != 0) {
                target[d]++;
            }
            int v = model == Model.LAST_CLICK ? -1 : f.visitOfCall(j);
            int code = v < 0 ? f.cDim[channel][j] : f.vDim[channel][model.credited(f, v)];
            callsByChannel.computeIfAbsent(code, k -> new long[days])[d]++;
        }
        long[] leads = new long[days];
        Map<Integer, long[]> leadsByChannel = new HashMap<>();
        for (int k = 0; k < f.leads; k++) {
            long t = f.lStart[k];
            if (!range.contains(t) || f.isSpam(k)) {
                continue;
            }
            int d = (int) (clock.epochDay(t) - firstEpochDay);
            if (d < 0 || d >= days) {
                continue;
            }
            leads[d]++;
            int v = model == Model.LAST_CLICK ? -1 : f.visitOfLead(k);
            int code = v < 0 ? f.lDim[channel][k] : f.vDim[channel][model.credited(f, v)];
            leadsByChannel.computeIfAbsent(code, x -> new long[days])[d]++;
        }
        for (SealedDays.Row row : sealed) {
            int d = (int) (row.day().toEpochDay() - firstEpochDay);
            if (d < 0 || d >= days) {
                continue;
            }
            Counts n = row.counts();
            visits[d] += n.visits;
            calls[d] += n.calls;
            target[d] += n.target;
            leads[d] += n.leads;
            int code = f.dicts[channel].code(row.values()[channel]);
            // Only where there is something: the facts' series have a channel only when it had one.
            if (n.visits > 0) {
                visitsByChannel.computeIfAbsent(code, k -> new long[days])[d] += n.visits;
            }
            if (n.calls > 0) {
                callsByChannel.computeIfAbsent(code, k -> new long[days])[d] += n.calls;
            }
            if (n.leads > 0) {
                leadsByChannel.computeIfAbsent(code, k -> new long[days])[d] += n.leads;
            }
        }
        List<String> dayList = new ArrayList<>(days);
        for (int d = 0; d < days; d++) {
            dayList.add(first.plusDays(d).toString());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("days", dayList);
        out.put("visits", visits);
        out.put("calls", calls);
        out.put("targetCalls", target);
        out.put("callsByChannel", byName(f, channel, callsByChannel));
        out.put("visitsByChannel", byName(f, channel, visitsByChannel));
        out.put("leads", leads);
        out.put("leadsByChannel", byName(f, channel, leadsByChannel));
        return out;
    }

    private static Map<String, long[]> byName(SiteFacts f, int dim, Map<Integer, long[]> byCode) {
        Map<String, long[]> out = new java.util.TreeMap<>();
        byCode.forEach((code, series) -> out.put(f.dicts[dim].value(code) == null ? "(none)" : f.dicts[dim].value(code), series));
        return out;
    }

    /**
     * Multichannel sequences: for each call and each lead with a known visit, the visitor's visits
     * within the 90-day look-back up to and including that visit, each labelled "medium source"
     * ("direct" for direct visits), runs of the same label collapsed to "label ×n". Rows are ordered
     * by calls + leads, then visitors, then the path. Sources and mediums that differ only in
     * letter case are one label, spelled as {@link Spellings} picks from the range's visits, calls
     * and leads, as in the sources report.
     */
    static Map<String, Object> paths(SiteFacts f, ReportRange range, int limit) {
        Spellings sources = spellingsInRange(f, range, Dimension.SOURCE);
        Spellings mediums = spellingsInRange(f, range, Dimension.MEDIUM);
        record PathCounts(List<Map<String, Object>> steps, long[] counts, Set<Long> visitors) {}
        Map<String, PathCounts> byPath = new HashMap<>();
        long callsWithoutVisit = 0;
        long calls = 0;
        long leadsWithoutVisit = 0;
        long leads = 0;
        List<String> labels = new ArrayList<>();
        for (int e = 0; e < f.calls + f.leads; e++) {
            Cancellation.checkpointEvery(e);
            boolean call = e < f.calls;
            int k = e - f.calls;
            long t = call ? f.cStart[e] : f.lStart[k];
            if (!range.contains(t) || (!call && f.isSpam(k))) {
                continue;
            }
            int v = call ? f.visitOfCall(e) : f.visitOfLead(k);
            if (call) {
                calls++;
                callsWithoutVisit += v < 0 ? 1 : 0;
            } else {
                leads++;
                leadsWithoutVisit += v < 0 ? 1 : 0;
            }
            if (v < 0) {
                continue;
            }
            List<Map<String, Object>> steps = new ArrayList<>();
            String path = path(f, v, sources, mediums, labels, steps);
            // counts: calls, targetCalls, uniqueCalls, leads, uniqueLeads
            PathCounts counts = byPath.computeIfAbsent(path, p -> new PathCounts(steps, new long[5], new HashSet<>()));
            if (call) {
                counts.counts()[0]++;
                counts.counts()[1] += (f.cFlags[e] & SiteFacts.FLAG_TARGET) != 0 ? 1 : 0;
                counts.counts()[2] += (f.cFlags[e] & SiteFacts.FLAG_UNIQUE) != 0 ? 1 : 0;
                counts.visitors().add(f.cVisitor[e]);
            } else {
                counts.counts()[3]++;
                counts.counts()[4] += (f.lFlags[k] & SiteFacts.FLAG_UNIQUE) != 0 ? 1 : 0;
                counts.visitors().add(f.lVisitor[k]);
            }
        }
        List<Map.Entry<String, PathCounts>> sorted = new ArrayList<>(byPath.entrySet());
        sorted.sort(Comparator.comparingLong((Map.Entry<String, PathCounts> x) -> -(x.getValue().counts()[0] + x.getValue().counts()[3]))
                .thenComparing(x -> -x.getValue().visitors().size()).thenComparing(Map.Entry::getKey));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<String, PathCounts> x : sorted.subList(0, Math.min(limit, sorted.size()))) {
            long[] c = x.getValue().counts();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("path", x.getKey());
            row.put("steps", x.getValue().steps());
            row.put("calls", c[0]);
            row.put("targetCalls", c[1]);
            row.put("uniqueCalls", c[2]);
            row.put("leads", c[3]);
            row.put("uniqueLeads", c[4]);
            row.put("visitors", x.getValue().visitors().size());
            rows.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", rows);
        out.put("totalRows", sorted.size());
        out.put("calls", calls);
        out.put("callsWithoutVisit", callsWithoutVisit);
        out.put("leads", leads);
        out.put("leadsWithoutVisit", leadsWithoutVisit);
        return out;
    }

    /**
     * The spelling of each value of {@code dimension} by the visits, calls and leads of the range
     * (their own fields); values only older visits have are candidates too, with no count.
     */
    private static Spellings spellingsInRange(SiteFacts f, ReportRange range, Dimension dimension) {
        int d = dimension.ordinal();
        Spellings.Tally tally = new Spellings.Tally(f.dicts[d]);
        tally.addEveryValue();
        for (int i = 0; i < f.visits; i++) {
            Cancellation.checkpointEvery(i);
            if (range.contains(f.vStart[i])) {
                tally.add(f.vDim[d][i], 0, 1, 0);
            }
        }
        for (int j = 0; j < f.calls; j++) {
            if (range.contains(f.cStart[j])) {
                tally.add(f.cDim[d][j], 1, 0, 0);
            }
        }
        for (int k = 0; k < f.leads; k++) {
            if (range.contains(f.lStart[k]) && !f.isSpam(k)) {
                tally.add(f.lDim[d][k], 0, 0, 1);
            }
        }
        return tally.choose();
    }

    /** The path to visit {@code v} as text, its steps added to {@code steps}. */
    private static String path(SiteFacts f, int v, Spellings sources, Spellings mediums, List<String> labels,
            List<Map<String, Object>> steps) {
        int source = Dimension.SOURCE.ordinal();
        int medium = Dimension.MEDIUM.ordinal();
        int channel = Dimension.CHANNEL.ordinal();
        labels.clear();
        for (int u = v; u >= 0 && f.vStart[v] - f.vStart[u] <= SiteFacts.LOOKBACK_MILLIS; u = f.vPrev[u]) {
            labels.add(label(f.dicts[medium].value(mediums.shown(f.vDim[medium][u])),
                    f.dicts[source].value(sources.shown(f.vDim[source][u])), f.isDirect(u), f.dicts[channel].value(f.vDim[channel][u])));
            if (labels.size() > 200) {
                break;
            }
        }
        java.util.Collections.reverse(labels);
        StringBuilder path = new StringBuilder();
        for (int k = 0; k < labels.size(); ) {
            int run = 1;
            while (k + run < labels.size() && labels.get(k + run).equals(labels.get(k))) {
                run++;
            }
            if (path.length() > 0) {
                path.append(" → ");
            }
            path.append(labels.get(k));
            if (run > 1) {
                path.append(" ×").append(run);
            }
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("label", labels.get(k));
            step.put("visits", run);
            steps.add(step);
            k += run;
        }
        return path.toString();
    }

    /** "medium source" as Calltouch writes a step: "cpc google", "organic yandex", "direct". */
    static String label(String medium, String source, boolean direct, String channel) {
        if (direct) {
            return "direct";
        }
        String m = medium == null ? (channel == null ? "(none)" : channel) : medium;
        String s = source == null ? "(none)" : source;
        return m + " " + s;
    }
}
