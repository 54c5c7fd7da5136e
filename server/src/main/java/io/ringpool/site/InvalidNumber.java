package io.ringpool.site;

import io.ringpool.failure.DomainFailure;

/** A phone number the operator configured is not E.164, even with punctuation forgiven. */
public final class InvalidNumber extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public InvalidNumber(String field, String given) {
        super(Kind.INVALID, "invalid_value", "'" + field + "' must be a phone number in E.164 form such as +74951234567 (got '"
                + (given.length() > 40 ? given.substring(0, 40) + "…" : given) + "')", field);
    }
}
