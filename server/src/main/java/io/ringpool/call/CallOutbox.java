package io.ringpool.call;

import java.sql.Connection;
import java.sql.SQLException;

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
}
