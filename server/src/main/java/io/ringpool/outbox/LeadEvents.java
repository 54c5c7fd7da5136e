package io.ringpool.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The webhook events of leads, for the lead service to call inside the transaction that stores a
 * lead: {@code lead.created} when a lead is new, {@code lead.updated} (with the changed fields)
 * when its tags, value, currency or status change. {@code data} is the lead as
 * {@code GET /v1/sites/{siteId}/leads} shows it. Like {@link CallEvents}, it only writes.
 */
public final class LeadEvents {
    public static final String CREATED = "lead.created";
    public static final String UPDATED = "lead.updated";

    private final Outbox outbox;

    public LeadEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    public void created(Connection c, String siteId, String leadId, Object lead) throws SQLException {
        outbox.publish(c, siteId, CREATED, leadId, lead, null);
    }

    public void updated(Connection c, String siteId, String leadId, Object lead, List<String> changes) throws SQLException {
        if (!changes.isEmpty()) {
            outbox.publish(c, siteId, UPDATED, leadId, lead, List.copyOf(changes));
        }
    }
}
