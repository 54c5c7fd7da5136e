package io.ringpool.feed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code feeds} table (V31, layout V33). */
final class FeedStore {
    private static final String COLUMNS = "feed_id, site_id, format, window_days, conversion_name, username, created_at, revoked_at, "
            + "last_fetch_at, fetch_count, password_hash, layout";

    record Stored(Feed feed, String passwordHash) {}

    private FeedStore() {}

    static void insert(Connection c, Feed f, String passwordHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO feeds(feed_id, site_id, format, window_days, conversion_name, "
                + "username, password_hash, created_at, fetch_count, layout) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)")) {
            ps.setString(1, f.feedId());
            ps.setString(2, f.siteId());
            ps.setString(3, f.format());
            ps.setInt(4, f.windowDays());
            ps.setString(5, f.conversionName());
            ps.setString(6, f.username());
            ps.setString(7, passwordHash);
            ps.setLong(8, f.createdAt().toEpochMilli());
            ps.setString(9, f.layout().wireName());
            ps.executeUpdate();
        }
    }

    static Optional<Stored> byId(Connection c, String feedId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM feeds WHERE feed_id = ?")) {
            ps.setString(1, feedId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    static List<Feed> ofSite(Connection c, String siteId) throws SQLException {
        List<Feed> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM feeds WHERE site_id = ? AND revoked_at IS NULL "
                + "ORDER BY created_at, feed_id")) {
            ps.setString(1, siteId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs).feed());
                }
            }
        }
        return out;
    }

    static boolean revoke(Connection c, String siteId, String feedId, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE feeds SET revoked_at = ? WHERE feed_id = ? AND site_id = ? AND revoked_at IS NULL")) {
            ps.setLong(1, now);
            ps.setString(2, feedId);
            ps.setString(3, siteId);
            return ps.executeUpdate() == 1;
        }
    }

    static void fetched(Connection c, String feedId, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE feeds SET last_fetch_at = ?, fetch_count = fetch_count + 1 WHERE feed_id = ?")) {
            ps.setLong(1, now);
            ps.setString(2, feedId);
            ps.executeUpdate();
        }
    }

    private static Stored read(ResultSet rs) throws SQLException {
        long revoked = rs.getLong(8);
        Instant revokedAt = rs.wasNull() ? null : Instant.ofEpochMilli(revoked);
        long fetched = rs.getLong(9);
        Instant lastFetch = rs.wasNull() ? null : Instant.ofEpochMilli(fetched);
        // A layout this version does not know (written by a newer node) reads as the export's own.
        FeedLayout layout = FeedLayout.byWireName(rs.getString(12)).orElse(FeedLayout.EXPORT);
        Feed f = new Feed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5), layout, rs.getString(6),
                Instant.ofEpochMilli(rs.getLong(7)), revokedAt, lastFetch, rs.getLong(10));
        return new Stored(f, rs.getString(11));
    }
}
