package io.ringpool.call;

import io.ringpool.store.StoreException;

/**
 * A call's waiting events changed between an ingestion's plan and its write (another node stored
 * or joined one). Thrown inside the write, so its transaction is rolled back, and the event is
 * planned again from what is committed. A store exception, as a lost unique-key race is
 * ({@code ConstraintViolationException}): should it outlast the ingestion's attempts, the caller
 * answers 503 and the call journal keeps the event and delivers it again, instead of a 500.
 */
final class StaleEvents extends StoreException {
    private static final long serialVersionUID = 1L;

    StaleEvents() {
        super("a waiting call event changed since it was read");
    }
}
