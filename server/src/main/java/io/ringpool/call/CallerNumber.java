package io.ringpool.call;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import io.ringpool.inbound.StorableText;
import io.ringpool.store.Columns;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A caller's number as we store it: E.164 when libphonenumber can make a valid number of it,
 * otherwise the provider's text as it came (trimmed), flagged invalid. Never throws: an odd caller
 * must not break ingestion (issue 3, item 4).
 *
 * <p>Anonymous callers show up as {@code anonymous}, {@code Restricted}, {@code Unknown}, an empty
 * string, or Twilio's stand-in {@code +266696687} (a Lesotho prefix with too few digits); none of
 * them is valid, so none of them is ever normalised into somebody's real number.
 *
 * @param value E.164 ({@code +79161234567}) when valid; else the raw trimmed text, {@code anonymous} if empty
 * @param valid true only for a number libphonenumber considers valid
 */
public record CallerNumber(String value, boolean valid) {

    /** What an empty or missing caller is stored as. */
    public static final String ANONYMOUS = "anonymous";

    /** What a caller is replaced by when the caller asks to be forgotten (PRODUCT.md §5). */
    public static final String ERASED = "erased";

    /** Longest raw text kept for an invalid caller; more is not a phone number, and it bounds the column. */
    static final int MAX_RAW_CHARS = 64;

    /** Digits kept visible at the end of a masked number: enough to tell calls apart in a log. */
    private static final int MASK_KEEP_TAIL = 4;

    /** Characters kept visible at the start of a masked E.164 number: '+', country and area code. */
    private static final int MASK_KEEP_HEAD = 5;

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    private static final Pattern WRITTEN_NUMBER = Pattern.compile("\\+?[0-9]{7,15}");
    private static final Pattern PUNCTUATION = Pattern.compile("[\\s\\u00a0().-]");

    /**
     * E.164 readings by region and text ("" when the text is no valid number). libphonenumber's
     * parse and validation were 12 % of a call event's worker time (JFR, call events once
     * compiled), and a caller's number arrives with every event of the call. Held in memory only,
     * bounded, and dropped after ten minutes unused: caller numbers are personal data.
     */
    private static final Cache<String, String> READINGS = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterAccess(Duration.ofMinutes(10)).build();

