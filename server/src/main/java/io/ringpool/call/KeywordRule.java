package io.ringpool.call;

import io.ringpool.failure.DomainFailure;
import io.ringpool.inbound.StorableText;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A site's keyword rule: tag a call whose transcript contains any of the phrases, e.g.
 * {@code {"tag": "spam", "any": ["ошиблись номером", "wrong number"]}}. Matching ignores case,
 * runs of white space and punctuation at the phrase's edges, and treats ё as е (Russian texts and
 * speech-to-text write either).
 */
public record KeywordRule(String tag, List<String> any) {
    public static final int MAX_RULES = 50;
    public static final int MAX_PHRASES = 50;
    public static final int MAX_PHRASE_CHARS = 200;

    public KeywordRule {
        // The rule's tag becomes one of the call's tags: the same rule as a tag set by hand (CallChanges).
        String trimmed = tag == null ? "" : tag.trim();
        if (trimmed.isEmpty() || trimmed.codePointCount(0, trimmed.length()) > CallChanges.MAX_TAG_CHARS
                || !StorableText.isStorable(trimmed)) {
            throw DomainFailure.invalid("tag", "a keyword rule's 'tag' must be 1 to " + CallChanges.MAX_TAG_CHARS
                    + " characters, without control characters");
        }
        tag = trimmed;
        if (any == null || any.isEmpty() || any.size() > MAX_PHRASES) {
            throw DomainFailure.invalid("any", "a keyword rule's 'any' must list 1 to " + MAX_PHRASES + " phrases");
        }
        List<String> phrases = new ArrayList<>();
        for (String p : any) {
            String n = p == null ? "" : p.strip();
            if (n.isEmpty() || n.length() > MAX_PHRASE_CHARS) {
                throw DomainFailure.invalid("any", "each phrase must be 1 to " + MAX_PHRASE_CHARS + " characters");
            }
            phrases.add(n);
        }
        any = List.copyOf(phrases);
    }

    /** The first phrase found in {@code text}, or null. */
    public String firstMatch(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String haystack = " " + normalise(text) + " ";
        for (String phrase : any) {
            if (haystack.contains(" " + normalise(phrase) + " ")) {
                return phrase;
            }
        }
        return null;
    }

    /** The rule as the site wrote it, for the call's record of which rule set a tag. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tag", tag);
        m.put("any", any);
        return m;
    }

    /** Lower case, ё→е, every run of non-letters/digits one space: phrases match on word boundaries. */
    static String normalise(String s) {
        String n = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).replace('ё', 'е');
        return n.replaceAll("[^\\p{L}\\p{N}]+", " ").trim();
    }
}
