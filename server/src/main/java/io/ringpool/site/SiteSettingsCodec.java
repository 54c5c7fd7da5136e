package io.ringpool.site;

import io.ringpool.failure.DomainFailure;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules for a site's settings, shared by creation and change: each value given is checked
 * and a bad one names its field; and the settings as a map under their wire names (what the API
 * shows and the store keeps).
 */
public final class SiteSettingsCodec {

    private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*");
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
    /** The region ids of the JDK's time zone database: a copy, since each call of getAvailableZoneIds makes one. */
    private static final Set<String> IANA_ZONES = ZoneId.getAvailableZoneIds().stream()
            // The JDK still carries the SystemV/* ids, which tzdata dropped in 2020: Google's
            // Parameters:TimeZone line would name a zone the platform cannot read.
            .filter(id -> !id.startsWith("SystemV/")).collect(java.util.stream.Collectors.toUnmodifiableSet());

    private SiteSettingsCodec() {}

    /**
     * Settings for a new site: the fields given, defaults for the rest. Its numbers are read in the
     * {@code country} given with them; without one, the default number must be E.164, and the
     * country is its region.
     */
    public static SiteSettings forNewSite(SiteChanges given) {
        String country = given.country() != null ? country(given.country()) : null;
        String defaultNumber = E164.requirePossible("defaultNumber", given.defaultNumber(), country);
        SiteSettings base = new SiteSettings(
                SiteSettings.DEFAULT_LEASE_TTL, SiteSettings.DEFAULT_HEARTBEAT, SiteSettings.DEFAULT_END_GRACE,
                SiteSettings.DEFAULT_COOL_DOWN, SiteSettings.DEFAULT_INTENT_HOLD, ExhaustionPolicy.REUSE_COOLING,
                0, SiteSettings.DEFAULT_TARGET_CALL, SiteSettings.DEFAULT_RETENTION,
                country != null ? country : countryOf(defaultNumber), List.of(), defaultNumber, defaultNumber, ZoneId.of("UTC"), "USD");
        SiteSettings result = apply(base, given);
        if (given.forwardTo() == null) {
            result = new SiteSettings(result.leaseTtlSeconds(), result.heartbeatSeconds(), result.endGraceSeconds(),
                    result.coolDownSeconds(), result.intentHoldSeconds(), result.exhaustionPolicy(), result.uniquenessDays(),
                    result.targetCallSeconds(), result.retentionDays(), result.country(), result.domains(),
                    result.defaultNumber(), result.defaultNumber(), result.timeZone(), result.currency(), result.leadDuplicateMinutes(),
                    result.storeTitles(), result.queryParameters());
        }
        return result;
    }

