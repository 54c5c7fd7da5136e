package io.ringpool.export;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Google's normalisation of user-provided data before hashing (Google Ads API, "enhanced
 * conversions", and Campaign Manager 360's enhanced-conversions guide): remove leading and trailing
 * white space, lower-case, phone numbers in E.164, and for {@code gmail.com} and
 * {@code googlemail.com} addresses remove every period before the domain; then SHA-256, lowercase
 * hex. Google documents no rule for a {@code +tag} in the local part, so it is kept: stripping it
 * would hash an address other than the one the person gave Google.
 */
final class EnhancedConversions {
    private EnhancedConversions() {}

    /** The normalised address, or null when there is none. */
    static String normaliseEmail(String email) {
        if (email == null || email.isBlank()) {
            return null;
        }
        String e = email.strip().toLowerCase(Locale.ROOT);
        int at = e.lastIndexOf('@');
        if (at > 0) {
            String domain = e.substring(at + 1);
            if (domain.equals("gmail.com") || domain.equals("googlemail.com")) {
                e = e.substring(0, at).replace(".", "") + "@" + domain;
            }
        }
        return e;
    }

    /** SHA-256 of the UTF-8 text as lowercase hex (Google wants hex, 64 characters). */
    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
