package io.ringpool.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit F #3: New York's clocks go back at 06:00Z on 2027-11-07 (02:00 EDT becomes 01:00 EST), so
 * 01:00–02:00 local happens twice. A call at 01:30:40 EDT and one at 01:30:52 EST, an hour later,
 * were both written as {@code 2027-11-07 01:30:…} with nothing to tell them apart. Calls outside
 * the repeated hour keep PRODUCT.md §4's bare local time.
 */
class RepeatedHourAfterFallBackTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static Map<String, String> site;

    @BeforeAll
    static void start() {
        server = new TestServer(dir, Map.of(), Clock.fixed(Instant.parse("2027-11-07T04:20:00Z"), ZoneOffset.UTC));
        site = server.siteWithPool(List.of("+12125550101", "+12125550102", "+12125550103"));
        Reply zone = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                "{\"timeZone\":\"America/New_York\",\"currency\":\"USD\"}", "application/json", Map.of());
        assertThat(zone.status()).as(zone.body()).isEqualTo(200);
        call("before", Instant.parse("2027-11-07T04:30:10Z")); // 00:30:10 EDT: once only
        call("first-pass", Instant.parse("2027-11-07T05:30:40Z")); // 01:30:40 EDT
        call("second-pass", Instant.parse("2027-11-07T06:30:52Z")); // 01:30:52 EST
        call("after", Instant.parse("2027-11-07T07:10:05Z")); // 02:10:05 EST: once only
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A visit with a GCLID at {@code at}, its call ringing then and completed 20 s later. */
    static void call(String name, Instant at) {
        server.clock.advance(Duration.between(server.clock.instant(), at));
        Reply visit = server.startSession(site.get("publicKey"), "visitor-" + name, "https://example.com/?gclid=GCLID-" + name);
        assertThat(visit.status()).as(visit.body()).isEqualTo(201);
        event(name, "ringing", visit.text("number"), null);
        server.clock.advance(Duration.ofSeconds(20));
        event(name, "completed", visit.text("number"), 15);
    }

    static void event(String name, String kind, String to, Integer talkSeconds) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", "dst-" + name);
        e.put("event", kind);
        e.put("from", "+1917555020" + name.length() % 10);
        e.put("to", to);
        if (talkSeconds != null) {
            e.put("talkSeconds", talkSeconds);
            e.put("durationSeconds", talkSeconds + 5);
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static List<List<String>> export(String format) {
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/exports/" + format + ".csv?from=2027-11-06&to=2027-11-08",
                site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return Csv.parse(r.body(), format.equals("yandex-conversion-center") ? ';' : ',');
    }

    /** The conversion time column of each data row, by the row's first cell. */
    static Map<String, String> times(List<List<String>> rows, int skip, int column) {
        Map<String, String> out = new LinkedHashMap<>();
        rows.subList(skip, rows.size()).forEach(row -> out.put(row.get(0), row.get(column)));
        return out;
    }

    @Test
    void googleClickConversionsInTheRepeatedHourCarryTheirOffsetAndTheOthersStayBareLocalTimes() {
        List<List<String>> rows = export("google-ads-clicks");
        assertThat(rows.get(0)).containsExactly("Parameters:TimeZone=America/New_York");
        Map<String, String> times = times(rows, 2, 2);
        assertThat(times.get("GCLID-before")).matches("2027-11-07 00:30:\\d\\d");
        assertThat(times.get("GCLID-first-pass")).matches("2027-11-07 01:3\\d:\\d\\d-0400");
        assertThat(times.get("GCLID-second-pass")).matches("2027-11-07 01:3\\d:\\d\\d-0500");
        assertThat(times.get("GCLID-after")).matches("2027-11-07 02:10:\\d\\d");
    }

    @Test
    void googleCallConversionsCarryTheOffsetInBothTimeColumnsOfTheRepeatedHour() {
        List<List<String>> rows = export("google-ads-calls");
        assertThat(rows).hasSize(6);
        List<String> starts = rows.subList(2, 6).stream().map(r -> r.get(1)).toList();
        assertThat(starts).anySatisfy(t -> assertThat(t).matches("2027-11-07 01:30:40-0400"))
                .anySatisfy(t -> assertThat(t).matches("2027-11-07 01:30:52-0500"))
                .anySatisfy(t -> assertThat(t).isEqualTo("2027-11-07 00:30:10"))
                .anySatisfy(t -> assertThat(t).isEqualTo("2027-11-07 02:10:05"));
    }

    @Test
    void theConversionCentreNeverWritesTheSecondPassAsTheFirstOne() {
        List<List<String>> rows = export("yandex-conversion-center");
        assertThat(rows).hasSize(5);
        // Rows in the order the calls started.
        List<String> times = rows.subList(1, 5).stream().map(r -> r.get(1)).toList();
        assertThat(times.get(0)).matches("2027-11-07 00:30:\\d\\d");
        assertThat(times.get(1)).matches("2027-11-07 01:3\\d:\\d\\d");
        // 01:30:52 EST as a bare local time would be read as 01:30:52 EDT, before its visit: the end of the repeated hour instead.
        assertThat(times.get(2)).isEqualTo("2027-11-07 02:00:00");
        assertThat(times.get(3)).matches("2027-11-07 02:10:\\d\\d");
    }
}
