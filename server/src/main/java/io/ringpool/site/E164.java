package io.ringpool.site;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import io.ringpool.failure.DomainFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Phone numbers in E.164 form, and the one place that forgives how people write them. Numbers the
 * operator configures (default, forwarding, pool and static numbers) are stored and answered in
 * E.164. Spaces, dashes, dots and brackets are removed first; a number without {@code +} is read
 * as written locally in the site's country ({@code 8 (495) 200-00-02} or {@code 495 200-00-02}
 * with RU, {@code (415) 555-0100} with US), as callers' numbers are. Without a country only E.164
 * is taken: {@code 495…} could be a number of any country.
 *
 * <p>We do not ask libphonenumber whether a number is "valid": providers hand out ranges it does
 * not know yet, and demo and test numbers are fictional ({@code +15555550123}). We do ask whether
 * it is <em>possible</em> ({@link #requirePossible}): a number too short or too long for its
 * country code, or with no country code at all ({@code +7495777}, 7 digits where Russia has 11),
 * can never ring, so a pool or a site configured with it would only show visitors a dead number.
 * That check reads lengths from libphonenumber's metadata, a few microseconds a number; it runs
 * on the admin paths that configure numbers, never on the call path.
 */
public final class E164 {
    private static final Pattern SHAPE = Pattern.compile("\\+[1-9]\\d{6,14}");
    /**
     * Spaces, no-break spaces, brackets, dots and every dash a page or a word processor puts in a
     * number (hyphen, non-breaking hyphen U+2011, en and em dashes, minus sign), since numbers are
     * copied from web pages (audit AM1 F4: {@code +7 495 777‑20‑08} with U+2011 was refused).
     */
    private static final Pattern FORGIVEN = Pattern.compile("[\\s\\u00a0().\\-\\u2010-\\u2015\\u2212]");
    /** A number as people write one in their country: digits, spaces, dashes, dots, brackets; no '+', no letters. */
    private static final Pattern WRITTEN_LOCALLY = Pattern.compile("[\\s\\u00a0().\\-\\u2010-\\u2015\\u2212]*\\d"
            + "[\\d\\s\\u00a0().\\-\\u2010-\\u2015\\u2212]*");
    /**
     * The trunk prefix written after a country code, {@code +44 (0)20 7946 0257}: dialled only
     * inside the country, never part of the international number (audit AM1 F3: it was kept,
     * {@code +4402079460257}, a number no network connects and no provider sends).
     */
    private static final Pattern TRUNK_ZERO = Pattern.compile("\\(\\s*0\\s*\\)");
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    /** Most digits after a country code libphonenumber reads (its own limit, MAX_LENGTH_FOR_NSN). */
    private static final int MAX_NATIONAL_DIGITS = 17;

    private E164() {}

    /**
     * {@code raw} as E.164 once spaces, no-break spaces, dashes, dots and brackets are removed
     * ({@code "+7 (495) 123-45-67"} → {@code "+74951234567"}), or null when it is not E.164 even then.
     */
    public static String withoutPunctuation(String raw) {
        if (raw == null) {
            return null;
        }
        String international = raw.indexOf('(') >= 0 && raw.strip().startsWith("+") ? TRUNK_ZERO.matcher(raw).replaceFirst("") : raw;
        String cleaned = FORGIVEN.matcher(international).replaceAll("");
        return SHAPE.matcher(cleaned).matches() ? cleaned : null;
    }

    /**
     * The E.164 form of a number that names one already configured (retiring a pool number, naming
     * a static number): only its shape is checked, so a number stored before
     * {@link #requirePossible} existed can still be named and removed.
     *
     * @param country the site's ISO 3166 region, for a number written locally; null when none is known
     * @throws DomainFailure {@code missing_field} when absent, {@link InvalidNumber} when not E.164
     *     and not a number written locally in {@code country}
     */
    public static String require(String field, String value, String country) {
        if (value == null) {
            throw DomainFailure.missing(field);
        }
        String cleaned = withoutPunctuation(value);
        if (cleaned != null) {
            return cleaned;
        }
        PhoneNumber local = local(field, value, country);
        String e164 = PHONES.format(local, PhoneNumberUtil.PhoneNumberFormat.E164);
        if (!SHAPE.matcher(e164).matches()) {
            throw InvalidNumber.notANumber(field, value, country);
        }
        return e164;
    }

    /**
     * The E.164 form of a number being configured, which must also be possible: a length its
     * country code allows, and a country code that exists. A number written locally must also be
     * whole: {@code 200-00-02} without its area code is only possible as a local call.
     *
     * @param country the site's ISO 3166 region, for a number written locally; null when none is known
     * @throws DomainFailure {@code missing_field} when absent; {@link InvalidNumber} when not E.164,
     *     not a number written locally in {@code country}, or not possible, saying why
     */
    public static String requirePossible(String field, String value, String country) {
        // As libphonenumber writes it: a trunk prefix typed after the country code without its
        // brackets (+49 030…, +44 020…) is dropped, as a provider never sends it.
        String e164 = asLibphonenumberWritesIt(require(field, value, country));
        String impossible = whyImpossible(e164);
        if (impossible == null && withoutPunctuation(value) == null
                && PHONES.isPossibleNumberWithReason(parsed(e164)) != PhoneNumberUtil.ValidationResult.IS_POSSIBLE) {
            impossible = "only a local call could reach it: write it with its area code";
        }
        if (impossible != null) {
            throw InvalidNumber.impossible(field, value, impossible);
        }
        return e164;
    }

    /**
     * {@code value}, not E.164, read as written locally in {@code country}: digits with the
     * punctuation people use, and no {@code +} (an international number with a wrong length is
     * refused as before, not read again as a local one).
     */
    private static PhoneNumber local(String field, String value, String country) {
        if (!WRITTEN_LOCALLY.matcher(value).matches()) {
            throw InvalidNumber.notANumber(field, value, country);
        }
        String digits = FORGIVEN.matcher(value).replaceAll("");
        if (digits.startsWith("00") && digits.length() > 2 && digits.charAt(2) != '0') {
            // 00 is the international prefix from most of the world and from Russian mobiles,
            // and no country's own numbers begin with it; read with the site's country, 0044… on a
            // Russian site became +70044… (audit AM1 F4).
            try {
                return PHONES.parse("+" + digits.substring(2), "ZZ");
            } catch (NumberParseException e) {
                throw InvalidNumber.notANumber(field, value, country);
            }
        }
        if (country == null) {
            throw InvalidNumber.needsCountry(field, value);
        }
        try {
            return PHONES.parse(value, country.toUpperCase(Locale.ROOT));
        } catch (NumberParseException e) {
            throw InvalidNumber.notANumber(field, value, country);
        }
    }

    /** {@code e164} formatted by libphonenumber, or as it is when libphonenumber cannot read it (whyImpossible then says why). */
    private static String asLibphonenumberWritesIt(String e164) {
        try {
            return PHONES.format(PHONES.parse(e164, "ZZ"), PhoneNumberUtil.PhoneNumberFormat.E164);
        } catch (NumberParseException e) {
            return e164;
        }
    }

    private static PhoneNumber parsed(String e164) {
        try {
            return PHONES.parse(e164, "ZZ");
        } catch (NumberParseException e) {
            throw new IllegalStateException("formatted by libphonenumber: " + e164, e);
        }
    }

    /**
     * Why no phone can have the E.164 number {@code e164}, for a person to read; null when one can
     * (libphonenumber's {@code isPossibleNumberWithReason} is {@code IS_POSSIBLE} or
     * {@code IS_POSSIBLE_LOCAL_ONLY}). Refused: {@code TOO_SHORT}, {@code TOO_LONG},
     * {@code INVALID_LENGTH} and {@code INVALID_COUNTRY_CODE}.
     */
    static String whyImpossible(String e164) {
        PhoneNumber number;
        try {
            number = PHONES.parse(e164, "ZZ");
        } catch (NumberParseException e) {
            return switch (e.getErrorType()) {
                case INVALID_COUNTRY_CODE -> "no country has a calling code at the start of " + e164;
                case TOO_SHORT_NSN, TOO_SHORT_AFTER_IDD -> "too few digits after the country code";
                case TOO_LONG -> "too many digits";
                default -> "not a phone number";
            };
        }
        int code = number.getCountryCode();
        int digits = PHONES.getNationalSignificantNumber(number).length();
        return switch (PHONES.isPossibleNumberWithReason(number)) {
            case INVALID_COUNTRY_CODE -> "no country has the calling code +" + code;
            case TOO_SHORT -> "too short: +" + code + " numbers have " + lengths(code) + " digits after the country code, this one has " + digits;
            case TOO_LONG -> "too long: +" + code + " numbers have " + lengths(code) + " digits after the country code, this one has " + digits;
            case INVALID_LENGTH -> "+" + code + " numbers have " + lengths(code) + " digits after the country code, this one has " + digits;
            default -> null; // IS_POSSIBLE, IS_POSSIBLE_LOCAL_ONLY, and any reason a later libphonenumber adds
        };
    }

    /**
     * The lengths after the country code libphonenumber allows for {@code countryCode}: "10",
     * "9 or 10", "5 to 12". Found by asking of each length (its metadata is not public); runs only
     * when a number was refused.
     */
    private static String lengths(int countryCode) {
        List<Integer> allowed = new ArrayList<>();
        long nationalNumber = 1;
        for (int length = 1; length <= MAX_NATIONAL_DIGITS; length++, nationalNumber *= 10) {
            PhoneNumber probe = new PhoneNumber().setCountryCode(countryCode).setNationalNumber(nationalNumber);
            if (PHONES.isPossibleNumberWithReason(probe) == PhoneNumberUtil.ValidationResult.IS_POSSIBLE) {
                allowed.add(length);
            }
        }
        if (allowed.isEmpty()) {
            return "other";
        }
        int first = allowed.get(0);
        int last = allowed.get(allowed.size() - 1);
        if (first == last) {
            return Integer.toString(first);
        }
        if (last - first + 1 == allowed.size() && allowed.size() > 2) {
            return first + " to " + last;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < allowed.size(); i++) {
            out.append(i == 0 ? "" : i == allowed.size() - 1 ? " or " : ", ").append(allowed.get(i));
        }
        return out.toString();
    }

    public static boolean isE164(String value) {
        return value != null && SHAPE.matcher(value).matches();
    }
}
