package io.ringpool.call;

import io.ringpool.edit.EditVersion;
import io.ringpool.edit.TagChange;
import io.ringpool.failure.DomainFailure;
import io.ringpool.inbound.StorableText;
import java.util.Arrays;
import java.util.Currency;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
 * @param tagChange tags added and removed on the stored list (never with {@code tags}); empty for none
 */
public record CallChanges(List<String> tags, Double value, String currency, Boolean reviewed, String note, boolean clearsValue,
        TagChange tagChange) {
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

    /** Changes that add or remove no single tag. */
    public CallChanges(List<String> tags, Double value, String currency, Boolean reviewed, String note, boolean clearsValue) {
        this(tags, value, currency, reviewed, note, clearsValue, new TagChange(null, null));
    }

    /**
     * Longest tag, in characters as people count them (code points: an emoji is one). The tag
     * columns hold it on both stores (V111: H2 counts UTF-16 units, where an emoji is two).
     */
    public static final int MAX_TAG_CHARS = 50;
    public static final double MAX_VALUE = 1e12;

    public CallChanges {
        if (tags != null) {
            tags = validTags(tags, "tags");
        }
        tagChange = tagChange == null ? new TagChange(null, null)
                : new TagChange(validTags(tagChange.add(), "addTags"), validTags(tagChange.remove(), "removeTags"));
        tagChange.rejectAlongside(tags);
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

    /**
     * The version of what these changes write on a call, its {@code etag}: one part each for the
     * tags, the value with its currency, the review flag and the note ({@link EditVersion}).
     */
    public static EditVersion version(StoredCall call) {
        Map<String, Object> parts = new LinkedHashMap<>();
        parts.put("tags", call.tags());
        parts.put("value", Arrays.asList(call.value(), call.currency()));
        parts.put("reviewed", call.review().reviewed());
        parts.put("note", call.review().note());
        return EditVersion.of(parts);
    }

    /**
     * The parts of {@link #version} these changes write: an {@code If-Match} is checked against those
     * only. Tags added or removed are not a write of the list: they change the stored one, whatever
     * it has become, so they can replace nobody's edit.
     */
    Set<String> writtenParts() {
        Set<String> parts = new HashSet<>();
        if (tags != null) {
            parts.add("tags");
        }
        if (value != null || clearsValue || currency != null) {
            parts.add("value");
        }
        if (reviewed != null) {
            parts.add("reviewed");
        }
        if (note != null) {
            parts.add("note");
        }
        return parts;
    }

    /** Trimmed, without repeats; 422 naming {@code field[i]} for an empty, too long or unprintable tag. */
    private static List<String> validTags(List<String> tags, String field) {
        if (tags.size() > MAX_TAGS) {
            throw DomainFailure.invalid(field, "'" + field + "' has more than " + MAX_TAGS + " items");
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (int i = 0; i < tags.size(); i++) {
            String tag = tags.get(i) == null ? "" : tags.get(i).trim();
            String at = field + "[" + i + "]";
            if (tag.isEmpty() || tag.codePointCount(0, tag.length()) > MAX_TAG_CHARS) {
                throw DomainFailure.invalid(at, "'" + at + "' must be 1 to " + MAX_TAG_CHARS + " characters");
            }
            if (!StorableText.isStorable(tag)) {
                throw DomainFailure.invalid(at, "'" + at + "' must not contain control characters");
            }
            unique.add(tag);
        }
        return List.copyOf(unique);
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
