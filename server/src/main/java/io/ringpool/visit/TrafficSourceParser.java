package io.ringpool.visit;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a landing URL and a referrer into a {@link TrafficSource}: UTM tags, click ids, channel,
 * source and medium (PRODUCT.md §2 "Channel of a visit"). Stateless and thread-safe; never throws,
 * whatever the script sends: a null, relative or malformed URL yields what can be salvaged, and a
 * visit with nothing usable is {@link Channel#DIRECT}.
 *
 * <h2>Channel: the first rule that fits</h2>
 * <ol>
 *   <li>{@code paid}: any click id, or {@code utm_medium} cpc, ppc, paid…, cpm, cpv, cpa, display,
 *       banner (case-insensitive);</li>
 *   <li>{@code email}: {@code utm_medium} email, e-mail or newsletter;</li>
 *   <li>{@code social}: {@code utm_medium} social (or social-network, social-media, sm, smm), or a
 *       referrer from a social network ({@link ReferrerHosts});</li>
 *   <li>{@code organic}: no UTM tag at all and a search engine's referrer;</li>
 *   <li>{@code referral}: an external referrer;</li>
 *   <li>{@code referral} again for a tagged link that fits nothing above but has {@code utm_source}:
 *       someone tagged the link on purpose (a partner, a QR code, an offline flyer), so it is a
 *       named source, not "nothing". UTM tags without {@code utm_source} fall through to direct;</li>
 *   <li>{@code direct}: nothing.</li>
 * </ol>
 * A referrer on one of the site's own domains (or a subdomain, with or without {@code www.}), or on
 * the landing page's own host, is the visitor moving between pages, not a new source: it counts as
 * no referrer.
 *
 * <h2>Source and medium</h2>
 * {@code utm_source} and {@code utm_medium} win when present; with {@code utm_source} alone the
 * medium is the channel's wire name. Otherwise they are derived:
 * <table>
 *   <caption>Derived source / medium</caption>
 *   <tr><th>visit</th><th>source</th><th>medium</th></tr>
 *   <tr><td>gclid, gbraid, wbraid</td><td>google</td><td>cpc</td></tr>
 *   <tr><td>dclid (Display &amp; Video 360)</td><td>google</td><td>display</td></tr>
 *   <tr><td>yclid</td><td>yandex</td><td>cpc</td></tr>
 *   <tr><td>msclkid</td><td>bing</td><td>cpc</td></tr>
 *   <tr><td>fbclid</td><td>facebook</td><td>paid</td></tr>
 *   <tr><td>ttclid</td><td>tiktok</td><td>paid</td></tr>
 *   <tr><td>twclid</td><td>twitter</td><td>paid</td></tr>
 *   <tr><td>other *clid</td><td>referrer host, else (not set)</td><td>paid</td></tr>
 *   <tr><td>organic</td><td>engine name: google, yandex, bing, duckduckgo, yahoo, baidu, mail.ru,
 *       ecosia</td><td>organic</td></tr>
 *   <tr><td>social network referrer</td><td>the network's domain: facebook.com for m./l.facebook.com
 *       and fb.com, vk.com for m./away.vk.com, x.com for t.co and twitter.com, …</td><td>social</td></tr>
 *   <tr><td>other referral</td><td>referrer host without www.</td><td>referral</td></tr>
 *   <tr><td>direct</td><td>(direct)</td><td>(none)</td></tr>
 * </table>
 * The ad networks' own auto-tagging conventions are followed where one exists (Google Analytics
 * reports gclid visits as google / cpc, Yandex Metrica yclid visits as yandex / cpc). fbclid gets
 * {@code paid}, not {@code cpc}: Meta appends it to every outbound link, boosted or not, so "a paid
 * click" is the most it proves. Organic visits are named by engine, not host, so google.de and
 * www.google.com add up in reports. A visit with several click ids is named by the first in the
 * table, so the answer does not depend on parameter order.
 *
 * <p>Length caps protect storage from a hostile script, see the constants.
 */
public final class TrafficSourceParser {

    /** UTM values and click ids longer than this are cut: real ones are well under 200 characters. */
    static final int MAX_VALUE_CHARS = 500;

    /**
     * Landing page and referrer are cut to this many characters: about the longest URL that every
     * browser, proxy and ad platform handles, and the size of a reasonable database column.
     */
    static final int MAX_URL_CHARS = 2048;

