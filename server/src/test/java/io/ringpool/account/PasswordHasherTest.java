package io.ringpool.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.failure.DomainFailure;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/**
 * Audit AN4 F20: 250 sign-in attempts at once, each an Argon2id hash holding 19 MiB, killed a
 * 512 MB server. Hashes take turns; one that cannot get a turn in time is a 503, not a wrong
 * password (which would count against the person's lockout).
 */
class PasswordHasherTest {

    @Test
    void aHashWithoutATurnIsRefusedAsBusyNotAnsweredAsAWrongPassword() {
        Semaphore turns = new Semaphore(1);
        PasswordHasher hasher = new PasswordHasher(turns);
        String stored = hasher.hash("correct horse");

        turns.acquireUninterruptibly(); // every turn is taken, as by a flood of sign-ins
        long began = System.nanoTime();
        assertThatThrownBy(() -> hasher.verify("correct horse", stored)).isInstanceOfSatisfying(DomainFailure.class, f -> {
            assertThat(f.kind()).isEqualTo(DomainFailure.Kind.UNAVAILABLE);
            assertThat(f.code()).isEqualTo("busy");
            assertThat(f.retryAfterSeconds()).isEqualTo(1);
        });
        assertThat((System.nanoTime() - began) / 1_000_000).as("waited its turn, then gave up").isGreaterThanOrEqualTo(
                PasswordHasher.WAIT.toMillis() - 50);
        assertThatThrownBy(() -> hasher.hash("new password")).isInstanceOf(DomainFailure.class);
        assertThatThrownBy(() -> hasher.verifyDummy("guess")).isInstanceOf(DomainFailure.class);

        turns.release();
        assertThat(hasher.verify("correct horse", stored)).isTrue();
        assertThat(hasher.verify("wrong", stored)).isFalse();
        assertThat(turns.availablePermits()).as("every turn given back").isEqualTo(1);
    }
}
