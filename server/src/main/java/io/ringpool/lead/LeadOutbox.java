package io.ringpool.lead;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;

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

    /**
     * A person was erased: whatever was written for these leads, or carries these phones or
     * e-mails, loses them (inside the erasure's transaction).
     */
    default void erased(Connection c, String siteId, Collection<String> phonesAndEmails, Collection<String> leadIds) throws SQLException {}

    /**
     * These leads aged past the site's retention and lose their personal data: what was written
     * for them loses it too; the person's other leads keep theirs (inside the purge's transaction).
     */
    default void aged(Connection c, String siteId, Collection<String> phonesAndEmails, Collection<String> leadIds) throws SQLException {}
}
