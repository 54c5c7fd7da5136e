package io.ringpool.journal;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * The store's boundary in tests: a DataSource around the real pool that a test switches to
 * {@code DOWN} (every new connection refused, as when the database is stopped or unreachable) or
 * {@code SLOW} (each connection takes {@link #slowMillis} to come, as with an overloaded server) or
 * {@code UNREACHABLE} (each attempt waits {@link #slowMillis}, then is refused: the pool's
 * connection timeout running out on a stopped PostgreSQL).
 * A mock at the boundary only: everything behind it is the real H2 store.
 */
public final class SwitchableStore implements UnaryOperator<DataSource> {
    public enum Mode { UP, DOWN, SLOW, UNREACHABLE }

    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.UP);
    private final AtomicLong slowMillis = new AtomicLong(2_000);

    public void set(Mode next) {
        mode.set(next);
    }

    public void slowBy(long millis) {
        slowMillis.set(millis);
        mode.set(Mode.SLOW);
    }

    /** Each connection attempt fails after {@code millis}, as the pool's does against a database that does not answer. */
    public void unreachableFor(long millis) {
        slowMillis.set(millis);
        mode.set(Mode.UNREACHABLE);
    }

    @Override
    public DataSource apply(DataSource real) {
        return new GatedDataSource(real, this::gate);
    }

    private void gate() throws SQLException {
        switch (mode.get()) {
            case UP -> { }
            case DOWN -> throw new SQLTransientConnectionException("store switched off by the test", "08001");
            case SLOW -> pause();
            case UNREACHABLE -> {
                pause();
                throw new SQLTransientConnectionException("ringpool-db - Connection is not available, request timed out", "08001");
            }
        }
    }

    private void pause() throws SQLException {
        try {
            Thread.sleep(slowMillis.get()); // the store's latency being simulated, not a wait for time to pass
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted", "08001");
        }
    }
}
