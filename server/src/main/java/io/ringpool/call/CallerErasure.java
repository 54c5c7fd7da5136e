package io.ringpool.call;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Caller numbers are personal data (PRODUCT.md §5): erased on request, and purged once older than
 * the site's retention. Both replace the number by {@link CallerNumber#ERASED} in the calls and in
 * their raw events; classification flags stay as they are, and a valid number leaves its
 * {@link PersonPseudonym} key behind, so counts (contacts too) do not change.
 */
final class CallerErasure {

    /** The ids of the site's calls from {@code caller}, before they are erased. */
    java.util.List<String> callIdsOf(Connection c, String siteId, String caller) throws SQLException {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT call_id FROM calls WHERE site_id = ? AND caller = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, caller);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Erases {@code caller} from the site's calls and events; returns the calls touched. */
    int erase(Connection c, String siteId, String caller, PersonPseudonym pseudonym, long now) throws SQLException {
        // The provider's link to the recording is the person's voice one GET away (often without
        // credentials): it goes with the stored file, from the call and its events (audit AM2 F5).
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_events SET from_raw = ?, recording_url = NULL "
                + "WHERE call_id IN (SELECT call_id FROM calls WHERE site_id = ? AND caller = ?)")) {
            ps.setString(1, CallerNumber.ERASED);
            ps.setString(2, siteId);
            ps.setString(3, caller);
            ps.executeUpdate();
        }
        // Events of a call not created yet name the caller only as the provider sent it.
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_events_waiting SET from_raw = ?, recording_url = NULL "
                + "WHERE site_id = ? AND from_raw = ?")) {
            ps.setString(1, CallerNumber.ERASED);
            ps.setString(2, siteId);
            ps.setString(3, caller);
            ps.executeUpdate();
        }
        // The call's copy of its visit's landing page, referrer and client ids is the person's data too.
        // The revision tells an ingestion planned before this erasure to plan again (CallIngest);
        // updated_at, the reports to read the calls again with their pseudonym.
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET caller = ?, "
                + "erased_person_key = CASE WHEN caller_valid THEN ? ELSE erased_person_key END, caller_valid = FALSE, "
                + "landing_page = NULL, referrer = NULL, client_ids_json = NULL, recording_url = NULL, transcript = NULL, "
                + "revision = revision + 1, updated_at = ? WHERE site_id = ? AND caller = ?")) {
            ps.setString(1, CallerNumber.ERASED);
            ps.setLong(2, pseudonym.ofPhone(caller));
            ps.setLong(3, now);
            ps.setString(4, siteId);
            ps.setString(5, caller);
            return ps.executeUpdate();
        }
    }

    /** The calls {@link #purgeBefore} is about to erase the callers of: call id to caller as stored. */
    java.util.Map<String, String> agedCalls(Connection c, String siteId, long beforeMillis) throws SQLException {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT call_id, caller FROM calls WHERE site_id = ? AND started_at < ? AND caller <> ?")) {
            ps.setString(1, siteId);
            ps.setLong(2, beforeMillis);
            ps.setString(3, CallerNumber.ERASED);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** Erases the caller of every call that started before {@code beforeMillis}; returns how many calls. */
    int purgeBefore(Connection c, String siteId, long beforeMillis, PersonPseudonym pseudonym, long now) throws SQLException {
        java.util.List<String> callers = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT caller FROM calls WHERE site_id = ? AND started_at < ? "
                + "AND caller_valid")) {
            ps.setString(1, siteId);
            ps.setLong(2, beforeMillis);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    callers.add(rs.getString(1));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET erased_person_key = ? WHERE site_id = ? AND started_at < ? "
                + "AND caller = ? AND caller_valid")) {
            for (String caller : callers) {
                ps.setLong(1, pseudonym.ofPhone(caller));
                ps.setString(2, siteId);
                ps.setLong(3, beforeMillis);
                ps.setString(4, caller);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_events SET from_raw = ? WHERE from_raw <> ? "
                + "AND call_id IN (SELECT call_id FROM calls WHERE site_id = ? AND started_at < ?)")) {
            ps.setString(1, CallerNumber.ERASED);
            ps.setString(2, CallerNumber.ERASED);
            ps.setString(3, siteId);
            ps.setLong(4, beforeMillis);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_events_waiting SET from_raw = ? WHERE site_id = ? AND from_raw <> ? "
                + "AND at < ?")) {
            ps.setString(1, CallerNumber.ERASED);
            ps.setString(2, siteId);
            ps.setString(3, CallerNumber.ERASED);
            ps.setLong(4, beforeMillis);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE calls SET caller = ?, caller_valid = FALSE, landing_page = NULL, referrer = NULL, client_ids_json = NULL, "
                        + "revision = revision + 1, updated_at = ? WHERE site_id = ? AND started_at < ? AND caller <> ?")) {
            ps.setString(1, CallerNumber.ERASED);
            ps.setLong(2, now);
            ps.setString(3, siteId);
            ps.setLong(4, beforeMillis);
            ps.setString(5, CallerNumber.ERASED);
            return ps.executeUpdate();
        }
    }
}
