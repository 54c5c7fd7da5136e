package io.ringpool.site;

import io.ringpool.failure.DomainFailure;

/** A phone number the operator configured is not E.164 even with punctuation forgiven, or no phone can have it. */
public final class InvalidNumber extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public InvalidNumber(String field, String given) {
        super(Kind.INVALID, "invalid_value", "'" + field + "' must be a phone number in E.164 form such as +74951234567 (got '"
                + shortened(given) + "')", field);
    }

    /** @param why why no phone can have this number ({@link E164#requirePossible}) */
    public InvalidNumber(String field, String given, String why) {
        super(Kind.INVALID, "invalid_value", "'" + field + "' is not a possible phone number: " + why + " (got '"
                + shortened(given) + "')", field);
    }

    private static String shortened(String given) {
        return given.length() > 40 ? given.substring(0, 40) + "…" : given;
    }
}
