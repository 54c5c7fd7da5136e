package io.ringpool.store;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The connection pool every component is given, whose Hikari pool can be put aside and a new one
 * opened in its place without a restart: after H2 closed its store on an I/O error (a full disk),
 * every pooled connection is a session of that closed database and stays one (H2 still calls it
 * valid), so only a new pool reaches the store again ({@link Database#reopenIfH2StoreClosed}).
 * Between the two, a connection is refused at once, as while the store is down.
 */
final class ReplaceablePool implements DataSource {
    private volatile HikariDataSource current;

    ReplaceablePool(HikariDataSource first) {
        this.current = first;
    }

    /**
     * Closes the pool in use (its connections with it), then puts what {@code open} returns in its
     * place. When {@code open} throws, no pool is in place and every connection is refused until a
     * later call succeeds.
     */
    synchronized void replace(Supplier<HikariDataSource> open) {
        HikariDataSource old = current;
        current = null;
        if (old != null) {
            old.close();
        }
        current = open.get();
    }

    /** The pool's numbers, null while none is in place. */
    HikariPoolMXBean poolBean() {
        HikariDataSource pool = current;
        return pool == null ? null : pool.getHikariPoolMXBean();
    }

    synchronized void close() {
        if (current != null) {
            current.close();
        }
    }

    private HikariDataSource pool() throws SQLException {
        HikariDataSource pool = current;
        if (pool == null) {
            throw new SQLTransientConnectionException("the store is being reopened", "08001");
        }
        return pool;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool().getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return pool().getConnection(username, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool().getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool().setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool().setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool().getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return Logger.getLogger("com.zaxxer.hikari");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : pool().unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || pool().isWrapperFor(type);
    }
}
