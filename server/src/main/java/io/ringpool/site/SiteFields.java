package io.ringpool.site;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;

/**
 * Top-level site settings kept by another capability (the recording settings): accepted by the
 * same {@code POST /v1/sites} and {@code PATCH /v1/sites/{siteId}}, shown beside the site's own
 * settings, but validated and stored by their owner. Unlike a {@link SiteSection}, which owns one
 * nested object, these are plain fields among the site's own.
 */
public interface SiteFields {

    /** The field names owned. */
    Set<String> fields();

    /** Checks the fields given without storing anything (called before the site's own change is written). */
    void validate(Map<String, JsonNode> given);

    /** Validates and stores the fields given (only those present); throws before writing anything when a value is wrong. */
    void apply(String siteId, Map<String, JsonNode> given);

    /** The fields' current values, as the site description shows them. */
    Map<String, Object> describe(String siteId);
}
