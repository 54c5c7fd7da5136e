package io.ringpool.app;

/**
 * A reason the server cannot start that the operator can fix (a port in use, a data directory
 * held by another Ringpool). Its message is one line meant for the terminal: {@code Main} prints
 * it without a stack trace and exits 1 (or 2: {@link #exitStatus}).
 */
public final class StartupFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitStatus;

    public StartupFailure(String message) {
        this(message, 1);
    }

    /** @param exitStatus 2 for a refusal of what is configured or stored, as a bad setting is refused */
    public StartupFailure(String message, int exitStatus) {
        super(message, null, false, false);
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
