package io.ringpool.lead;

import io.ringpool.edit.EditVersion;
import io.ringpool.edit.TagChange;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The marketer's changes to a lead ({@code PATCH}); a null field is left as it is.
 *
 * @param currency ISO 4217, already validated; a value without one is in the site's currency
 * @param clearsValue whether the lead's value is removed ({@code "value": null}); {@code value} is then null
 * @param tagChange tags added and removed on the stored list (never with {@code tags}); empty for none
 */
public record LeadPatch(List<String> tags, Double value, String currency, LeadStatus status, boolean clearsValue,
        TagChange tagChange) {

    public LeadPatch {
        tagChange = tagChange == null ? new TagChange(null, null) : tagChange;
    }

    /** Changes that remove no value. */
    public LeadPatch(List<String> tags, Double value, String currency, LeadStatus status) {
        this(tags, value, currency, status, false, null);
    }

    /**
     * The version of what a patch writes on a lead, its {@code etag}: one part each for the tags,
     * the value with its currency, and the status ({@link EditVersion}).
     */
    public static EditVersion version(StoredLead lead) {
        Map<String, Object> parts = new LinkedHashMap<>();
        parts.put("tags", lead.tags());
        parts.put("value", Arrays.asList(lead.value(), lead.currency()));
        parts.put("status", lead.status().wireName());
        return EditVersion.of(parts);
    }

    /** The parts of {@link #version} this patch writes, as {@code CallChanges.writtenParts}: tags added or removed are none. */
    Set<String> writtenParts() {
        Set<String> parts = new HashSet<>();
        if (tags != null) {
            parts.add("tags");
        }
        if (value != null || clearsValue || currency != null) {
            parts.add("value");
        }
        if (status != null) {
            parts.add("status");
        }
        return parts;
    }
}
