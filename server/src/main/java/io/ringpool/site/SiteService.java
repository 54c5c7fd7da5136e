package io.ringpool.site;

import io.ringpool.failure.DomainFailure;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Set;

/** Creating and changing sites; writes go to the store first, then to the registry. */
public final class SiteService {

    /** A new site with the secrets that are shown exactly once. */
    public record CreatedSite(Site site, String apiKey, String webhookSecret) {}

    /** Credentials chosen by the caller instead of generated (the demo site uses this). */
    public record FixedKeys(String siteId, String publicKey, String apiKey, String webhookSecret) {}

    private final SiteStore store;
    private final SiteRegistry registry;
    private final SecretCipher cipher;
    private final Clock clock;
    private final java.util.function.BiPredicate<String, String> trackingNumbers;
    private final SettingsChanged settingsChanged;

    public SiteService(SiteStore store, SiteRegistry registry, SecretCipher cipher, Clock clock) {
        this(store, registry, cipher, clock, (siteId, number) -> false);
    }

    /**
     * @param trackingNumbers whether a number is one of the site's pool or static numbers (the pool
     *        package knows; a site must not know its pools)
     */
    public SiteService(SiteStore store, SiteRegistry registry, SecretCipher cipher, Clock clock,
            java.util.function.BiPredicate<String, String> trackingNumbers) {
        this(store, registry, cipher, clock, trackingNumbers, (before, after) -> { });
    }

    /**
     * Told, before a change is answered, that a site's settings changed (stored and in the
     * registry already): the calls and leads are classified again when the rule that classified
     * them changed. The site must not know its calls, so the composition root wires it.
     */
    public interface SettingsChanged {
        void changed(Site before, Site after);
    }

