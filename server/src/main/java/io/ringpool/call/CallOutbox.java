package io.ringpool.call;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What a change to a call sends out (webhook events, uploads), written on the connection of the
 * transaction that stores the change: the event is committed exactly when the change is. Must
 * only write (no network, no logs): the transaction may be retried.
 */
@FunctionalInterface
public interface CallOutbox {

    /** Sends nothing. */
    CallOutbox NONE = (c, before, after) -> { };

    /**
     * @param before the call as it was before this change, or null for a new call
     * @param after  the call as stored by this change
     */
    void changed(Connection c, StoredCall before, StoredCall after) throws SQLException;

    /**
     * A caller was erased: whatever was written for these calls, or carries this number, loses it
     * (inside the erasure's transaction).
     */
    default void erased(Connection c, String siteId, String caller, List<String> callIds) throws SQLException {}

    /**
     * These calls aged past the site's retention and lose their callers: what was written for them
     * loses these numbers too; the callers' other calls keep theirs (inside the purge's transaction).
     */
    default void aged(Connection c, String siteId, java.util.Collection<String> callers, List<String> callIds) throws SQLException {}
}
