package io.ringpool.upload;

import io.ringpool.account.CreatedBy;
import java.time.Instant;
import java.util.Map;

/**
 * A site's account at an ad platform that conversions are uploaded to.
 *
 * @param type     one of {@link Platforms#TYPES}
 * @param settings what may be shown: ids, names, base URL
 * @param secrets  credentials, never shown after creation
 * @param filter   which calls and leads go up ({@link DestinationFilter#NONE}: all of them)
 * @param dryRun   write down what would be sent and send nothing
 * @param createdBy who made it (V160); null for the destinations made before, and for a platform's trial check
 */
public record Destination(String destinationId, String siteId, String type, Map<String, String> settings,
        Map<String, String> secrets, DestinationFilter filter, boolean dryRun, Instant createdAt, CreatedBy createdBy) {

    public Destination {
        settings = Map.copyOf(settings);
        secrets = Map.copyOf(secrets);
        filter = filter == null ? DestinationFilter.NONE : filter;
    }

    String setting(String name) {
        return settings.get(name);
    }

    String secret(String name) {
        return secrets.get(name);
    }
}