    /** @param settingsChanged told of every stored change, before it is answered */
    public SiteService(SiteStore store, SiteRegistry registry, SecretCipher cipher, Clock clock,
            java.util.function.BiPredicate<String, String> trackingNumbers, SettingsChanged settingsChanged) {
        this.settingsChanged = settingsChanged;
        this.store = store;
        this.registry = registry;
        this.cipher = cipher;
        this.clock = clock;
        this.trackingNumbers = trackingNumbers;
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

    /**
     * Re-reads one site another node changed (or created) and replaces this node's copy. Returns
     * false when the store has no such site.
     */
    public boolean reload(String siteId) {
        return reload(siteId, SiteSecrets.Previous.NONE);
    }

    /**
     * Reloads the site with exactly the stored keys: the current ones and {@code previous} (the
     * rotated keys still in their overlap, {@code KeyRotation.previousOf}); the registry drops the
     * mapping of any key the site no longer has, so a node never keeps accepting a rotated key.
     */
    public boolean reload(String siteId, SiteSecrets.Previous previous) {
        SiteStore.StoredSite stored = store.load(siteId);
        if (stored == null) {
            return false;
        }
        registry.put(new SiteRegistry.Entry(stored.site(), new SiteSecrets(
                SiteStore.unhex(stored.apiKeyHashHex()),
                cipher.decrypt(stored.webhookSecretEnc()),
                cipher.decrypt(stored.twilioTokenEnc()), previous)));
        return true;
    }

    /**
     * Creates a site with defaults for every setting not given.
     *
     * @throws DomainFailure {@code missing_field} without a name or default number; {@code invalid_value} naming the field
     * @throws DefaultNumberInUse when the default number is another site's tracking number
     */
    public CreatedSite create(NewSite command) {
        return create(command, Authority.ADMIN, Set.of());
    }

    /**
     * Creates a site for {@code authority}. A new site is every field set from nothing, so anything
     * but the admin key is held to the rules {@link #update} applies to a change: its
     * {@code forwardTo} must be in its country, and its country is not the caller's to choose. The
     * country of a new site is the one given, else its default number's; it must be one of
     * {@code knownCountries} (those of the sites the caller's workspace already has, which the
     * operator has accepted), or, when that set is empty (a workspace's first site), its default
     * number's. Otherwise a caller could leave {@code forwardTo} to default to a default number
     * abroad and send the site's calls there.
     *
     * @throws DomainFailure {@code country_needs_admin_key} (403) for another country
     * @throws ForwardingAbroadNeedsAdmin when {@code forwardTo} is outside the site's country
     */
    public CreatedSite create(NewSite command, Authority authority, Set<String> knownCountries) {
        SiteChanges given = command.values();
        String name = requiredName(given.name());
        SiteSettings settings = SiteSettingsCodec.forNewSite(given);
        if (authority != Authority.ADMIN) {
            Set<String> allowed = knownCountries.isEmpty() ? Set.of(SiteSettingsCodec.countryOf(settings.defaultNumber())) : knownCountries;
            if (!allowed.contains(settings.country())) {
                throw new DomainFailure(DomainFailure.Kind.FORBIDDEN, "country_needs_admin_key",
                        "a new site in " + settings.country() + " (its 'country', or its default number's) can only be created with the"
                                + " admin key here; this workspace's sites are in " + String.join(", ", new java.util.TreeSet<>(allowed))
                                + " (the country decides where calls may be forwarded)", "country");
            }
            if (!isInCountry(settings.forwardTo(), settings.country())) {
                throw new ForwardingAbroadNeedsAdmin(settings.country());
            }
            if (isPremiumRate(settings.forwardTo())) {
                throw ForwardingAbroadNeedsAdmin.premiumRate();
            }
        }
        String twilioToken = given.twilioAuthToken();
        FixedKeys fixed = command.fixedKeys();
        String publicKey = fixed != null ? fixed.publicKey() : Keys.random("pk_", 15);
        String apiKey = fixed != null ? fixed.apiKey() : Keys.random("sk_", 32);
        String webhookSecret = fixed != null ? fixed.webhookSecret() : Keys.random("whsec_", 32);
        String siteId = fixed != null && fixed.siteId() != null ? fixed.siteId() : Keys.id("st_");
        Site site = new Site(siteId, name, publicKey, settings, twilioToken != null, clock.instant());
        String apiKeyHash = Keys.sha256Hex(apiKey);
        store.insert(new SiteStore.StoredSite(site, apiKeyHash, cipher.encrypt(webhookSecret),
                twilioToken == null ? null : cipher.encrypt(twilioToken)));
        registry.put(new SiteRegistry.Entry(site, new SiteSecrets(HexFormat.of().parseHex(apiKeyHash), webhookSecret, twilioToken)));
        return new CreatedSite(site, apiKey, webhookSecret);
    }

    /** Who asks for a change: the operator (admin key) may do more than the site's own key. */
    public enum Authority { ADMIN, SITE }

    /** A change made with the site's own key. */
    public Site update(String siteId, SiteChanges changes) {
        return update(siteId, changes, Authority.SITE);
    }

    /**
     * Applies a change; fields not given keep their values.
     *
     * @throws UnknownSite when there is no such site
     * @throws DefaultNumberInUse when a new default number is a tracking number of this site or another
     * @throws ForwardingAbroadNeedsAdmin when a site key moves {@code forwardTo} out of the site's country
     */
    public Site update(String siteId, SiteChanges changes, Authority authority) {
        SiteRegistry.Entry current = registry.byId(siteId).orElseThrow(UnknownSite::new);
        Site site = current.site();
        String name = changes.name() != null ? requiredName(changes.name()) : site.name();
        SiteSettings settings = SiteSettingsCodec.apply(site.settings(), changes);
        boolean defaultChanged = !settings.defaultNumber().equals(site.settings().defaultNumber());
        if (defaultChanged && trackingNumbers.test(siteId, settings.defaultNumber())) {
            // The default number is what untracked visitors see: as a tracking number it would send
            // their calls to whoever holds its lease (pool creation refuses the reverse order too).
            // Another site's tracking numbers are the store's to refuse (SiteStore.update).
            throw DefaultNumberInUse.ofThisSite(settings.defaultNumber());
        }
        if (authority != Authority.ADMIN) {
            // The country is what "abroad" is measured against, so moving it is the operator's too.
            if (!settings.country().equals(site.settings().country())) {
                throw new DomainFailure(DomainFailure.Kind.FORBIDDEN, "country_needs_admin_key",
                        "'country' can only be changed with the admin key (it decides where calls may be forwarded)", "country");
            }
            boolean forwardMoved = !settings.forwardTo().equals(site.settings().forwardTo());
            if (forwardMoved && !isInCountry(settings.forwardTo(), settings.country())) {
                throw new ForwardingAbroadNeedsAdmin(settings.country());
            }
            if (forwardMoved && isPremiumRate(settings.forwardTo())) {
                throw ForwardingAbroadNeedsAdmin.premiumRate();
            }
        }
        String twilioToken = current.secrets().twilioAuthToken();
        if (changes.twilioAuthToken() != null) {
            if (changes.twilioAuthToken().isBlank()) {
                throw DomainFailure.missing("twilioAuthToken");
            }
            twilioToken = changes.twilioAuthToken();
        }
        Site updated = site.withSettings(settings, name, twilioToken != null);
        store.update(updated, twilioToken == null ? null : cipher.encrypt(twilioToken), defaultChanged,
                !settings.forwardTo().equals(site.settings().forwardTo()));
        // The rotated keys keep their overlap: a settings change is no rotation (audit AD2 #2: a PATCH
        // refused the old webhook secret and API key on H2 until the next restart).
        SiteSecrets secrets = new SiteSecrets(current.secrets().apiKeyHash(), current.secrets().webhookSecret(), twilioToken,
                current.secrets().previous());
        registry.put(new SiteRegistry.Entry(updated, secrets));
        settingsChanged.changed(site, updated);
        return updated;
    }

    /**
     * Whether an E.164 number belongs to {@code country}: its region when the number's pattern names
     * one, else the main region of its country code (fictional numbers have no exact region).
     */
    static boolean isInCountry(String e164, String country) {
        var util = com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance();
        try {
            var number = util.parse(e164, "ZZ");
            String region = util.getRegionCodeForNumber(number);
            if (region == null) {
                region = util.getRegionCodeForCountryCode(number.getCountryCode());
            }
            return country != null && country.equalsIgnoreCase(region);
        } catch (com.google.i18n.phonenumbers.NumberParseException e) {
            return false;
        }
    }

    /**
     * A number billed above a normal call (libphonenumber's PREMIUM_RATE and SHARED_COST: +7 809…,
     * +1 900…, 0870 in the UK): forwarding every tracked call there is the toll fraud the country
     * check exists for, without leaving the country.
     */
    static boolean isPremiumRate(String e164) {
        var util = com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance();
        try {
            var type = util.getNumberType(util.parse(e164, "ZZ"));
            return type == com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType.PREMIUM_RATE
                    || type == com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType.SHARED_COST;
        } catch (com.google.i18n.phonenumbers.NumberParseException e) {
            return false;
        }
    }

    private static String requiredName(String name) {
        if (name == null || name.isBlank()) {
            throw DomainFailure.missing("name");
        }
        return name;
    }
}
