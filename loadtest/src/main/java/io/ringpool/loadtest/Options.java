package io.ringpool.loadtest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Command-line options {@code --name=value} (or {@code --name value}). Every read names its default,
 * so {@link #used()} lists the full effective configuration, which goes into the results JSON; an
 * option that no scenario reads is an error, not silently ignored.
 */
final class Options {
    private final Map<String, String> given = new LinkedHashMap<>();
    private final Map<String, String> used = new TreeMap<>();
    private final Map<String, String> help = new LinkedHashMap<>();

    Options(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --name=value, got " + a);
            }
            String body = a.substring(2);
            int eq = body.indexOf('=');
            if (eq >= 0) {
                given.put(body.substring(0, eq), body.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                given.put(body, args[++i]);
            } else {
                given.put(body, "true");
            }
        }
    }

    String str(String name, String def, String description) {
        help.put(name, description + " (default " + def + ")");
        String v = given.getOrDefault(name, def);
        used.put(name, v);
        return v;
    }

    long longOpt(String name, long def, String description) {
        String v = str(name, Long.toString(def), description);
        try {
            return Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got " + v);
        }
    }

    int intOpt(String name, int def, String description) {
        return Math.toIntExact(longOpt(name, def, description));
    }

    double dbl(String name, double def, String description) {
        String v = str(name, Double.toString(def), description);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got " + v);
        }
    }

    boolean has(String name) {
        return given.containsKey(name);
    }

    boolean helpRequested() {
        return given.containsKey("help");
    }

    /** Fails on options no scenario read: a typo must not silently run the default. */
    void rejectUnknown() {
        for (String k : given.keySet()) {
            if (!used.containsKey(k) && !k.equals("help")) {
                throw new IllegalArgumentException("unknown option --" + k + "; --help lists them");
            }
        }
    }

    Map<String, String> used() {
        return used;
    }

    String helpText() {
        StringBuilder b = new StringBuilder();
        help.forEach((k, v) -> b.append(String.format("  --%-22s %s%n", k, v)));
        return b.toString();
    }
}
