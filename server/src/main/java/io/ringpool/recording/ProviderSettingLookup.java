package io.ringpool.recording;

import java.util.Optional;

/** One of a site's provider settings, decrypted ({@code apiKey} of {@code mango}); empty when not set. */
@FunctionalInterface
public interface ProviderSettingLookup {
    Optional<String> get(String siteId, String provider, String field);
}
