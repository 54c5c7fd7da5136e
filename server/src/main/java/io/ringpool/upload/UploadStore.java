package io.ringpool.upload;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.function.BiPredicate;
import java.util.function.UnaryOperator;

/** The {@code destinations} and {@code uploads} tables (V32; creators V160). */
final class UploadStore {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {};
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};
    private static final TypeReference<List<Map<String, Object>>> ROWS = new TypeReference<>() {};

    /** One upload as the log shows it. */
    record Upload(String uploadId, String destinationId, Instant createdAt, String status, int rowCount, int skippedCount,
            List<Map<String, Object>> rows, List<Map<String, Object>> requests, Integer responseStatus, String response, String error) {}

    private UploadStore() {}

    static void insertDestination(Connection c, Destination d, String secretsEnc) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO destinations(destination_id, site_id, type, settings_json, "
                + "secrets_enc, dry_run, created_at, filter_json, created_by_kind, created_by, created_by_label) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, d.destinationId());
            ps.setString(2, d.siteId());
            ps.setString(3, d.type());
            ps.setString(4, write(d.settings()));
            ps.setString(5, secretsEnc);
            ps.setBoolean(6, d.dryRun());
            ps.setLong(7, d.createdAt().toEpochMilli());
            ps.setString(8, d.filter().isNone() ? null : write(d.filter().asMap()));
            io.ringpool.account.CreatedBy by = d.createdBy();
            ps.setString(9, by == null ? null : by.kind());
            ps.setString(10, by == null ? null : by.id());
            ps.setString(11, by == null ? null : by.label());
            ps.executeUpdate();
        }
    }

    /** Writes a live destination's settings, credentials, filter and dry-run mode. */
    static void updateDestination(Connection c, Destination d, String secretsEnc) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE destinations SET settings_json = ?, secrets_enc = ?, dry_run = ?, "
                + "filter_json = ? WHERE destination_id = ? AND deleted_at IS NULL")) {
            ps.setString(1, write(d.settings()));
            ps.setString(2, secretsEnc);
            ps.setBoolean(3, d.dryRun());
            ps.setString(4, d.filter().isNone() ? null : write(d.filter().asMap()));
            ps.setString(5, d.destinationId());
            ps.executeUpdate();
        }
    }

    /** The destination (with its secrets decrypted by {@code decrypt}), or empty when unknown or deleted. */
    static Optional<Destination> destination(Connection c, String destinationId, UnaryOperator<String> decrypt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT destination_id, site_id, type, settings_json, secrets_enc, dry_run, "
                + "created_at, filter_json, created_by_kind, created_by, created_by_label FROM destinations WHERE destination_id = ? AND deleted_at IS NULL")) {
            ps.setString(1, destinationId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs, decrypt)) : Optional.empty();
            }
        }
    }

    static List<Destination> ofSite(Connection c, String siteId) throws SQLException {
        List<Destination> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT destination_id, site_id, type, settings_json, secrets_enc, dry_run, "
                + "created_at, filter_json, created_by_kind, created_by, created_by_label FROM destinations WHERE site_id = ? AND deleted_at IS NULL ORDER BY created_at, destination_id")) {
            ps.setString(1, siteId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs, s -> null));
                }
            }
        }
        return out;
    }

    /** The site's live destinations whose type and filter pass {@code takes}, in creation order. */
    static List<String> subscribers(Connection c, String siteId, BiPredicate<String, DestinationFilter> takes) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT destination_id, type, filter_json FROM destinations WHERE site_id = ? "
                + "AND deleted_at IS NULL ORDER BY created_at, destination_id")) {
            ps.setString(1, siteId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (takes.test(rs.getString(2), readFilter(rs.getString(3)))) {
                        out.add(rs.getString(1));
                    }
                }
            }
        }
        return out;
    }

    static boolean delete(Connection c, String siteId, String destinationId, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE destinations SET deleted_at = ? WHERE destination_id = ? AND site_id = ? AND deleted_at IS NULL")) {
            ps.setLong(1, now);
            ps.setString(2, destinationId);
            ps.setString(3, siteId);
            return ps.executeUpdate() == 1;
        }
    }

    static void insertUpload(Connection c, Upload u, String siteId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO uploads(upload_id, destination_id, site_id, created_at, status, "
                + "row_count, skipped_count, rows_json, request_json, response_status, response_body, error) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, u.uploadId());
            ps.setString(2, u.destinationId());
            ps.setString(3, siteId);
            ps.setLong(4, u.createdAt().toEpochMilli());
            ps.setString(5, u.status());
            ps.setInt(6, u.rowCount());
            ps.setInt(7, u.skippedCount());
            ps.setString(8, clip(write(u.rows()), 1_000_000));
            ps.setString(9, clip(write(u.requests()), 1_000_000));
            if (u.responseStatus() == null) {
                ps.setNull(10, Types.INTEGER);
            } else {
                ps.setInt(10, u.responseStatus());
            }
            ps.setString(11, clip(u.response(), 70_000));
            ps.setString(12, clip(io.ringpool.outbox.Attempt.printable(u.error()), 500)); // no raw bytes of a garbage answer
            ps.executeUpdate();
        }
    }

    /** Where a page of the upload log ends: the last upload's time and id (two uploads may share a millisecond). */
    record Position(long createdAt, String uploadId) {}

    /** A page of the upload log, newest first; {@code next} is where the following page starts, null after the last. */
    record UploadPage(List<Upload> uploads, Position next) {}

    /**
     * The read of one page: parameters the destination, the position (time, time, id; the first
     * page: {@link Long#MAX_VALUE} and an empty id) and the page size.
     */
    // The ORDER BY starts with destination_id so that H2 walks (destination_id, created_at) backwards (V32), sorts
    // only uploads of the same millisecond by id, and stops at the page's end; ordered by created_at first it read
    // and sorted every upload of the destination, each with up to a megabyte of rows.
    static final String PAGE = "SELECT upload_id, destination_id, created_at, status, row_count, skipped_count, rows_json, "
            + "request_json, response_status, response_body, error FROM uploads WHERE destination_id = ? AND created_at <= ? "
            + "AND (created_at < ? OR upload_id < ?) ORDER BY destination_id DESC, created_at DESC, upload_id DESC LIMIT ?";

    /** A destination's uploads before {@code before} (null: from the newest), newest first, at most {@code limit}. */
    static UploadPage uploads(Connection c, String destinationId, Position before, int limit) throws SQLException {
        List<Upload> out = new ArrayList<>();
        Position next = null;
        try (PreparedStatement ps = c.prepareStatement(PAGE)) {
            long at = before == null ? Long.MAX_VALUE : before.createdAt();
            ps.setString(1, destinationId);
            ps.setLong(2, at);
            ps.setLong(3, at);
            ps.setString(4, before == null ? "" : before.uploadId());
            ps.setInt(5, limit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (out.size() == limit) {
                        Upload last = out.get(limit - 1);
                        next = new Position(last.createdAt().toEpochMilli(), last.uploadId());
                        break;
                    }
                    int status = rs.getInt(9);
                    Integer responseStatus = rs.wasNull() ? null : status;
                    out.add(new Upload(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4),
                            rs.getInt(5), rs.getInt(6), readRows(rs.getString(7)), readRows(rs.getString(8)), responseStatus,
                            rs.getString(10), rs.getString(11)));
                }
            }
        }
        return new UploadPage(out, next);
    }

    private static Destination read(ResultSet rs, UnaryOperator<String> decrypt) throws SQLException {
        String secrets = decrypt.apply(rs.getString(5));
        return new Destination(rs.getString(1), rs.getString(2), rs.getString(3), readStrings(rs.getString(4)),
                secrets == null ? Map.of() : readStrings(secrets), readFilter(rs.getString(8)), rs.getBoolean(6),
                Instant.ofEpochMilli(rs.getLong(7)),
                rs.getString(9) == null ? null : new io.ringpool.account.CreatedBy(rs.getString(9), rs.getString(10), rs.getString(11)));
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> readStrings(String json) {
        try {
            return new LinkedHashMap<>(JSON.readValue(json, STRINGS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DestinationFilter readFilter(String json) {
        if (json == null) {
            return DestinationFilter.NONE;
        }
        try {
            return DestinationFilter.of(JSON.readValue(json, OBJECT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Map<String, Object>> readRows(String json) {
        try {
            return JSON.readValue(json, ROWS);
        } catch (IOException e) {
            return List.of(); // clipped when stored: the count and the answer still tell the story
        }
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
