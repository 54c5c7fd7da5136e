package io.ringpool.session;

import io.ringpool.failure.DomainFailure;

/** A session whose lease is over: the script starts a new one. */
public final class SessionEnded extends DomainFailure {
    private static final long serialVersionUID = 1L;

    public SessionEnded() {
        super(Kind.GONE, "session_ended", "this session has ended; start a new one");
    }
}
