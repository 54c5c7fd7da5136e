package io.ringpool.store;

import java.sql.SQLException;

/** A write broke a unique or primary key: the row it wanted to own is already owned. */
public final class ConstraintViolationException extends StoreException {
    private static final long serialVersionUID = 1L;

    public ConstraintViolationException(String message, SQLException cause) {
        super(message, cause);
    }

    /**
     * Whether the violated constraint or index is {@code name}. Both databases name it in the
     * message (PostgreSQL: {@code violates unique constraint "name"}; H2: the index name, upper case).
     */
    public boolean violates(String name) {
        for (Throwable t = this; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.toLowerCase(java.util.Locale.ROOT).contains(name.toLowerCase(java.util.Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /** SQLSTATE class 23 is "integrity constraint violation" in both H2 and PostgreSQL. */
    static boolean isConstraintViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }
}
