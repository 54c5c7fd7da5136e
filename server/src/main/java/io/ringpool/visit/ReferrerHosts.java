package io.ringpool.visit;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The referrer hosts that mean "search engine" or "social network" (PRODUCT.md §2), and the
 * host-suffix matching shared with the site's own domains.
 *
 * <p>Search engines are matched narrowly, on the search host only: {@code mail.google.com},
 * {@code docs.google.com} or {@code mail.yandex.ru} are webmail and documents, and a link clicked
 * there is a referral, not an organic search. Social networks are matched broadly, on the domain and
 * every subdomain, because their link shims live on subdomains ({@code l.facebook.com},
 * {@code l.instagram.com}, {@code m.vk.com}).
 */
final class ReferrerHosts {

    private ReferrerHosts() {
    }

    /** One search engine: the short name used as the visit's source, and its result-page hosts. */
    private record SearchEngine(String name, Pattern host) {
    }

    // Patterns see the host with a leading "www." removed. Country variants are listed by shape
    // (google.de, google.co.uk, google.com.br) rather than one by one: Google has ~190 of them.
    private static final List<SearchEngine> SEARCH_ENGINES = List.of(
            new SearchEngine("google", Pattern.compile(
                    "google\\.(?:[a-z]{2,3}|co\\.[a-z]{2}|com\\.[a-z]{2})"
                            // The Google app on Android sends android-app://<package> as referrer.
                            + "|com\\.google\\.android\\.googlequicksearchbox")),
            new SearchEngine("yandex", Pattern.compile("yandex\\.(?:[a-z]{2,3}|com\\.[a-z]{2})|ya\\.ru")),
            new SearchEngine("bing", Pattern.compile("(?:[a-z]{2}\\.)?bing\\.com")),
            new SearchEngine("duckduckgo", Pattern.compile("(?:html\\.|lite\\.)?duckduckgo\\.com")),
            new SearchEngine("yahoo", Pattern.compile("(?:[a-z]{2}\\.)?search\\.yahoo\\.(?:com|co\\.jp)")),
            new SearchEngine("baidu", Pattern.compile("(?:m\\.)?baidu\\.com")),
            new SearchEngine("mail.ru", Pattern.compile("go\\.mail\\.ru")),
            new SearchEngine("ecosia", Pattern.compile("ecosia\\.org")));

    /** Social networks; a referrer host matches when it is one of these or a subdomain of one. */
    private static final Set<String> SOCIAL_DOMAINS = Set.of(
            "facebook.com", "fb.com", "instagram.com",
            "vk.com", "vk.ru", "ok.ru",
            "t.me", "telegram.org",
            "x.com", "twitter.com", "t.co",
            "linkedin.com", "lnkd.in",
            "youtube.com", "youtu.be",
            "tiktok.com");

    /** The search engine's short name ({@code "google"}, {@code "yandex"}, …) for a referrer host, or null. */
    static String searchEngine(String host) {
        String bare = withoutWww(host);
        for (SearchEngine engine : SEARCH_ENGINES) {
            if (engine.host().matcher(bare).matches()) {
                return engine.name();
            }
        }
        return null;
    }

    static boolean isSocialNetwork(String host) {
        return isWithin(host, SOCIAL_DOMAINS);
    }

    /**
     * A network's other domains (link shorteners, a renamed network), named by its main one, so one
     * network is one row of a report whichever of its hosts sent the visit.
     */
    private static final java.util.Map<String, String> SOCIAL_ALIASES = java.util.Map.of(
            "fb.com", "facebook.com",
            "youtu.be", "youtube.com",
            "lnkd.in", "linkedin.com",
            "twitter.com", "x.com",
            "t.co", "x.com",
            "vk.ru", "vk.com",
            "telegram.org", "t.me");

    /**
     * The social network a referrer host belongs to, named by its domain ({@code m.facebook.com},
     * {@code l.facebook.com} → {@code facebook.com}; {@code away.vk.com} → {@code vk.com}), or null
     * when the host is no social network's. Its link shims and mobile sites live on subdomains, and
     * naming each host split one network over several report rows, as search engines would be
     * split without their engine names.
     */
    static String socialNetwork(String host) {
        String suffix = host;
        while (true) {
            if (SOCIAL_DOMAINS.contains(suffix)) {
                return SOCIAL_ALIASES.getOrDefault(suffix, suffix);
            }
            int dot = suffix.indexOf('.');
            if (dot < 0) {
                return null;
            }
            suffix = suffix.substring(dot + 1);
        }
    }

    /**
     * Whether {@code host} is one of {@code domains} or a subdomain of one. Walks the host's
     * suffixes at each dot, so the cost is a few set lookups, whatever the number of domains.
     */
    static boolean isWithin(String host, Set<String> domains) {
        String suffix = host;
        while (true) {
            if (domains.contains(suffix)) {
                return true;
            }
            int dot = suffix.indexOf('.');
            if (dot < 0) {
                return false;
            }
            suffix = suffix.substring(dot + 1);
        }
    }

    static String withoutWww(String host) {
        return host.startsWith("www.") ? host.substring(4) : host;
    }
}
