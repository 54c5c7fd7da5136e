package io.ringpool.visit;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What of a URL is kept: the page without the personal data that forms, mailers and CRMs put in
 * query strings ({@code ?email=…&phone=…}). A page URL keeps its scheme, host, port and path, and
 * only the query parameters Ringpool reads: {@code utm_*}, the click ids (the known ones and any
 * {@code …clid}, as {@link TrafficSourceParser} reads them), {@code _openstat} and
 * {@code from} (Yandex's own tags), and the names a site adds to its allow-list. User info
 * ({@code user:password@}) and the fragment are dropped. A referrer keeps no query at all:
 * Ringpool reads only its host.
 *
 * <p>Parameters are kept as they were written (encoding and order), so a stored URL still reads like
 * the visitor's; names match case-insensitively.
 */
public final class UrlMinimiser {

    private static final Set<String> KEPT = Set.of("gclid", "gbraid", "wbraid", "dclid", "yclid", "msclkid", "fbclid",
            "ttclid", "twclid", "_openstat");

    private UrlMinimiser() {}

    /** Whether Ringpool keeps a query parameter of this (lower-case) name without being told to. */
    public static boolean isKeptByDefault(String name) {
        return name.startsWith("utm_") || KEPT.contains(name) || (name.length() > 4 && name.endsWith("clid"));
    }

    /** {@code url} with only the parameters kept by default or named in {@code allowed}; null stays null. */
    public static String minimise(String url, Collection<String> allowed) {
        if (url == null) {
            return null;
        }
        String base = withoutUserInfo(LenientUrl.withoutFragment(url));
        int question = base.indexOf('?');
        if (question < 0) {
            return base;
        }
        StringBuilder out = new StringBuilder(base.length()).append(base, 0, question);
        String query = base.substring(question + 1);
        char separator = '?';
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = LenientUrl.decode(equals < 0 ? pair : pair.substring(0, equals)).strip().toLowerCase(Locale.ROOT);
            if (isKeptByDefault(name) || (allowed != null && allowed.contains(name))) {
                out.append(separator).append(pair);
                separator = '&';
            }
        }
        return out.toString();
    }

    public static String minimise(String url) {
        return minimise(url, List.of());
    }

    /** {@code url} without its query, fragment and user info (for referrers); null stays null. */
    public static String withoutQuery(String url) {
        if (url == null) {
            return null;
        }
        String base = withoutUserInfo(LenientUrl.withoutFragment(url));
        int question = base.indexOf('?');
        return question < 0 ? base : base.substring(0, question);
    }

    /** {@code https://user:pw@host/…} → {@code https://host/…}; only within the authority. */
    private static String withoutUserInfo(String url) {
        int scheme = url.indexOf("://");
        int authorityStart = scheme > 0 ? scheme + 3 : url.startsWith("//") ? 2 : -1;
        if (authorityStart < 0) {
            return url;
        }
        int authorityEnd = authorityStart;
        while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        int at = url.lastIndexOf('@', authorityEnd - 1);
        return at >= authorityStart ? url.substring(0, authorityStart) + url.substring(at + 1) : url;
    }
}