    /** {@code base} with the values given in {@code changes} replaced, each validated. */
    public static SiteSettings apply(SiteSettings base, SiteChanges changes) {
        int ttl = within("leaseTtlSeconds", changes.leaseTtlSeconds(), 15, 86_400, base.leaseTtlSeconds());
        int heartbeat = within("heartbeatSeconds", changes.heartbeatSeconds(), 5, 3_600, base.heartbeatSeconds());
        int grace = within("endGraceSeconds", changes.endGraceSeconds(), 0, 3_600, base.endGraceSeconds());
        int coolDown = within("coolDownSeconds", changes.coolDownSeconds(), 0, 7 * 86_400, base.coolDownSeconds());
        int intent = within("intentHoldSeconds", changes.intentHoldSeconds(), 0, 86_400, base.intentHoldSeconds());
        ExhaustionPolicy policy = base.exhaustionPolicy();
        if (changes.exhaustionPolicy() != null) {
            policy = ExhaustionPolicy.fromWire(changes.exhaustionPolicy());
            if (policy == null) {
                throw DomainFailure.invalid("exhaustionPolicy", "'exhaustionPolicy' must be reuse_cooling or fallback");
            }
        }
        int uniqueness = within("uniquenessDays", changes.uniquenessDays(), 0, 3_650, base.uniquenessDays());
        int target = within("targetCallSeconds", changes.targetCallSeconds(), 0, 86_400, base.targetCallSeconds());
        int retention = within("retentionDays", changes.retentionDays(), 1, 3_650, base.retentionDays());
        int leadDuplicates = within("leadDuplicateMinutes", changes.leadDuplicateMinutes(), 0, 1_440, base.leadDuplicateMinutes());
        String country = changes.country() != null ? country(changes.country()) : base.country();
        List<String> domains = changes.domains() != null ? normaliseDomains(changes.domains()) : base.domains();
        // Read in the country the site will have: a change of country in the same body comes first.
        String defaultNumber = changes.defaultNumber() != null
                ? E164.requirePossible("defaultNumber", changes.defaultNumber(), country) : base.defaultNumber();
        String forwardTo = changes.forwardTo() != null
                ? E164.requirePossible("forwardTo", changes.forwardTo(), country) : base.forwardTo();
        ZoneId zone = changes.timeZone() != null ? timeZone(changes.timeZone()) : base.timeZone();
        String currency = base.currency();
        if (changes.currency() != null) {
            try {
                currency = Currency.getInstance(changes.currency().toUpperCase(Locale.ROOT)).getCurrencyCode();
            } catch (IllegalArgumentException e) {
                throw DomainFailure.invalid("currency", "'currency' must be an ISO 4217 code such as RUB or USD");
            }
        }
        boolean storeTitles = changes.storeTitles() != null ? changes.storeTitles() : base.storeTitles();
        List<String> queryParameters = changes.queryParameters() != null
                ? normaliseParameters(changes.queryParameters()) : base.queryParameters();
        if (heartbeat >= ttl) {
            throw DomainFailure.invalid(changes.heartbeatSeconds() != null ? "heartbeatSeconds" : "leaseTtlSeconds",
                    "'heartbeatSeconds' (" + heartbeat + ") must be shorter than 'leaseTtlSeconds' (" + ttl
                            + "), or leases would lapse between heartbeats");
        }
        // A page leaving says so (end), and the lease ends after the grace unless a heartbeat comes: a
        // grace no longer than a heartbeat period ends it under another open tab of the visit before
        // that tab's next heartbeat can reclaim it (audit AG1 F6). 0 stays: the lease ends at once,
        // a site's explicit choice to free numbers sooner than it keeps tabs together. Judged only when
        // the body changes one of the two: a site stored so before session 42 keeps working and can still
        // be renamed or given a domain (audit AH1 #2: every PATCH of such a site was refused).
        boolean pairChanged = changes.endGraceSeconds() != null || changes.heartbeatSeconds() != null;
        if (pairChanged && grace > 0 && grace <= heartbeat) {
            throw DomainFailure.invalid(changes.endGraceSeconds() != null ? "endGraceSeconds" : "heartbeatSeconds",
                    "'endGraceSeconds' (" + grace + ") must be 0 or longer than 'heartbeatSeconds' (" + heartbeat
                            + "), or closing one tab would end the lease under the visit's other open tab");
        }
        return new SiteSettings(ttl, heartbeat, grace, coolDown, intent, policy, uniqueness, target, retention,
                country, domains, defaultNumber, forwardTo, zone, currency, leadDuplicates, storeTitles, queryParameters);
    }

    private static String country(String given) {
        String country = given.toUpperCase(Locale.ROOT);
        if (!COUNTRIES.contains(country)) {
            throw DomainFailure.invalid("country", "'country' must be an ISO 3166 two-letter region such as RU or US");
        }
        return country;
    }

    /**
     * A zone of the IANA time zone database by its region id ({@code Europe/Moscow}, also {@code UTC}
     * and {@code Etc/GMT-3}). {@link ZoneId#of} also takes fixed offsets ({@code UTC+3},
     * {@code +05:00}); those are refused: a fixed offset knows no daylight-saving time, so the days
     * of reports and exports ({@code Parameters:TimeZone=}, which wants an IANA id) would be wrong
     * half the year in most of the places that have it.
     */
    static ZoneId timeZone(String given) {
        if (!IANA_ZONES.contains(given)) {
            throw DomainFailure.invalid("timeZone", "'timeZone' must be an IANA time zone such as Europe/Moscow or UTC, not an offset "
                    + "such as UTC+3 (got '" + (given.length() > 40 ? given.substring(0, 40) + "…" : given) + "')");
        }
        try {
            return ZoneId.of(given);
        } catch (DateTimeException e) {
            throw DomainFailure.invalid("timeZone", "'timeZone' must be an IANA time zone such as Europe/Moscow");
        }
    }

