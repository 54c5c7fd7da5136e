package io.ringpool.app;

/**
 * A reason the server cannot start that the operator can fix (a port in use, a data directory
 * held by another Ringpool). Its message is one line meant for the terminal: {@code Main} prints
 * it without a stack trace and exits 1.
 */
public final class StartupFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupFailure(String message) {
        super(message, null, false, false);
    }
}
