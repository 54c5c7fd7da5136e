package io.ringpool.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The {@code cluster_changes} table: every write that changes what nodes hold in memory about a
 * site (the site and its keys and settings, its pools, numbers, static numbers) adds a row in its
 * own transaction, so the row exists exactly when the change does. Other nodes poll it
 * ({@code cluster.ChangeFollower}) and reload what it names. On PostgreSQL the same transaction
 * also notifies {@value #CHANNEL}, which PostgreSQL delivers at commit, so the other nodes read it
 * at once ({@code cluster.ChangeNotifications}) instead of at their next poll.
 */
public final class ChangeLog {
    /** The site row: name, keys, settings, secrets. */
    public static final String SITE = "site";
    /** A pool and its numbers (created, numbers added or retired); {@code ref} is the pool id. */
    public static final String POOL = "pool";
    /** The site's static numbers. */
    public static final String STATIC_NUMBERS = "static_numbers";
    /** A site's telephony provider settings ({@code site_providers}); {@code ref} is the provider name. */
    public static final String PROVIDERS = "providers";
    /** A webhook created or deleted; {@code ref} is its id. */
    public static final String WEBHOOK = "webhook";
    /** An upload destination created or deleted; {@code ref} is its id. */
    public static final String DESTINATION = "destination";
    /** A feed created or revoked; {@code ref} is its id. */
    public static final String FEED = "feed";

    /** The PostgreSQL notification channel of a committed change (cluster.ChangeNotifications listens on it). */
    public static final String CHANNEL = "ringpool_changes";

    private ChangeLog() {}

    public static void record(Connection c, String kind, String siteId, String ref, long at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster_changes(kind, site_id, ref, recorded_at) VALUES (?,?,?,?)")) {
            ps.setString(1, kind);
            ps.setString(2, siteId);
            ps.setString(3, ref);
            ps.setLong(4, at);
            ps.executeUpdate();
        }
        // H2 serves one node and has no one to tell. The product name is the driver's constant,
        // no round trip; changes are rare (an operator's or marketer's request), never per visit.
        if ("PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
            try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, '')")) {
                notify.setString(1, CHANNEL);
                notify.execute();
            }
        }
    }
}
