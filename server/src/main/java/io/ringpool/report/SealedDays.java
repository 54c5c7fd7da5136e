package io.ringpool.report;

import io.ringpool.store.ConstraintViolationException;
import io.ringpool.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * The sealed days of every site in the store ({@code report_day_seals}, {@code report_days}): a
 * day is written once, its marker and its groups in one transaction, and never changed; a second
 * seal of the same day (a repeated round, a restart, another node) writes nothing.
 */
final class SealedDays {
    private final Database db;

    SealedDays(Database db) {
        this.db = db;
    }

    /**
     * A sealed day: {@code [dayStart, dayEnd)} in epoch ms; {@code coveredFrom} is {@code dayStart},
     * or 0 when the facts held the site's whole history when it was sealed (nothing came before it).
     */
    record Seal(LocalDate day, long dayStart, long dayEnd, long coveredFrom) {}

    /** The counters of one sealed group: dimension values by {@link Dimension} ordinal. */
    record Row(LocalDate day, String[] values, Aggregates.Counts counts) {}

    private static final String DIMENSION_COLUMNS = "source, medium, campaign, term, content, channel, landing_page, device_type, browser, os";
    private static final String COUNTER_COLUMNS = "visits, calls, unique_calls, target_calls, unique_target_calls, leads, unique_leads, contacts";

    /**
     * Writes the day's marker and groups unless the day is sealed already; true when this call sealed it.
     */
    boolean seal(String siteId, Seal seal, ZoneId zone, int uniquenessDays, List<DayDigest.Group> groups, long now) {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM report_day_seals WHERE site_id = ? AND local_day = ?")) {
                    ps.setString(1, siteId);
                    ps.setString(2, seal.day().toString());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return false;
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO report_day_seals (site_id, local_day, time_zone, day_start, day_end, "
                        + "covered_from, uniqueness_days, group_rows, sealed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, siteId);
                    ps.setString(2, seal.day().toString());
                    ps.setString(3, zone.getId());
                    ps.setLong(4, seal.dayStart());
                    ps.setLong(5, seal.dayEnd());
                    ps.setLong(6, seal.coveredFrom());
                    ps.setInt(7, uniquenessDays);
                    ps.setInt(8, groups.size());
                    ps.setLong(9, now);
                    ps.executeUpdate();
                }
                insertGroups(c, siteId, seal.day(), groups);
                return true;
            });
        } catch (ConstraintViolationException sealedMeanwhile) {
            // Another node sealed the day between our check and insert: its rows stand.
            return false;
        }
    }

    private static void insertGroups(Connection c, String siteId, LocalDate day, List<DayDigest.Group> groups) throws SQLException {
        if (groups.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO report_days (site_id, local_day, cube, model, " + DIMENSION_COLUMNS
                + ", " + COUNTER_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int rows = 0;
            for (DayDigest.Group g : groups) {
                int p = 1;
                ps.setString(p++, siteId);
                ps.setString(p++, day.toString());
                ps.setString(p++, g.cube().wireName());
                ps.setString(p++, g.model().wireName());
                for (int d = 0; d < Dimension.COUNT; d++) {
                    ps.setString(p++, g.values()[d]);
                }
                Aggregates.Counts n = g.counts();
                for (long v : new long[] {n.visits, n.calls, n.unique, n.target, n.uniqueTarget, n.leads, n.uniqueLeads, n.contacts}) {
                    ps.setInt(p++, Math.toIntExact(v));
                }
                ps.addBatch();
                if (++rows % 1_000 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
    }

    /** The site's sealed days from {@code first} to {@code last} (inclusive), oldest first. */
    List<Seal> between(String siteId, LocalDate first, LocalDate last) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT local_day, day_start, day_end, covered_from FROM report_day_seals "
                    + "WHERE site_id = ? AND local_day >= ? AND local_day <= ? ORDER BY local_day")) {
                ps.setString(1, siteId);
                ps.setString(2, first.toString());
                ps.setString(3, last.toString());
                List<Seal> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Seal(LocalDate.parse(rs.getString(1)), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                    }
                }
                return out;
            }
        });
    }

    /** The end of the site's latest sealed day (epoch ms); Long.MIN_VALUE when none is sealed. */
    long sealedThrough(String siteId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(day_end) FROM report_day_seals WHERE site_id = ?")) {
                ps.setString(1, siteId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long end = rs.getLong(1);
                    return rs.wasNull() ? Long.MIN_VALUE : end;
                }
            }
        });
    }

    /** The groups of {@code cube} of the sealed days {@code first}..{@code last} for {@code model}. */
    List<Row> rows(String siteId, DayCube cube, Model model, LocalDate first, LocalDate last) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT local_day, " + DIMENSION_COLUMNS + ", " + COUNTER_COLUMNS
                    + " FROM report_days WHERE site_id = ? AND local_day >= ? AND local_day <= ? AND cube = ? AND model = ?")) {
                ps.setString(1, siteId);
                ps.setString(2, first.toString());
                ps.setString(3, last.toString());
                ps.setString(4, cube.wireName());
                ps.setString(5, cube.stored(model).wireName());
                ps.setFetchSize(5_000);
                List<Row> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String[] values = new String[Dimension.COUNT];
                        for (int d = 0; d < Dimension.COUNT; d++) {
                            values[d] = rs.getString(2 + d);
                        }
                        Aggregates.Counts n = new Aggregates.Counts(new int[0]);
                        int p = 2 + Dimension.COUNT;
                        n.visits = rs.getLong(p++);
                        n.calls = rs.getLong(p++);
                        n.unique = rs.getLong(p++);
                        n.target = rs.getLong(p++);
                        n.uniqueTarget = rs.getLong(p++);
                        n.leads = rs.getLong(p++);
                        n.uniqueLeads = rs.getLong(p++);
                        n.contacts = rs.getLong(p);
                        out.add(new Row(LocalDate.parse(rs.getString(1)), values, n));
                    }
                }
                return out;
            }
        });
    }
}
