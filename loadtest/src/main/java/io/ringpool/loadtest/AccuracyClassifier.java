package io.ringpool.loadtest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Judges the server's attribution of a call against the simulator's truth.
 *
 * <ul>
 *   <li><b>correct</b>: the server named the session that really showed the dialled number to the
 *       caller;</li>
 *   <li><b>wrong</b>: it named another session (another visitor's, or another visit of the same
 *       visitor: a call's source is the visit, so that is wrong too, counted apart as
 *       {@code wrongSameVisitor});</li>
 *   <li><b>unknown</b>: method {@code none}, or the visitor was shown the site's default number
 *       (pool exhausted, untracked) so no tracking number was dialled.</li>
 * </ul>
 * An {@code ambiguous} answer is judged by the session the server chose, and whether the truth
 * was among its candidates is counted apart.
 */
final class AccuracyClassifier {

    enum Outcome { CORRECT, WRONG, UNKNOWN }

    /** What the simulator knows about a call. {@code sessionId} null = the caller saw the default number. */
    record Truth(String sessionId, String visitorId, TrafficModel.Timing timing, boolean shared) {}

    /** What the server answered: method, chosen session and visitor, candidate session ids. */
    record ServerAttribution(String method, String sessionId, String visitorId, List<String> candidates) {
        static ServerAttribution untracked() {
            return new ServerAttribution("untracked", null, null, List.of());
        }
    }

    record Judgement(Outcome outcome, boolean sameVisitor, boolean truthAmongCandidates) {}

    static Judgement judge(Truth truth, ServerAttribution server) {
        if (truth.sessionId() == null || server.method().equals("untracked") || server.method().equals("none")
                || (server.sessionId() == null && server.visitorId() == null)) {
            return new Judgement(Outcome.UNKNOWN, false, false);
        }
        boolean among = server.candidates().contains(truth.sessionId());
        if (truth.sessionId().equals(server.sessionId())) {
            return new Judgement(Outcome.CORRECT, true, true);
        }
        boolean sameVisitor = truth.visitorId() != null && truth.visitorId().equals(server.visitorId());
        return new Judgement(Outcome.WRONG, sameVisitor, among);
    }

    /** Counts of judged calls, overall, by method, by timing, and for shared-number calls. */
    static final class Tally {
        private final Map<String, long[]> byMethod = new TreeMap<>();
        private final Map<String, long[]> byTiming = new TreeMap<>();
        private final long[] total = new long[3];
        private final Map<String, Long> sharedByMethod = new TreeMap<>();
        private long shared;
        private long wrongSameVisitor;
        private long ambiguousTruthAmongCandidates;
        private long ambiguous;

        synchronized void add(Truth truth, ServerAttribution server, Judgement j) {
            int k = j.outcome().ordinal();
            total[k]++;
            byMethod.computeIfAbsent(server.method(), m -> new long[3])[k]++;
            byTiming.computeIfAbsent(truth.timing().name().toLowerCase(), m -> new long[3])[k]++;
            if (j.outcome() == Outcome.WRONG && j.sameVisitor()) {
                wrongSameVisitor++;
            }
            if (server.method().equals("ambiguous")) {
                ambiguous++;
                if (j.truthAmongCandidates()) {
                    ambiguousTruthAmongCandidates++;
                }
            }
            if (truth.shared()) {
                shared++;
                sharedByMethod.merge(server.method(), 1L, Long::sum);
            }
        }

        synchronized long calls() {
            return total[0] + total[1] + total[2];
        }

        synchronized double share(Outcome o) {
            long n = calls();
            return n == 0 ? 0 : (double) total[o.ordinal()] / n;
        }

        synchronized long count(Outcome o) {
            return total[o.ordinal()];
        }

        synchronized long shared() {
            return shared;
        }

        synchronized long sharedMarkedAmbiguous() {
            return sharedByMethod.getOrDefault("ambiguous", 0L);
        }

        synchronized Map<String, Object> toJson() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("calls", calls());
            out.put("correct", total[0]);
            out.put("wrong", total[1]);
            out.put("unknown", total[2]);
            out.put("correctShare", share(Outcome.CORRECT));
            out.put("wrongShare", share(Outcome.WRONG));
            out.put("unknownShare", share(Outcome.UNKNOWN));
            out.put("wrongSameVisitor", wrongSameVisitor);
            out.put("ambiguous", ambiguous);
            out.put("ambiguousTruthAmongCandidates", ambiguousTruthAmongCandidates);
            out.put("sharedNumberCalls", shared);
            out.put("sharedNumberCallsByMethod", new TreeMap<>(sharedByMethod));
            out.put("byMethod", triples(byMethod));
            out.put("byTiming", triples(byTiming));
            return out;
        }

        private static Map<String, Map<String, Long>> triples(Map<String, long[]> m) {
            Map<String, Map<String, Long>> out = new TreeMap<>();
            m.forEach((k, v) -> out.put(k, Map.of("correct", v[0], "wrong", v[1], "unknown", v[2])));
            return out;
        }

        synchronized String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format("%-12s %7s %8s %8s %8s%n", "", "calls", "correct", "wrong", "unknown"));
            b.append(row("all", total));
            b.append("by method\n");
            byMethod.forEach((k, v) -> b.append(row("  " + k, v)));
            b.append("by timing\n");
            byTiming.forEach((k, v) -> b.append(row("  " + k, v)));
            b.append(String.format("shared-number calls: %d, marked ambiguous: %d, by method %s%n", shared,
                    sharedMarkedAmbiguous(), sharedByMethod));
            b.append(String.format("ambiguous: %d (truth among candidates: %d); wrong but same visitor: %d%n",
                    ambiguous, ambiguousTruthAmongCandidates, wrongSameVisitor));
            return b.toString();
        }

        private static String row(String name, long[] v) {
            long n = v[0] + v[1] + v[2];
            return String.format("%-12s %7d %7.2f%% %7.2f%% %7.2f%%%n", name, n, pct(v[0], n), pct(v[1], n), pct(v[2], n));
        }

        private static double pct(long a, long n) {
            return n == 0 ? 0 : 100.0 * a / n;
        }
    }
}
