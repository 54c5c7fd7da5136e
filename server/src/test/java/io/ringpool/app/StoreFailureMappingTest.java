package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.failure.DomainFailure;
import io.ringpool.http.FailureResponses;
import io.ringpool.store.ConstraintViolationException;
import io.ringpool.store.StoreException;
import io.ringpool.store.StoreOverloadedException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** What a client is told when the store, not the domain, refused a request. */
class StoreFailureMappingTest {

    @Test
    void aLostUniqueKeyRaceIsAConflictNotAnOutage() {
        DomainFailure failure = RingpoolApi.storeFailure(
                new ConstraintViolationException("duplicate key", new SQLException("Unique index or primary key violation", "23505")));

        assertThat(FailureResponses.status(failure.kind())).isEqualTo(409);
        assertThat(failure.code()).isEqualTo("concurrent_change");
        assertThat(failure.retryAfterSeconds()).isNull();
        assertThat(failure.getMessage()).doesNotContain("Unique index", "23505");
    }

    @Test
    void anOutageOrAFullWriteQueueIsStill503WithRetryAfter() {
        DomainFailure down = RingpoolApi.storeFailure(new StoreException("connection refused", new SQLException("refused", "08001")));
        DomainFailure full = RingpoolApi.storeFailure(new StoreOverloadedException("queue full"));

        assertThat(FailureResponses.status(down.kind())).isEqualTo(503);
        assertThat(down.code()).isEqualTo("store_unavailable");
        assertThat(down.retryAfterSeconds()).isEqualTo(1);
        assertThat(FailureResponses.status(full.kind())).isEqualTo(503);
        assertThat(full.code()).isEqualTo("overloaded");
    }

    @Test
    void whatIsNotTheStoresIsLeftToTheCaller() {
        assertThat(RingpoolApi.storeFailure(new IllegalStateException("a bug"))).isNull();
    }
}
