package io.ringpool.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The {@code cluster_changes} table: every write that changes what nodes hold in memory about a
 * site (the site and its keys and settings, its pools, numbers, static numbers) adds a row in its
 * own transaction, so the row exists exactly when the change does. Other nodes poll it
 * ({@code cluster.ChangeFollower}) and reload what it names.
 */
public final class ChangeLog {
    /** The site row: name, keys, settings, secrets. */
    public static final String SITE = "site";
    /** A pool and its numbers (created, numbers added or retired); {@code ref} is the pool id. */
    public static final String POOL = "pool";
    /** The site's static numbers. */
    public static final String STATIC_NUMBERS = "static_numbers";

    private ChangeLog() {}

    public static void record(Connection c, String kind, String siteId, String ref, long at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster_changes(kind, site_id, ref, recorded_at) VALUES (?,?,?,?)")) {
            ps.setString(1, kind);
            ps.setString(2, siteId);
            ps.setString(3, ref);
            ps.setLong(4, at);
            ps.executeUpdate();
        }
    }
}
