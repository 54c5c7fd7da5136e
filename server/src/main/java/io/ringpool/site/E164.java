package io.ringpool.site;

import io.ringpool.failure.DomainFailure;
import java.util.regex.Pattern;

/**
 * Phone numbers in E.164 form, and the one place that forgives punctuation around them. Numbers
 * the operator configures (default, forwarding, pool and static numbers) must be E.164; spaces,
 * dashes, dots and brackets are removed first. We do not ask libphonenumber whether the number is
 * "valid": providers hand out ranges it does not know yet, and demo and test numbers are fictional.
 */
public final class E164 {
    private static final Pattern SHAPE = Pattern.compile("\\+[1-9]\\d{6,14}");
    private static final Pattern FORGIVEN = Pattern.compile("[\\s\\u00a0().-]");

    private E164() {}

    /**
     * {@code raw} as E.164 once spaces, no-break spaces, dashes, dots and brackets are removed
     * ({@code "+7 (495) 123-45-67"} → {@code "+74951234567"}), or null when it is not E.164 even then.
     */
    public static String withoutPunctuation(String raw) {
        if (raw == null) {
            return null;
        }
        String cleaned = FORGIVEN.matcher(raw).replaceAll("");
        return SHAPE.matcher(cleaned).matches() ? cleaned : null;
    }

    /**
     * The E.164 form of a configured number.
     *
     * @throws DomainFailure {@code missing_field} when absent, {@link InvalidNumber} when not E.164
     */
    public static String require(String field, String value) {
        if (value == null) {
            throw DomainFailure.missing(field);
        }
        String cleaned = withoutPunctuation(value);
        if (cleaned == null) {
            throw new InvalidNumber(field, value);
        }
        return cleaned;
    }

    public static boolean isE164(String value) {
        return value != null && SHAPE.matcher(value).matches();
    }
}
