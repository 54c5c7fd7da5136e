package io.ringpool.session;

import io.ringpool.failure.DomainFailure;

/** A session id the store has never seen. */
public final class UnknownSession extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public UnknownSession() {
        super(Kind.NOT_FOUND, "session_not_found", "no such session");
    }
}
