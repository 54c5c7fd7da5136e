package io.ringpool.webhook;

import io.ringpool.account.CreatedBy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The {@code webhooks} table (V30, creator V157). Deleted endpoints stay as rows (their delivery log refers to them) but are never shown. */
final class WebhookStore {
    private static final String COLUMNS = "webhook_id, site_id, url, events, created_at, disabled_at, disabled_reason, "
            + "failing_since, last_success_at, last_failure_at, created_by_kind, created_by, created_by_label";

    /** A webhook with its encrypted secret, for delivery. */
    record Stored(Webhook webhook, String secretEnc, boolean deleted) {}

    private WebhookStore() {}

    static void insert(Connection c, Webhook w, String secretEnc) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO webhooks(webhook_id, site_id, url, events, secret_enc, created_at, created_by_kind, created_by, created_by_label) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, w.webhookId());
            ps.setString(2, w.siteId());
            ps.setString(3, w.url());
            ps.setString(4, String.join(",", w.events()));
            ps.setString(5, secretEnc);
            ps.setLong(6, w.createdAt().toEpochMilli());
            CreatedBy by = w.createdBy();
            ps.setString(7, by == null ? null : by.kind());
            ps.setString(8, by == null ? null : by.id());
            ps.setString(9, by == null ? null : by.label());
            ps.executeUpdate();
        }
    }

    static List<Webhook> ofSite(Connection c, String siteId) throws SQLException {
        List<Webhook> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", secret_enc, deleted_at FROM webhooks "
                + "WHERE site_id = ? AND deleted_at IS NULL ORDER BY created_at, webhook_id")) {
            ps.setString(1, siteId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs).webhook());
                }
            }
        }
        return out;
    }

    /** The webhook, also when deleted (the worker must learn that it was). */
    static Optional<Stored> byId(Connection c, String webhookId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", secret_enc, deleted_at FROM webhooks WHERE webhook_id = ?")) {
            ps.setString(1, webhookId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Ids of the site's enabled webhooks that take {@code type} ({@code disabled}: of its disabled ones). */
    static List<String> subscribers(Connection c, String siteId, String type, boolean disabled) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT webhook_id, events FROM webhooks "
                + "WHERE site_id = ? AND deleted_at IS NULL AND disabled_at IS " + (disabled ? "NOT " : "")
                + "NULL ORDER BY created_at, webhook_id")) {
            ps.setString(1, siteId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (Arrays.asList(rs.getString(2).split(",")).contains(type)) {
                        out.add(rs.getString(1));
                    }
                }
            }
        }
        return out;
    }

    static boolean delete(Connection c, String siteId, String webhookId, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE webhooks SET deleted_at = ? WHERE webhook_id = ? AND site_id = ? AND deleted_at IS NULL")) {
            ps.setLong(1, now);
            ps.setString(2, webhookId);
            ps.setString(3, siteId);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Locks the webhook's row until the transaction ends. Every transaction that writes both the
     * webhook and its deliveries takes it first, so they wait in turn instead of deadlocking on
     * each other's rows ({@code io.ringpool.outbox.Target#lockForRecord}).
     */
    static void lock(Connection c, String webhookId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT webhook_id FROM webhooks WHERE webhook_id = ? FOR UPDATE")) {
            ps.setString(1, webhookId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
    }

    static void succeeded(Connection c, String webhookId, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE webhooks SET failing_since = NULL, last_success_at = ? WHERE webhook_id = ?")) {
            ps.setLong(1, now);
            ps.setString(2, webhookId);
            ps.executeUpdate();
        }
    }

    /** Records a failure; returns since when the endpoint has been failing without a success. */
    static long failed(Connection c, String webhookId, long now, long since) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE webhooks SET failing_since = COALESCE(failing_since, ?), last_failure_at = ? WHERE webhook_id = ?")) {
            ps.setLong(1, since);
            ps.setLong(2, now);
            ps.setString(3, webhookId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT failing_since FROM webhooks WHERE webhook_id = ?")) {
            ps.setString(1, webhookId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : now;
            }
        }
    }

    static void disable(Connection c, String webhookId, long now, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE webhooks SET disabled_at = ?, disabled_reason = ? WHERE webhook_id = ? AND disabled_at IS NULL")) {
            ps.setLong(1, now);
            ps.setString(2, reason.length() > 500 ? reason.substring(0, 500) : reason);
            ps.setString(3, webhookId);
            ps.executeUpdate();
        }
    }

    static void enable(Connection c, String webhookId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE webhooks SET disabled_at = NULL, disabled_reason = NULL, failing_since = NULL WHERE webhook_id = ?")) {
            ps.setString(1, webhookId);
            ps.executeUpdate();
        }
    }

    private static Stored read(ResultSet rs) throws SQLException {
        Webhook w = new Webhook(rs.getString(1), rs.getString(2), rs.getString(3), List.of(rs.getString(4).split(",")),
                Instant.ofEpochMilli(rs.getLong(5)), instant(rs, 6), rs.getString(7), instant(rs, 8), instant(rs, 9), instant(rs, 10),
                rs.getString(11) == null ? null : new CreatedBy(rs.getString(11), rs.getString(12), rs.getString(13)));
        String secretEnc = rs.getString(14);
        rs.getLong(15);
        boolean deleted = !rs.wasNull();
        return new Stored(w, secretEnc, deleted);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}
