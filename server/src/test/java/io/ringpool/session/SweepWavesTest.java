package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestDomain;
import io.ringpool.pool.NewPool;
import io.ringpool.site.SiteService;
import io.ringpool.site.SiteSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst of expiries (every lease of a restarted node ending together one TTL later) reaches the
 * writer in waves: the sweep never has more than a wave of end writes waiting, so a visitor's
 * write that arrives meanwhile waits for one wave, not for the whole burst. Checked with the
 * writer held on a write of the test's own, so the queue shows what the sweep queued.
 */
class SweepWavesTest {
    static final int LEASES = 1_000;
    /** Leasing.ENDS_PER_WAVE (package-private in io.ringpool.pool). */
    static final int WAVE = 200;

    @TempDir
    Path dir;
    TestDomain domain;
    SiteService.CreatedSite site;

    @BeforeEach
    void open() {
        domain = new TestDomain(dir);
        site = domain.createShop();
        List<String> numbers = new ArrayList<>();
        for (int i = 0; i < LEASES; i++) {
            numbers.add(String.format("+7495100%04d", i));
        }
        domain.pools.create(site.site().siteId(), new NewPool("main", null, null, numbers));
    }

    @AfterEach
    void close() {
        domain.close();
    }

    @Test
    void aBurstOfExpiriesIsWrittenInWavesAndEveryLeaseStillEnds() throws Exception {
        for (int i = 0; i < LEASES; i++) {
            SessionService.Started started = domain.sessions.start(new SessionService.StartRequest(site.site().publicKey(), "v_" + i,
                    "https://example.com/", null, null, Map.of(), false, SessionServiceTest.CHROME,
                    "10.0." + (i / 250) + "." + (i % 250 + 1), "https://example.com"));
            assertThat(started.tracked()).isTrue();
        }
        domain.clock.advance(Duration.ofSeconds(SiteSettings.DEFAULT_LEASE_TTL + 1));

        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        domain.writer().submit(c -> {
            holding.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

        AtomicInteger ended = new AtomicInteger(-1);
        Thread sweeper = Thread.ofPlatform().start(() -> ended.set(domain.sessions.sweep()));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (queued() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(300); // the old sweep queued every end at once, within microseconds
            assertThat(queued()).as("end writes waiting while the writer is held").isBetween(1.0, (double) WAVE);
        } finally {
            release.countDown();
        }
        sweeper.join(30_000);
        assertThat(ended.get()).isEqualTo(LEASES);
        assertThat(domain.registry.get("ringpool.pool.leased").gauge().value()).isZero();
    }

    private double queued() {
        return domain.registry.get("ringpool.store.write.queue").gauge().value();
    }
}
