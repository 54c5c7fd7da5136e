package io.ringpool.lead;

import java.time.Instant;
import java.util.List;

/**
 * A lead as stored and as the lead log shows it.
 *
 * @param submissions 1, plus every duplicate merged into it (same person, same form, within the site's window)
 * @param unique      no earlier lead of this person within the site's uniqueness period
 * @param erased      the person asked to be forgotten: contact, name and message are gone
 */
public record StoredLead(
        String leadId,
        String siteId,
        LeadKind kind,
        NewLead.Origin origin,
        String formId,
        String pageUrl,
        Instant at,
        Instant lastAt,
        int submissions,
        Contact contact,
        String name,
        String message,
        LeadStatus status,
        boolean unique,
        LeadAttribution attribution,
        List<String> tags,
        Double value,
        String currency) {

    public StoredLead {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    public boolean erased() {
        return Contact.ERASED.equals(contact.phone());
    }
}
