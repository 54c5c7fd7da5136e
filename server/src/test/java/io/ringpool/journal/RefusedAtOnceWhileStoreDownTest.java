package io.ringpool.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the store unreachable (PostgreSQL stopped: every connection attempt waits out the pool's
 * 3 s timeout), each session start, report and settings change waited those 3 s for its 503,
 * holding a worker all the while (audit E). Once the store's probe has found it down, requests that
 * need it are refused at once; when it answers again, they are served at the next probe.
 */
class RefusedAtOnceWhileStoreDownTest {
    @TempDir
    Path dir;

    @Test
    void requestsThatNeedTheStoreAre503AtOnceWhileItIsKnownDownAndServedAgainWhenItAnswers() throws Exception {
        SwitchableStore store = new SwitchableStore();
        try (TestServer server = new TestServer(dir, Map.of(), store)) {
            Map<String, String> site = server.siteWithPool(List.of("+74955550031", "+74955550032"));
            assertThat(server.startSession(site.get("publicKey"), "before-outage-01", "https://example.com/").status()).isEqualTo(201);

            store.unreachableFor(3_000);
            // The probe meets the outage and takes the 3 s to fail, as the pool does against a stopped PostgreSQL.
            Thread.sleep(4_000);
            long started = System.nanoTime();
            Reply refused = server.startSession(site.get("publicKey"), "during-outage-01", "https://example.com/");
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.errorCode()).isEqualTo("store_unavailable");
            assertThat(millis).as("answered without waiting out the connection timeout").isLessThan(2_000);
            Reply settings = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"name\":\"renamed\"}",
                    "application/json", Map.of());
            assertThat(settings.status()).isEqualTo(503);

            store.set(SwitchableStore.Mode.UP);
            long until = System.nanoTime() + 10_000_000_000L;
            Reply after;
            do {
                Thread.sleep(100);
                after = server.startSession(site.get("publicKey"), "after-outage-01", "https://example.com/");
            } while (after.status() != 201 && System.nanoTime() < until);
            assertThat(after.status()).as(after.body()).isEqualTo(201);
        }
    }
}
