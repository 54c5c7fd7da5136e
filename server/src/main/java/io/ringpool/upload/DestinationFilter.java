package io.ringpool.upload;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which calls (and leads) a destination uploads, under the names and meanings of the exports' and
 * feeds' filters: {@code target}, {@code unique}, {@code uniqueTarget} (booleans), {@code tag}
 * (case-insensitive), and {@code leads}. Null is "any". Without a filter every call goes, as
 * before; {@code {"target": true}} is what a conversion upload usually wants (audit N #1: a
 * 5-second wrong number was a "Phone call" conversion that smart bidding optimised toward).
 *
 * <p>Leads are not calls: they have no talk time, so {@code target} and {@code uniqueTarget} do not
 * apply to them (a lead goes to its own action or goal, {@code leadConversionAction}/{@code leadTarget});
 * {@code unique} and {@code tag} apply as to calls; {@code leads: false} keeps leads out. (An export
 * with {@code target} leaves leads out unless it has {@code leads=true}, which means what it means here.)
 * The call's classes and tags are those of its {@code call.completed} event, when it ended.
 *
 * <p>{@code ambiguous: false} keeps out the calls attributed {@code ambiguous}: a number reissued
 * from cool-down when a small pool ran out, or a redial, where Ringpool chose one of several visits.
 * A platform bidding on the chosen visit's click would learn from a guess; this lets the marketer
 * upload only the calls Ringpool is sure of (the exports' {@code method} filter does the same by
 * hand). It does not apply to leads, whose visit is their own.
 */
public record DestinationFilter(Boolean target, Boolean unique, Boolean uniqueTarget, String tag, Boolean leads, Boolean ambiguous) {

    /** No filter: every call (and lead, where the platform takes them). */
    public static final DestinationFilter NONE = new DestinationFilter(null, null, null, null, null, null);

    /** Without the {@code ambiguous} filter (as before session 33). */
    public DestinationFilter(Boolean target, Boolean unique, Boolean uniqueTarget, String tag, Boolean leads) {
        this(target, unique, uniqueTarget, tag, leads, null);
    }

    public boolean isNone() {
        return equals(NONE);
    }

    /** Whether {@code c} is uploaded. */
    boolean admits(CallConversion c) {
        if (c.lead()) {
            if (Boolean.FALSE.equals(leads)) {
                return false;
            }
        } else if (!matches(target, c.target()) || !matches(uniqueTarget, c.uniqueTarget()) || !matches(ambiguous, c.ambiguous())) {
            return false;
        }
        if (!matches(unique, c.unique())) {
            return false;
        }
        // Without regard to case, as the exports' LOWER(tag) = LOWER(?).
        return tag == null || c.tags().stream().anyMatch(t -> t.toLowerCase(Locale.ROOT).equals(tag.toLowerCase(Locale.ROOT)));
    }

    private static boolean matches(Boolean wanted, boolean actual) {
        return wanted == null || wanted == actual;
    }

    /** The filters that are set, by name (as GET shows them and the store keeps them). */
    public Map<String, Object> asMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        put(out, "target", target);
        put(out, "unique", unique);
        put(out, "uniqueTarget", uniqueTarget);
        put(out, "tag", tag);
        put(out, "leads", leads);
        put(out, "ambiguous", ambiguous);
        return out;
    }

    private static void put(Map<String, Object> out, String name, Object value) {
        if (value != null) {
            out.put(name, value);
        }
    }

    /** The filter {@link #asMap} wrote. */
    static DestinationFilter of(Map<String, Object> stored) {
        if (stored == null || stored.isEmpty()) {
            return NONE;
        }
        return new DestinationFilter((Boolean) stored.get("target"), (Boolean) stored.get("unique"), (Boolean) stored.get("uniqueTarget"),
                (String) stored.get("tag"), (Boolean) stored.get("leads"), (Boolean) stored.get("ambiguous"));
    }
}
