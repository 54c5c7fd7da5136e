package io.ringpool.pool;

import io.ringpool.failure.DomainFailure;
import io.ringpool.visit.Channel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which visits a pool serves: every rule must hold (AND); an empty rule matches every visit.
 * Values compare case-insensitively; a trailing {@code *} matches any suffix ({@code "brand-*"}),
 * except {@code channel}, which must name one of the {@link Channel channels}.
 * {@code referrer_host} matches the host and every subdomain of it, {@code www.} ignored on both
 * sides ({@code vk.com} matches {@code www.vk.com} and {@code m.vk.com}, as the traffic parser
 * counts them one site), so a {@code *} anywhere but at its end is refused: {@code *.vk.com}
 * would be a pattern no other key has, and it is what {@code vk.com} already means.
 * Keys: {@code utm_source|source}, {@code utm_medium|medium}, {@code utm_campaign|campaign},
 * {@code utm_term|term}, {@code utm_content|content}, {@code channel}, {@code referrer_host},
 * {@code click_id} (the name of a click id present, e.g. {@code gclid}).
 */
public record PoolMatch(Map<String, String> rules) {

    public static final Set<String> KEYS = Set.of("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
            "source", "medium", "campaign", "term", "content", "channel", "referrer_host", "click_id");

    public static final PoolMatch ANY = new PoolMatch(Map.of());

    public static PoolMatch of(Map<String, String> given, String field) {
        if (given == null) {
            return ANY;
        }
        Map<String, String> rules = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!KEYS.contains(e.getKey())) {
                throw DomainFailure.invalid(field + "." + e.getKey(), "'" + field + "." + e.getKey()
                        + "' is not a match key; use one of " + String.join(", ", KEYS.stream().sorted().toList()));
            }
            String value = e.getValue().toLowerCase(Locale.ROOT);
            if (e.getKey().equals("channel")) {
                value = channel(field + ".channel", value);
            }
            if (e.getKey().equals("referrer_host")) {
                value = host(field + ".referrer_host", value);
            }
            rules.put(canonical(e.getKey()), value);
        }
        return new PoolMatch(Map.copyOf(rules));
    }

    /**
     * A visit's channel is one of a fixed few ({@link Channel}), so a rule naming any other value
     * would make a pool no visit can ever match: refused, naming the field and the channels.
     */
    private static String channel(String field, String value) {
        try {
            return Channel.fromWire(value).wireName();
        } catch (IllegalArgumentException unknown) {
            throw DomainFailure.invalid(field, "'" + field + "' must be a channel: one of "
                    + String.join(", ", Arrays.stream(Channel.values()).map(Channel::wireName).toList())
                    + " (got '" + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "')");
        }
    }

    /** A host rule as kept: trimmed, without {@code www.} and a trailing dot; a {@code *} only at the end. */
    private static String host(String field, String value) {
        String host = value.strip();
        int star = host.indexOf('*');
        if (star >= 0 && star != host.length() - 1) {
            throw DomainFailure.invalid(field, "'" + field + "' takes a '*' only at the end; a host already matches its "
                    + "subdomains and www. (got '" + (host.length() > 40 ? host.substring(0, 40) + "…" : host) + "'"
                    + (host.startsWith("*.") ? "; write '" + host.substring(2) + "'" : "") + ")");
        }
        while (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return withoutWww(host);
    }

    private static String withoutWww(String host) {
        return host.startsWith("www.") ? host.substring(4) : host;
    }

    /** {@code visit} holds lower-case values under canonical keys (source, medium, ..., channel, referrer_host, click_id:*). */
    public boolean matches(Map<String, String> visit) {
        for (Map.Entry<String, String> rule : rules.entrySet()) {
            if (rule.getKey().equals("click_id")) {
                if (!visit.containsKey("click_id:" + rule.getValue())) {
                    return false;
                }
                continue;
            }
            String actual = visit.get(rule.getKey());
            if (actual == null) {
                return false;
            }
            if (rule.getKey().equals("referrer_host") ? !hostMatches(rule.getValue(), actual) : !valueMatches(rule.getValue(), actual)) {
                return false;
            }
        }
        return true;
    }

    private static boolean valueMatches(String pattern, String actual) {
        if (pattern.endsWith("*")) {
            return actual.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(actual);
    }

    /**
     * The referrer's host is the rule's host or a subdomain of it, {@code www.} ignored; a rule ending
     * in {@code *} is a prefix of the host without {@code www.}. A rule stored before {@code *.}
     * was refused ({@code *.vk.com}) reads as its domain.
     */
    static boolean hostMatches(String rule, String host) {
        String pattern = rule.startsWith("*.") ? rule.substring(2) : rule;
        String bare = withoutWww(host);
        if (pattern.endsWith("*")) {
            return bare.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return bare.equals(pattern) || bare.endsWith("." + pattern);
    }

    private static String canonical(String key) {
        return key.startsWith("utm_") ? key.substring(4) : key;
    }
}
