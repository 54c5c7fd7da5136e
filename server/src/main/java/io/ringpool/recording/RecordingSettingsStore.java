package io.ringpool.recording;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ringpool.call.KeywordRule;
import io.ringpool.store.Database;
import io.ringpool.store.StorageJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sites' recording settings ({@code site_recording_settings}, V60), read through to the store and
 * remembered: the voice webhook must answer (and decide whether to record) even while the store is
 * down, so a failed read falls back to the last value seen on this node, else the defaults.
 */
final class RecordingSettingsStore {
    private static final Logger LOG = LoggerFactory.getLogger(RecordingSettingsStore.class);
    private final Database db;
    private final Map<String, RecordingSettings> remembered = new ConcurrentHashMap<>();

    RecordingSettingsStore(Database db) {
        this.db = db;
    }

    /**
     * From memory only, for the call path (a ringing call must not wait for the store, not even
     * for the 3 s a connection attempt takes to fail): every site's settings are read at start
     * ({@link #loadAll}) and kept current by {@link #write} and every {@link #of}.
     */
    RecordingSettings remembered(String siteId) {
        return remembered.getOrDefault(siteId, RecordingSettings.DEFAULTS);
    }

    /** Reads every site's settings into memory; at start. */
    void loadAll() {
        db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT site_id FROM site_recording_settings");
                    ResultSet rs = ps.executeQuery()) {
                java.util.List<String> ids = new java.util.ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
                for (String id : ids) {
                    remembered.put(id, read(c, id));
                }
            }
            return null;
        });
    }

    RecordingSettings of(String siteId) {
        try {
            RecordingSettings s = db.read(c -> read(c, siteId));
            remembered.put(siteId, s);
            return s;
        } catch (RuntimeException storeDown) {
            LOG.warn("recording_settings_unavailable site={} reason={}", siteId, storeDown.toString());
            return remembered.getOrDefault(siteId, RecordingSettings.DEFAULTS);
        }
    }

    static RecordingSettings read(Connection c, String siteId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT record_calls, notice, retention_days, keyword_rules_json "
                + "FROM site_recording_settings WHERE site_id = ?")) {
            ps.setString(1, siteId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return RecordingSettings.DEFAULTS;
                }
                List<KeywordRule> rules = StorageJson.readList(rs.getString(4), new TypeReference<List<KeywordRule>>() {});
                return new RecordingSettings(rs.getBoolean(1), rs.getString(2), rs.getInt(3), rules);
            }
        }
    }

    void write(String siteId, RecordingSettings s, long now) {
        db.inTransaction(c -> {
            int updated;
            try (PreparedStatement ps = c.prepareStatement("UPDATE site_recording_settings SET record_calls = ?, notice = ?, "
                    + "retention_days = ?, keyword_rules_json = ?, updated_at = ? WHERE site_id = ?")) {
                bind(ps, s, now);
                ps.setString(6, siteId);
                updated = ps.executeUpdate();
            }
            if (updated == 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO site_recording_settings(record_calls, notice, "
                        + "retention_days, keyword_rules_json, updated_at, site_id) VALUES (?,?,?,?,?,?)")) {
                    bind(ps, s, now);
                    ps.setString(6, siteId);
                    ps.executeUpdate();
                }
            }
            return null;
        });
        remembered.put(siteId, s);
    }

    private static void bind(PreparedStatement ps, RecordingSettings s, long now) throws SQLException {
        ps.setBoolean(1, s.recordCalls());
        ps.setString(2, s.notice());
        ps.setInt(3, s.retentionDays());
        ps.setString(4, s.keywordRules().isEmpty() ? null : StorageJson.write(s.keywordRules()));
        ps.setLong(5, now);
    }
}
