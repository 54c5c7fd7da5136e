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
        boolean storeTitles,
        List<String> queryParameters) {

    /** The settings before titles and the query allow-list were settings: titles off, no extra parameters. */
    public SiteSettings(int leaseTtlSeconds, int heartbeatSeconds, int endGraceSeconds, int coolDownSeconds,
            int intentHoldSeconds, ExhaustionPolicy exhaustionPolicy, int uniquenessDays, int targetCallSeconds,
            int retentionDays, String country, List<String> domains, String defaultNumber, String forwardTo, ZoneId timeZone,
            String currency) {
        this(leaseTtlSeconds, heartbeatSeconds, endGraceSeconds, coolDownSeconds, intentHoldSeconds, exhaustionPolicy,
                uniquenessDays, targetCallSeconds, retentionDays, country, domains, defaultNumber, forwardTo, timeZone, currency,
                false, List.of());
    }

    public static final int DEFAULT_LEASE_TTL = 180;
    public static final int DEFAULT_HEARTBEAT = 30;
    public static final int DEFAULT_END_GRACE = 45;
    public static final int DEFAULT_COOL_DOWN = 900;
    public static final int DEFAULT_INTENT_HOLD = 1800;
    public static final int DEFAULT_TARGET_CALL = 30;
    public static final int DEFAULT_RETENTION = 365;

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
