package io.ringpool.lead;

import java.util.List;

/**
 * The marketer's changes to a lead ({@code PATCH}); a null field is left as it is.
 *
 * @param currency ISO 4217, already validated; a value without one is in the site's currency
 * @param clearsValue whether the lead's value is removed ({@code "value": null}); {@code value} is then null
 */
public record LeadPatch(List<String> tags, Double value, String currency, LeadStatus status, boolean clearsValue) {

    /** Changes that remove no value. */
    public LeadPatch(List<String> tags, Double value, String currency, LeadStatus status) {
        this(tags, value, currency, status, false);
    }
}
