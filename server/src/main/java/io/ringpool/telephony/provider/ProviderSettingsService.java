package io.ringpool.telephony.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringpool.failure.DomainFailure;
import io.ringpool.site.SecretCipher;
import io.ringpool.store.Database;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Every site's provider settings, in memory (webhooks read them on every request and must answer
 * while the store is down), loaded at start and written through on change.
 *
 * <p>A change is a map provider → fields: given fields replace stored ones (so a secret need not
 * be sent again to change another field), {@code null} for a field removes it, {@code null} for a
 * provider removes the provider. The result must have every required field.
 */
public final class ProviderSettingsService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Providers providers;
    private final ProviderSettingsStore store;
    private final SecretCipher cipher;
    private final Clock clock;
    private final Map<String, Map<String, ProviderSettings>> bySite = new ConcurrentHashMap<>();
    private final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();

    public ProviderSettingsService(Providers providers, Database db, SecretCipher cipher, Clock clock) {
        this.providers = providers;
        this.store = new ProviderSettingsStore(db);
        this.cipher = cipher;
        this.clock = clock;
    }

    public void loadAll() {
        for (ProviderSettingsStore.Row row : store.loadAll()) {
            bySite.computeIfAbsent(row.siteId(), k -> new ConcurrentHashMap<>())
                    .put(row.provider(), new ProviderSettings(row.provider(), decode(cipher.decrypt(row.settingsEnc()))));
        }
    }

    /** Called with (siteId, provider) after a provider's settings changed (the AMI connector reconnects). */
    public void onChange(BiConsumer<String, String> listener) {
        listeners.add(listener);
    }

    public Optional<ProviderSettings> settings(String siteId, String provider) {
        return Optional.ofNullable(bySite.getOrDefault(siteId, Map.of()).get(provider));
    }

    /** Every (siteId, settings) of one provider. */
    public Map<String, ProviderSettings> all(String provider) {
        Map<String, ProviderSettings> out = new LinkedHashMap<>();
        bySite.forEach((site, m) -> {
            ProviderSettings s = m.get(provider);
            if (s != null) {
                out.put(site, s);
            }
        });
        return out;
    }

    /**
     * Validates and applies one PATCH's {@code providers} object; nothing is written when any part is wrong.
     *
     * @param changes provider → (field → value or null), or provider → null to remove it
     */
    public void update(String siteId, Map<String, Map<String, String>> changes) {
        Map<String, ProviderSettings> current = bySite.getOrDefault(siteId, Map.of());
        Map<String, ProviderSettings> next = new LinkedHashMap<>();
        List<ProviderSettingsStore.Row> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> change : changes.entrySet()) {
            String name = change.getKey();
            TelephonyProvider provider = providers.byName(name)
                    .orElseThrow(() -> DomainFailure.unknownField("providers." + name));
            if (change.getValue() == null) {
                next.put(name, null);
                rows.add(new ProviderSettingsStore.Row(siteId, name, null));
                continue;
            }
            ProviderSettingsSpec spec = provider.settings();
            Map<String, String> values = new LinkedHashMap<>(current.containsKey(name) ? current.get(name).values() : Map.of());
            for (Map.Entry<String, String> field : change.getValue().entrySet()) {
                String path = "providers." + name + "." + field.getKey();
                ProviderSettingsSpec.Field f = spec.field(field.getKey()).orElseThrow(() -> DomainFailure.unknownField(path));
                String value = field.getValue() == null ? null : field.getValue().strip();
                if (value == null || value.isEmpty()) {
                    values.remove(f.name());
                    continue;
                }
                if (value.length() > f.maxLength()) {
                    throw DomainFailure.invalid(path, "'" + path + "' must be at most " + f.maxLength() + " characters");
                }
                Optional<String> problem = f.check().apply(value);
                if (problem.isPresent()) {
                    throw DomainFailure.invalid(path, "'" + path + "' " + problem.get());
                }
                values.put(f.name(), value);
            }
            Optional<String> missing = spec.missingRequired(values);
            if (missing.isPresent()) {
                String path = "providers." + name + "." + missing.get();
                throw new DomainFailure(DomainFailure.Kind.INVALID, "missing_field", "'" + path + "' is required", path);
            }
            next.put(name, new ProviderSettings(name, values));
            rows.add(new ProviderSettingsStore.Row(siteId, name, cipher.encrypt(encode(values))));
        }
        store.apply(siteId, rows, clock.millis());
        Map<String, ProviderSettings> site = bySite.computeIfAbsent(siteId, k -> new ConcurrentHashMap<>());
        next.forEach((name, s) -> {
            if (s == null) {
                site.remove(name);
            } else {
                site.put(name, s);
            }
        });
        for (String name : next.keySet()) {
            listeners.forEach(l -> l.accept(siteId, name));
        }
    }

    /**
     * The site's providers as the API shows them: non-secret fields with their values, secret ones
     * only named in {@code secretsSet}.
     */
    public Map<String, Object> describe(String siteId) {
        Map<String, Object> out = new LinkedHashMap<>();
        bySite.getOrDefault(siteId, Map.of()).entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            ProviderSettingsSpec spec = providers.byName(e.getKey()).map(TelephonyProvider::settings).orElse(ProviderSettingsSpec.of());
            Map<String, Object> shown = new LinkedHashMap<>();
            List<String> secrets = new ArrayList<>();
            e.getValue().values().forEach((k, v) -> {
                boolean secret = spec.field(k).map(ProviderSettingsSpec.Field::secret).orElse(true);
                if (secret) {
                    secrets.add(k);
                } else {
                    shown.put(k, v);
                }
            });
            secrets.sort(null);
            shown.put("secretsSet", secrets);
            out.put(e.getKey(), shown);
        });
        return out;
    }

    private static String encode(Map<String, String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> decode(String json) {
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored provider settings are unreadable", e);
        }
    }
}
