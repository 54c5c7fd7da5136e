package io.ringpool.lead;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What a change to a lead sends out (webhook events), written on the connection of the transaction
 * that stores the change, so the event is committed exactly when the change is. Must only write.
 */
@FunctionalInterface
public interface LeadOutbox {

    /** Sends nothing. */
    LeadOutbox NONE = (c, before, after) -> { };

    /**
     * @param before the lead before this change, or null for a new lead
     * @param after  the lead as stored by this change
     */
    void changed(Connection c, StoredLead before, StoredLead after) throws SQLException;
}
