package io.ringpool.site;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A part of a site's settings kept by another capability (the telephony providers' settings): it
 * is changed by the same {@code PATCH /v1/sites/{siteId}} and shown with the site, under
 * {@link #field()}, but validated and stored by its owner.
 */
public interface SiteSection {

    /** The top-level field of the site's settings this section owns. */
    String field();

    /** Validates and stores the section's part of a PATCH; throws before writing anything when a value is wrong. */
    void apply(String siteId, JsonNode value);

    /**
     * Whether this part of a PATCH changes a credential: sets or removes a provider's token or
     * secret, changes what authenticates the provider (a public key) or where a stored secret is
     * sent (a host, a port, an API base URL). Each is key rotation, which needs the {@code keys}
     * permission, not only the settings'.
     */
    default boolean changesCredentials(JsonNode value) {
        return false;
    }

    /** What the site description shows (never secrets). */
    Object describe(String siteId);
}
