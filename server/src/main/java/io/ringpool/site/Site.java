package io.ringpool.site;

import java.time.Instant;

/** A tenant: one website with its keys and settings. Secrets are held apart, never in this record. */
public record Site(String siteId, String name, String publicKey, SiteSettings settings, boolean twilioConfigured, Instant createdAt) {

    public Site withSettings(SiteSettings newSettings, String newName, boolean twilio) {
        return new Site(siteId, newName, publicKey, newSettings, twilio, createdAt);
    }
}
