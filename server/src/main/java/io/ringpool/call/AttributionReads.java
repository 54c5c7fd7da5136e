package io.ringpool.call;

import io.ringpool.visit.VisitSource;
import io.ringpool.pool.PoolState;
import io.ringpool.store.Dialect;
import io.ringpool.store.StorageJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What attribution reads: a number's lease history and the visits behind it (the foundation table
 * {@code sessions}, which holds each visit's lease), and the caller's earlier calls. Read inside
 * the ingesting transaction, on its connection.
 */
final class AttributionReads {
    /** A number's leases up to a time, newest first, in the order of the index that serves them. */
    static final String LEASE_HISTORY = "SELECT session_id, visitor_id, started_at, lease_expires_at, ended_at, end_reason FROM sessions "
            + "WHERE site_id = ? AND number = ? AND started_at <= ? ORDER BY site_id, number, started_at DESC";

    /** One row of a number's lease history as read, before it is judged. */
    private record LeaseRow(String sessionId, String visitorId, Long expiresAt, Long endedAt, boolean handedOver) {}

    /** {@code end_reason} of a lease whose number passed at its end to its visitor's next visit (a new source; session.SessionStore). */
    static final String HANDED_OVER = "source_changed";

    /** A bound on leases read for one call; reuse from cool-down makes a few overlap at most. */
    private static final int MAX_LEASES_READ = 64;

    /**
     * A visitor's visits before a time, newest first, walking (site_id, visitor_id, started_at)
     * backwards. Ordered by "started_at DESC, session_id DESC" H2 read and sorted every visit of
     * the visitor first; a visitor id reused by a bot or a shared device has thousands. Visits that
     * started in the same millisecond are put in session id order here instead.
     */
    static final String EARLIER_VISITS = "SELECT session_id, started_at, source, medium, channel FROM sessions "
            + "WHERE site_id = ? AND visitor_id = ? AND started_at < ? ORDER BY site_id DESC, visitor_id DESC, started_at DESC";

    static final String VISIT_STARTED_AT = "SELECT started_at FROM sessions WHERE session_id = ?";

    /** Rows read past the last one wanted, so that visits or calls of one millisecond are all seen before choosing among them. */
    static final int SAME_MILLISECOND_MARGIN = 16;

    private final String previousAttributionSelect;

    AttributionReads(Dialect dialect) {
        this.previousAttributionSelect = previousAttributionSelect(dialect);
    }

    /**
     * The caller's earlier attributed calls, newest first, walking (site_id, caller, started_at)
     * backwards: the same reason as {@link #EARLIER_VISITS}, for a caller with thousands of calls.
     */
    static String previousAttributionSelect(Dialect dialect) {
        return "SELECT session_id, visitor_id, number, call_id, started_at FROM calls" + dialect.indexHint("CALLS_SITE_CALLER")
                + " WHERE site_id = ? AND caller = ? AND caller_valid = TRUE AND started_at < ? AND call_id <> ? "
                + "AND session_id IS NOT NULL ORDER BY site_id DESC, caller DESC, started_at DESC";
    }

    /**
     * The leases of {@code number} that could claim a call at {@code callAt}: started by then, and
     * live or ended at most {@code coolDown} before. A lease the sweeper has not ended yet but whose
     * expiry has passed is read as ended at its expiry: its heartbeats stopped then. The lease this
     * node holds live on the number ({@code live}, may be null) is read with its in-memory expiry:
     * renewals reach the store late (a single node writes one only when the stored expiry nears),
     * so the store's copy can be older than the last heartbeat. A lease handed over to its
     * visitor's next visit (a new source) claims only the calls it covers: it has no cool-down.
     */
    List<LeaseInterval> leases(Connection c, String siteId, String number, Instant callAt, long coolDownMillis,
            PoolState.LiveHolder live) throws SQLException {
        List<LeaseInterval> out = new ArrayList<>();
        long t = callAt.toEpochMilli();
        // A number's leases follow one another, so reading back from the call time, newest first,
        // the first lease that ended before the cool-down window closes the search. Bounded reads
        // whatever the number's history: a number leased 10,000 times costs the same as a new one.
        // That needs the index's own order, (site_id, number, started_at DESC) in full: ordered by
        // "started_at DESC, session_id DESC" H2 read and sorted every earlier lease of the number
        // first (163 ms a call at 50,000 leases of a number, 0.05 ms in index order). Leases that
        // started in the same millisecond are put in session id order here instead.
        try (PreparedStatement ps = c.prepareStatement(LEASE_HISTORY)) {
            ps.setString(1, siteId);
            ps.setString(2, number);
            ps.setLong(3, t);
            ps.setFetchSize(16);
            ps.setMaxRows(MAX_LEASES_READ);
            try (ResultSet rs = ps.executeQuery()) {
                List<LeaseRow> sameStart = new ArrayList<>();
                boolean more = rs.next();
                while (more) {
                    sameStart.clear();
                    long from = rs.getLong(3);
                    do {
                        long expires = rs.getLong(4);
                        boolean expiresNull = rs.wasNull();
                        long ended = rs.getLong(5);
                        boolean endedNull = rs.wasNull();
                        sameStart.add(new LeaseRow(rs.getString(1), rs.getString(2), expiresNull ? null : expires,
                                endedNull ? null : ended, HANDED_OVER.equals(rs.getString(6))));
                        more = rs.next();
                    } while (more && rs.getLong(3) == from);
                    sameStart.sort((a, b) -> b.sessionId().compareTo(a.sessionId()));
                    for (LeaseRow row : sameStart) {
                        Long expires = row.expiresAt();
                        if (live != null && live.sessionId().equals(row.sessionId())) {
                            expires = live.expiresAt();
                        }
                        Long to;
                        if (row.endedAt() != null) {
                            to = row.endedAt();
                        } else if (expires == null) {
                            continue; // not a lease (an untracked visit has no number; defensive)
                        } else {
                            to = expires <= t ? expires : null; // live, or expired but not swept yet
                        }
                        if (to != null && to < t - coolDownMillis) {
                            Collections.reverse(out);
                            return out; // ended before the cool-down window: this and every older lease are out
                        }
                        if (row.handedOver() && to != null && to <= t) {
                            // Its number went on, at its end, to the same visitor's next visit (a new
                            // source): that visit holds it from then on, and this one has no cool-down.
                            continue;
                        }
                        out.add(new LeaseInterval(row.sessionId(), row.visitorId(), number, Instant.ofEpochMilli(from),
                                to == null ? null : Instant.ofEpochMilli(Math.max(from, to))));
                    }
                }
            }
        }
        Collections.reverse(out);
        return out;
    }

