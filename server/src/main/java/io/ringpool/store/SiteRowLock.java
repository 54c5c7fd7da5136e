package io.ringpool.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A site's row in {@code sites}, locked until the transaction ends. "Count the site's webhooks
 * (feeds, destinations), then insert if under the limit" holds only when such transactions of one
 * site take turns: under READ COMMITTED, H2's and PostgreSQL's default, two at once both count 19
 * and both insert (ConcurrentRequestsSweepTest saw 21 feeds). The lock lives in the store, so it
 * holds across nodes too; other sites are not held up.
 */
public final class SiteRowLock {
    private SiteRowLock() {}

    public static void hold(Connection c, String siteId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT site_id FROM sites WHERE site_id = ? FOR UPDATE")) {
            ps.setString(1, siteId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
    }
}
