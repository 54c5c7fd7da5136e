package io.ringpool.telephony.provider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The providers this server speaks, by name. */
public final class Providers {
    private final Map<String, TelephonyProvider> byName = new LinkedHashMap<>();

    public Providers(List<TelephonyProvider> providers) {
        for (TelephonyProvider p : providers) {
            if (!p.name().matches("[a-z][a-z0-9]{1,19}")) {
                throw new IllegalArgumentException("a provider name is 2-20 lower-case letters and digits: " + p.name());
            }
            if (byName.put(p.name(), p) != null) {
                throw new IllegalArgumentException("two providers named " + p.name());
            }
        }
    }

    public Optional<TelephonyProvider> byName(String name) {
        return Optional.ofNullable(name == null ? null : byName.get(name));
    }

    public List<TelephonyProvider> all() {
        return List.copyOf(byName.values());
    }
}
