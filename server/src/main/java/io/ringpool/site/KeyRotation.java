package io.ringpool.site;

import io.ringpool.failure.DomainFailure;
import io.ringpool.store.ChangeLog;
import io.ringpool.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Rotates a site's keys: {@code api} (the marketer's API key), {@code webhook} (the secret that
 * signs generic events) and {@code twilio} (the auth token Twilio signs with; Twilio makes it, so
 * the caller gives the new one). The replaced key stays valid for an overlap window, default 24 h,
 * so integrations and PBX scripts can switch without a gap; 0 revokes it at once. After the window
 * the old API key gets 401 and a signature made with an old secret 403.
 *
 * <p>Both keys are written in one transaction (the new one in {@code sites}, the old one in
 * {@code site_previous_keys}, V11), then put in the registry. One previous key per kind: a second
 * rotation inside the window revokes the first key.
 */
public final class KeyRotation {
    /** The overlap when the request names none. */
    public static final Duration DEFAULT_OVERLAP = Duration.ofHours(24);
    /** Longest overlap accepted: a week is enough to reach every sender; longer is a forgotten key. */
    public static final Duration MAX_OVERLAP = Duration.ofDays(7);

    /** Which key. */
    public enum Kind {
        API, WEBHOOK, TWILIO;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Kind of(String text) {
            for (Kind k : values()) {
                if (k.wireName().equals(text)) {
                    return k;
                }
            }
            throw DomainFailure.invalid("key", "'key' must be one of api, webhook, twilio");
        }
    }

    /** The command: {@code key}, the overlap in seconds (null = default), the new value (Twilio only). */
    public record Rotate(String key, Long overlapSeconds, String value) {}

    /** The new key (shown once; null for Twilio, whose token the caller already has) and the old key's end. */
    public record Rotated(Kind kind, String newKey, Instant previousValidUntil) {}

    private final Database db;
    private final SiteRegistry registry;
    private final SecretCipher cipher;
    private final Clock clock;

    public KeyRotation(Database db, SiteRegistry registry, SecretCipher cipher, Clock clock) {
        this.db = db;
        this.registry = registry;
        this.cipher = cipher;
        this.clock = clock;
    }

