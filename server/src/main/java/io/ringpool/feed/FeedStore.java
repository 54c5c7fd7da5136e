package io.ringpool.feed;

import io.ringpool.account.CreatedBy;
import io.ringpool.call.AttributionMethod;
import io.ringpool.call.CallState;
import io.ringpool.export.ExportFilters;
import io.ringpool.export.ExportQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The {@code feeds} table (V31, layout V33, filters V112, the call log's filters V122, creator V156). */
final class FeedStore {
    private static final String COLUMNS = "feed_id, site_id, format, window_days, conversion_name, username, created_at, revoked_at, "
            + "last_fetch_at, fetch_count, password_hash, layout, filter_tag, filter_target, filter_unique, filter_unique_target, "
            + "filter_id_type, filter_leads, lead_conversion_name, filter_status, filter_method, filter_caller, filter_ambiguous, "
            + "created_by_kind, created_by, created_by_label";

    record Stored(Feed feed, String passwordHash) {}

    private FeedStore() {}

    static void insert(Connection c, Feed f, String passwordHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO feeds(feed_id, site_id, format, window_days, conversion_name, "
                + "username, password_hash, created_at, fetch_count, layout, filter_tag, filter_target, filter_unique, filter_unique_target, "
                + "filter_id_type, filter_leads, lead_conversion_name, filter_status, filter_method, filter_caller, filter_ambiguous, "
                + "created_by_kind, created_by, created_by_label) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, f.feedId());
            ps.setString(2, f.siteId());
            ps.setString(3, f.format());
            ps.setInt(4, f.windowDays());
            ps.setString(5, f.conversionName());
            ps.setString(6, f.username());
            ps.setString(7, passwordHash);
            ps.setLong(8, f.createdAt().toEpochMilli());
            ps.setString(9, f.layout().wireName());
            ExportFilters x = f.filters();
            ps.setString(10, x.tag());
            ps.setObject(11, x.target(), Types.BOOLEAN);
            ps.setObject(12, x.unique(), Types.BOOLEAN);
            ps.setObject(13, x.uniqueTarget(), Types.BOOLEAN);
            ps.setString(14, x.idType() == null ? null : x.idType().wireName());
            ps.setObject(15, x.leads(), Types.BOOLEAN);
            ps.setString(16, x.leadConversionName());
            ps.setString(17, x.status() == null ? null : x.status().wireName());
            ps.setString(18, x.method() == null ? null : x.method().wireName());
            ps.setString(19, x.caller());
            ps.setObject(20, x.ambiguous(), Types.BOOLEAN);
            CreatedBy by = f.createdBy();
            ps.setString(21, by == null ? null : by.kind());
            ps.setString(22, by == null ? null : by.id());
            ps.setString(23, by == null ? null : by.label());
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

    /** The feeds in use that the person {@code userId} created, on any site. */
    static List<Feed> createdByPerson(Connection c, String userId) throws SQLException {
        List<Feed> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM feeds WHERE created_by = ? AND created_by_kind = ? "
                + "AND revoked_at IS NULL ORDER BY created_at, feed_id")) {
            ps.setString(1, userId);
            ps.setString(2, CreatedBy.PERSON);
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
        String idType = rs.getString(17);
        ExportFilters filters = new ExportFilters(rs.getString(13), bool(rs, 14), bool(rs, 15), bool(rs, 16),
                // An id type this version does not know (a newer node's) reads as the default.
                Arrays.stream(ExportQuery.IdType.values()).filter(t -> t.wireName().equals(idType)).findFirst().orElse(null),
                bool(rs, 18), rs.getString(19), wire(CallState.Status.values(), CallState.Status::wireName, rs.getString(20)),
                wire(AttributionMethod.values(), AttributionMethod::wireName, rs.getString(21)), rs.getString(22), bool(rs, 23));
        String byKind = rs.getString(24);
        CreatedBy createdBy = byKind == null ? null : new CreatedBy(byKind, rs.getString(25), rs.getString(26));
        Feed f = new Feed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5), layout, filters, rs.getString(6),
                Instant.ofEpochMilli(rs.getLong(7)), revokedAt, lastFetch, rs.getLong(10), createdBy);
        return new Stored(f, rs.getString(11));
    }

    /**
     * A status or method this version does not know (a newer node's) reads as "any": the feed then
     * holds more calls, never fewer, until this node is updated too.
     */
    private static <E> E wire(E[] constants, Function<E, String> wireName, String stored) {
        return stored == null ? null : Arrays.stream(constants).filter(c -> wireName.apply(c).equals(stored)).findFirst().orElse(null);
    }

    private static Boolean bool(ResultSet rs, int column) throws SQLException {
        boolean value = rs.getBoolean(column);
        return rs.wasNull() ? null : value;
    }
}
