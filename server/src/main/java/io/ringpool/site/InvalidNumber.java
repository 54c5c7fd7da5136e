package io.ringpool.site;

import io.ringpool.failure.DomainFailure;

/**
 * A phone number the operator configured is neither E.164 (punctuation forgiven) nor written
 * locally in the site's country, or no phone can have it.
 */
public final class InvalidNumber extends DomainFailure {
    private static final long serialVersionUID = 1L;

    private InvalidNumber(String field, String message) {
        super(Kind.INVALID, "invalid_value", message, field);
    }

    /** @param country the site's region the number was also read in, or null when none is known */
    static InvalidNumber notANumber(String field, String given, String country) {
        return new InvalidNumber(field, "'" + field + "' must be a phone number in E.164 form such as +74951234567"
                + (country == null ? "" : " or as written locally in the site's country (" + country + ")")
                + " (got '" + shortened(given) + "')");
    }

    /** A number written without '+' where no country is known to read it in. */
    static InvalidNumber needsCountry(String field, String given) {
        return new InvalidNumber(field, "'" + field + "' must be a phone number in E.164 form such as +74951234567: a number"
                + " written locally, without '+', is read only in the site's 'country', and none is known (a new site: send"
                + " 'country' with it) (got '" + shortened(given) + "')");
    }

    /** @param why why no phone can have this number ({@link E164#requirePossible}) */
    static InvalidNumber impossible(String field, String given, String why) {
        return new InvalidNumber(field, "'" + field + "' is not a possible phone number: " + why + " (got '"
                + shortened(given) + "')");
    }

    private static String shortened(String given) {
        return given.length() > 40 ? given.substring(0, 40) + "…" : given;
    }
}
