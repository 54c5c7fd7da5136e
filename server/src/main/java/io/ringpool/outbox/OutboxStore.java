package io.ringpool.outbox;

import io.ringpool.site.Keys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The outbox tables (V30): events, deliveries with their leases, and the attempt log. */
final class OutboxStore {

    /**
     * A delivery the worker may attempt now.
     *
     * @param dueAt when its attempt was due ({@code next_attempt_at}): how long it waited for a sender is measured from it
     */
    record Due(String deliveryId, String eventId, String siteId, String targetKind, String targetId, int attempts, long deadlineAt,
            long dueAt, long createdAt) {}

    private OutboxStore() {}

    static void insertEvent(Connection c, OutboxEvent e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO outbox_events(event_id, site_id, type, subject_id, created_at, payload) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, e.eventId());
            ps.setString(2, e.siteId());
            ps.setString(3, e.type());
            ps.setString(4, e.subjectId());
            ps.setLong(5, e.createdAt());
            ps.setString(6, e.payloadText());
            ps.executeUpdate();
        }
    }

    /** A pending delivery of {@code e}, first attempted at {@code dueAt} (the event's time, or later for a target that holds it). */
    static void insertDelivery(Connection c, OutboxEvent e, String kind, String targetId, long dueAt, long deadline) throws SQLException {
        insert(c, e, kind, targetId, "pending", dueAt, deadline, null);
    }

    /** A delivery written as {@code failed} with {@code reason}, never tried: a retry sends it. */
    static void insertFailedDelivery(Connection c, OutboxEvent e, String kind, String targetId, String reason) throws SQLException {
        insert(c, e, kind, targetId, "failed", e.createdAt(), e.createdAt(), reason);
    }

    private static void insert(Connection c, OutboxEvent e, String kind, String targetId, String state, long dueAt, long deadline,
            String lastError) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox_deliveries(delivery_id, event_id, site_id, target_kind, "
                + "target_id, subject_id, state, attempts, next_attempt_at, deadline_at, created_at, last_error) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)")) {
            ps.setString(1, Keys.timeOrdered("dlv_", e.createdAt(), 9));
            ps.setString(2, e.eventId());
            ps.setString(3, e.siteId());
            ps.setString(4, kind);
            ps.setString(5, targetId);
            ps.setString(6, e.subjectId());
            ps.setString(7, state);
            ps.setLong(8, dueAt);
            ps.setLong(9, deadline);
            ps.setLong(10, e.createdAt());
            ps.setString(11, lastError);
            ps.executeUpdate();
        }
    }

    /**
     * Pending deliveries of one target kind, split for the backlog gauge.
     *
     * @param held    never tried and not due before a later time they were given on purpose: Google
     *                Ads' 6 h 10 min after the call (GoogleTooRecent). A site's normal day of calls,
     *                not a backlog
     * @param waiting the others: due now, retrying after a failed attempt, or behind an endpoint's
     *                hold or an earlier event of their call. An endpoint that is down makes these grow
     */
    record Backlog(long held, long waiting) {
        long total() {
            return held + waiting;
        }
    }

    /** Pending deliveries by target kind at {@code now} (the index on state serves it): the backlog gauge. */
    static Map<String, Backlog> pendingByKind(Connection c, long now) throws SQLException {
        Map<String, Backlog> out = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT target_kind, "
                + "SUM(CASE WHEN attempts = 0 AND next_attempt_at > ? THEN 1 ELSE 0 END), COUNT(*) "
                + "FROM outbox_deliveries WHERE state = 'pending' GROUP BY target_kind")) {
            ps.setLong(1, now);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long held = rs.getLong(2);
                    out.put(rs.getString(1), new Backlog(held, rs.getLong(3) - held));
                }
            }
        }
        return out;
    }

    /**
     * Deliveries due at {@code now}, oldest first: pending, not leased (or the lease expired), their
     * target not {@linkplain #hold held}, and no earlier delivery of the same subject to the same
     * target still pending — so one call's events reach an endpoint in the order they happened,
     * even across retries.
     *
     * <p>Leaves out the sites and targets in {@code skipSites} and {@code skipTargets}: this node
     * cannot start another attempt for them now, and their backlog (an endpoint that hangs piles
     * up thousands) must not fill the {@code limit} and hide the deliveries that can go.
     */
    static List<Due> due(Connection c, long now, int limit, List<String> skipSites, List<String> skipTargets) throws SQLException {
        List<Due> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT d.delivery_id, d.event_id, d.site_id, d.target_kind, d.target_id, "
                + "d.attempts, d.deadline_at, d.next_attempt_at, d.created_at FROM outbox_deliveries d WHERE d.state = 'pending' "
                + "AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?) "
                + notIn("d.site_id", skipSites.size()) + notIn("d.target_id", skipTargets.size())
                + "AND NOT EXISTS (SELECT 1 FROM outbox_deliveries e "
                + "WHERE e.target_id = d.target_id AND e.subject_id = d.subject_id AND e.seq < d.seq AND e.state = 'pending') "
                + "AND NOT EXISTS (SELECT 1 FROM outbox_holds h WHERE h.target_id = d.target_id AND h.held_until > ?) "
                + "ORDER BY d.seq LIMIT ?")) {
            int i = 1;
            ps.setLong(i++, now);
            ps.setLong(i++, now);
            for (String site : skipSites) {
                ps.setString(i++, site);
            }
            for (String target : skipTargets) {
                ps.setString(i++, target);
            }
            ps.setLong(i++, now);
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Due(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6),
                            rs.getLong(7), rs.getLong(8), rs.getLong(9)));
                }
            }
        }
        return out;
    }

    private static String notIn(String column, int values) {
        return values == 0 ? "" : "AND " + column + " NOT IN (" + String.join(", ", java.util.Collections.nCopies(values, "?")) + ") ";
    }

    /**
     * Takes the lease of a due delivery: a compare-and-set on the old lease and on the attempt
     * count the caller read, so of several pollers (or nodes) that saw the same row due, exactly
     * one gets it, and none acts on a row that was attempted since it was read.
     */
    static boolean claim(Connection c, Due d, String owner, long leaseUntil, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_deliveries SET lease_owner = ?, lease_until = ? "
                + "WHERE delivery_id = ? AND attempts = ? AND state = 'pending' AND next_attempt_at <= ? "
                + "AND (lease_until IS NULL OR lease_until < ?)")) {
            ps.setString(1, owner);
            ps.setLong(2, leaseUntil);
            ps.setString(3, d.deliveryId());
            ps.setInt(4, d.attempts());
            ps.setLong(5, now);
            ps.setLong(6, now);
            return ps.executeUpdate() == 1;
        }
    }

    static List<OutboxEvent> events(Connection c, List<String> eventIds) throws SQLException {
        Map<String, OutboxEvent> byId = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT event_id, site_id, type, subject_id, created_at, payload FROM outbox_events WHERE event_id = ?")) {
            for (String id : eventIds) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        byId.put(id, new OutboxEvent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                                rs.getString(6).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    }
                }
            }
        }
        return List.copyOf(byId.values());
    }

    /**
     * Logs one attempt and moves the delivery on: delivered, pending again at {@code nextAt}, or
     * failed. Returns the state the delivery is left in, or null when it no longer exists (erased).
     *
     * <p>The attempt is a fact and is always logged, under the next free number of the delivery's
     * log (read with the delivery's row locked, so two recordings of one delivery take turns and
     * never collide on the log's key). What it changes depends on whether this node still holds
     * the lease it claimed the delivery with:
     * <ul>
     *   <li>held: {@code state} and {@code nextAt} as the worker decided;</li>
     *   <li>taken away while the attempt was in flight (a manual retry queued it again, its target
     *       was disabled or deleted, another node took over an expired lease): a success still
     *       means the target has the event, so the delivery is {@code delivered} (a retry asked
     *       for is then answered by this attempt, not by a second copy); a failure leaves the
     *       state, the next attempt and the deadline as whoever took the lease set them, and only
     *       counts the attempt.</li>
     * </ul>
     * Audit F #1: this used to log the attempt as {@code attempts + 1} and then update the
     * delivery only under the lease; with the lease gone the count stayed behind its log, and every
     * later recording of that delivery collided with the logged number and rolled back, so the
     * delivery was sent again every lease for ever.
     */
    static String finish(Connection c, Due d, String owner, Attempt a, long startedAt, long durationMillis, String state, Long nextAt)
            throws SQLException {
        String current;
        String leaseOwner;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT state, lease_owner FROM outbox_deliveries WHERE delivery_id = ? FOR UPDATE")) {
            ps.setString(1, d.deliveryId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null; // erased while it was in flight: nothing left to log against
                }
                current = rs.getString(1);
                leaseOwner = rs.getString(2);
            }
        }
        int attempt;
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(attempt), 0) FROM outbox_attempts WHERE delivery_id = ?")) {
            ps.setString(1, d.deliveryId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                attempt = Math.max(rs.getInt(1), d.attempts()) + 1;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox_attempts(delivery_id, attempt, target_id, attempted_at, "
                + "duration_millis, status_code, error, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, d.deliveryId());
            ps.setInt(2, attempt);
            ps.setString(3, d.targetId());
            ps.setLong(4, startedAt);
            ps.setLong(5, durationMillis);
            setInt(ps, 6, a.statusCode());
            ps.setString(7, a.error());
            ps.setString(8, a.response());
            ps.executeUpdate();
        }
        boolean leaseHeld = "pending".equals(current) && owner.equals(leaseOwner);
        if (leaseHeld || a.success()) {
            String next = leaseHeld ? state : "delivered";
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_deliveries SET state = ?, attempts = ?, "
                    + "next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, last_attempt_at = ?, last_status = ?, last_error = ?, "
                    + "delivered_at = ? WHERE delivery_id = ?")) {
                ps.setString(1, next);
                ps.setInt(2, attempt);
                ps.setLong(3, nextAt != null ? nextAt : startedAt);
                ps.setLong(4, startedAt);
                setInt(ps, 5, a.statusCode());
                ps.setString(6, a.error());
                if (a.success()) {
                    ps.setLong(7, startedAt + durationMillis);
                } else {
                    ps.setNull(7, Types.BIGINT);
                }
                ps.setString(8, d.deliveryId());
                ps.executeUpdate();
            }
            return next;
        }
        // A failure after the lease was taken away: counted, and the last status shown while the
        // delivery is still pending; a delivery given up keeps the reason it was given up for.
        boolean pending = "pending".equals(current);
        try (PreparedStatement ps = c.prepareStatement(pending
                ? "UPDATE outbox_deliveries SET attempts = ?, last_attempt_at = ?, last_status = ?, last_error = ? WHERE delivery_id = ?"
                : "UPDATE outbox_deliveries SET attempts = ?, last_attempt_at = ? WHERE delivery_id = ?")) {
            ps.setInt(1, attempt);
            ps.setLong(2, startedAt);
            if (pending) {
                setInt(ps, 3, a.statusCode());
                ps.setString(4, a.error());
                ps.setString(5, d.deliveryId());
            } else {
                ps.setString(3, d.deliveryId());
            }
            ps.executeUpdate();
        }
        return current;
    }

    /**
     * Gives up the deliveries whose last chance has passed unrecorded: claimed at or after their
     * deadline ({@code lease_until} at least one lease past it) and the lease expired without the
     * attempt being logged (the recording failed, or the node died). Without this a delivery whose
     * recording kept failing would be sent again every lease for ever; with it the deadline always
     * ends a delivery, one attempt after it at most. Returns the deliveries given up.
     */
    static int expire(Connection c, long now, long leaseMillis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_deliveries SET state = 'failed', last_error = ?, "
                + "lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND lease_until IS NOT NULL AND lease_until < ? "
                + "AND lease_until >= deadline_at + ?")) {
            ps.setString(1, "the retry window ended and the last attempt could not be recorded");
            ps.setLong(2, now);
            ps.setLong(3, leaseMillis);
            return ps.executeUpdate();
        }
    }

    /**
     * Holds a target until {@code until}: no delivery to it is due before then, on any node. An
     * insert, never an update, so two attempts answered at once both record theirs without
     * meeting on a key; the latest counts.
     */
    static void hold(Connection c, String kind, String targetId, long until, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO outbox_holds(target_id, target_kind, held_until, created_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, targetId);
            ps.setString(2, kind);
            ps.setLong(3, until);
            ps.setLong(4, now);
            ps.executeUpdate();
        }
    }

    /** Until when the target is held, or null when it is not held at {@code now}. */
    static Long heldUntil(Connection c, String targetId, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT MAX(held_until) FROM outbox_holds WHERE target_id = ? AND held_until > ?")) {
            ps.setString(1, targetId);
            ps.setLong(2, now);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long v = rs.getLong(1);
                return rs.wasNull() ? null : v;
            }
        }
    }

    /**
     * Gives a claimed delivery back untried, due again at {@code at}: its target was held after it
     * was claimed (another attempt, here or on another node, was told to wait). Not an attempt:
     * its count and log stay as they were.
     */
    static void release(Connection c, String deliveryId, String owner, long at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_deliveries SET lease_owner = NULL, lease_until = NULL, "
                + "next_attempt_at = ? WHERE delivery_id = ? AND lease_owner = ? AND state = 'pending'")) {
            ps.setLong(1, at);
            ps.setString(2, deliveryId);
            ps.setString(3, owner);
            ps.executeUpdate();
        }
    }

    /** Gives up every pending delivery of a target (it was disabled or deleted). */
    static int abandonTarget(Connection c, String targetId, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ABANDON_TARGET)) {
            ps.setString(1, reason);
            ps.setString(2, targetId);
            return ps.executeUpdate();
        }
    }

    /**
     * {@link #abandonTarget}'s statement: {@code seq > 0} (every row), as in {@link #RETRY_ALL}, so H2 reads the
     * target's rows through (target_id, seq) rather than the pending rows of every target through the state index.
     */
    static final String ABANDON_TARGET = "UPDATE outbox_deliveries SET state = 'failed', last_error = ?, "
            + "lease_owner = NULL, lease_until = NULL WHERE target_id = ? AND seq > 0 AND state = 'pending'";

    /** The columns that queue a delivery again: pending from {@code now}, a fresh deadline, no lease. */
    private static final String REQUEUE = "UPDATE outbox_deliveries SET state = 'pending', next_attempt_at = ?, deadline_at = ?, "
            + "delivered_at = NULL, lease_owner = NULL, lease_until = NULL ";

    /**
     * Queues a delivery again now with a fresh deadline, whatever its state, and with it, as
     * {@link Outbox#retry} says, the other failed deliveries of the same subject to the same
     * target, earlier and later ones: the worker sends a subject's pending deliveries one at a time
     * by {@code seq}, so they go out in event order. The ids queued besides {@code deliveryId},
     * oldest first; empty when the target has no such delivery.
     */
    static Optional<List<String>> retryWithRestOfSubject(Connection c, String targetId, String deliveryId, long now, long deadline)
            throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SUBJECT_TO_RETRY)) {
            ps.setString(1, deliveryId);
            ps.setString(2, targetId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        if (!ids.contains(deliveryId)) {
            return Optional.empty();
        }
        // Rows are taken in seq order, as the bulk retry's one UPDATE takes them: two retries of one call's
        // deliveries (a destination's are not serialised by a lock on the target) never wait on each other in a cycle.
        List<String> rest = new ArrayList<>();
        try (PreparedStatement any = c.prepareStatement(REQUEUE + "WHERE delivery_id = ? AND target_id = ?");
                PreparedStatement failed = c.prepareStatement(REQUEUE + "WHERE delivery_id = ? AND target_id = ? AND state = 'failed'")) {
            for (String id : ids) {
                boolean asked = id.equals(deliveryId);
                PreparedStatement ps = asked ? any : failed;
                ps.setLong(1, now);
                ps.setLong(2, deadline);
                ps.setString(3, id);
                ps.setString(4, targetId);
                int queued = ps.executeUpdate();
                if (asked && queued == 0) {
                    return Optional.empty(); // erased since it was read, and its subject's other deliveries with it
                }
                if (!asked && queued == 1) {
                    rest.add(id);
                }
            }
        }
        return Optional.of(rest);
    }

    /**
     * {@link #retryWithRestOfSubject}'s read: the delivery asked for and its subject's failed deliveries to the
     * target, in event order, through (target_id, subject_id, seq).
     */
    static final String SUBJECT_TO_RETRY = "SELECT o.delivery_id FROM outbox_deliveries d JOIN outbox_deliveries o "
            + "ON o.target_id = d.target_id AND o.subject_id = d.subject_id "
            + "WHERE d.delivery_id = ? AND d.target_id = ? AND (o.state = 'failed' OR o.seq = d.seq) ORDER BY o.seq";

    /**
     * Queues again every delivery of a target in {@code state} ({@code failed} or {@code pending})
     * created at or after {@code since} (null: any time); a pending one being attempted now is left
     * to its attempt. One statement: the events keep their order ({@code seq}), so each call's
     * events still go out one after the other. The number queued.
     */
    static int retryAll(Connection c, String targetId, String state, Long since, long now, long deadline) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RETRY_ALL)) {
            ps.setLong(1, now);
            ps.setLong(2, deadline);
            ps.setString(3, targetId);
            ps.setString(4, state);
            ps.setLong(5, now);
            ps.setLong(6, since == null ? Long.MIN_VALUE : since);
            return ps.executeUpdate();
        }
    }

    /**
     * {@link #retryAll}'s statement: {@code seq > 0} (every row) lets (target_id, seq) serve two
     * conditions, so the target's rows are read rather than the state index's rows of every target.
     */
    static final String RETRY_ALL = REQUEUE + "WHERE target_id = ? AND seq > 0 AND state = ? "
            + "AND (lease_until IS NULL OR lease_until < ?) AND created_at >= ?";

    /**
     * Queues again every delivery of a target that was given up with an error starting
     * {@code errorPrefix} (deliveries the target refused to send); the number queued.
     */
    static int retryFailed(Connection c, String targetId, String errorPrefix, long now, long deadline) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RETRY_FAILED)) {
            ps.setLong(1, now);
            ps.setLong(2, deadline);
            ps.setString(3, targetId);
            ps.setString(4, errorPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            return ps.executeUpdate();
        }
    }

    /** {@link #retryFailed}'s statement: {@code seq > 0} for the target's index, as in {@link #ABANDON_TARGET}. */
    static final String RETRY_FAILED = REQUEUE + "WHERE target_id = ? AND seq > 0 AND state = 'failed' AND last_error LIKE ?";

    /**
     * The read of one page of the delivery log: parameters the target, the state when
     * {@code byState}, the position (the first page: {@link Long#MAX_VALUE}), the page size. It walks
     * the (target_id, seq) index newest first and stops at the page's end (V126).
     */
    static String pageSql(boolean byState) {
        // The page is cut from the deliveries alone, then joined to its events: a join's ORDER BY is a sort of every row.
        // H2 walks an index backwards only for an ORDER BY of all its columns descending; the position is always
        // given, so (target_id, seq) serves two conditions and wins over the state's index (which holds every target).
        return "SELECT d.delivery_id, d.event_id, e.type, d.subject_id, d.target_id, d.state, d.attempts, d.created_at, "
                + "d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_error, d.delivered_at, d.seq "
                + "FROM (SELECT * FROM outbox_deliveries WHERE target_id = ? " + (byState ? "AND state = ? " : "")
                + "AND seq < ? ORDER BY target_id DESC, seq DESC LIMIT ?) d "
                + "JOIN outbox_events e ON e.event_id = d.event_id ORDER BY d.seq DESC";
    }

    /** One page of a target's delivery log, and where the next one starts (null: this was the last). */
    record Page(List<Delivery> deliveries, Long next) {}

    /** A target's newest {@code limit} deliveries: {@link #page} without a filter. */
    static List<Delivery> deliveries(Connection c, String targetId, int limit, long now) throws SQLException {
        return page(c, targetId, null, null, limit, now).deliveries();
    }

    /**
     * A target's deliveries, newest first ({@code seq} descending), each with its attempts: those in
     * {@code state} (null: any) below position {@code before} (the {@code seq} of the previous
     * page's last; null: from the newest). A pending one's next attempt is shown as the worker will
     * make it: no sooner than the target's hold, nor than the next attempt of any earlier pending
     * delivery of the same subject it waits behind ({@code waitingFor}: the first of those, the one
     * being tried).
     */
    static Page page(Connection c, String targetId, String state, Long before, int limit, long now) throws SQLException {
        List<Delivery> out = new ArrayList<>();
        Long next = null;
        long last = 0;
        try (PreparedStatement ps = c.prepareStatement(pageSql(state != null));
                PreparedStatement log = c.prepareStatement("SELECT attempt, attempted_at, duration_millis, status_code, error, response "
                        + "FROM outbox_attempts WHERE delivery_id = ? ORDER BY attempt");
                PreparedStatement ahead = c.prepareStatement("SELECT delivery_id, next_attempt_at FROM outbox_deliveries "
                        + "WHERE target_id = ? AND subject_id = ? AND seq < ? AND state = 'pending' ORDER BY seq")) {
            int i = 1;
            ps.setString(i++, targetId);
            if (state != null) {
                ps.setString(i++, state);
            }
            ps.setLong(i++, before == null ? Long.MAX_VALUE : before);
            ps.setInt(i, limit + 1);
            Long held = heldUntil(c, targetId, now);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (out.size() == limit) {
                        next = last;
                        break;
                    }
                    String id = rs.getString(1);
                    String rowState = rs.getString(6);
                    long seq = rs.getLong(14);
                    log.setString(1, id);
                    List<Delivery.LoggedAttempt> attempts = new ArrayList<>();
                    try (ResultSet l = log.executeQuery()) {
                        while (l.next()) {
                            attempts.add(new Delivery.LoggedAttempt(l.getInt(1), Instant.ofEpochMilli(l.getLong(2)), l.getLong(3),
                                    integer(l, 4), l.getString(5), l.getString(6)));
                        }
                    }
                    Instant nextAttempt = null;
                    String waitingFor = null;
                    if ("pending".equals(rowState)) {
                        long due = rs.getLong(9);
                        ahead.setString(1, targetId);
                        ahead.setString(2, rs.getString(4));
                        ahead.setLong(3, seq);
                        try (ResultSet a = ahead.executeQuery()) {
                            while (a.next()) {
                                waitingFor = waitingFor == null ? a.getString(1) : waitingFor;
                                due = Math.max(due, a.getLong(2));
                            }
                        }
                        nextAttempt = nextAttempt(Instant.ofEpochMilli(due), held);
                    }
                    out.add(new Delivery(id, rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rowState, rs.getInt(7),
                            instant(rs, 8), nextAttempt, waitingFor, instant(rs, 10), integer(rs, 11), rs.getString(12), instant(rs, 13),
                            List.copyOf(attempts)));
                    last = seq;
                }
            }
        }
        return new Page(out, next);
    }

    /** Counts of a target's deliveries by state, and its newest attempt. */
    record Summary(long pending, long delivered, long failed, Optional<Delivery> last) {}

    static Summary summary(Connection c, String targetId, long now) throws SQLException {
        long pending = 0;
        long delivered = 0;
        long failed = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT state, COUNT(*) FROM outbox_deliveries WHERE target_id = ? GROUP BY state")) {
            ps.setString(1, targetId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    switch (rs.getString(1)) {
                        case "pending" -> pending = rs.getLong(2);
                        case "delivered" -> delivered = rs.getLong(2);
                        default -> failed += rs.getLong(2);
                    }
                }
            }
        }
        List<Delivery> newest = deliveries(c, targetId, 1, now);
        return new Summary(pending, delivered, failed, newest.stream().findFirst());
    }

    /**
     * Deletes what is older than {@code before} and finished: attempts and deliveries no longer
     * pending, events none of whose deliveries remain, and upload logs. Returns the rows deleted.
     */
    static int purge(Connection c, long before) throws SQLException {
        int n = 0;
        for (String sql : new String[] {
                "DELETE FROM outbox_attempts WHERE delivery_id IN (SELECT delivery_id FROM outbox_deliveries "
                        + "WHERE state <> 'pending' AND created_at < ?)",
                "DELETE FROM outbox_deliveries WHERE state <> 'pending' AND created_at < ?",
                "DELETE FROM outbox_events WHERE created_at < ? AND NOT EXISTS "
                        + "(SELECT 1 FROM outbox_deliveries d WHERE d.event_id = outbox_events.event_id)",
                "DELETE FROM uploads WHERE created_at < ?",
                "DELETE FROM outbox_holds WHERE held_until < ?"}) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, before);
                n += ps.executeUpdate();
            }
        }
        return n;
    }

    /**
     * As {@link #purge}, for one site: what is older than {@code before} and finished. The site's
     * retention purges its callers' numbers and people's data sooner than the 30 days logs are kept
     * for; its delivered events and upload logs carry the same numbers and must go with them.
     */
    static int purgeSite(Connection c, String siteId, long before) throws SQLException {
        int n = 0;
        for (String sql : new String[] {
                "DELETE FROM outbox_attempts WHERE delivery_id IN (SELECT delivery_id FROM outbox_deliveries "
                        + "WHERE site_id = ? AND state <> 'pending' AND created_at < ?)",
                "DELETE FROM outbox_deliveries WHERE site_id = ? AND state <> 'pending' AND created_at < ?",
                "DELETE FROM outbox_events WHERE site_id = ? AND created_at < ? AND NOT EXISTS "
                        + "(SELECT 1 FROM outbox_deliveries d WHERE d.event_id = outbox_events.event_id)",
                "DELETE FROM uploads WHERE site_id = ? AND created_at < ?"}) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, siteId);
                ps.setLong(2, before);
                n += ps.executeUpdate();
            }
        }
        return n;
    }

    private static void setInt(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }

    private static Instant nextAttempt(Instant due, Long heldUntil) {
        return heldUntil == null || due == null || due.toEpochMilli() >= heldUntil ? due : Instant.ofEpochMilli(heldUntil);
    }

    private static Integer integer(ResultSet rs, int column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}
