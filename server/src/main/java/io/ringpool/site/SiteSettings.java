package io.ringpool.site;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * A site's settings (PATCH /v1/sites/{id}). Defaults and why are in README "Site settings".
 *
 * @param leaseTtlSeconds   a lease without a heartbeat for this long ends (seconds)
 * @param heartbeatSeconds  how often the script renews while the page is visible (seconds)
 * @param endGraceSeconds   after the page signals it is leaving, the lease ends this much later unless a heartbeat comes (seconds)
 * @param coolDownSeconds   after a lease ends the number rests this long before another visitor gets it (seconds)
 * @param intentHoldSeconds after a tel: click or copy the number stays with the session at least this long (seconds)
 * @param leadDuplicateMinutes the same person sending the same form again within this long of the first is one lead (minutes; 0 = never merged)
 * @param storeTitles       whether page titles are stored with visits and page views (they can name a person)
 * @param queryParameters   query parameters kept in stored URLs besides utm_* and click ids (lower case)
 */
public record SiteSettings(
        int leaseTtlSeconds,
        int heartbeatSeconds,
        int endGraceSeconds,
        int coolDownSeconds,
        int intentHoldSeconds,
        ExhaustionPolicy exhaustionPolicy,
        int uniquenessDays,
        int targetCallSeconds,
        int retentionDays,
        String country,
        List<String> domains,
        String defaultNumber,
        String forwardTo,
        ZoneId timeZone,
        String currency,
        int leadDuplicateMinutes,
        boolean storeTitles,
        List<String> queryParameters) {

    /** The settings with the lead window and without titles or a query allow-list: titles off, no extra parameters. */
    public SiteSettings(int leaseTtlSeconds, int heartbeatSeconds, int endGraceSeconds, int coolDownSeconds, int intentHoldSeconds,
            ExhaustionPolicy exhaustionPolicy, int uniquenessDays, int targetCallSeconds, int retentionDays, String country,
            List<String> domains, String defaultNumber, String forwardTo, ZoneId timeZone, String currency, int leadDuplicateMinutes) {
        this(leaseTtlSeconds, heartbeatSeconds, endGraceSeconds, coolDownSeconds, intentHoldSeconds, exhaustionPolicy, uniquenessDays,
                targetCallSeconds, retentionDays, country, domains, defaultNumber, forwardTo, timeZone, currency, leadDuplicateMinutes,
                false, List.of());
    }

    public static final int DEFAULT_LEASE_TTL = 180;
    public static final int DEFAULT_HEARTBEAT = 30;
    public static final int DEFAULT_END_GRACE = 45;
    public static final int DEFAULT_COOL_DOWN = 900;
    public static final int DEFAULT_INTENT_HOLD = 1800;
    public static final int DEFAULT_TARGET_CALL = 30;
    public static final int DEFAULT_RETENTION = 365;
    /** A double click, a resent beacon, "did it go through?" a few minutes later: one request. */
    public static final int DEFAULT_LEAD_DUPLICATE_MINUTES = 10;

    /** The settings before leads existed; the lead duplicate window takes its default. */
    public SiteSettings(int leaseTtlSeconds, int heartbeatSeconds, int endGraceSeconds, int coolDownSeconds, int intentHoldSeconds,
            ExhaustionPolicy exhaustionPolicy, int uniquenessDays, int targetCallSeconds, int retentionDays, String country,
            List<String> domains, String defaultNumber, String forwardTo, ZoneId timeZone, String currency) {
        this(leaseTtlSeconds, heartbeatSeconds, endGraceSeconds, coolDownSeconds, intentHoldSeconds, exhaustionPolicy, uniquenessDays,
                targetCallSeconds, retentionDays, country, domains, defaultNumber, forwardTo, timeZone, currency,
                DEFAULT_LEAD_DUPLICATE_MINUTES, false, List.of());
    }

    public Duration leadDuplicateWindow() {
        return Duration.ofMinutes(leadDuplicateMinutes);
    }

    public Duration leaseTtl() {
        return Duration.ofSeconds(leaseTtlSeconds);
    }

    public Duration endGrace() {
        return Duration.ofSeconds(endGraceSeconds);
    }

    public Duration coolDown() {
        return Duration.ofSeconds(coolDownSeconds);
    }

    public Duration intentHold() {
        return Duration.ofSeconds(intentHoldSeconds);
    }
}