    /** The visit of {@code sessionId} on this site, if the store still has it. */
    Optional<VisitSource> visit(Connection c, String siteId, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT started_at, source, medium, campaign, term, content, channel, "
                + "landing_page, referrer, click_ids_json, client_ids_json, device_type, browser, os FROM sessions "
                + "WHERE site_id = ? AND session_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new VisitSource(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                        StorageJson.readStringMap(rs.getString(10)), StorageJson.readStringMap(rs.getString(11)), rs.getString(12),
                        rs.getString(13), rs.getString(14)));
            }
        }
    }

    /** The visitor's visits that started before {@code before}: the latest {@code max}, oldest first. */
    List<CallAttribution.EarlierVisit> earlierVisits(Connection c, String siteId, String visitorId, Instant before, int max)
            throws SQLException {
        List<CallAttribution.EarlierVisit> read = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(EARLIER_VISITS)) {
            ps.setString(1, siteId);
            ps.setString(2, visitorId);
            ps.setLong(3, before.toEpochMilli());
            ps.setMaxRows(max + SAME_MILLISECOND_MARGIN);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Instant started = Instant.ofEpochMilli(rs.getLong(2));
                    if (read.size() >= max && !started.equals(read.get(read.size() - 1).startedAt())) {
                        break; // the last millisecond wanted is complete
                    }
                    read.add(new CallAttribution.EarlierVisit(rs.getString(1), started, rs.getString(3), rs.getString(4),
                            rs.getString(5)));
                }
            }
        }
        read.sort(Comparator.comparing(CallAttribution.EarlierVisit::startedAt)
                .thenComparing(CallAttribution.EarlierVisit::sessionId).reversed());
        List<CallAttribution.EarlierVisit> out = new ArrayList<>(read.subList(0, Math.min(max, read.size())));
        Collections.reverse(out);
        return out;
    }

    /** The visit the caller's latest earlier attributed call went to, for method {@code repeat}; null if none. */
    PreviousAttribution previousAttribution(Connection c, String siteId, String caller, Instant before, String exceptCallId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(previousAttributionSelect)) {
            ps.setString(1, siteId);
            ps.setString(2, caller);
            ps.setLong(3, before.toEpochMilli());
            ps.setString(4, exceptCallId == null ? "" : exceptCallId);
            ps.setMaxRows(1 + SAME_MILLISECOND_MARGIN);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                // the latest call; of several in its millisecond, the greatest call id
                long latest = rs.getLong(5);
                PreviousAttribution best = new PreviousAttribution(rs.getString(1), rs.getString(2), rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(5)), null);
                String bestId = rs.getString(4);
                while (rs.next() && rs.getLong(5) == latest) {
                    if (rs.getString(4).compareTo(bestId) > 0) {
                        best = new PreviousAttribution(rs.getString(1), rs.getString(2), rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(5)), null);
                        bestId = rs.getString(4);
                    }
                }
                return withVisitStart(c, best);
            }
        }
    }

    /** When the earlier call's visit started, for the redial rule's age limit; null if the visit was purged. */
    private static PreviousAttribution withVisitStart(Connection c, PreviousAttribution previous) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(VISIT_STARTED_AT)) {
            ps.setString(1, previous.sessionId());
            try (ResultSet rs = ps.executeQuery()) {
                Instant started = rs.next() ? Instant.ofEpochMilli(rs.getLong(1)) : null;
                return new PreviousAttribution(previous.sessionId(), previous.visitorId(), previous.number(), previous.at(),
                        started);
            }
        }
    }
}
