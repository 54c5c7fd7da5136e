package io.ringpool.telephony.provider;

import java.util.Map;
import java.util.Objects;

/** One site's settings for one provider, decrypted, as validated by its {@link ProviderSettingsSpec}. */
public record ProviderSettings(String provider, Map<String, String> values) {

    public ProviderSettings {
        Objects.requireNonNull(provider, "provider");
        values = Map.copyOf(values);
    }

    /** The value of a required setting (validated on write, so present). */
    public String get(String name) {
        return values.get(name);
    }

    public String getOrDefault(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }
}