    /** A click id parameter and the network that issues it, in naming priority order. */
    private record ClickIdNetwork(String parameter, String source, String medium) {
    }

    private static final List<ClickIdNetwork> CLICK_ID_NETWORKS = List.of(
            new ClickIdNetwork("gclid", "google", "cpc"),
            // gbraid/wbraid replace gclid on iOS traffic since Apple's App Tracking Transparency.
            new ClickIdNetwork("gbraid", "google", "cpc"),
            new ClickIdNetwork("wbraid", "google", "cpc"),
            new ClickIdNetwork("dclid", "google", "display"),
            new ClickIdNetwork("yclid", "yandex", "cpc"),
            new ClickIdNetwork("msclkid", "bing", "cpc"),
            new ClickIdNetwork("fbclid", "facebook", "paid"),
            new ClickIdNetwork("ttclid", "tiktok", "paid"),
            new ClickIdNetwork("twclid", "twitter", "paid"));

    private static final Pattern PAID_MEDIUM = Pattern.compile("cpc|ppc|paid.*|cpm|cpv|cpa|display|banner");
    private static final Pattern EMAIL_MEDIUM = Pattern.compile("e-?mail|newsletter");
    private static final Pattern SOCIAL_MEDIUM = Pattern.compile("social(?:[-_ ](?:network|media))?|sm|smm");

    /**
     * Parses one visit's landing URL and referrer.
     *
     * @param pageUrl     the page URL as the script saw it ({@code location.href}); may be null or junk
     * @param referrer    {@code document.referrer} or the Referer header; may be null or empty
     * @param siteDomains the site's own domains ({@code example.com}, {@code shop.example.com});
     *                    {@code www.}, a leading {@code *.} and case are ignored; may be null
     */
    public TrafficSource parse(String pageUrl, String referrer, Collection<String> siteDomains) {
        String inertPage = ActiveUrls.inert(pageUrl);
        String page = inertPage == null ? null : LenientUrl.withoutFragment(inertPage).strip();
        Map<String, String> parameters = page == null ? Map.of() : LenientUrl.queryParameters(page);

        String utmSource = value(parameters.get("utm_source"));
        String utmMedium = value(parameters.get("utm_medium"));
        String campaign = value(parameters.get("utm_campaign"));
        String term = value(parameters.get("utm_term"));
        String content = value(parameters.get("utm_content"));
        boolean tagged = utmSource != null || utmMedium != null || campaign != null || term != null || content != null;
        Map<String, String> clickIds = clickIds(parameters);

        String rawReferrer = nullIfEmpty(cap(ActiveUrls.inert(referrer == null ? null : referrer.strip()), MAX_URL_CHARS));
        String referrerHost = rawReferrer == null ? null : LenientUrl.host(rawReferrer);
        if (referrerHost != null && isOwn(referrerHost, page, siteDomains)) {
            referrerHost = null;
        }
        String engine = referrerHost == null ? null : ReferrerHosts.searchEngine(referrerHost);

        Channel channel = channel(utmSource, medium(utmMedium), tagged, clickIds, referrerHost, engine);

        Named derived = derivedSourceAndMedium(channel, clickIds, referrerHost, engine);
        String source = utmSource != null ? utmSource : derived.source();
        String medium = utmMedium != null ? utmMedium : utmSource != null ? channel.wireName() : derived.medium();

        return new TrafficSource(source, medium, campaign, term, content, channel, clickIds,
                nullIfEmpty(cap(page, MAX_URL_CHARS)), rawReferrer, referrerHost);
    }

    /**
     * The channel of something that carries only a source and a medium, as a visit tagged
     * {@code utm_source}/{@code utm_medium} with no referrer and no click id would get: a static
     * number's calls (a billboard, a flyer). So the paid, email and social mediums give their
     * channel, and any other named source is {@code referral} ("someone tagged it on purpose",
     * rule 6 above); nothing named is {@code direct}.
     */
    public static Channel channelOfTags(String source, String medium) {
        String s = source == null || source.isBlank() ? null : source;
        String m = medium == null || medium.isBlank() ? null : medium;
        return channel(s, medium(m), s != null || m != null, Map.of(), null, null);
    }

