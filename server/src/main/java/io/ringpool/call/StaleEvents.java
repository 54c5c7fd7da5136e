package io.ringpool.call;

/**
 * A call's waiting events changed between an ingestion's plan and its write (another node stored
 * or joined one). Thrown inside the write, so its transaction is rolled back, and the event is
 * planned again from what is committed.
 */
final class StaleEvents extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StaleEvents() {
        super("a waiting call event changed since it was read", null, false, false);
    }
}
