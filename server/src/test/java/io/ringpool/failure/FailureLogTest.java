package io.ringpool.failure;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audit AM3 F2: a 36 s PostgreSQL outage wrote 209 WARN lines (the outbox's poll every 250 ms, the
 * cluster's beats and change polls), each naming Java classes: one line per event and reason per
 * 30 s now, with the count held back, in words.
 */
class FailureLogTest {
    private static final Logger LOG = LoggerFactory.getLogger("failure-log-test");
    private final AtomicLong nanos = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private final FailureLog failures = new FailureLog(nanos::get);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    /** What the store's outage looks like from the outbox: the store's wrapper around the driver's own failure. */
    private static RuntimeException storeDown() {
        return new IllegalStateException("database read failed",
                new SQLException("FATAL: terminating connection due to administrator command", "57P01"));
    }

    @BeforeEach
    void listen() {
        log.start();
        ((ch.qos.logback.classic.Logger) LOG).addAppender(log);
    }

    @AfterEach
    void stopListening() {
        ((ch.qos.logback.classic.Logger) LOG).detachAppender(log);
    }

    private List<String> lines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void anOutageOfAMinuteAtFourPollsASecondIsTwoLinesNotTwoHundredAndForty() {
        for (int i = 0; i < 240; i++) { // 60 s of the outbox's 250 ms poll
            failures.warn(LOG, "outbox_poll_failed", storeDown());
            nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(250));
        }

        assertThat(lines()).containsExactly(
                "outbox_poll_failed reason=database read failed: FATAL: terminating connection due to administrator command",
                "outbox_poll_failed reason=database read failed: FATAL: terminating connection due to administrator command"
                        + " repeated=119 (lines held back in the last 30 s or more)");
        assertThat(log.list).allMatch(e -> e.getThrowableProxy() == null);
        assertThat(failures.heldBackSinceLastAsked()).isEqualTo(119);
    }

    @Test
    void eachEventAndReasonHasItsOwnLineAndAfterTheStoreIsBackTheFirstFailureIsToldAtOnce() {
        failures.warn(LOG, "outbox_poll_failed", storeDown());
        failures.warn(LOG, "cluster_beat_failed", storeDown());
        failures.warn(LOG, "outbox_poll_failed", new IllegalStateException("database write failed"));
        failures.warn(LOG, "report_refresh_failed", "site=st_a", storeDown());
        failures.warn(LOG, "report_refresh_failed", "site=st_b", storeDown());
        failures.warn(LOG, "outbox_poll_failed", storeDown());
        assertThat(lines()).hasSize(5);

        assertThat(failures.heldBackSinceLastAsked()).isEqualTo(1);
        failures.warn(LOG, "outbox_poll_failed", storeDown());
        assertThat(lines()).hasSize(6);
        assertThat(lines().get(5)).doesNotContain("repeated");
    }

    @Test
    void theReasonIsWordsOnOneLineWithoutClassNames() {
        RuntimeException wrapped = new IllegalStateException("database read failed",
                new SQLException("IO Exception: \"java.io.IOException: No space left on device\"\n  [90028-232]",
                        new java.io.IOException("No space left on device")));
        assertThat(FailureLog.reason(wrapped))
                .isEqualTo("database read failed: IO Exception: \"No space left on device\" [90028-232]")
                .doesNotContain("java.").doesNotContain("\n");
        assertThat(FailureLog.reason(new java.net.ConnectException())).isEqualTo("ConnectException");
        assertThat(FailureLog.reason(new RuntimeException("x".repeat(1000)))).hasSize(FailureLog.MAX_REASON_CHARS + 1);
    }
}
