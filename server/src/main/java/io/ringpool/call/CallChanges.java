package io.ringpool.call;

import io.ringpool.failure.DomainFailure;
import io.ringpool.inbound.StorableText;
import java.util.Currency;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * What a marketer changes on a call: each part null to leave it as it is. Valid once built: tags
 * trimmed, without repeats, at most {@link #MAX_TAGS} of 1 to {@link #MAX_TAG_CHARS} characters (code points, no
 * control characters); a
 * value from 0 to {@link #MAX_VALUE}; a currency an ISO 4217 code (upper case).
 *
 * @param tags     the call's tags from now on (replacing the old ones; empty clears them), or null
 * @param value    what the call was worth, or null
 * @param currency the currency of the value, or null (a value without one is in the site's currency)
 * @param reviewed whether someone listened to / judged the call, or null
 * @param note     the marketer's note (empty clears it), at most {@link #MAX_NOTE_CHARS} characters, or null
 * @param clearsValue whether the call's value is removed ({@code "value": null}); {@code value} is then null
 */
public record CallChanges(List<String> tags, Double value, String currency, Boolean reviewed, String note, boolean clearsValue) {
    public static final int MAX_TAGS = 20;
    /** Longest note on a call, characters. */
    public static final int MAX_NOTE_CHARS = 2000;

    /** Tags, value and currency only. */
    public CallChanges(List<String> tags, Double value, String currency) {
        this(tags, value, currency, null, null);
    }

    /** Changes that remove no value. */
    public CallChanges(List<String> tags, Double value, String currency, Boolean reviewed, String note) {
        this(tags, value, currency, reviewed, note, false);
    }

    /**
     * Longest tag, in characters as people count them (code points: an emoji is one). The tag
     * columns hold it on both stores (V111: H2 counts UTF-16 units, where an emoji is two).
     */
    public static final int MAX_TAG_CHARS = 50;
    public static final double MAX_VALUE = 1e12;

    public CallChanges {
        if (tags != null) {
            if (tags.size() > MAX_TAGS) {
                throw DomainFailure.invalid("tags", "'tags' has more than " + MAX_TAGS + " items");
            }
            LinkedHashSet<String> unique = new LinkedHashSet<>();
            for (int i = 0; i < tags.size(); i++) {
                String tag = tags.get(i) == null ? "" : tags.get(i).trim();
                if (tag.isEmpty() || tag.codePointCount(0, tag.length()) > MAX_TAG_CHARS) {
                    throw DomainFailure.invalid("tags[" + i + "]", "'tags[" + i + "]' must be 1 to " + MAX_TAG_CHARS + " characters");
                }
                if (!StorableText.isStorable(tag)) {
                    throw DomainFailure.invalid("tags[" + i + "]", "'tags[" + i + "]' must not contain control characters");
                }
                unique.add(tag);
            }
            tags = List.copyOf(unique);
        }
        if (clearsValue && value != null) {
            throw new IllegalArgumentException("a value is either set or removed");
        }
        if (value != null && (value.isNaN() || value < 0 || value > MAX_VALUE)) {
            throw DomainFailure.invalid("value", "'value' must be between 0 and " + (long) MAX_VALUE);
        }
        if (note != null && note.length() > MAX_NOTE_CHARS) {
            throw DomainFailure.invalid("note", "'note' is longer than " + MAX_NOTE_CHARS + " characters");
        }
        if (currency != null) {
            currency = currency.trim().toUpperCase(Locale.ROOT);
            if (!isCurrency(currency)) {
                throw DomainFailure.invalid("currency", "'currency' must be an ISO 4217 code such as RUB, USD, EUR");
            }
        }
    }

    private static boolean isCurrency(String code) {
        if (code.length() != 3) {
            return false;
        }
        try {
            Currency.getInstance(code);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
