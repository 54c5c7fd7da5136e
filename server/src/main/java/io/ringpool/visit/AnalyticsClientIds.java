package io.ringpool.visit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When two analytics client ids name the same browser. Google Analytics' id has two spellings: the
 * {@code _ga} cookie the script reads ({@code GA1.1.987654321.1700000001}; the second number is the
 * cookie domain's depth, {@code GA1.2.…} on a subdomain) and the bare client id
 * ({@code 987654321.1700000001}) that {@code gtag('get', …, 'client_id')} gives a CRM and the
 * Measurement Protocol takes. A lead naming either must find the visit stored with the other.
 * Metrica's ClientID has one spelling and is compared as it is.
 */
public final class AnalyticsClientIds {
    private static final Pattern GA_COOKIE = Pattern.compile("GA\\d+\\.\\d+\\.(\\d+\\.\\d+)");

    private AnalyticsClientIds() {}

    /** The bare GA client id of either spelling ({@code 987654321.1700000001}); any other text stripped, as it is. */
    public static String gaClientId(String ga) {
        if (ga == null) {
            return null;
        }
        String id = ga.strip();
        Matcher cookie = GA_COOKIE.matcher(id);
        return cookie.matches() ? cookie.group(1) : id;
    }

    /** The form in which ids under {@code key} are compared: GA's bare id for {@code ga}, the id itself otherwise. */
    public static String comparable(String key, String id) {
        return "ga".equals(key) ? gaClientId(id) : id;
    }

    public static boolean same(String key, String a, String b) {
        return a != null && b != null && comparable(key, a).equals(comparable(key, b));
    }
}
