package io.ringpool.telephony.provider;

import io.ringpool.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Provider settings in table {@code site_providers} (V40): one row per (site, provider), the whole
 * settings object as JSON encrypted with the operator's key ({@code site.SecretCipher}), so a copy
 * of the database does not reveal the secrets. Non-secret fields are encrypted too: one format.
 */
final class ProviderSettingsStore {

    /** A stored row: the settings JSON, still encrypted. */
    record Row(String siteId, String provider, String settingsEnc) {}

    private final Database db;

    ProviderSettingsStore(Database db) {
        this.db = db;
    }

    List<Row> loadAll() {
        return db.read(c -> {
            List<Row> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT site_id, provider, settings_enc FROM site_providers");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            return out;
        });
    }

    /** Writes every change of one PATCH in one transaction; a null settingsEnc removes the provider. */
    void apply(String siteId, List<Row> changes, long nowMillis) {
        db.inTransaction(c -> {
            for (Row r : changes) {
                try (PreparedStatement del = c.prepareStatement("DELETE FROM site_providers WHERE site_id = ? AND provider = ?")) {
                    del.setString(1, siteId);
                    del.setString(2, r.provider());
                    del.executeUpdate();
                }
                if (r.settingsEnc() != null) {
                    try (PreparedStatement ins = c.prepareStatement(
                            "INSERT INTO site_providers(site_id, provider, settings_enc, updated_at) VALUES (?,?,?,?)")) {
                        ins.setString(1, siteId);
                        ins.setString(2, r.provider());
                        ins.setString(3, r.settingsEnc());
                        ins.setLong(4, nowMillis);
                        ins.executeUpdate();
                    }
                }
            }
            return null;
        });
    }
}
