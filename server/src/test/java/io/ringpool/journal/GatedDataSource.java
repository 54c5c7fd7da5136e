package io.ringpool.journal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The real store's DataSource with a test's gate in front of every new connection: the gate may
 * refuse it, delay it or hold it. Everything else goes to the real pool unchanged.
 */
public final class GatedDataSource implements DataSource {
    /** Decides about one connection before the real pool is asked for it. */
    @FunctionalInterface
    public interface Gate {
        void pass() throws SQLException;
    }

    private final DataSource real;
    private final Gate gate;

    public GatedDataSource(DataSource real, Gate gate) {
        this.real = real;
        this.gate = gate;
    }

    @Override
    public Connection getConnection() throws SQLException {
        gate.pass();
        return real.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        gate.pass();
        return real.getConnection(username, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return real.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        real.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        real.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return real.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return real.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return real.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return real.isWrapperFor(iface);
    }
}
