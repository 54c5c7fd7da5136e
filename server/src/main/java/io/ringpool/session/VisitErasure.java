package io.ringpool.session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Erasing a person reaches their visits: every visit of the visitors whose visits were linked to
 * the person's calls (the chosen visit and the visitor's other visits on the site) loses its
 * landing page, referrer, title and client ids, and its page views are deleted. Source, medium,
 * campaign and device stay: they are about the ad, not the person, and keep reports whole. Runs
 * inside the caller's transaction, before the calls themselves are erased (it finds the visits by
 * the calls' caller). Leads use {@link #eraseLinked} with the visits and visitors linked to them.
 */
public final class VisitErasure {
    private VisitErasure() {}

    /** Erases the visits linked to the site's calls from {@code caller}; returns how many visits. */
    public static int eraseLinkedToCaller(Connection c, String siteId, String caller) throws SQLException {
        Set<String> visitors = new LinkedHashSet<>();
        Set<String> sessions = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT session_id, visitor_id FROM calls WHERE site_id = ? AND caller = ? AND session_id IS NOT NULL")) {
            ps.setString(1, siteId);
            ps.setString(2, caller);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sessions.add(rs.getString(1));
                    if (rs.getString(2) != null) {
                        visitors.add(rs.getString(2));
                    }
                }
            }
        }
        return eraseLinked(c, siteId, visitors, sessions);
    }

    /**
     * Erases every visit of these visitors, and these visits (a call or lead may name a visit whose
     * visitor is unknown), on the site; returns how many visits.
     */
    public static int eraseLinked(Connection c, String siteId, Set<String> visitorIds, Set<String> sessionIds) throws SQLException {
        int erased = eraseVisitors(c, siteId, visitorIds);
        for (String sessionId : sessionIds) {
            erased += eraseSession(c, siteId, sessionId);
        }
        return erased;
    }

    /** Erases every visit of these visitors on the site; returns how many visits. */
    public static int eraseVisitors(Connection c, String siteId, Set<String> visitorIds) throws SQLException {
        int erased = 0;
        for (String visitorId : visitorIds) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM pageviews WHERE session_id IN "
                    + "(SELECT session_id FROM sessions WHERE site_id = ? AND visitor_id = ?)")) {
                ps.setString(1, siteId);
                ps.setString(2, visitorId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET landing_page = NULL, referrer = NULL, title = NULL, "
                    + "client_ids_json = NULL WHERE site_id = ? AND visitor_id = ?")) {
                ps.setString(1, siteId);
                ps.setString(2, visitorId);
                erased += ps.executeUpdate();
            }
        }
        return erased;
    }

    private static int eraseSession(Connection c, String siteId, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM pageviews WHERE site_id = ? AND session_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, sessionId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET landing_page = NULL, referrer = NULL, title = NULL, "
                + "client_ids_json = NULL WHERE site_id = ? AND session_id = ? AND landing_page IS NOT NULL")) {
            ps.setString(1, siteId);
            ps.setString(2, sessionId);
            return ps.executeUpdate();
        }
    }
}
