package io.ringpool.outbox;

import io.ringpool.lead.LeadJson;
import io.ringpool.lead.LeadOutbox;
import io.ringpool.lead.StoredLead;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * The webhook events of leads, decided from the lead before and after a change:
 * {@code lead.created} for a new lead; {@code lead.updated} when a repeat submission was merged
 * into it or the marketer changed it, with {@code changes} naming every field of the lead that
 * changed ({@link LeadJson#changedFields}: {@code submissions} and {@code lastAt} of a merge, and
 * the e-mail, name or phone it filled; tags, value, currency, status of a PATCH). {@code data} is
 * the lead as the API shows it.
 */
public final class LeadEvents implements LeadOutbox {
    public static final String CREATED = "lead.created";
    public static final String UPDATED = "lead.updated";

    private final Outbox outbox;

    public LeadEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public void changed(Connection c, StoredLead before, StoredLead after) throws SQLException {
        if (after == null) {
            return;
        }
        if (before == null) {
            outbox.publish(c, after.siteId(), CREATED, after.leadId(), () -> LeadJson.shown(c, after), null);
            return;
        }
        List<String> changes = LeadJson.changedFields(before, after);
        if (!changes.isEmpty()) {
            outbox.publish(c, after.siteId(), UPDATED, after.leadId(), () -> LeadJson.shown(c, after), changes);
        }
    }

    @Override
    public void erased(Connection c, String siteId, Collection<String> phonesAndEmails, Collection<String> leadIds) throws SQLException {
        OutboxErasure.scrub(c, siteId, phonesAndEmails, leadIds, true);
    }

    @Override
    public void aged(Connection c, String siteId, Collection<String> phonesAndEmails, Collection<String> leadIds) throws SQLException {
        OutboxErasure.scrubAged(c, siteId, phonesAndEmails, leadIds, true);
    }
}
