package io.ringpool.site;

import io.ringpool.http.ApiException;
import io.ringpool.http.JsonBody;
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
 * Reads settings from a request (with validation that names the field) and writes them as the
 * wire/storage map. Creation and PATCH share the same rules.
 */
public final class SiteSettingsCodec {

    public static final Set<String> SETTING_FIELDS = Set.of(
            "leaseTtlSeconds", "heartbeatSeconds", "endGraceSeconds", "coolDownSeconds", "intentHoldSeconds",
            "exhaustionPolicy", "uniquenessDays", "targetCallSeconds", "retentionDays", "country", "twilioAuthToken",
            "domains", "defaultNumber", "forwardTo", "timeZone", "currency");

    private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*");
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    private SiteSettingsCodec() {}

    /** Settings for a new site: the fields given, defaults for the rest. */
    public static SiteSettings forNewSite(JsonBody body) {
        String defaultNumber = E164.require("defaultNumber", body.optionalString("defaultNumber", 40));
        SiteSettings base = new SiteSettings(
                SiteSettings.DEFAULT_LEASE_TTL, SiteSettings.DEFAULT_HEARTBEAT, SiteSettings.DEFAULT_END_GRACE,
                SiteSettings.DEFAULT_COOL_DOWN, SiteSettings.DEFAULT_INTENT_HOLD, ExhaustionPolicy.REUSE_COOLING,
                0, SiteSettings.DEFAULT_TARGET_CALL, SiteSettings.DEFAULT_RETENTION,
                countryOf(defaultNumber), List.of(), defaultNumber, defaultNumber, ZoneId.of("UTC"), "USD");
        SiteSettings result = apply(base, body);
        if (!body.has("forwardTo")) {
            result = new SiteSettings(result.leaseTtlSeconds(), result.heartbeatSeconds(), result.endGraceSeconds(),
                    result.coolDownSeconds(), result.intentHoldSeconds(), result.exhaustionPolicy(), result.uniquenessDays(),
                    result.targetCallSeconds(), result.retentionDays(), result.country(), result.domains(),
                    result.defaultNumber(), result.defaultNumber(), result.timeZone(), result.currency());
        }
        return result;
    }

    /** {@code base} with the fields present in {@code body} replaced, each validated. */
    public static SiteSettings apply(SiteSettings base, JsonBody body) {
        int ttl = orElse(body.optionalInt("leaseTtlSeconds", 15, 86_400), base.leaseTtlSeconds());
        int heartbeat = orElse(body.optionalInt("heartbeatSeconds", 5, 3_600), base.heartbeatSeconds());
        int grace = orElse(body.optionalInt("endGraceSeconds", 0, 3_600), base.endGraceSeconds());
        int coolDown = orElse(body.optionalInt("coolDownSeconds", 0, 7 * 86_400), base.coolDownSeconds());
        int intent = orElse(body.optionalInt("intentHoldSeconds", 0, 86_400), base.intentHoldSeconds());
        ExhaustionPolicy policy = base.exhaustionPolicy();
        String policyText = body.optionalString("exhaustionPolicy", 40);
        if (policyText != null) {
            policy = ExhaustionPolicy.fromWire(policyText);
            if (policy == null) {
                throw ApiException.invalid("exhaustionPolicy", "'exhaustionPolicy' must be reuse_cooling or fallback");
            }
        }
        int uniqueness = orElse(body.optionalInt("uniquenessDays", 0, 3_650), base.uniquenessDays());
        int target = orElse(body.optionalInt("targetCallSeconds", 0, 86_400), base.targetCallSeconds());
        int retention = orElse(body.optionalInt("retentionDays", 1, 3_650), base.retentionDays());
        String country = base.country();
        String countryText = body.optionalString("country", 10);
        if (countryText != null) {
            country = countryText.toUpperCase(Locale.ROOT);
            if (!COUNTRIES.contains(country)) {
                throw ApiException.invalid("country", "'country' must be an ISO 3166 two-letter region such as RU or US");
            }
        }
        List<String> domains = base.domains();
        List<String> domainList = body.optionalStringList("domains", 100, 253);
        if (domainList != null) {
            domains = normaliseDomains(domainList);
        }
        String defaultNumber = body.has("defaultNumber")
                ? E164.require("defaultNumber", body.optionalString("defaultNumber", 40)) : base.defaultNumber();
        String forwardTo = body.has("forwardTo")
                ? E164.require("forwardTo", body.optionalString("forwardTo", 40)) : base.forwardTo();
        ZoneId zone = base.timeZone();
        String zoneText = body.optionalString("timeZone", 60);
        if (zoneText != null) {
            try {
                zone = ZoneId.of(zoneText);
            } catch (DateTimeException e) {
                throw ApiException.invalid("timeZone", "'timeZone' must be an IANA time zone such as Europe/Moscow");
            }
        }
        String currency = base.currency();
        String currencyText = body.optionalString("currency", 10);
        if (currencyText != null) {
            try {
                currency = Currency.getInstance(currencyText.toUpperCase(Locale.ROOT)).getCurrencyCode();
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("currency", "'currency' must be an ISO 4217 code such as RUB or USD");
            }
        }
        if (heartbeat >= ttl) {
            throw ApiException.invalid(body.has("heartbeatSeconds") ? "heartbeatSeconds" : "leaseTtlSeconds",
                    "'heartbeatSeconds' (" + heartbeat + ") must be shorter than 'leaseTtlSeconds' (" + ttl
                            + "), or leases would lapse between heartbeats");
        }
        return new SiteSettings(ttl, heartbeat, grace, coolDown, intent, policy, uniqueness, target, retention,
                country, domains, defaultNumber, forwardTo, zone, currency);
    }

    /** Accepts {@code example.com}, {@code https://www.example.com/} or {@code localhost:8080}; keeps the host. */
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
            if (d.startsWith("www.")) {
                d = d.substring(4);
            }
            if (!HOST.matcher(d).matches()) {
                throw ApiException.invalid("domains[" + i + "]", "'domains[" + i + "]' is not a host name: " + given.get(i));
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

    private static int orElse(Integer value, int fallback) {
        return value == null ? fallback : value;
    }
}
