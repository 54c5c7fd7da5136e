package io.ringpool.account;

import io.ringpool.site.Keys;
import io.ringpool.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit log: every change to settings, pools, numbers, tags, keys and people, with its actor
 * (a person, a site key or the operator), time and client address. A site's entries go to the
 * workspace that holds the site (none for a site outside every workspace; the row is kept with
 * its site id).
 *
 * <p>An entry is written right after the change it records has committed, in its own
 * transaction: the change is never undone for the log's sake, and a store that fails between the
 * two answers 503 although the change was made (the log then misses that one line).
 */
public final class AuditLog {
    /** Longest detail kept; it is a summary (a changed field list, a number), not a copy of the request. */
    static final int MAX_DETAIL = 4000;

    private final Database db;
    private final WorkspaceStore workspaces;
    private final Clock clock;
    /**
     * Orders this node's entries within one millisecond: a request that writes two entries (a
     * value and the reviewed flag) wrote them at the same millisecond, and random ids listed them
     * either way round. Starts at zero with each process; entries of other nodes in the same
     * millisecond still interleave by chance, as their clocks do.
     */
    private final java.util.concurrent.atomic.AtomicInteger sequence = new java.util.concurrent.atomic.AtomicInteger();

    public AuditLog(Database db, WorkspaceStore workspaces, Clock clock) {
        this.db = db;
        this.workspaces = workspaces;
        this.clock = clock;
    }

    /** Records a change made on a site. */
    public void onSite(Caller caller, String siteId, String address, String action, String target, String detail) {
        write(workspaces.workspaceOfSite(siteId).orElse(null), siteId, caller, address, action, target, detail);
    }

    /** Records a change made on a workspace (its people, its sites). */
    public void onWorkspace(Caller caller, String workspaceId, String address, String action, String target, String detail) {
        write(workspaceId, null, caller, address, action, target, detail);
    }

    private void write(String workspaceId, String siteId, Caller caller, String address, String action, String target, String detail) {
        long now = clock.millis();
        String id = Keys.timeOrdered("au_", now, sequence.getAndIncrement() & Integer.MAX_VALUE, 8);
        String d = detail != null && detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail;
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log(audit_id, workspace_id, site_id, at, actor_kind, "
                    + "actor_id, actor_label, action, target, detail, address) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, id);
                ps.setString(2, workspaceId);
                ps.setString(3, siteId);
                ps.setLong(4, now);
                ps.setString(5, caller.kind());
                ps.setString(6, caller.id());
                ps.setString(7, caller.label());
                ps.setString(8, action);
                ps.setString(9, target);
                ps.setString(10, d);
                ps.setString(11, address);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * A page of the workspace's log, newest first. {@code cursor} is {@link #cursor} of the previous
     * page's last entry, or null. Ordered by time, then id: ids alone are time-ordered only in byte
     * order, and PostgreSQL compares text by the database's collation.
     *
     * @throws io.ringpool.failure.DomainFailure invalid_value for a cursor this log did not make
     */
    private static final java.util.regex.Pattern CURSOR = java.util.regex.Pattern.compile("(\\d{1,19})\\.(au_[A-Za-z0-9_-]{1,60})");

    public List<AuditEntry> page(String workspaceId, String cursor, int limit) {
        long beforeAt = Long.MAX_VALUE;
        String beforeId = "";
        if (cursor != null) {
            // Only what cursor() makes: epoch milliseconds, a dot, an audit id. Anything else is no
            // position in this log, and an empty page for it would read as "nothing older".
            java.util.regex.Matcher m = CURSOR.matcher(cursor);
            if (!m.matches()) {
                throw io.ringpool.failure.DomainFailure.invalid("cursor", "'cursor' must be a nextCursor from this log");
            }
            try {
                beforeAt = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw io.ringpool.failure.DomainFailure.invalid("cursor", "'cursor' must be a nextCursor from this log");
            }
            beforeId = m.group(2);
        }
        long at = beforeAt;
        String id = beforeId;
        return db.read(c -> {
            List<AuditEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT audit_id, workspace_id, site_id, at, actor_kind, actor_id, actor_label, "
                    + "action, target, detail, address FROM audit_log WHERE workspace_id = ? AND (at < ? OR (at = ? AND audit_id < ?)) "
                    + "ORDER BY at DESC, audit_id DESC LIMIT " + limit)) {
                ps.setString(1, workspaceId);
                ps.setLong(2, at);
                ps.setLong(3, at);
                ps.setString(4, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AuditEntry(rs.getString(1), rs.getString(2), rs.getString(3),
                                java.time.Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5), rs.getString(6), rs.getString(7),
                                rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * A URL as the log shows it: scheme, host and port only. The path and query of a webhook or
     * API address often carry a token (Slack's and Zapier's hook URLs are their own secret), and
     * the log keeps no secrets; where the data goes is the host.
     */
    public static String origin(String url) {
        if (url == null) {
            return null;
        }
        try {
            java.net.URI u = new java.net.URI(url);
            if (u.getScheme() == null || u.getHost() == null) {
                return "(an address that is not a URL)";
            }
            return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
        } catch (java.net.URISyntaxException e) {
            return "(an address that is not a URL)";
        }
    }

    /** Where the next page starts after {@code last}. */
    public static String cursor(AuditEntry last) {
        return last.at().toEpochMilli() + "." + last.auditId();
    }
}
