package io.ringpool.pool;

import java.util.Set;

/**
 * A change to a static number's source and attribution: the fields named in {@code given} take
 * the values here (null, or blank, removes an optional one); the others keep theirs.
 */
public record StaticNumberChange(String source, String medium, String campaign, String label, Set<String> given) {
    public StaticNumberChange {
        given = Set.copyOf(given);
    }

    StaticNumber applyTo(StaticNumber s) {
        return new StaticNumber(s.siteId(), s.number(), pick("source", source, s.source()), pick("medium", medium, s.medium()),
                pick("campaign", campaign, s.campaign()), pick("label", label, s.label()), s.createdAt());
    }

    private String pick(String field, String value, String was) {
        if (!given.contains(field)) {
            return was;
        }
        return value == null || value.isBlank() ? null : value;
    }
}