    public CallerNumber {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("value must not be empty; use CallerNumber.of");
        }
    }

    /**
     * Normalises a caller.
     *
     * @param raw     the caller as the provider sent it; may be null
     * @param country the site's ISO 3166 region ({@code RU}, {@code US}) for local formats such as
     *                {@code 8 (916) 123-45-67}; null or unknown means only international formats parse
     */
    public static CallerNumber of(String raw, String country) {
        // Kept as text both stores keep as it is: no control characters, no half surrogate pair.
        String text = raw == null ? "" : StorableText.storable(raw, false).strip();
        if (text.isEmpty()) {
            return new CallerNumber(ANONYMOUS, false);
        }
        String region = country == null ? "ZZ" : country.strip().toUpperCase(Locale.ROOT);
        String number = sipUser(text);
        if (number != text) {
            String e164 = reading(number, region);
            return e164.isEmpty() ? new CallerNumber(Columns.cap(text, MAX_RAW_CHARS), false) : new CallerNumber(e164, true);
        }
        // Only short texts are remembered, so the readings stay small whatever a sender puts in a field.
        String e164 = text.length() > MAX_RAW_CHARS ? reading(text, region) : READINGS.get(region + '\n' + text, key -> reading(text, region));
        if (!e164.isEmpty()) {
            return new CallerNumber(e164, true);
        }
        return new CallerNumber(Columns.cap(text, MAX_RAW_CHARS), false);
    }

    /**
     * As {@link #of}, for a number a person typed into a form: when the whole text is no valid
     * number, the first valid number written inside it. People add words to a free-text phone field
     * ("+7 916 555 22 17 (WhatsApp)", "8 916 555-22-14, Анна", "... или 8 916 ...") and
     * libphonenumber reads trailing letters as a vanity number, so the person went unrecognised
     * (audit AK1 F2). Not for providers' caller ids: a PBX that sends words sends no number.
     */
    public static CallerNumber typedByAPerson(String raw, String country) {
        CallerNumber whole = of(raw, country);
        if (whole.valid() || raw == null) {
            return whole;
        }
        String text = StorableText.storable(raw, false).strip();
        if (text.length() > MAX_RAW_CHARS * 4) {
            return whole;
        }
        String region = country == null ? "ZZ" : country.strip().toUpperCase(Locale.ROOT);
        try {
            for (com.google.i18n.phonenumbers.PhoneNumberMatch match
                    : PHONES.findNumbers(text, region, PhoneNumberUtil.Leniency.VALID, 10)) {
                return new CallerNumber(PHONES.format(match.number(), PhoneNumberUtil.PhoneNumberFormat.E164), true);
            }
        } catch (RuntimeException unreadable) {
            // As of(): an odd text is kept as it came, flagged invalid.
        }
        return whole;
    }

    /**
     * The user part of a SIP URI ({@code sip:+79161234567@pbx.local}, {@code "Anna" <sips:8916…@host;user=phone>}),
     * which is the number when a SIP trunk, FreeSWITCH or Twilio's SIP domain names the caller so
     * (audit AM1 F1: the URI was kept as text, so the caller was never recognised); {@code text}
     * itself when it holds no SIP URI.
     */
    static String sipUser(String text) {
        int at = text.indexOf('@');
        if (at < 0) {
            return text;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        int scheme = lower.lastIndexOf("sip:", at);
        int from = scheme >= 0 ? scheme + 4 : lower.lastIndexOf("sips:", at) >= 0 ? lower.lastIndexOf("sips:", at) + 5 : -1;
        if (from < 0 || from >= at) {
            return text;
        }
        int end = at;
        int semicolon = text.indexOf(';', from);
        if (semicolon >= 0 && semicolon < end) {
            end = semicolon; // a user part's parameters (;phone-context=…, ;isup-oli=…)
        }
        return text.substring(from, end);
    }

    /** The E.164 form of {@code text} read in {@code region}, or "" when it is no valid number. */
    private static String reading(String text, String region) {
        String e164 = e164(text, region);
        if (e164 == null && text.matches("[0-9]{11,15}")) {
            // PBXs often send international numbers without '+' (79161234567). Try that reading
            // only after the local one failed, and only keep it if it is a valid number.
            e164 = e164("+" + text, "ZZ");
        }
        return e164 == null ? "" : e164;
    }

    private static String e164(String text, String region) {
        try {
            PhoneNumber n = PHONES.parse(text, region);
            return PHONES.isValidNumber(n) ? PHONES.format(n, PhoneNumberUtil.PhoneNumberFormat.E164) : null;
        } catch (NumberParseException | RuntimeException unparseable) {
            return null;
        }
    }

    /**
     * Whether {@code raw} is written as a phone number, valid or not: 7 to 15 digits (E.164's most,
     * and the fewest of a local number without its area code), an optional leading '+', and the
     * punctuation people put around numbers (spaces, dashes, dots, brackets). What an erasure may
     * name: an invalid caller is stored as its provider sent it, and must stay erasable.
     */
    static boolean isWrittenAsANumber(String raw) {
        return raw != null && WRITTEN_NUMBER.matcher(PUNCTUATION.matcher(raw.strip()).replaceAll("")).matches();
    }

    /**
     * A form safe for logs (PRODUCT.md §5: caller numbers are masked): {@code +79161234567} →
     * {@code +7916***4567}. The middle is always three stars, so the mask does not leak the length.
     * Invalid callers keep their letters ({@code anonymous}) but all digits except the last two are
     * starred, and anything else unprintable is replaced by '?', so a caller id cannot forge a log line.
     */
    public String masked() {
        if (valid && value.length() > MASK_KEEP_HEAD + MASK_KEEP_TAIL) {
            return value.substring(0, MASK_KEEP_HEAD) + "***" + value.substring(value.length() - MASK_KEEP_TAIL);
        }
        int digits = (int) value.chars().filter(Character::isDigit).count();
        StringBuilder out = new StringBuilder(value.length());
        int seen = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isDigit(c)) {
                seen++;
                out.append(seen > digits - 2 ? c : '*');
            } else if (Character.isLetter(c) || (c >= 0x20 && c < 0x7f)) {
                out.append(c);
            } else {
                out.append('?');
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return masked(); // so a record in a log line never prints the number
    }
}
