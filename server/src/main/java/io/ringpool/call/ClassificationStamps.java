package io.ringpool.call;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code site_classification} table (V113): which {@link ClassificationSettings} each site's
 * calls and leads were last wholly classified with. Written when a reclassification ends, read at
 * start: a site whose stamp differs from its settings was stopped half way and is classified again.
 */
public final class ClassificationStamps {
    private ClassificationStamps() {}

    /** Every site's stamp. */
    public static Map<String, ClassificationSettings> all(Connection c) throws SQLException {
        Map<String, ClassificationSettings> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT site_id, uniqueness_days, target_call_seconds FROM site_classification");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), new ClassificationSettings(rs.getInt(2), rs.getInt(3)));
            }
        }
        return out;
    }

    /**
     * Stamps a site that has no stamp yet with the settings its calls are classified with now,
     * before a reclassification starts: were it cut short, the stamp then differs from the new
     * settings and the next start finishes it. A site that has a stamp keeps it (if it differs,
     * an earlier reclassification is unfinished, and that must stay known).
     */
    public static void recordIfAbsent(Connection c, String siteId, ClassificationSettings settings, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM site_classification WHERE site_id = ?")) {
            ps.setString(1, siteId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        record(c, siteId, settings, now);
    }

    /** Records that the site's calls and leads are now classified with {@code settings}. */
    public static void record(Connection c, String siteId, ClassificationSettings settings, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE site_classification SET uniqueness_days = ?, target_call_seconds = ?, "
                + "classified_at = ? WHERE site_id = ?")) {
            ps.setInt(1, settings.uniquenessDays());
            ps.setInt(2, settings.targetCallSeconds());
            ps.setLong(3, now);
            ps.setString(4, siteId);
            if (ps.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO site_classification(site_id, uniqueness_days, target_call_seconds, "
                + "classified_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, siteId);
            ps.setInt(2, settings.uniquenessDays());
            ps.setInt(3, settings.targetCallSeconds());
            ps.setLong(4, now);
            ps.executeUpdate();
        } catch (SQLException e) {
            // Another node stamped the site first (both H2 and PostgreSQL say 23505): either stamp will do,
            // since both were taken after a whole classification with the site's settings of that moment.
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
        }
    }
}
