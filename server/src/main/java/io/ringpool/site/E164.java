package io.ringpool.site;

import io.ringpool.http.ApiException;
import java.util.regex.Pattern;

/**
 * Phone numbers the operator configures (default, forwarding, pool and static numbers) must be
 * E.164. Spaces, dashes, dots and brackets are forgiven and removed; anything else is a 422 naming
 * the field. We do not ask libphonenumber whether the number is "valid": providers hand out ranges
 * it does not know yet, and demo and test numbers are fictional.
 */
public final class E164 {
    private static final Pattern SHAPE = Pattern.compile("\\+[1-9]\\d{6,14}");
    private static final Pattern FORGIVEN = Pattern.compile("[\\s\\u00a0().-]");

    private E164() {}

    public static String require(String field, String value) {
        if (value == null) {
            throw new ApiException(422, "missing_field", "'" + field + "' is required", field);
        }
        String cleaned = FORGIVEN.matcher(value).replaceAll("");
        if (!SHAPE.matcher(cleaned).matches()) {
            throw ApiException.invalid(field, "'" + field + "' must be a phone number in E.164 form such as +74951234567 (got '"
                    + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "')");
        }
        return cleaned;
    }

    public static boolean isE164(String value) {
        return value != null && SHAPE.matcher(value).matches();
    }
}
