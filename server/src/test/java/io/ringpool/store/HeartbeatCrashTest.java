package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heartbeats are answered from memory and written later in batches. A server killed with SIGKILL
 * after answering heartbeats it had not written must, once restarted, still keep every such
 * session's number until at least the expiry it promised, and not for ever: a fresh TTL from the
 * restart, then the leases end as usual.
 */
class HeartbeatCrashTest {
    static final String ADMIN = "admin-key-for-heartbeat-crash-test";
    static final int TTL_SECONDS = 15;

    @TempDir
    Path dataDir;

    @Test
    void numbersWhoseHeartbeatsWereAnsweredButNotWrittenStayWithTheirHoldersAfterKillMinus9() throws Exception {
        // Renewals wait a minute to be written: every heartbeat below is answered, none is stored.
        Path config = dataDir.resolve("slow-flush.yaml");
        Files.writeString(config, "leasing:\n  renewalFlushMillis: 60000\n");
        Map<String, String> env = Map.of("RINGPOOL_DATA_DIR", dataDir.resolve("data").toString(), "RINGPOOL_ADMIN_KEY", ADMIN);

        String siteId;
        String apiKey;
        String publicKey;
        String poolId;
        Map<String, String> numberOf = new HashMap<>();
        long latestStoredExpiry = 0;
        ChildServer first = ChildServer.start(env, "--config", config.toString());
        try {
            JsonNode site = first.json("POST", "/v1/sites", ADMIN, Map.of("name", "Heartbeat shop", "domains", List.of("example.com"),
                    "defaultNumber", "+74951234567"));
            siteId = site.get("siteId").asText();
            apiKey = site.get("apiKey").asText();
            publicKey = site.get("publicKey").asText();
            // No cool-down: a number freed too early would go straight to the next visitor.
            first.json("PATCH", "/v1/sites/" + siteId, apiKey, Map.of("leaseTtlSeconds", TTL_SECONDS, "heartbeatSeconds", 5,
                    "coolDownSeconds", 0, "exhaustionPolicy", "fallback"));
            List<String> numbers = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                numbers.add(String.format("+7495300%04d", i));
            }
            poolId = first.json("POST", "/v1/sites/" + siteId + "/pools", apiKey, Map.of("name", "all", "numbers", numbers))
                    .get("poolId").asText();
            for (int i = 0; i < 10; i++) {
                JsonNode s = first.json("POST", "/v1/sessions", null, Map.of("siteKey", publicKey, "visitorId", "hb-visitor-" + i,
                        "url", "https://example.com/"));
                numberOf.put(s.get("sessionId").asText(), s.get("number").asText());
                latestStoredExpiry = Math.max(latestStoredExpiry, Instant.parse(s.get("expiresAt").asText()).toEpochMilli());
            }
            // Heartbeat until every answered expiry is well past what the store holds (the start's expiry).
            long earliestPromise = 0;
            while (earliestPromise < latestStoredExpiry + 2_500) {
                Thread.sleep(200); // the server's own clock has to move; this is a condition loop, not a fixed wait
                earliestPromise = Long.MAX_VALUE;
                for (String sessionId : numberOf.keySet()) {
                    JsonNode beat = first.json("POST", "/v1/sessions/" + sessionId + "/heartbeat", null, null);
                    assertThat(beat.get("number").asText()).isEqualTo(numberOf.get(sessionId));
                    earliestPromise = Math.min(earliestPromise, Instant.parse(beat.get("expiresAt").asText()).toEpochMilli());
                }
            }
        } finally {
            first.kill();
        }

        // The restarted node runs on a test clock (starting at real time) so the test can move it.
        Map<String, String> env2 = new HashMap<>(env);
        env2.put("RINGPOOL_TEST_CLOCK", "true");
        try (ChildServer second = ChildServer.start(env2)) {
            long now = Instant.parse(second.json("POST", "/v1/test/clock", ADMIN, Map.of("advanceSeconds", 0)).get("now").asText())
                    .toEpochMilli();
            // Past every expiry the store holds, but before any expiry a heartbeat promised.
            long advance = Math.max(0, (latestStoredExpiry + 1_000 - now + 999) / 1_000);
            second.json("POST", "/v1/test/clock", ADMIN, Map.of("advanceSeconds", advance));

            JsonNode pool = second.json("GET", "/v1/sites/" + siteId + "/pools/" + poolId, apiKey, null);
            assertThat(pool.get("leased").asInt()).as("every lease with an unwritten heartbeat is still held").isEqualTo(10);
            Set<String> handedOut = new HashSet<>();
            for (int i = 0; i < 12; i++) {
                JsonNode s = second.json("POST", "/v1/sessions", null, Map.of("siteKey", publicKey, "visitorId", "newcomer-" + i,
                        "url", "https://example.com/"));
                if (s.get("tracked").asBoolean()) {
                    handedOut.add(s.get("number").asText());
                }
            }
            assertThat(handedOut).hasSize(10).doesNotContainAnyElementsOf(numberOf.values());

            // A fresh TTL from the restart, not for ever: after it the old sessions are over.
            second.json("POST", "/v1/test/clock", ADMIN, Map.of("advanceSeconds", TTL_SECONDS + 5));
            for (String sessionId : numberOf.keySet()) {
                assertThat(second.send("POST", "/v1/sessions/" + sessionId + "/heartbeat", null, null).statusCode()).isEqualTo(410);
            }
        }
    }
}
