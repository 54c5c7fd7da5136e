package io.ringpool.call;

import io.ringpool.site.ExhaustionPolicy;
import io.ringpool.site.Site;
import io.ringpool.site.SiteSettings;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/** Sites built as records, for tests of services that need no HTTP and no site store. */
public final class TestSites {
    private TestSites() {}

    /** A Moscow site in roubles with the default settings: 15 min cool-down, 30 s target calls, 365 days' retention. */
    public static Site moscow(String siteId) {
        return new Site(siteId, "Shop", "pk_" + siteId, new SiteSettings(SiteSettings.DEFAULT_LEASE_TTL, SiteSettings.DEFAULT_HEARTBEAT,
                SiteSettings.DEFAULT_END_GRACE, SiteSettings.DEFAULT_COOL_DOWN, SiteSettings.DEFAULT_INTENT_HOLD,
                ExhaustionPolicy.FALLBACK, 30, SiteSettings.DEFAULT_TARGET_CALL, SiteSettings.DEFAULT_RETENTION, "RU",
                List.of("example.com"), "+74951234567", null, ZoneId.of("Europe/Moscow"), "RUB"), false,
                Instant.parse("2026-11-01T00:00:00Z"));
    }
}
