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
     * @param name      wire name ({@code apiKey})
     * @param secret    write-only
     * @param required  the provider cannot work without it
     * @param maxLength longest accepted text
     * @param check     further validation: the problem in words, or empty when the value is fine
     */
    public record Field(String name, boolean secret, boolean required, int maxLength, Function<String, Optional<String>> check) {

        public static Field secret(String name) {
            return new Field(name, true, true, 500, v -> Optional.empty());
        }

        public static Field plain(String name) {
            return new Field(name, false, true, 500, v -> Optional.empty());
        }

        public Field optional() {
            return new Field(name, secret, false, maxLength, check);
        }

        public Field checked(Function<String, Optional<String>> newCheck) {
            return new Field(name, secret, required, maxLength, newCheck);
        }
    }

    public ProviderSettingsSpec {
        fields = List.copyOf(fields);
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
