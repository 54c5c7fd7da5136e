package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.util.LinkedHashMap;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V155: the static numbers stored before their attribution history was kept get one from their
 * row (its source from when it was added, its retirement), so their calls are decided as before.
 */
class StaticNumberHistoryByMigrationTest {
    @TempDir
    Path dir;

    @Test
    void numbersStoredBeforeTheHistoryKeepTheirSourceAndTheirRetirement() throws Exception {
        String inUse = "+74957739101";
        String retired = "+74957739102";
        Map<String, String> site;
        Instant beforeRetirement;
        Instant afterRetirement;
        try (TestServer first = new TestServer(dir)) {
            site = first.siteWithPool(List.of());
            for (String n : List.of(inUse, retired)) {
                assertThat(first.post("/v1/sites/" + site.get("siteId") + "/static-numbers", site.get("apiKey"),
                        Map.of("number", n, "source", "billboard", "campaign", "c1")).status()).isEqualTo(201);
            }
            beforeRetirement = first.clock.instant().plusSeconds(2);
            first.clock.advance(Duration.ofSeconds(5));
            assertThat(first.send("DELETE", "/v1/sites/" + site.get("siteId") + "/static-numbers/" + retired, site.get("apiKey"),
                    null, null, Map.of()).status()).isEqualTo(204);
            afterRetirement = first.clock.instant().plusSeconds(2);

            // As stored before V155: no history; then the script's backfill, as the migration runs it.
            String sql;
            try (InputStream in = getClass().getResourceAsStream("/db/migration/V155__static_number_attributions.sql")) {
                sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String statements = sql.replaceAll("(?m)^--.*$", "");
            first.app.database().inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("DELETE FROM static_number_attributions");
                    for (String statement : statements.split(";")) {
                        if (statement.strip().startsWith("INSERT")) {
                            s.executeUpdate(statement);
                        }
                    }
                }
                return null;
            });
        }
        try (TestServer again = new TestServer(dir)) {
            again.clock.advance(Duration.ofMinutes(1));
            assertThat(attribution(again, site, "in-use", inUse, null).get("campaign").asText()).isEqualTo("c1");
            assertThat(attribution(again, site, "before", retired, beforeRetirement).get("source").asText())
                    .isEqualTo("billboard");
            assertThat(attribution(again, site, "after", retired, afterRetirement).get("method").asText())
                    .isEqualTo("none");
        }
    }

    /** The attribution of a call to {@code to} dated {@code at} (null: its receipt). */
    private static JsonNode attribution(TestServer on, Map<String, String> site, String callId, String to, Instant at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", "ringing");
        e.put("from", "+79161237005");
        e.put("to", to);
        if (at != null) {
            e.put("at", at.toString());
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        TestServer.Reply r = on.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), on.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("attribution");
    }
}
