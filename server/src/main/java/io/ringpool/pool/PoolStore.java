package io.ringpool.pool;

import io.ringpool.http.Json;
import io.ringpool.store.Database;
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

/** Pools, numbers and leases in the database. */
public final class PoolStore {

    public record StoredNumber(String poolId, String number, Long releasedAt, String lastVisitorId, boolean retired) {}

    public record StoredLease(String leaseId, String poolId, String number, String sessionId, String visitorId,
            long startedAt, long expiresAt, boolean reusedCooling) {}

    /** One lease as call attribution reads it. */
    public record LeaseRecord(String leaseId, String poolId, String number, String sessionId, String visitorId,
            Instant startedAt, Instant expiresAt, Instant endedAt, boolean reusedCooling) {}

    private final Database db;

    public PoolStore(Database db) {
        this.db = db;
    }

    public void insertPool(Pool pool, List<String> numbers, long now) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO pools(pool_id, site_id, name, priority, match_json, created_at) VALUES (?,?,?,?,?,?)")) {
                ps.setString(1, pool.poolId());
                ps.setString(2, pool.siteId());
                ps.setString(3, pool.name());
                ps.setInt(4, pool.priority());
                ps.setString(5, new String(Json.write(pool.match().rules()), java.nio.charset.StandardCharsets.UTF_8));
                ps.setLong(6, pool.createdAt().toEpochMilli());
                ps.executeUpdate();
            }
            insertNumbers(c, pool, numbers, now);
            return null;
        });
    }

    public void addNumbers(Pool pool, List<String> numbers, long now) {
        db.inTransaction(c -> {
            insertNumbers(c, pool, numbers, now);
            return null;
        });
    }

    private static void insertNumbers(Connection c, Pool pool, List<String> numbers, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO pool_numbers(site_id, number, pool_id, added_at) VALUES (?,?,?,?)")) {
            for (String n : numbers) {
                ps.setString(1, pool.siteId());
                ps.setString(2, n);
                ps.setString(3, pool.poolId());
                ps.setLong(4, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    public void retireNumber(String siteId, String number, long now) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE pool_numbers SET retired_at = ? WHERE site_id = ? AND number = ? AND retired_at IS NULL")) {
                ps.setLong(1, now);
                ps.setString(2, siteId);
                ps.setString(3, number);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public List<Pool> loadPools() {
        return db.read(c -> {
            List<Pool> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pool_id, site_id, name, priority, match_json, created_at FROM pools ORDER BY created_at, pool_id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> rules = new LinkedHashMap<>();
                    Json.MAPPER.readTree(rs.getString(5)).fields().forEachRemaining(e -> rules.put(e.getKey(), e.getValue().asText()));
                    out.add(new Pool(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            new PoolMatch(Map.copyOf(rules)), Instant.ofEpochMilli(rs.getLong(6))));
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SQLException("unreadable pool match", e);
            }
            return out;
        });
    }

    public List<StoredNumber> loadNumbers() {
        return db.read(c -> {
            List<StoredNumber> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pool_id, number, last_released_at, last_visitor_id, retired_at FROM pool_numbers");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long released = rs.getLong(3);
                    Long releasedAt = rs.wasNull() ? null : released;
                    rs.getLong(5);
                    boolean retired = !rs.wasNull();
                    out.add(new StoredNumber(rs.getString(1), rs.getString(2), releasedAt, rs.getString(4), retired));
                }
            }
            return out;
        });
    }

    public List<StoredLease> loadLiveLeases() {
        return db.read(c -> {
            List<StoredLease> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT l.lease_id, l.pool_id, l.number, l.session_id, l.visitor_id, "
                    + "l.started_at, l.expires_at, l.reused_cooling FROM leases l JOIN live_leases ll ON ll.lease_id = l.lease_id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new StoredLease(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getLong(6), rs.getLong(7), rs.getBoolean(8)));
                }
            }
            return out;
        });
    }

    public Map<String, Long> exhaustionCounts() {
        return db.read(c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT pool_id, COUNT(*) FROM pool_exhaustions GROUP BY pool_id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    /**
     * The leases of {@code number} that overlap [from, to] (live ones included), oldest first:
     * what call attribution reads.
     */
    public List<LeaseRecord> leasesOfNumber(String siteId, String number, Instant from, Instant to) {
        return db.read(c -> {
            List<LeaseRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT lease_id, pool_id, number, session_id, visitor_id, started_at, "
                    + "expires_at, ended_at, reused_cooling FROM leases WHERE site_id = ? AND number = ? AND started_at <= ? "
                    + "AND (ended_at IS NULL OR ended_at >= ?) ORDER BY started_at, lease_id")) {
                ps.setString(1, siteId);
                ps.setString(2, number);
                ps.setLong(3, to.toEpochMilli());
                ps.setLong(4, from.toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long ended = rs.getLong(8);
                        Instant endedAt = rs.wasNull() ? null : Instant.ofEpochMilli(ended);
                        out.add(new LeaseRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7)),
                                endedAt, rs.getBoolean(9)));
                    }
                }
            }
            return out;
        });
    }

    // ---- lease writes, run by the group-commit writer --------------------------------------

    static void insertLease(Connection c, Lease lease) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO live_leases(site_id, number, lease_id, session_id) VALUES (?,?,?,?)")) {
            ps.setString(1, lease.siteId);
            ps.setString(2, lease.number);
            ps.setString(3, lease.leaseId);
            ps.setString(4, lease.sessionId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO leases(lease_id, site_id, pool_id, number, session_id, visitor_id, "
                + "started_at, expires_at, reused_cooling) VALUES (?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, lease.leaseId);
            ps.setString(2, lease.siteId);
            ps.setString(3, lease.poolId);
            ps.setString(4, lease.number);
            ps.setString(5, lease.sessionId);
            ps.setString(6, lease.visitorId);
            ps.setLong(7, lease.startedAt);
            ps.setLong(8, lease.expiresAt);
            ps.setBoolean(9, lease.reusedCooling);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE pool_numbers SET last_visitor_id = ? WHERE site_id = ? AND number = ?")) {
            ps.setString(1, lease.visitorId);
            ps.setString(2, lease.siteId);
            ps.setString(3, lease.number);
            ps.executeUpdate();
        }
    }

    static void updateExpiry(Connection c, String leaseId, long expiresAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE leases SET expires_at = ? WHERE lease_id = ?")) {
            ps.setLong(1, expiresAt);
            ps.setString(2, leaseId);
            ps.executeUpdate();
        }
    }

    static void endLease(Connection c, Lease lease, long endedAt, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE leases SET ended_at = ?, expires_at = ?, end_reason = ? WHERE lease_id = ?")) {
            ps.setLong(1, endedAt);
            ps.setLong(2, endedAt);
            ps.setString(3, reason);
            ps.setString(4, lease.leaseId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM live_leases WHERE site_id = ? AND number = ? AND lease_id = ?")) {
            ps.setString(1, lease.siteId);
            ps.setString(2, lease.number);
            ps.setString(3, lease.leaseId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE pool_numbers SET last_released_at = ? WHERE site_id = ? AND number = ?")) {
            ps.setLong(1, endedAt);
            ps.setString(2, lease.siteId);
            ps.setString(3, lease.number);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET ended_at = ? WHERE session_id = ? AND ended_at IS NULL")) {
            ps.setLong(1, endedAt);
            ps.setString(2, lease.sessionId);
            ps.executeUpdate();
        }
    }

    static void insertExhaustion(Connection c, String siteId, String poolId, long at, String outcome) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO pool_exhaustions(site_id, pool_id, at, outcome) VALUES (?,?,?,?)")) {
            ps.setString(1, siteId);
            ps.setString(2, poolId);
            ps.setLong(3, at);
            ps.setString(4, outcome);
            ps.executeUpdate();
        }
    }

    static void setNullableLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }
}
