package io.ringpool.export;

import io.ringpool.store.StorageJson;
import io.ringpool.visit.Channel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The ids a call or lead takes from its visitor's earlier visits when its own visit lacks them,
 * for every export, feed and upload (webhooks carry the row's own ids only: they are the call as
 * stored, and a receiver can read the earlier visits there).
 *
 * <p><b>Click ids</b> (gclid, yclid) tell an ad platform "your click converted", so they follow
 * the product's default attribution, last non-direct (docs/reports.md): a row whose own visit is
 * direct (the visitor clicked an ad, then came back by a bookmark to call) takes the click id of
 * the visit that model credits, the visitor's latest non-direct visit within 90 days before its
 * own: that visit's id or none, never an older visit's. A row whose own visit came from anywhere
 * (the other platform's ad, a search, a newsletter) or that carries a click id of its own keeps
 * only its own. Until session 44 any row took the latest earlier visit that had the id, so a lead
 * from a Google Ads click went to Yandex too with the yclid of the visitor's Direct click the week
 * before, and two platforms claimed one conversion (audit AK1 F3).
 *
 * <p><b>Metrica's ClientID</b> is no claim: it names the browser to the site's own counter, which
 * attributes by its own model. A row without one takes the latest earlier visit's that has one.
 *
 * <p>Reads the visitor's visits newest first over the (site_id, visitor_id, started_at) index,
 * only for rows that lack the id; the statements live as long as the export's connection.
 */
public final class EarlierVisitIds implements AutoCloseable {
    /** The look-back of the last-non-direct model (report.SiteFacts) and of Google's and Yandex's click windows. */
    static final long LOOKBACK_MILLIS = 90L * 86_400_000L;
    /** Visits read per row at most: a visitor with more direct visits than this in the look-back borrows nothing. */
    static final int VISITS_MAX = 50;

    /**
     * The visitor's visits up to a time, within the look-back, newest first: the index walked
     * backwards in its own order (ordered by started_at alone H2 read and sorted every visit of the
     * visitor in the look-back first).
     */
    static final String VISITS = "SELECT channel, click_ids_json, client_ids_json FROM sessions WHERE site_id = ? AND visitor_id = ? "
            + "AND started_at <= ? AND started_at >= ? ORDER BY site_id DESC, visitor_id DESC, started_at DESC";
    /** When the row's own visit started: the model looks back from there, not from the call or lead. */
    static final String OWN_START = "SELECT started_at FROM sessions WHERE session_id = ?";

    private static final String DIRECT = Channel.DIRECT.wireName();

    private final String siteId;
    private final PreparedStatement visits;
    private final PreparedStatement ownStart;

    public EarlierVisitIds(String siteId, Connection c) throws SQLException {
        this.siteId = siteId;
        this.visits = c.prepareStatement(VISITS);
        PreparedStatement own = null;
        try {
            own = c.prepareStatement(OWN_START);
        } finally {
            if (own == null) {
                visits.close();
            }
        }
        this.ownStart = own;
    }

    /**
     * The row's click id {@code field} ({@code gclid} or {@code yclid}), else, when its own visit is
     * direct and it has no click id at all, the one of the visit the last-non-direct model credits;
     * or null. {@code row} is a call or lead row with {@code gclid}, {@code yclid}, {@code channel},
     * {@code session_id} and {@code visitor_id}; {@code at} is the row's time.
     */
    String clickId(ResultSet row, long at, String field) throws SQLException {
        String own = row.getString(field);
        if (!blank(own)) {
            return own;
        }
        boolean ownClickId = !blank(row.getString("gclid")) || !blank(row.getString("yclid"));
        return creditedClickId(row.getString("visitor_id"), row.getString("session_id"), row.getString("channel"), ownClickId, at,
                field);
    }

    /**
     * The click id {@code field} of the visit the last-non-direct model credits for a row that has
     * none of its own: only when its own visit ({@code sessionId}, of {@code channel}) is direct and
     * it carries no click id at all ({@code ownClickId} false); else null. {@code at} is the row's time.
     */
    public String creditedClickId(String visitorId, String sessionId, String channel, boolean ownClickId, long at, String field)
            throws SQLException {
        boolean direct = channel == null || DIRECT.equalsIgnoreCase(channel);
        if (visitorId == null || !direct || ownClickId) {
            return null;
        }
        long from = ownVisitStart(sessionId, at);
        try (ResultSet rs = visits(visitorId, from)) {
            while (rs.next()) {
                if (!DIRECT.equalsIgnoreCase(rs.getString("channel"))) {
                    // The credited visit: its id, or none (an organic or social visit credited has no click).
                    String v = StorageJson.fieldOrNull(rs.getString("click_ids_json"), field);
                    return blank(v) ? null : v;
                }
            }
        }
        return null;
    }

    /** The row's Metrica ClientID ({@code clientIds.ym}), else the latest earlier visit's within the look-back; or null. */
    String clientId(ResultSet row, long at) throws SQLException {
        String own = StorageJson.fieldOrNull(row.getString("client_ids_json"), "ym");
        return !blank(own) ? own : earlierClientId(row.getString("visitor_id"), at);
    }

    /** The latest Metrica ClientID among the visitor's visits up to {@code at}, within the look-back; or null. */
    public String earlierClientId(String visitorId, long at) throws SQLException {
        if (visitorId == null) {
            return null;
        }
        try (ResultSet rs = visits(visitorId, at)) {
            while (rs.next()) {
                String v = StorageJson.fieldOrNull(rs.getString("client_ids_json"), "ym");
                if (!blank(v)) {
                    return v;
                }
            }
        }
        return null;
    }

    /** The own visit's start; the row's time when it has no visit or the visit is gone. */
    private long ownVisitStart(String sessionId, long at) throws SQLException {
        if (sessionId == null) {
            return at;
        }
        ownStart.setString(1, sessionId);
        try (ResultSet rs = ownStart.executeQuery()) {
            return rs.next() ? Math.min(rs.getLong(1), at) : at;
        }
    }

    private ResultSet visits(String visitorId, long upTo) throws SQLException {
        visits.setString(1, siteId);
        visits.setString(2, visitorId);
        visits.setLong(3, upTo);
        visits.setLong(4, upTo - LOOKBACK_MILLIS);
        visits.setMaxRows(VISITS_MAX);
        return visits.executeQuery();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public void close() throws SQLException {
        try {
            visits.close();
        } finally {
            ownStart.close();
        }
    }
}
