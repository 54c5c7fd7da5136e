package io.ringpool.pool;

import io.ringpool.store.ChangeLog;
import io.ringpool.store.Database;
import io.ringpool.store.NumberClaimTurn;
import io.ringpool.store.StorageJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pools, numbers and leases in the database. */
public final class PoolStore {

    /** @param retiredAt when it was retired (epoch ms) if {@code retired} */
    public record StoredNumber(String poolId, String number, Long releasedAt, String lastVisitorId, boolean retired, long retiredAt) {}

    /** A static number as stored: in use while {@code retiredAt} is null. */
    public record StoredStatic(StaticNumber number, Long retiredAt) {}

    /**
     * One entry of a static number's attribution history (V155): from {@code beganAt} (epoch ms)
     * it stood for {@code attribution}'s source; null when it was retired then.
     */
    public record StoredStaticAttribution(String siteId, String number, long beganAt, StaticNumber attribution) {}

    /** A live lease as stored, with its visit's landing page (as stored: its ad tags tell a new source from the same one). */
    public record StoredLease(String leaseId, String poolId, String number, String sessionId, String visitorId,
            long startedAt, long expiresAt, boolean reusedCooling, long epoch, String landingPage) {}

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
                ps.setString(5, StorageJson.write(pool.match().rules()));
                ps.setLong(6, pool.createdAt().toEpochMilli());
                ps.executeUpdate();
            }
            insertNumbers(c, pool, numbers, now);
            ChangeLog.record(c, ChangeLog.POOL, pool.siteId(), pool.poolId(), now);
            return null;
        });
    }

    public void addNumbers(Pool pool, List<String> numbers, long now) {
        addNumbers(pool, numbers, List.of(), now);
    }

    /**
     * Adds {@code numbers} to the pool and brings back {@code returning}, numbers retired from this
     * pool: each claims its number again, and a returning one loses its retirement (its row, with
     * its history, was kept).
     */
    public void addNumbers(Pool pool, List<String> numbers, List<String> returning, long now) {
        db.inTransaction(c -> {
            if (!returning.isEmpty()) {
                claim(c, pool.siteId(), returning, "pool", now);
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE pool_numbers SET retired_at = NULL WHERE site_id = ? AND number = ? AND pool_id = ?")) {
                    for (String n : returning) {
                        ps.setString(1, pool.siteId());
                        ps.setString(2, n);
                        ps.setString(3, pool.poolId());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            insertNumbers(c, pool, numbers, now);
            ChangeLog.record(c, ChangeLog.POOL, pool.siteId(), pool.poolId(), now);
            return null;
        });
    }

    private static void insertNumbers(Connection c, Pool pool, List<String> numbers, long now) throws SQLException {
        if (numbers.isEmpty()) {
            return;
        }
        claim(c, pool.siteId(), numbers, "pool", now);
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

    /**
     * Claims {@code numbers} for {@code siteId} (table {@code claimed_numbers}, V10). A number
     * another site claimed fails the transaction on the primary key: a constraint, so it holds
     * between nodes too. A number that is a site's default number (this site's or another's) is
     * refused with {@link NumberOfASite}, and so is one a site forwards its calls to, checked in turn with every claim of a default number or
     * forwarding target ({@link NumberClaimTurn}, V13, V132), so that holds between nodes as well.
     */
    private static void claim(Connection c, String siteId, List<String> numbers, String kind, long now) throws SQLException {
        NumberClaimTurn.take(c);
        for (int from = 0; from < numbers.size(); from += DEFAULTS_CHECKED_AT_ONCE) {
            List<String> some = numbers.subList(from, Math.min(numbers.size(), from + DEFAULTS_CHECKED_AT_ONCE));
            String marks = String.join(",", java.util.Collections.nCopies(some.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement("SELECT default_number, forward_to, site_id FROM sites WHERE default_number IN ("
                    + marks + ") OR forward_to IN (" + marks + ")")) {
                for (int i = 0; i < some.size(); i++) {
                    ps.setString(i + 1, some.get(i));
                    ps.setString(some.size() + i + 1, some.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        String defaultNumber = rs.getString(1);
                        boolean isDefault = some.contains(defaultNumber);
                        throw new NumberOfASite(isDefault ? defaultNumber : rs.getString(2), rs.getString(3), !isDefault);
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO claimed_numbers(number, site_id, kind, claimed_at) VALUES (?,?,?,?)")) {
            for (String n : numbers) {
                ps.setString(1, n);
                ps.setString(2, siteId);
                ps.setString(3, kind);
                ps.setLong(4, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Numbers looked up among the sites' default numbers per statement (bind parameters are limited). */
    private static final int DEFAULTS_CHECKED_AT_ONCE = 500;

    /**
     * A number being claimed is the default number of site {@code siteId}, or ({@code forwarding})
     * where it forwards its calls ({@code forwardTo}: as a tracking number it would have the calls
     * dialled back into itself, or another tenant's calls put through to it); the claim's
     * transaction was rolled back.
     */
    static final class NumberOfASite extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String number;
        final String siteId;
        final boolean forwarding;

        NumberOfASite(String number, String siteId, boolean forwarding) {
            super(number + (forwarding ? " is a forwarding target" : " is a default number"), null, false, false);
            this.number = number;
            this.siteId = siteId;
            this.forwarding = forwarding;
        }
    }

    /** Of {@code numbers}, those claimed by a site other than {@code siteId}. */
    public List<String> claimedElsewhere(String siteId, List<String> numbers) {
        return db.read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT site_id FROM claimed_numbers WHERE number = ?")) {
                for (String n : numbers) {
                    ps.setString(1, n);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next() && !siteId.equals(rs.getString(1))) {
                            out.add(n);
                        }
                    }
                }
            }
            return out;
        });
    }

    public void retireNumber(String siteId, String poolId, String number, long now) {
        db.inTransaction(c -> {
            ChangeLog.record(c, ChangeLog.POOL, siteId, poolId, now);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM claimed_numbers WHERE number = ? AND site_id = ?")) {
                ps.setString(1, number);
                ps.setString(2, siteId);
                ps.executeUpdate();
            }
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
        return loadPools(null);
    }

    /** Every pool, or only {@code poolId} when given. */
    public List<Pool> loadPools(String poolId) {
        return db.read(c -> {
            List<Pool> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pool_id, site_id, name, priority, match_json, created_at FROM pools"
                    + (poolId == null ? "" : " WHERE pool_id = ?") + " ORDER BY created_at, pool_id")) {
                if (poolId != null) {
                    ps.setString(1, poolId);
                }
                ResultSet rs = ps.executeQuery();
                while (rs.next()) {
                    Map<String, String> rules = StorageJson.readStringMap(rs.getString(5));
                    out.add(new Pool(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            new PoolMatch(Map.copyOf(rules)), Instant.ofEpochMilli(rs.getLong(6))));
                }
                rs.close();
            }
            return out;
        });
    }

    /** Every number with its latest lease (release time, holder), through the first entry of (site_id, number, started_at DESC). */
    static final String NUMBERS_WITH_LAST_LEASE = "SELECT n.pool_id, n.number, l.ended_at, l.visitor_id, n.retired_at "
            + "FROM pool_numbers n LEFT JOIN sessions l ON l.session_id = (SELECT l2.session_id FROM sessions l2 "
            + "WHERE l2.site_id = n.site_id AND l2.number = n.number ORDER BY l2.site_id, l2.number, l2.started_at DESC "
            + "FETCH FIRST 1 ROW ONLY)";

    /**
     * A pool's numbers as the store has them, for counts true across the nodes of a shared store:
     * each number's last release time, and which numbers a live lease holds, whichever node holds it.
     */
    public record StoredOccupancy(List<StoredNumber> numbers, java.util.Set<String> live) {}

    public StoredOccupancy occupancy(String siteId, String poolId) {
        List<StoredNumber> numbers = loadNumbers(poolId);
        java.util.Set<String> live = db.read(c -> {
            java.util.Set<String> out = new java.util.HashSet<>();
            // The (site_id, live_number) index: only the site's live leases are read.
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT live_number FROM sessions WHERE site_id = ? AND live_number > '' AND pool_id = ?")) {
                ps.setString(1, siteId);
                ps.setString(2, poolId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
        return new StoredOccupancy(numbers, live);
    }

    public List<StoredNumber> loadNumbers() {
        return loadNumbers(null);
    }

    /** Every pool's numbers, or only those of {@code poolId} when given. */
    public List<StoredNumber> loadNumbers(String poolId) {
        return db.read(c -> {
            List<StoredNumber> out = new ArrayList<>();
            // A number's last holder and release time come from its latest lease, so the hot path
            // never has to update pool_numbers (one random page fewer per lease). The latest lease
            // is the first entry of (site_id, number, started_at DESC) in that index's own order:
            // H2 stops there, where MAX(started_at) read every lease the number ever had (most of
            // a restart's time once numbers have long histories).
            try (PreparedStatement ps = c.prepareStatement(NUMBERS_WITH_LAST_LEASE
                    + (poolId == null ? "" : " WHERE n.pool_id = ?"))) {
                if (poolId != null) {
                    ps.setString(1, poolId);
                }
                ResultSet rs = ps.executeQuery();
                while (rs.next()) {
                    long released = rs.getLong(3);
                    Long releasedAt = rs.wasNull() ? null : released;
                    long retiredAt = rs.getLong(5);
                    boolean retired = !rs.wasNull();
                    out.add(new StoredNumber(rs.getString(1), rs.getString(2), releasedAt, rs.getString(4), retired, retiredAt));
                }
                rs.close();
            }
            return out;
        });
    }

    /**
     * Claims {@code s}'s number and stores it as a static number of its site: a new row, or the
     * row of the site's own retired static number, which comes back with {@code s}'s source and
     * attribution (the calls it was given keep theirs).
     */
    public void insertStaticNumber(StaticNumber s) {
        db.inTransaction(c -> {
            claim(c, s.siteId(), List.of(s.number()), "static", s.createdAt().toEpochMilli());
            int returned;
            try (PreparedStatement ps = c.prepareStatement("UPDATE static_numbers SET source = ?, medium = ?, campaign = ?, label = ?, "
                    + "created_at = ?, retired_at = NULL WHERE site_id = ? AND number = ? AND retired_at IS NOT NULL")) {
                setAttribution(ps, s);
                ps.setLong(5, s.createdAt().toEpochMilli());
                ps.setString(6, s.siteId());
                ps.setString(7, s.number());
                returned = ps.executeUpdate();
            }
            if (returned == 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO static_numbers(source, medium, campaign, label, "
                        + "site_id, number, created_at) VALUES (?,?,?,?,?,?,?)")) {
                    setAttribution(ps, s);
                    ps.setString(5, s.siteId());
                    ps.setString(6, s.number());
                    ps.setLong(7, s.createdAt().toEpochMilli());
                    ps.executeUpdate();
                }
            }
            appendAttribution(c, s.siteId(), s.number(), s.createdAt().toEpochMilli(), s);
            ChangeLog.record(c, ChangeLog.STATIC_NUMBERS, s.siteId(), null, s.createdAt().toEpochMilli());
            return null;
        });
    }

    /**
     * Adds an entry to the number's attribution history: {@code s}'s source from {@code beganAt},
     * or its retirement when {@code s} is null. One that began in the same millisecond is replaced
     * (it was in force for no time).
     */
    private static void appendAttribution(Connection c, String siteId, String number, long beganAt, StaticNumber s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM static_number_attributions WHERE site_id = ? AND number = ? AND began_at = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, number);
            ps.setLong(3, beganAt);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO static_number_attributions(source, medium, campaign, label, "
                + "site_id, number, began_at) VALUES (?,?,?,?,?,?,?)")) {
            if (s != null) {
                setAttribution(ps, s);
            } else {
                for (int i = 1; i <= 4; i++) {
                    ps.setNull(i, java.sql.Types.VARCHAR);
                }
            }
            ps.setString(5, siteId);
            ps.setString(6, number);
            ps.setLong(7, beganAt);
            ps.executeUpdate();
        }
    }

    private static void setAttribution(PreparedStatement ps, StaticNumber s) throws SQLException {
        ps.setString(1, s.source());
        ps.setString(2, s.medium());
        ps.setString(3, s.campaign());
        ps.setString(4, s.label());
    }

    /** Changes a static number's source and attribution; false when it is no static number in use (retired through another node). */
    public boolean updateStaticNumber(StaticNumber s, long now) {
        return db.inTransaction(c -> {
            int changed;
            try (PreparedStatement ps = c.prepareStatement("UPDATE static_numbers SET source = ?, medium = ?, campaign = ?, label = ? "
                    + "WHERE site_id = ? AND number = ? AND retired_at IS NULL")) {
                setAttribution(ps, s);
                ps.setString(5, s.siteId());
                ps.setString(6, s.number());
                changed = ps.executeUpdate();
            }
            if (changed > 0) {
                appendAttribution(c, s.siteId(), s.number(), now, s);
                ChangeLog.record(c, ChangeLog.STATIC_NUMBERS, s.siteId(), null, now);
            }
            return changed > 0;
        });
    }

    /**
     * Retires a static number: its row stays (the calls it was given keep their history) and the
     * site gives up its claim, as {@link #retireNumber} does for a pool number. False when it was
     * no static number in use (retired through another node).
     */
    public boolean retireStaticNumber(String siteId, String number, long now) {
        return db.inTransaction(c -> {
            int retired;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE static_numbers SET retired_at = ? WHERE site_id = ? AND number = ? AND retired_at IS NULL")) {
                ps.setLong(1, now);
                ps.setString(2, siteId);
                ps.setString(3, number);
                retired = ps.executeUpdate();
            }
            if (retired == 0) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM claimed_numbers WHERE number = ? AND site_id = ?")) {
                ps.setString(1, number);
                ps.setString(2, siteId);
                ps.executeUpdate();
            }
            appendAttribution(c, siteId, number, now, null);
            ChangeLog.record(c, ChangeLog.STATIC_NUMBERS, siteId, null, now);
            return true;
        });
    }

    /** Every site's static numbers, retired ones too, or only {@code siteId}'s when given. */
    public List<StoredStatic> loadStaticNumbers(String siteId) {
        return db.read(c -> {
            List<StoredStatic> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT site_id, number, source, medium, campaign, label, created_at, retired_at FROM static_numbers"
                    + (siteId == null ? "" : " WHERE site_id = ?"))) {
                if (siteId != null) {
                    ps.setString(1, siteId);
                }
                ResultSet rs = ps.executeQuery();
                while (rs.next()) {
                    StaticNumber number = new StaticNumber(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)));
                    long retiredAt = rs.getLong(8);
                    out.add(new StoredStatic(number, rs.wasNull() ? null : retiredAt));
                }
                rs.close();
            }
            return out;
        });
    }

    /** Every site's static numbers' attribution histories (V155), or only {@code siteId}'s when given. */
    public List<StoredStaticAttribution> loadStaticAttributions(String siteId) {
        return db.read(c -> {
            List<StoredStaticAttribution> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT site_id, number, began_at, source, medium, campaign, label FROM static_number_attributions"
                    + (siteId == null ? "" : " WHERE site_id = ?"))) {
                if (siteId != null) {
                    ps.setString(1, siteId);
                }
                ResultSet rs = ps.executeQuery();
                while (rs.next()) {
                    long beganAt = rs.getLong(3);
                    String source = rs.getString(4);
                    StaticNumber attribution = source == null ? null : new StaticNumber(rs.getString(1), rs.getString(2), source,
                            rs.getString(5), rs.getString(6), rs.getString(7), Instant.ofEpochMilli(beganAt));
                    out.add(new StoredStaticAttribution(rs.getString(1), rs.getString(2), beganAt, attribution));
                }
                rs.close();
            }
            return out;
        });
    }

    /**
     * Takes over the live leases this node held before it stopped (or every live lease, when
     * {@code nodeId} is null: one node alone on its store) and returns them. Taking over raises
     * each lease's fencing epoch, so a previous incarnation that is somehow still running can no
     * longer write them.
     */
    public List<StoredLease> claimLiveLeases(String nodeId) {
        if (db.isH2()) {
            return claimLiveLeasesByNumber();
        }
        return db.inTransaction(c -> {
            // PostgreSQL: site by site over the unique (site_id, live_number) index: "live_number > ''" is a
            // range of that index holding only live leases (every number is non-empty), where
            // "live_number IS NOT NULL" without a site scanned the whole table twice — most of a
            // restart's ~6 s with 1,000,000 visits stored.
            List<String> sites = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT site_id FROM pools"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sites.add(rs.getString(1));
                }
            }
            String mine = nodeId == null ? "" : " AND (owner_node = ? OR owner_node IS NULL)";
            List<StoredLease> out = new ArrayList<>();
            try (PreparedStatement claim = c.prepareStatement("UPDATE sessions SET lease_epoch = lease_epoch + 1"
                    + (nodeId == null ? "" : ", owner_node = ?") + " WHERE site_id = ? AND live_number > ''" + mine);
                    PreparedStatement read = c.prepareStatement("SELECT session_id, pool_id, number, session_id, visitor_id, "
                    + "started_at, lease_expires_at, reused_cooling, lease_epoch, landing_page FROM sessions WHERE site_id = ? AND live_number > ''"
                    + (nodeId == null ? "" : " AND owner_node = ?"))) {
                for (String siteId : sites) {
                    int i = 1;
                    if (nodeId != null) {
                        claim.setString(i++, nodeId);
                    }
                    claim.setString(i++, siteId);
                    if (nodeId != null) {
                        claim.setString(i, nodeId);
                    }
                    claim.executeUpdate();
                    read.setString(1, siteId);
                    if (nodeId != null) {
                        read.setString(2, nodeId);
                    }
                    try (ResultSet rs = read.executeQuery()) {
                        while (rs.next()) {
                            out.add(new StoredLease(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                    rs.getLong(6), rs.getLong(7), rs.getBoolean(8), rs.getLong(9), rs.getString(10)));
                        }
                    }
                }
            }
            return out;
        });
    }

    /**
     * One node alone on its H2 file: H2 has no unique index on {@code live_number} (V108; the
     * node's own leasing keeps one live lease per number), so the live leases are found number by
     * number. A number's live lease, if it has one, is its latest lease: a lease starts only once
     * the previous one has ended, and a visit leased later takes the lease's start as its
     * {@code started_at}. That is the first entry of (site_id, number, started_at DESC) per pool
     * number, the same walk {@link #loadNumbers} makes at every start of the server.
     */
    private List<StoredLease> claimLiveLeasesByNumber() {
        return db.inTransaction(c -> {
            List<StoredLease> out = new ArrayList<>();
            try (PreparedStatement read = c.prepareStatement("SELECT l.session_id, l.pool_id, l.number, l.visitor_id, l.started_at, "
                    + "l.lease_expires_at, l.reused_cooling, l.lease_epoch, l.landing_page FROM (SELECT DISTINCT site_id, number FROM pool_numbers) n "
                    + "JOIN sessions l ON l.session_id = (SELECT l2.session_id FROM sessions l2 WHERE l2.site_id = n.site_id "
                    + "AND l2.number = n.number ORDER BY l2.site_id, l2.number, l2.started_at DESC FETCH FIRST 1 ROW ONLY) "
                    + "WHERE l.live_number IS NOT NULL");
                    ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    // The epoch is raised below, so the lease is handed back with the raised one.
                    out.add(new StoredLease(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(1), rs.getString(4),
                            rs.getLong(5), rs.getLong(6), rs.getBoolean(7), rs.getLong(8) + 1, rs.getString(9)));
                }
            }
            try (PreparedStatement claim = c.prepareStatement(
                    "UPDATE sessions SET lease_epoch = lease_epoch + 1 WHERE session_id = ? AND live_number IS NOT NULL")) {
                for (StoredLease lease : out) {
                    claim.setString(1, lease.sessionId());
                    claim.addBatch();
                }
                claim.executeBatch();
            }
            return out;
        });
    }

    /** A pool's lifetime counts as saved in {@code pool_stats}. */
    public record StoredStats(int peakLeased, long leasesStarted, long endedLeases, long endedLeaseMillis) {
        public static final StoredStats NONE = new StoredStats(0, 0, 0, 0);
    }

    public Map<String, StoredStats> loadStats() {
        return db.read(c -> {
            Map<String, StoredStats> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pool_id, peak_leased, leases_started, ended_leases, ended_lease_millis FROM pool_stats");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new StoredStats(rs.getInt(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                }
            }
            return out;
        });
    }

    /**
     * Adds {@code added} to every pool's row, created the first time, in one transaction: counts
     * the node made since its last save, and its peak, kept where higher than the row's. The nodes
     * of one PostgreSQL store save at the same moments (every 30 s, and when a cluster is stopped):
     * a save that wrote each node's totals kept the last node's only, and two nodes inserting a new
     * pool's row at once failed on its key (audit AI3 F6); an adding upsert needs neither order nor retry.
     */
    public void addStats(Map<String, StoredStats> added, long now) {
        String sql = db.dialect().upsert("pool_stats", "pool_id",
                List.of("pool_id", "peak_leased", "leases_started", "ended_leases", "ended_lease_millis", "updated_at"),
                "peak_leased = GREATEST(pool_stats.peak_leased, EXCLUDED.peak_leased), "
                        + "leases_started = pool_stats.leases_started + EXCLUDED.leases_started, "
                        + "ended_leases = pool_stats.ended_leases + EXCLUDED.ended_leases, "
                        + "ended_lease_millis = pool_stats.ended_lease_millis + EXCLUDED.ended_lease_millis, "
                        + "updated_at = EXCLUDED.updated_at");
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                // One order on every node: two saves of the same pools lock their rows in the same order, so never deadlock.
                for (Map.Entry<String, StoredStats> e : new java.util.TreeMap<>(added).entrySet()) {
                    StoredStats s = e.getValue();
                    ps.setString(1, e.getKey());
                    ps.setInt(2, s.peakLeased());
                    ps.setLong(3, s.leasesStarted());
                    ps.setLong(4, s.endedLeases());
                    ps.setLong(5, s.endedLeaseMillis());
                    ps.setLong(6, now);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    public Map<String, Long> exhaustionCounts() {
        return db.read(c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            // The address cap's counts share the table but are no exhaustion (ExhaustionTally.ADDRESS_CAP).
            try (PreparedStatement ps = c.prepareStatement("SELECT pool_id, SUM(exhaustions) FROM pool_exhaustion_counts WHERE outcome <> '"
                    + ExhaustionTally.ADDRESS_CAP + "' GROUP BY pool_id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    // ---- lease writes, run by the group-commit writer --------------------------------------

    static void updateExpiry(Connection c, LeaseExpiry expiry) throws SQLException {
        storeExpiries(c, List.of(expiry));
    }

    /**
     * Writes lease expiries, fenced: a row is changed only while its lease is live and its epoch is
     * the one this node holds. Returns the expiries the store refused (their leases were lost).
     */
    public static List<LeaseExpiry> storeExpiries(Connection c, List<LeaseExpiry> expiries) throws SQLException {
        List<LeaseExpiry> refused = new ArrayList<>();
        if (expiries.isEmpty()) {
            return refused;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET lease_expires_at = ? WHERE session_id = ? "
                + "AND live_number IS NOT NULL AND lease_epoch = ?")) {
            for (LeaseExpiry e : expiries) {
                ps.setLong(1, e.expiresAt());
                ps.setString(2, e.sessionId());
                ps.setLong(3, e.epoch());
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    refused.add(expiries.get(i));
                }
            }
        }
        return refused;
    }

    /**
     * Ends the lease: the number leaves the uniqueness constraint and the visit is over; the
     * visitor's claim (several nodes) goes in the same statement, so it never outlives the lease.
     */
    /**
     * Ends {@code lease} in the store, fenced by its epoch; returns false when another node took it
     * over (raised its epoch), so its end is that node's to count in the pool's lifetime counts.
     */
    static boolean endLease(Connection c, Lease lease, long endedAt, String reason) throws SQLException {
        // Fenced like renewals: if another node already ended it (this node was silent too long),
        // its end stands and this one changes nothing.
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET ended_at = ?, lease_expires_at = ?, live_number = NULL, "
                + "live_visitor = NULL, end_reason = ? WHERE session_id = ? AND live_number IS NOT NULL AND lease_epoch = ?")) {
            ps.setLong(1, endedAt);
            ps.setLong(2, endedAt);
            ps.setString(3, reason);
            ps.setString(4, lease.sessionId);
            ps.setLong(5, lease.epoch);
            if (ps.executeUpdate() > 0) {
                return true;
            }
        }
        // Not ended by this write (rare: only a node that lost a lease learns it here). Ended by the
        // silent-node reaper at this epoch: no node counted that end, this one does. Taken over by
        // another node (a higher epoch): that node counts its end (audit AJ3 J5: no lease twice).
        try (PreparedStatement ps = c.prepareStatement("SELECT lease_epoch FROM sessions WHERE session_id = ?")) {
            ps.setString(1, lease.sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                return !rs.next() || rs.getLong(1) == lease.epoch;
            }
        }
    }

}
