package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.config.ConfigLoader;
import io.ringpool.http.Json;
import io.ringpool.visit.TrafficSourceParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V117 gives the calls to static numbers stored before 68e8941 (channel NULL) the channel the code
 * now stores for them, {@link TrafficSourceParser#channelOfTags}, from each call's own source and
 * medium; only a "paid…" medium whose rest is not printable ASCII is left NULL (see the script).
 * Calls of other methods keep theirs. Then the call log filters them by channel and the reports have
 * no "(none)" for them. On H2 and on PostgreSQL.
 */
class StaticCallChannelMigrationTest {
    /** Mediums of static numbers: each case of the rules, case variants, and characters that lowercase oddly. */
    static final List<String> MEDIUMS = List.of("offline", "CPC", "Display", "paid", "Paid_Social", "paid search",
            "E-Mail", "Newsletter", "social media", "Social_Network", "SMM", "sm", "", "  ", "cpc ", "emaİl", "PAİD", "socİal",
            "paid\nsocial", "paid-реклама", "referral", "email\n");
    /** The mediums the script leaves NULL rather than risk a wrong channel. */
    static final List<String> LEFT_NULL = List.of("paid\nsocial", "paid-реклама");

    @TempDir
    Path dir;

    @Test
    void onH2() throws Exception {
        oldStaticCallsGetTheirChannel(Map.of());
    }

    @Test
    void onPostgresql() throws Exception {
        try (TestPostgres pg = TestPostgres.create("rp_static_channel_")) {
            oldStaticCallsGetTheirChannel(pg.storeSettings());
        }
    }

    private void oldStaticCallsGetTheirChannel(Map<String, Object> store) throws Exception {
        Map<String, String> site;
        Map<String, String> mediumByNumber = new LinkedHashMap<>();
        try (TestServer server = new TestServer(dir, store)) {
            site = server.siteWithPool(List.of("+74957778000"));
            for (int i = 0; i < MEDIUMS.size(); i++) {
                String number = "+749577781" + String.format("%02d", i);
                Map<String, Object> body = new LinkedHashMap<>(Map.of("number", number, "source", "src" + i, "medium", MEDIUMS.get(i)));
                Reply r = server.post("/v1/sites/" + site.get("siteId") + "/static-numbers", site.get("apiKey"), body);
                assertThat(r.status()).as(r.body()).isEqualTo(201);
                mediumByNumber.put(number, MEDIUMS.get(i).trim()); // the API trims what it stores
                call(server, site, "static-" + i, number);
            }
            Map<String, Object> noMedium = Map.of("number", "+74957778199", "source", "radio");
            assertThat(server.post("/v1/sites/" + site.get("siteId") + "/static-numbers", site.get("apiKey"), noMedium).status()).isEqualTo(201);
            mediumByNumber.put("+74957778199", null);
            call(server, site, "static-no-medium", "+74957778199");
            call(server, site, "unattributed", "+74957778000"); // a pool number no visit holds: method none, no channel
            server.awaitCallsStored();
        }

        try (Database db = new Database(ConfigLoader.defaultsWith(withDataDir(store)).store(), new SimpleMeterRegistry())) {
            // As a store written before 68e8941 has them.
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    assertThat(s.executeUpdate("UPDATE calls SET channel = NULL WHERE method = 'static'")).isEqualTo(MEDIUMS.size() + 1);
                    s.execute("DELETE FROM schema_version WHERE version = 117");
                }
                return null;
            });
            assertThat(new Migrator(db).migrate()).isEqualTo(1);
            Map<String, String> channelByNumber = new HashMap<>();
            db.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT number, method, source, medium, channel FROM calls")) {
                    while (rs.next()) {
                        if (rs.getString("method").equals("static")) {
                            assertThat(rs.getString("medium")).isEqualTo(mediumByNumber.get(rs.getString("number")));
                            channelByNumber.put(rs.getString("number"), rs.getString("channel"));
                            String expected = rs.getString("medium") != null && LEFT_NULL.contains(rs.getString("medium")) ? null
                                    : TrafficSourceParser.channelOfTags(rs.getString("source"), rs.getString("medium")).wireName();
                            assertThat(rs.getString("channel")).as("medium '" + rs.getString("medium") + "'").isEqualTo(expected);
                        } else {
                            assertThat(rs.getString("channel")).as("an unattributed call keeps no channel").isNull();
                        }
                    }
                }
                return null;
            });
            assertThat(channelByNumber).hasSize(MEDIUMS.size() + 1);
            assertThat(TrafficSourceParser.channelOfTags("src", "paid-реклама").wireName()).as("what the NULL stands in for").isEqualTo("paid");
            assertThat(channelByNumber.values()).contains("paid", "email", "social", "referral");
        }

        try (TestServer server = new TestServer(dir, store)) {
            Reply log = server.get("/v1/sites/" + site.get("siteId") + "/calls?channel=email&limit=100", site.get("apiKey"));
            assertThat(log.json().get("calls")).hasSize(3); // E-Mail, Newsletter, "email\n" (stored trimmed)
            LocalDate today = LocalDate.ofInstant(server.clock.instant(), ZoneId.of("Europe/Moscow"));
            Reply daily = server.get("/v1/sites/" + site.get("siteId") + "/reports/daily?from=" + today.minusDays(1) + "&to=" + today.plusDays(1),
                    site.get("apiKey"));
            JsonNode byChannel = daily.json().get("callsByChannel");
            assertThat(sum(byChannel.get("email"))).isEqualTo(3);
            assertThat(sum(byChannel.get("(none)"))).as("the unattributed call and the two left NULL").isEqualTo(3);
        }
    }

    private Map<String, Object> withDataDir(Map<String, Object> store) {
        Map<String, Object> out = new HashMap<>(store);
        out.put("store.dataDir", dir.toString());
        return out;
    }

    private static long sum(JsonNode days) {
        long n = 0;
        for (JsonNode d : days) {
            n += d.asLong();
        }
        return n;
    }

    private static void call(TestServer server, Map<String, String> site, String callId, String to) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", "completed");
        e.put("from", "+79161239001");
        e.put("to", to);
        e.put("durationSeconds", 30);
        e.put("talkSeconds", 20);
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
}
