package io.ringpool.call;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The leads a caller sent before calling: "a call from a number that sent a form earlier links to
 * that lead". The lead capability answers it (it depends on calls, so calls ask through this
 * interface rather than knowing leads); the composition root wires the two.
 *
 * <p>It reads on the caller's connection, so that the call log and a webhook event written inside
 * the transaction of a change (which sees that change) both come from this one lookup.
 */
@FunctionalInterface
public interface ContactLeads {

    /** A lead of the same person, as the call shows it. */
    record Lead(String leadId, String kind, Instant at) {}

    /** Most leads listed on one call: a person's latest, far beyond what one person sends. */
    int MAX_PER_CALL = 20;

    /**
     * For each call (by id) with a valid caller number, the site's leads from that phone at or
     * before the call started, oldest first (at most {@link #MAX_PER_CALL}, the latest ones); calls
     * without any are absent from the map.
     */
    Map<String, List<Lead>> before(Connection c, String siteId, Collection<StoredCall> calls) throws SQLException;

    /** One call's leads, empty when none. */
    default List<Lead> of(Connection c, StoredCall call) throws SQLException {
        return before(c, call.siteId(), List.of(call)).getOrDefault(call.callId(), List.of());
    }

    /** For when leads are not wired (a test of calls alone): no call has leads. */
    ContactLeads NONE = (c, siteId, calls) -> Map.of();
}