    private static Channel channel(String utmSource, String medium, boolean tagged,
            Map<String, String> clickIds, String referrerHost, String engine) {
        if (!clickIds.isEmpty() || (medium != null && PAID_MEDIUM.matcher(medium).matches())) {
            return Channel.PAID;
        }
        if (medium != null && EMAIL_MEDIUM.matcher(medium).matches()) {
            return Channel.EMAIL;
        }
        if ((medium != null && SOCIAL_MEDIUM.matcher(medium).matches())
                || (referrerHost != null && ReferrerHosts.isSocialNetwork(referrerHost))) {
            return Channel.SOCIAL;
        }
        if (!tagged && engine != null) {
            return Channel.ORGANIC;
        }
        if (referrerHost != null || utmSource != null) {
            return Channel.REFERRAL;
        }
        return Channel.DIRECT;
    }

    /** A source and medium pair. */
    private record Named(String source, String medium) {
    }

    /** Source and medium when no UTM tag names them; see the table in the class comment. */
    private static Named derivedSourceAndMedium(Channel channel, Map<String, String> clickIds,
            String referrerHost, String engine) {
        if (channel == Channel.PAID) {
            for (ClickIdNetwork network : CLICK_ID_NETWORKS) {
                if (clickIds.containsKey(network.parameter())) {
                    return new Named(network.source(), network.medium());
                }
            }
        }
        if (channel == Channel.ORGANIC) {
            return new Named(engine, "organic");
        }
        if (channel == Channel.DIRECT) {
            return new Named("(direct)", "(none)");
        }
        String network = referrerHost == null ? null : ReferrerHosts.socialNetwork(referrerHost);
        String source = network != null ? network : referrerHost != null ? ReferrerHosts.withoutWww(referrerHost) : "(not set)";
        return new Named(source, channel.wireName());
    }

    /**
     * Known click ids, plus any parameter named {@code …clid} (ttclid, twclid, sclid…): networks keep
     * inventing them, and keeping an unknown one costs nothing while losing it loses an export.
     */
    static Map<String, String> clickIds(Map<String, String> parameters) {
        Map<String, String> clickIds = new LinkedHashMap<>();
        parameters.forEach((name, raw) -> {
            boolean clickId = name.length() > 4 && name.endsWith("clid")
                    || CLICK_ID_NETWORKS.stream().anyMatch(n -> n.parameter().equals(name));
            String value = clickId ? value(raw) : null;
            if (value != null) {
                clickIds.put(cap(name, MAX_VALUE_CHARS), value);
            }
        });
        return clickIds;
    }

    /** Own domains are matched with {@code www.} removed on both sides, so www and bare are one site. */
    private static boolean isOwn(String referrerHost, String page, Collection<String> siteDomains) {
        Set<String> own = new HashSet<>();
        if (siteDomains != null) {
            for (String domain : siteDomains) {
                String normalized = normalizeDomain(domain);
                if (normalized != null) {
                    own.add(normalized);
                }
            }
        }
        // The landing page's host is the site too, even if the configuration forgot it.
        String pageHost = page == null ? null : LenientUrl.host(page);
        if (pageHost != null) {
            own.add(ReferrerHosts.withoutWww(pageHost));
        }
        return ReferrerHosts.isWithin(ReferrerHosts.withoutWww(referrerHost), own);
    }

    private static String normalizeDomain(String domain) {
        if (domain == null) {
            return null;
        }
        String host = domain.contains("://") ? LenientUrl.host(domain.strip()) : domain.strip().toLowerCase(Locale.ROOT);
        if (host == null) {
            return null;
        }
        while (host.startsWith("*.") || host.startsWith(".")) {
            host = host.substring(host.indexOf('.') + 1);
        }
        while (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        host = ReferrerHosts.withoutWww(host);
        return host.isEmpty() ? null : host;
    }

    /** Lowercase medium for matching the rules; the stored medium keeps the tagger's spelling. */
    private static String medium(String utmMedium) {
        return utmMedium == null ? null : utmMedium.toLowerCase(Locale.ROOT);
    }

    /** A parameter value as stored: trimmed, empty as null, capped. */
    static String value(String raw) {
        return raw == null ? null : nullIfEmpty(cap(raw.strip(), MAX_VALUE_CHARS).strip());
    }

    private static String nullIfEmpty(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    /** Cuts to at most {@code max} chars without splitting a surrogate pair (which would store a lone half). */
    static String cap(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }
}
