package io.ringpool.upload;

import java.time.Instant;
import java.util.Map;

/**
 * A site's account at an ad platform that conversions are uploaded to.
 *
 * @param type     one of {@link Platforms#TYPES}
 * @param settings what may be shown: ids, names, base URL
 * @param secrets  credentials, never shown after creation
 * @param dryRun   write down what would be sent and send nothing
 */
public record Destination(String destinationId, String siteId, String type, Map<String, String> settings,
        Map<String, String> secrets, boolean dryRun, Instant createdAt) {

    public Destination {
        settings = Map.copyOf(settings);
        secrets = Map.copyOf(secrets);
    }

    String setting(String name) {
        return settings.get(name);
    }

    String secret(String name) {
        return secrets.get(name);
    }
}
