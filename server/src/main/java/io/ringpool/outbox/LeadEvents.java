package io.ringpool.outbox;

import io.ringpool.lead.LeadJson;
import io.ringpool.lead.LeadOutbox;
import io.ringpool.lead.StoredLead;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The webhook events of leads, decided from the lead before and after a change:
 * {@code lead.created} for a new lead; {@code lead.updated} when a repeat submission was merged
 * into it ({@code submissions}) or its tags, value, currency or status changed, with
 * {@code changes} naming the fields. {@code data} is the lead as the API shows it.
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
        List<String> changes = new ArrayList<>();
        if (before.submissions() != after.submissions()) {
            changes.add("submissions");
        }
        if (!before.tags().equals(after.tags())) {
            changes.add("tags");
        }
        if (!Objects.equals(before.value(), after.value())) {
            changes.add("value");
        }
        if (!Objects.equals(before.currency(), after.currency())) {
            changes.add("currency");
        }
        if (before.status() != after.status()) {
            changes.add("status");
        }
        if (!changes.isEmpty()) {
            outbox.publish(c, after.siteId(), UPDATED, after.leadId(), () -> LeadJson.shown(c, after), changes);
        }
    }

    @Override
    public void erased(Connection c, String siteId, Collection<String> phonesAndEmails, Collection<String> leadIds) throws SQLException {
        OutboxErasure.scrub(c, siteId, phonesAndEmails, leadIds, true);
    }
}
