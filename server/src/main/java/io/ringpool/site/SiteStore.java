package io.ringpool.site;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.store.Database;
import io.ringpool.store.StorageJson;
import io.ringpool.store.NumberClaimTurn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import io.ringpool.store.ChangeLog;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Sites in the database. Secrets arrive here already hashed or encrypted. */
public final class SiteStore {

    /** A site row with its credentials in stored form. */
    public record StoredSite(Site site, String apiKeyHashHex, String webhookSecretEnc, String twilioTokenEnc) {}

    private final Database db;

    public SiteStore(Database db) {
        this.db = db;
    }

    /**
     * Stores a new site.
     *
     * @throws DefaultNumberInUse when its default number is another site's pool or static number
     */
    public void insert(StoredSite s) {
        db.inTransaction(c -> {
            claimDefault(c, s.site().siteId(), s.site().settings().defaultNumber());
            refuseTrackedForwarding(c, s.site().settings());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sites(site_id, name, public_key, api_key_hash, "
                    + "webhook_secret_enc, twilio_token_enc, settings_json, created_at, default_number, forward_to) "
                    + "VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, s.site().siteId());
                ps.setString(2, s.site().name());
                ps.setString(3, s.site().publicKey());
                ps.setString(4, s.apiKeyHashHex());
                ps.setString(5, s.webhookSecretEnc());
                ps.setString(6, s.twilioTokenEnc());
                ps.setString(7, settingsJson(s.site().settings()));
                ps.setLong(8, s.site().createdAt().toEpochMilli());
                ps.setString(9, s.site().settings().defaultNumber());
                ps.setString(10, s.site().settings().forwardTo());
                ps.executeUpdate();
            }
            ChangeLog.record(c, ChangeLog.SITE, s.site().siteId(), null, s.site().createdAt().toEpochMilli());
            return null;
        });
    }

    /**
     * Stores a site's changed settings.
     *
     * @param defaultChanged whether the default number is new, and so must be checked against the
     *        tracking numbers every site holds
     * @throws DefaultNumberInUse when a new default number is a pool or static number of any site
     */
    public void update(Site site, String twilioTokenEnc, boolean defaultChanged, boolean forwardChanged) {
        db.inTransaction(c -> {
            if (defaultChanged) {
                claimDefault(c, site.siteId(), site.settings().defaultNumber());
            }
            if (forwardChanged) {
                refuseTrackedForwarding(c, site.settings());
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE sites SET name = ?, settings_json = ?, twilio_token_enc = ?, default_number = ?, forward_to = ? WHERE site_id = ?")) {
                ps.setString(1, site.name());
                ps.setString(2, settingsJson(site.settings()));
                ps.setString(3, twilioTokenEnc);
                ps.setString(4, site.settings().defaultNumber());
                ps.setString(5, site.settings().forwardTo());
                ps.setString(6, site.siteId());
                ps.executeUpdate();
            }
            ChangeLog.record(c, ChangeLog.SITE, site.siteId(), null, System.currentTimeMillis());
            return null;
        });
    }

    /**
     * In turn with every other claim of a number ({@link NumberClaimTurn}), refuses {@code number}
     * as {@code siteId}'s default when a site holds it as a pool or static number
     * ({@code claimed_numbers}, V10). Another site's default number is no obstacle: sites of one
     * business share their real number. The write that follows in the same transaction is the claim.
     */
    private static void claimDefault(Connection c, String siteId, String number) throws SQLException {
        NumberClaimTurn.take(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT site_id FROM claimed_numbers WHERE number = ?")) {
            ps.setString(1, number);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw siteId.equals(rs.getString(1)) ? DefaultNumberInUse.ofThisSite(number) : DefaultNumberInUse.ofAnotherSite(number);
                }
            }
        }
    }

    /**
     * Refuses a {@code forwardTo} that some site holds as a pool or static number (the default
     * number, when it is the forwarding target, is checked by {@link #claimDefault}). Taken in the
     * claims' turn, so a pool claiming the number at the same moment is ordered with it; the other
     * order (a number claimed while a site forwards to it) is refused by the claim, through
     * {@code sites.forward_to} (V132).
     */
    private static void refuseTrackedForwarding(Connection c, SiteSettings settings) throws SQLException {
        String forwardTo = settings.forwardTo();
        if (forwardTo == null || forwardTo.equals(settings.defaultNumber())) {
            return;
        }
        NumberClaimTurn.take(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM claimed_numbers WHERE number = ?")) {
            ps.setString(1, forwardTo);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new ForwardingToATrackingNumber(forwardTo);
                }
            }
        }
    }

    /** One site as stored, or null (for a node reloading what another node changed). */
    public StoredSite load(String siteId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT site_id, name, public_key, api_key_hash, webhook_secret_enc, "
                    + "twilio_token_enc, settings_json, created_at FROM sites WHERE site_id = ?")) {
                ps.setString(1, siteId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? read(rs) : null;
                }
            }
        });
    }

    private static StoredSite read(ResultSet rs) throws SQLException {
        String twilio = rs.getString(6);
        Site site = new Site(rs.getString(1), rs.getString(2), rs.getString(3), parseSettings(rs.getString(7)),
                twilio != null, Instant.ofEpochMilli(rs.getLong(8)));
        return new StoredSite(site, rs.getString(4), rs.getString(5), twilio);
    }

    public List<StoredSite> loadAll() {
        return db.read(c -> {
            List<StoredSite> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT site_id, name, public_key, api_key_hash, webhook_secret_enc, "
                    + "twilio_token_enc, settings_json, created_at FROM sites ORDER BY created_at");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String twilio = rs.getString(6);
                    Site site = new Site(rs.getString(1), rs.getString(2), rs.getString(3), parseSettings(rs.getString(7)),
                            twilio != null, Instant.ofEpochMilli(rs.getLong(8)));
                    out.add(new StoredSite(site, rs.getString(4), rs.getString(5), twilio));
                }
            }
            return out;
        });
    }

    static String settingsJson(SiteSettings settings) {
        return StorageJson.write(SiteSettingsCodec.toMap(settings));
    }

    static SiteSettings parseSettings(String json) {
        JsonNode n = StorageJson.read(json);
        List<String> domains = new ArrayList<>();
        n.get("domains").forEach(d -> domains.add(d.asText()));
        return new SiteSettings(
                n.get("leaseTtlSeconds").asInt(), n.get("heartbeatSeconds").asInt(), n.get("endGraceSeconds").asInt(),
                n.get("coolDownSeconds").asInt(), n.get("intentHoldSeconds").asInt(),
                ExhaustionPolicy.fromWire(n.get("exhaustionPolicy").asText()), n.get("uniquenessDays").asInt(),
                n.get("targetCallSeconds").asInt(), n.get("retentionDays").asInt(), n.get("country").asText(),
                List.copyOf(domains), n.get("defaultNumber").asText(), n.get("forwardTo").asText(),
                ZoneId.of(n.get("timeZone").asText()), n.get("currency").asText(),
                // Sites stored before these settings existed: the lead window's default, titles off, no extra parameters.
                n.has("leadDuplicateMinutes") ? n.get("leadDuplicateMinutes").asInt() : SiteSettings.DEFAULT_LEAD_DUPLICATE_MINUTES,
                n.path("storeTitles").asBoolean(false), strings(n.path("queryParameters")));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return List.copyOf(out);
    }

    static byte[] unhex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
