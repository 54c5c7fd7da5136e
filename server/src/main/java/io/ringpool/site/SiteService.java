package io.ringpool.site;

import io.ringpool.http.ApiException;
import io.ringpool.http.JsonBody;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Creating and changing sites; writes go to the store first, then to the registry. */
public final class SiteService {

    /** A new site with the secrets that are shown exactly once. */
    public record CreatedSite(Site site, String apiKey, String webhookSecret) {}

    /** Credentials chosen by the caller instead of generated (the demo site uses this). */
    public record FixedKeys(String siteId, String publicKey, String apiKey, String webhookSecret) {}

    public static final Set<String> CREATE_FIELDS = Stream.concat(SiteSettingsCodec.SETTING_FIELDS.stream(), Stream.of("name", "providers"))
            .collect(Collectors.toUnmodifiableSet());

    private final SiteStore store;
    private final SiteRegistry registry;
    private final SecretCipher cipher;
    private final Clock clock;

    public SiteService(SiteStore store, SiteRegistry registry, SecretCipher cipher, Clock clock) {
        this.store = store;
        this.registry = registry;
        this.cipher = cipher;
        this.clock = clock;
    }

    /** Loads every site into the registry at start. */
    public void loadAll() {
        for (SiteStore.StoredSite stored : store.loadAll()) {
            registry.put(new SiteRegistry.Entry(stored.site(), new SiteSecrets(
                    SiteStore.unhex(stored.apiKeyHashHex()),
                    cipher.decrypt(stored.webhookSecretEnc()),
                    cipher.decrypt(stored.twilioTokenEnc()))));
        }
    }

    public CreatedSite create(JsonBody body, FixedKeys fixed) {
        body.rejectUnknown(CREATE_FIELDS);
        String name = body.requiredString("name", 200);
        SiteSettings settings = SiteSettingsCodec.forNewSite(body);
        String twilioToken = body.optionalString("twilioAuthToken", 200);
        String publicKey = fixed != null ? fixed.publicKey() : Keys.random("pk_", 15);
        String apiKey = fixed != null ? fixed.apiKey() : Keys.random("sk_", 32);
        String webhookSecret = fixed != null ? fixed.webhookSecret() : Keys.random("whsec_", 32);
        Site site = new Site(fixed != null && fixed.siteId() != null ? fixed.siteId() : Keys.id("st_"), name, publicKey, settings, twilioToken != null, clock.instant());
        String apiKeyHash = Keys.sha256Hex(apiKey);
        store.insert(new SiteStore.StoredSite(site, apiKeyHash, cipher.encrypt(webhookSecret),
                twilioToken == null ? null : cipher.encrypt(twilioToken)));
        registry.put(new SiteRegistry.Entry(site, new SiteSecrets(HexFormat.of().parseHex(apiKeyHash), webhookSecret, twilioToken)));
        return new CreatedSite(site, apiKey, webhookSecret);
    }

    /** Applies a PATCH; fields not given keep their values. */
    public Site update(SiteRegistry.Entry current, JsonBody body) {
        body.rejectUnknown(CREATE_FIELDS);
        Site site = current.site();
        String name = body.has("name") ? body.requiredString("name", 200) : site.name();
        SiteSettings settings = SiteSettingsCodec.apply(site.settings(), body);
        String twilioToken = current.secrets().twilioAuthToken();
        if (body.has("twilioAuthToken")) {
            twilioToken = body.requiredString("twilioAuthToken", 200);
        }
        Site updated = site.withSettings(settings, name, twilioToken != null);
        store.update(updated, twilioToken == null ? null : cipher.encrypt(twilioToken));
        SiteSecrets secrets = new SiteSecrets(current.secrets().apiKeyHash(), current.secrets().webhookSecret(), twilioToken);
        registry.put(new SiteRegistry.Entry(updated, secrets));
        return updated;
    }
}
