package io.ringpool.telephony.provider;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The settings one provider reads from a site, as a list of fields. Secret fields are write-only:
 * stored encrypted, never shown again (the site description lists them as set).
 */
public record ProviderSettingsSpec(List<Field> fields) {

    /**
     * One setting.
     *
     * @param name       wire name ({@code apiKey})
     * @param secret     write-only
     * @param credential changing it (or removing it) changes the provider's credentials: every
     *                   secret, and a plain setting that authenticates the provider (Telnyx's public
     *                   key, a Basic or AMI username) or says where the stored secrets are sent (the
     *                   AMI host and port, an API base URL: moving it hands the secret to whoever is
     *                   there, audit AG2 #2). Only the {@code keys} permission changes one; a setting
     *                   that sends nothing secret is the site settings' like any other
     * @param required   the provider cannot work without it
     * @param maxLength  longest accepted text
     * @param check      further validation: the problem in words, or empty when the value is fine
     */
    public record Field(String name, boolean secret, boolean credential, boolean required, int maxLength,
            Function<String, Optional<String>> check) {

        public Field {
            credential = credential || secret;
        }

        public static Field secret(String name) {
            return new Field(name, true, true, true, 500, v -> Optional.empty());
        }

        public static Field plain(String name) {
            return new Field(name, false, false, true, 500, v -> Optional.empty());
        }

        /** This plain setting authenticates the provider or says where its secrets go (see {@link #credential}). */
        public Field asCredential() {
            return new Field(name, secret, true, required, maxLength, check);
        }

        public Field optional() {
            return new Field(name, secret, credential, false, maxLength, check);
        }

        public Field checked(Function<String, Optional<String>> newCheck) {
            return new Field(name, secret, credential, required, maxLength, newCheck);
        }
    }

    public ProviderSettingsSpec {
        fields = List.copyOf(fields);
    }

    /** A check for a base URL setting: http(s), a host, no query or fragment. */
    public static Optional<String> httpUrl(String value) {
        try {
            java.net.URI u = java.net.URI.create(value.strip());
            boolean web = u.getScheme() != null && u.getScheme().toLowerCase(java.util.Locale.ROOT).matches("https?");
            return web && u.getHost() != null && u.getQuery() == null && u.getFragment() == null ? Optional.empty()
                    : Optional.of("must be an http(s) URL without query");
        } catch (IllegalArgumentException e) {
            return Optional.of("must be an http(s) URL without query");
        }
    }

    public static ProviderSettingsSpec of(Field... fields) {
        return new ProviderSettingsSpec(List.of(fields));
    }

    public Optional<Field> field(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The first required field missing from {@code values}, if any. */
    public Optional<String> missingRequired(Map<String, String> values) {
        return fields.stream().filter(Field::required).map(Field::name)
                .filter(n -> values.get(n) == null || values.get(n).isBlank()).findFirst();
    }
}
