package io.ringpool.store;

import java.sql.SQLException;

/** A write broke a unique or primary key: the row it wanted to own is already owned. */
public final class ConstraintViolationException extends StoreException {
    private static final long serialVersionUID = 1L;

    public ConstraintViolationException(String message, SQLException cause) {
        super(message, cause);
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