    /**
     * One rotation at a time on this node. Each reads the site's current keys from the registry,
     * writes the new one and puts the result back: two at once would both keep the same old key as
     * "previous", and their registry writes could land in the other order than their commits, so
     * the key that works here would not be the one the store (another node, a restart) keeps.
     * Rotations are rare; waiting for one is nothing.
     */
    public synchronized Rotated rotate(String siteId, Rotate command) {
        if (command.key() == null) {
            throw DomainFailure.missing("key");
        }
        Kind kind = Kind.of(command.key());
        long overlap = command.overlapSeconds() == null ? DEFAULT_OVERLAP.toSeconds() : command.overlapSeconds();
        if (overlap < 0 || overlap > MAX_OVERLAP.toSeconds()) {
            throw DomainFailure.invalid("overlapSeconds", "'overlapSeconds' must be between 0 and " + MAX_OVERLAP.toSeconds());
        }
        SiteRegistry.Entry entry = registry.byId(siteId).orElseThrow(UnknownSite::new);
        SiteSecrets secrets = entry.secrets();
        Instant until = clock.instant().plusSeconds(overlap);
        String newKey;
        String column;
        String newStored;
        String oldStored;
        SiteSecrets updated;
        SiteSecrets.Previous p = secrets.previous();
        switch (kind) {
            case API -> {
                newKey = Keys.random("sk_", 32);
                String hash = Keys.sha256Hex(newKey);
                column = "api_key_hash";
                newStored = hash;
                oldStored = HexFormat.of().formatHex(secrets.apiKeyHash());
                updated = new SiteSecrets(HexFormat.of().parseHex(hash), secrets.webhookSecret(), secrets.twilioAuthToken(),
                        new SiteSecrets.Previous(secrets.apiKeyHash(), until, p.webhookSecret(), p.webhookSecretUntil(),
                                p.twilioAuthToken(), p.twilioAuthTokenUntil()));
            }
            case WEBHOOK -> {
                newKey = Keys.random("whsec_", 32);
                column = "webhook_secret_enc";
                newStored = cipher.encrypt(newKey);
                oldStored = cipher.encrypt(secrets.webhookSecret());
                updated = new SiteSecrets(secrets.apiKeyHash(), newKey, secrets.twilioAuthToken(),
                        new SiteSecrets.Previous(p.apiKeyHash(), p.apiKeyUntil(), secrets.webhookSecret(), until,
                                p.twilioAuthToken(), p.twilioAuthTokenUntil()));
            }
            case TWILIO -> {
                if (command.value() == null || command.value().isBlank()) {
                    throw new DomainFailure(DomainFailure.Kind.INVALID, "missing_field",
                            "'value' is required for key twilio: the new auth token from the Twilio console", "value");
                }
                if (secrets.twilioAuthToken() == null) {
                    throw new DomainFailure(DomainFailure.Kind.CONFLICT, "twilio_not_configured",
                            "this site has no Twilio auth token to rotate; set one with PATCH /v1/sites/" + siteId);
                }
                newKey = null;
                column = "twilio_token_enc";
                newStored = cipher.encrypt(command.value().strip());
                oldStored = cipher.encrypt(secrets.twilioAuthToken());
                updated = new SiteSecrets(secrets.apiKeyHash(), secrets.webhookSecret(), command.value().strip(),
                        new SiteSecrets.Previous(p.apiKeyHash(), p.apiKeyUntil(), p.webhookSecret(), p.webhookSecretUntil(),
                                secrets.twilioAuthToken(), until));
            }
            default -> throw new IllegalStateException();
        }
        if (command.value() != null && kind != Kind.TWILIO) {
            throw DomainFailure.invalid("value", "'value' is only given for key twilio; api and webhook keys are generated");
        }
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sites SET " + column + " = ? WHERE site_id = ?")) {
                ps.setString(1, newStored);
                ps.setString(2, siteId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM site_previous_keys WHERE site_id = ? AND kind = ?")) {
                ps.setString(1, siteId);
                ps.setString(2, kind.wireName());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO site_previous_keys(site_id, kind, key_value, valid_until) VALUES (?,?,?,?)")) {
                ps.setString(1, siteId);
                ps.setString(2, kind.wireName());
                ps.setString(3, oldStored);
                ps.setLong(4, until.toEpochMilli());
                ps.executeUpdate();
            }
            // Other nodes reload the site from the change log: the new key and the old one's window reach them too.
            ChangeLog.record(c, ChangeLog.SITE, siteId, null, clock.millis());
            return null;
        });
        registry.put(new SiteRegistry.Entry(entry.site(), updated));
        return new Rotated(kind, newKey, until);
    }

    /**
     * The site's stored previous keys still in their window (a reload takes these and nothing else,
     * so a key past its overlap is dropped on every node that reloads the site).
     */
    public SiteSecrets.Previous previousOf(String siteId) {
        long now = clock.millis();
        return db.read(c -> {
            SiteSecrets.Previous p = SiteSecrets.Previous.NONE;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT kind, key_value, valid_until FROM site_previous_keys WHERE site_id = ? AND valid_until > ?")) {
                ps.setString(1, siteId);
                ps.setLong(2, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        p = with(p, Kind.of(rs.getString(1)), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)));
                    }
                }
            }
            return p;
        });
    }

    private SiteSecrets.Previous with(SiteSecrets.Previous p, Kind kind, String value, Instant until) {
        return switch (kind) {
            case API -> new SiteSecrets.Previous(HexFormat.of().parseHex(value), until, p.webhookSecret(),
                    p.webhookSecretUntil(), p.twilioAuthToken(), p.twilioAuthTokenUntil());
            case WEBHOOK -> new SiteSecrets.Previous(p.apiKeyHash(), p.apiKeyUntil(), cipher.decrypt(value), until,
                    p.twilioAuthToken(), p.twilioAuthTokenUntil());
            case TWILIO -> new SiteSecrets.Previous(p.apiKeyHash(), p.apiKeyUntil(), p.webhookSecret(),
                    p.webhookSecretUntil(), cipher.decrypt(value), until);
        };
    }

    /** Puts the stored previous keys still in their window back into the registry; after {@code SiteService.loadAll}. */
    public void loadAll() {
        long now = clock.millis();
        db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT site_id, kind, key_value, valid_until FROM site_previous_keys WHERE valid_until > ?")) {
                ps.setLong(1, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String siteId = rs.getString(1);
                        Kind kind = Kind.of(rs.getString(2));
                        String value = rs.getString(3);
                        Instant until = Instant.ofEpochMilli(rs.getLong(4));
                        registry.byId(siteId).ifPresent(e -> {
                            SiteSecrets s = e.secrets();
                            SiteSecrets.Previous p = s.previous();
                            SiteSecrets.Previous next = switch (kind) {
                                case API -> new SiteSecrets.Previous(HexFormat.of().parseHex(value), until, p.webhookSecret(),
                                        p.webhookSecretUntil(), p.twilioAuthToken(), p.twilioAuthTokenUntil());
                                case WEBHOOK -> new SiteSecrets.Previous(p.apiKeyHash(), p.apiKeyUntil(), cipher.decrypt(value), until,
                                        p.twilioAuthToken(), p.twilioAuthTokenUntil());
                                case TWILIO -> new SiteSecrets.Previous(p.apiKeyHash(), p.apiKeyUntil(), p.webhookSecret(),
                                        p.webhookSecretUntil(), cipher.decrypt(value), until);
                            };
                            registry.put(new SiteRegistry.Entry(e.site(), s.withPrevious(next)));
                        });
                    }
                }
            }
            return null;
        });
    }
}