    private static final Pattern PARAMETER = Pattern.compile("[a-z0-9_.\\-\\[\\]]{1,64}");

    /** Query parameter names, lower case, each a plain name of at most 64 characters; at most 50. */
    static List<String> normaliseParameters(List<String> given) {
        if (given.size() > 50) {
            throw DomainFailure.invalid("queryParameters", "'queryParameters' may name at most 50 parameters");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String name = given.get(i) == null ? "" : given.get(i).strip().toLowerCase(Locale.ROOT);
            if (!PARAMETER.matcher(name).matches()) {
                throw DomainFailure.invalid("queryParameters[" + i + "]", "'queryParameters[" + i
                        + "]' must be a parameter name of 1 to 64 letters, digits, '_', '-', '.', '[' or ']'");
            }
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }

    private static int within(String field, Integer value, int min, int max, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            throw DomainFailure.invalid(field, "'" + field + "' must be between " + min + " and " + max);
        }
        return value;
    }

    /**
     * Accepts {@code example.com}, {@code https://www.example.com/} or {@code localhost:8080}; keeps
     * the host. A name in Unicode ({@code пример.рф}) is kept in its ASCII form
     * ({@code xn--e1afmkfd.xn--p1ai}, {@link SiteRegistry#asciiHost}): that is the form browsers put
     * in {@code Origin}, {@code document.referrer} and page URLs, which the domains are compared with.
     */
    static List<String> normaliseDomains(List<String> given) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String d = given.get(i).toLowerCase(Locale.ROOT);
            d = d.replaceFirst("^[a-z]+://", "");
            int slash = d.indexOf('/');
            if (slash >= 0) {
                d = d.substring(0, slash);
            }
            int colon = d.indexOf(':');
            if (colon >= 0) {
                d = d.substring(0, colon);
            }
            d = SiteRegistry.asciiHost(d);
            if (d != null && d.startsWith("www.")) {
                d = d.substring(4);
            }
            if (d == null || !HOST.matcher(d).matches()) {
                throw DomainFailure.invalid("domains[" + i + "]", "'domains[" + i + "]' is not a host name: " + given.get(i));
            }
            if (!out.contains(d)) {
                out.add(d);
            }
        }
        return List.copyOf(out);
    }

    /** The settings as the API shows them (and as they are stored), with wire names. */
    public static Map<String, Object> toMap(SiteSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("domains", s.domains());
        m.put("defaultNumber", s.defaultNumber());
        m.put("forwardTo", s.forwardTo());
        m.put("timeZone", s.timeZone().getId());
        m.put("currency", s.currency());
        m.put("country", s.country());
        m.put("leaseTtlSeconds", s.leaseTtlSeconds());
        m.put("heartbeatSeconds", s.heartbeatSeconds());
        m.put("endGraceSeconds", s.endGraceSeconds());
        m.put("coolDownSeconds", s.coolDownSeconds());
        m.put("intentHoldSeconds", s.intentHoldSeconds());
        m.put("exhaustionPolicy", s.exhaustionPolicy().wireName());
        m.put("uniquenessDays", s.uniquenessDays());
        m.put("targetCallSeconds", s.targetCallSeconds());
        m.put("retentionDays", s.retentionDays());
        m.put("leadDuplicateMinutes", s.leadDuplicateMinutes());
        m.put("storeTitles", s.storeTitles());
        m.put("queryParameters", s.queryParameters());
        return m;
    }

    /** The region whose numbers look like {@code e164}, for parsing callers' local formats. */
    static String countryOf(String e164) {
        try {
            var util = com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance();
            String region = util.getRegionCodeForNumber(util.parse(e164, "ZZ"));
            if (region != null && COUNTRIES.contains(region)) {
                return region;
            }
            int code = util.parse(e164, "ZZ").getCountryCode();
            String main = util.getRegionCodeForCountryCode(code);
            return COUNTRIES.contains(main) ? main : "US";
        } catch (com.google.i18n.phonenumbers.NumberParseException e) {
            return "US";
        }
    }

}
