package io.ringpool.store;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The pool as requests see it: while the store is known to be down (its last probe failed), a
 * connection is refused at once instead of after the pool's whole connection timeout. With
 * PostgreSQL stopped, every session start, report and settings change otherwise waited 3 s for its
 * 503, holding a worker thread all that time (audit E). The probe itself asks the pool directly,
 * so the store is seen again as soon as it answers.
 */
final class FailFastDataSource implements DataSource {
    private final DataSource pool;
    private final BooleanSupplier knownDown;

    FailFastDataSource(DataSource pool, BooleanSupplier knownDown) {
        this.pool = pool;
        this.knownDown = knownDown;
    }

    @Override
    public Connection getConnection() throws SQLException {
        refuseWhileDown();
        return pool.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        refuseWhileDown();
        return pool.getConnection(username, password);
    }

    private void refuseWhileDown() throws SQLException {
        if (knownDown.getAsBoolean()) {
            throw new SQLTransientConnectionException("the store did not answer its last probe");
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || pool.isWrapperFor(type);
    }
}
