package io.ringpool.store;

/** The write queue is full: the store cannot keep up, so the request is refused (503), not queued. */
public final class StoreOverloadedException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreOverloadedException(String message) {
        super(message);
    }
}
