package io.ringpool.config;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code RINGPOOL_*} environment variables Ringpool reads, and a warning for any other: a
 * misspelt one was ignored without a word, so {@code RINGPOOL_PROT=9000} served on 8080 and
 * {@code RINGPOOL_ADMN_KEY} left a generated admin key in place (audit AK2 F6).
 */
final class EnvironmentVariables {
    private static final String PREFIX = "RINGPOOL_";

    /**
     * Read by the launcher ({@code bin/ringpool}, the jar's relaunch), by Logback's configuration
     * ({@link LogSettings}) and by the tests ({@code RINGPOOL_TEST_PG_*}, which CI exports to the whole
     * job, servers the tests start included), besides {@link ConfigLoader#ENVIRONMENT}'s overrides.
     */
    private static final Set<String> OTHERS = Set.of("RINGPOOL_HEAP", "RINGPOOL_JAVA_OPTS", "RINGPOOL_RELAUNCH",
            "RINGPOOL_LOG_FILE", "RINGPOOL_LOG_MAX_FILE_SIZE", "RINGPOOL_LOG_MAX_FILES", "RINGPOOL_LOG_LEVEL",
            "RINGPOOL_HTTP_LOG_LEVEL", "RINGPOOL_LOG_CONFIG", "RINGPOOL_TEST_PG_URL", "RINGPOOL_TEST_PG_USER",
            "RINGPOOL_TEST_PG_PASSWORD");

    private EnvironmentVariables() {}

    static Set<String> known() {
        Set<String> known = new TreeSet<>(ConfigLoader.ENVIRONMENT.keySet());
        known.addAll(OTHERS);
        return known;
    }

    /**
     * One line for each {@code RINGPOOL_*} variable Ringpool does not read, in name order, naming
     * the known one it is closest to. A warning, not a refusal: a deployment's environment may hold
     * a variable of its own under our prefix (a wrapper's, an orchestrator's), and a server that
     * would not start for it is worse than one that says so once.
     */
    static java.util.List<String> unknown(Map<String, String> env) {
        Set<String> known = known();
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (String name : new TreeSet<>(env.keySet())) {
            if (name.startsWith(PREFIX) && !known.contains(name)) {
                String near = nearest(name, known);
                lines.add(name + " is not a variable Ringpool reads" + (near == null ? "" : " (did you mean " + near + "?)")
                        + "; it is ignored (README \"Configuration\" lists the variables there are)");
            }
        }
        return lines;
    }

    /** The known name within two edits of {@code name}, the closest first; null when none is that close. */
    private static String nearest(String name, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int d = distance(name, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance, with a swap of two neighbours counted as one edit (PROT for PORT). */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
