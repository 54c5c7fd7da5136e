package io.ringpool.journal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The store's boundary in tests: a DataSource around the real pool that a test switches to
 * {@code DOWN} (every new connection refused, as when the database is stopped or unreachable) or
 * {@code SLOW} (each connection takes {@link #slowMillis} to come, as with an overloaded server).
 * A mock at the boundary only: everything behind it is the real H2 store.
 */
public final class SwitchableStore implements UnaryOperator<DataSource> {
    public enum Mode { UP, DOWN, SLOW }

    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.UP);
    private final AtomicLong slowMillis = new AtomicLong(2_000);

    public void set(Mode next) {
        mode.set(next);
    }

    public void slowBy(long millis) {
        slowMillis.set(millis);
        mode.set(Mode.SLOW);
    }

    @Override
    public DataSource apply(DataSource real) {
        return new DataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                gate();
                return real.getConnection();
            }

            @Override
            public Connection getConnection(String username, String password) throws SQLException {
                gate();
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
        };
    }

    private void gate() throws SQLException {
        switch (mode.get()) {
            case UP -> { }
            case DOWN -> throw new SQLTransientConnectionException("store switched off by the test", "08001");
            case SLOW -> {
                try {
                    Thread.sleep(slowMillis.get()); // the store's latency being simulated, not a wait for time to pass
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLTransientConnectionException("interrupted", "08001");
                }
            }
        }
    }
}
