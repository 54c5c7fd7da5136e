package io.ringpool.visit;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The ad tags of a landing URL: its {@code utm_source}, {@code utm_medium} and
 * {@code utm_campaign} and its click ids. A live session keeps its visit's tags so that a start of
 * the same visitor can tell, without reading the store, whether it brings a new traffic source
 * (docs/calls.md, "A new source starts a new visit"): a click id the visit does not have, or UTM
 * tags other than the visit's. A landing without any tag (an internal page, a direct re-entry)
 * never brings one.
 *
 * <p>Kept small: one per tagged live session (issue 17), none for an untagged one.
 */
public final class LandingTags {
    /** {@code source \0 medium \0 campaign}, lower case; null when the URL has none of the three. */
    private final String utm;
    /** {@code name=value} of each click id, in URL order; empty when none. */
    private final String[] clickIds;
    /**
     * The tags of the visit this one replaced in the same live session chain, or null. A tab still
     * open on the older landing page (reloaded, or back in the history) sends that page's tags
     * again: they are no new source, and switching back to them would take the call from the
     * click the visitor made last.
     */
    private final LandingTags replaced;
    /** How many visits of the chain these tags remember (this one included), at most {@link #REMEMBERED}. */
    private final int remembered;
    /**
     * The five UTM tags and the click ids as the landing URL wrote them ({@link #asQuery}): the
     * comparison above reads lower case and three tags, but a visit that carries these on must
     * keep the campaign's spelling and the keyword and ad (audit AM4 F4).
     */
    private final String query;

    /** Older visits' tags kept per live session: more tabs than this on older landings are rare. */
    static final int REMEMBERED = 4;

    private LandingTags(String utm, String[] clickIds, LandingTags replaced, String query) {
        this.utm = utm;
        this.clickIds = clickIds;
        this.replaced = replaced;
        this.remembered = replaced == null ? 1 : replaced.remembered + 1;
        this.query = query;
    }

    /**
     * These tags, of a visit that replaced a visit with {@code older}'s (null: none): a later
     * landing with any of the last {@link #REMEMBERED} visits' tags brings no new source.
     */
    public LandingTags replacing(LandingTags older) {
        return new LandingTags(utm, clickIds, older == null ? null : older.upTo(REMEMBERED - 1), query);
    }

    /** These tags and at most {@code visits - 1} older ones. */
    private LandingTags upTo(int visits) {
        if (remembered <= visits) {
            return this;
        }
        return new LandingTags(utm, clickIds, visits <= 1 || replaced == null ? null : replaced.upTo(visits - 1), query);
    }

    /**
     * The tags of {@code url} (as stored or as sent: only the query is read), or null when it has
     * none. A URL without {@code ?} costs one scan for it.
     */
    public static LandingTags of(String url) {
        if (url == null || url.indexOf('?') < 0) {
            return null;
        }
        Map<String, String> parameters = LenientUrl.queryParameters(url);
        String source = lower(parameters.get("utm_source"));
        String medium = lower(parameters.get("utm_medium"));
        String campaign = lower(parameters.get("utm_campaign"));
        String utm = source == null && medium == null && campaign == null ? null
                : nullAsEmpty(source) + '\0' + nullAsEmpty(medium) + '\0' + nullAsEmpty(campaign);
        Map<String, String> clicks = TrafficSourceParser.clickIds(parameters);
        if (utm == null && clicks.isEmpty()) {
            return null;
        }
        String[] pairs = new String[clicks.size()];
        int i = 0;
        StringBuilder query = new StringBuilder();
        for (String name : UTM_TAGS) {
            String value = TrafficSourceParser.value(parameters.get(name));
            if (value != null) {
                append(query, name, value);
            }
        }
        for (Map.Entry<String, String> e : clicks.entrySet()) {
            pairs[i++] = e.getKey() + '=' + e.getValue();
            append(query, e.getKey(), e.getValue());
        }
        return new LandingTags(utm, pairs, null, query.toString());
    }

    private static final String[] UTM_TAGS = {"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"};

    /**
     * Whether a landing with {@code landing}'s tags brings a new source to a visit that has
     * {@code visit}'s (either may be null: no tags). A landing without tags never does; one with
     * UTM tags does when they differ from the visit's (a visit without UTM tags has none to match);
     * one with a click id does when the visit does not have that click id. Tags of a visit this one
     * replaced (see {@link #replacing}) are no new source either.
     */
    public static boolean newSource(LandingTags landing, LandingTags visit) {
        if (landing == null) {
            return false;
        }
        for (LandingTags known = visit; known != null; known = known.replaced) {
            if (!newTo(landing, known)) {
                return false;
            }
        }
        return true;
    }

    private static boolean newTo(LandingTags landing, LandingTags visit) {
        if (landing.utm != null && !landing.utm.equals(visit.utm)) {
            return true;
        }
        for (String click : landing.clickIds) {
            if (!Arrays.asList(visit.clickIds).contains(click)) {
                return true;
            }
        }
        return false;
    }

    /**
     * This visit's tags (not those of visits it replaced) as a query string, as its landing URL
     * wrote them, {@code utm_source=…&utm_medium=…&utm_campaign=…&utm_term=…&utm_content=…&gclid=…}:
     * what a page of the visit would have to carry for its source to be read again.
     */
    public String asQuery() {
        return query;
    }

    private static void append(StringBuilder q, String name, String value) {
        if (!q.isEmpty()) {
            q.append('&');
        }
        q.append(java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8)).append('=')
                .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String lower(String raw) {
        String value = TrafficSourceParser.value(raw);
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    private static String nullAsEmpty(String value) {
        return value == null ? "" : value;
    }

    @Override
    public String toString() {
        return "LandingTags[utm=" + (utm == null ? null : utm.replace('\0', '/')) + ", clickIds=" + Arrays.toString(clickIds) + "]";
    }
}
