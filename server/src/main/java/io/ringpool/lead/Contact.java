package io.ringpool.lead;

import io.ringpool.call.CallerNumber;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a person can be reached, as a lead gave it: a phone number and an e-mail address, each
 * normalised so that the same person is recognised across calls and leads. A person <em>is</em>
 * their valid phone or valid e-mail; an invalid one is kept as text for the marketer to read but
 * never matched, hashed or exported.
 *
 * @param phone      E.164 when valid (libphonenumber with the site's country, as callers are read),
 *                   else the sender's text; null when none was given
 * @param email      trimmed and lower-cased; null when none was given
 */
public record Contact(String phone, boolean phoneValid, String email, boolean emailValid) {

    /** What erasure leaves in place of a phone (the same word calls use). */
    public static final String ERASED = CallerNumber.ERASED;

    /** RFC 5321 caps a path at 256 octets, so an address is at most 254 characters. */
    public static final int MAX_EMAIL_CHARS = 254;

    /**
     * The shape of an address, not a validation of it: one '@', something before it, a dot in the
     * domain, no spaces. Good enough to tell an address from a name typed into the wrong field.
     */
    private static final Pattern EMAIL = Pattern.compile("[^\\s@]+@[^\\s@.]+(\\.[^\\s@.]+)+");

    public static Contact of(String rawPhone, String rawEmail, String country) {
        String phone = null;
        boolean phoneValid = false;
        if (rawPhone != null && !rawPhone.isBlank()) {
            CallerNumber n = CallerNumber.typedByAPerson(rawPhone, country);
            phone = n.value();
            phoneValid = n.valid();
        }
        String email = normaliseEmail(rawEmail);
        return new Contact(phone, phoneValid, email, email != null && isEmail(email));
    }

    /** Trimmed and lower-cased (Locale.ROOT, so a Turkish default locale cannot change an 'I'); null when blank. */
    public static String normaliseEmail(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        return raw.strip().toLowerCase(Locale.ROOT);
    }

    public static boolean isEmail(String normalised) {
        return normalised != null && normalised.length() <= MAX_EMAIL_CHARS && EMAIL.matcher(normalised).matches();
    }

    /** The phone that identifies the person, or null. */
    public String personPhone() {
        return phoneValid ? phone : null;
    }

    /** The e-mail that identifies the person, or null. */
    public String personEmail() {
        return emailValid ? email : null;
    }

    public boolean identifiesPerson() {
        return phoneValid || emailValid;
    }

    /** Masked for logs: personal data never reaches a log line whole. */
    public String masked() {
        String p = phone == null ? "-" : new CallerNumber(phone, phoneValid).masked();
        String e = email == null ? "-" : email.length() <= 3 ? "***" : email.charAt(0) + "***" + email.substring(email.indexOf('@') < 0 ? email.length() : email.indexOf('@'));
        return p + " " + e;
    }

    @Override
    public String toString() {
        return masked();
    }
}
