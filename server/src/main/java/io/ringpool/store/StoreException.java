package io.ringpool.store;

/** The database failed or is unreachable. Callers answer 503; the cause is logged, never sent. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
