package io.ringpool.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.report.ReportFixture;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every export of {@link ReportFixture}'s calls, parsed back as RFC 4180 and checked column by
 * column against PRODUCT.md §4; expected values are computed here from the fixture, not by the
 * production code.
 */
class ExportsOverHttpTest {
    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");
    static final DateTimeFormatter GOOGLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    static final List<String> PAYLOADS = List.of("=HYPERLINK(\"x\")", "+1", "-1", "@SUM(1)");

    @TempDir
    static Path dir;

    static TestServer server;
    static ReportFixture f;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        f = new ReportFixture(server, 201).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Export(List<List<String>> rows, long exported, long skipped, Reply reply) {}

    static Export export(String format, String query) {
        Reply r = f.get("/exports/" + format + ".csv?" + f.range() + (query.isEmpty() ? "" : "&" + query));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().get("content-type").get(0)).isEqualTo("text/csv; charset=utf-8");
        assertThat(r.headers().get("content-disposition").get(0)).startsWith("attachment; filename=\"" + format + "_");
        return new Export(Csv.parse(r.body()), Long.parseLong(r.headers().get("x-ringpool-exported-rows").get(0)),
                Long.parseLong(r.headers().get("x-ringpool-skipped-rows").get(0)), r);
    }

    static String google(Instant t) {
        return GOOGLE.format(t.atZone(MOSCOW));
    }

    static String unix(Instant t) {
        return Long.toString(t.getEpochSecond());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void googleAdsClicksHasTheTimeZoneLineTheHeaderAndOneRowPerCallWithAGclid() {
        Export e = export("google-ads-clicks", "");
        assertThat(e.rows().get(0)).containsExactly("Parameters:TimeZone=Europe/Moscow");
        assertThat(e.rows().get(1)).containsExactly("Google Click ID", "Conversion Name", "Conversion Time", "Conversion Value",
                "Conversion Currency");
        assertThat(e.rows()).hasSize(3);
        assertThat(e.rows().get(2)).containsExactly("GCLID-A", "Phone call", google(f.callEndedAt.get("A")), "1500", "RUB");
        assertThat(e.exported()).isEqualTo(1);
        assertThat(e.skipped()).isEqualTo(4);
    }

    @Test
    void googleAdsCallsCarriesTheCallerInE164WithItsPlus() {
        Export e = export("google-ads-calls", "conversionName=" + enc("Calls 30s+"));
        assertThat(e.rows().get(0)).containsExactly("Parameters:TimeZone=Europe/Moscow");
        assertThat(e.rows().get(1)).containsExactly("Caller's Phone Number", "Call Start Time", "Conversion Name", "Conversion Time",
                "Conversion Value", "Conversion Currency");
        assertThat(e.rows()).hasSize(7);
        List<String> a = e.rows().get(2);
        assertThat(a).containsExactly("+79160000001", google(f.callAt.get("A")), "Calls 30s+", google(f.callAt.get("A").plusSeconds(70)),
                "1500", "RUB");
        List<String> b2 = e.rows().get(4);
        assertThat(b2.get(0)).isEqualTo("+79160000002");
        assertThat(b2.get(1)).isEqualTo(google(f.callAt.get("B2")));
        assertThat(b2.get(4)).isEmpty();
        assertThat(e.skipped()).isZero();
    }

    @Test
    void googleEnhancedHashesTheE164CallerWithSha256LowercaseHex() throws Exception {
        Export e = export("google-enhanced", "target=true");
        assertThat(e.rows().get(0)).containsExactly("Parameters:TimeZone=Europe/Moscow");
        assertThat(e.rows().get(1)).containsExactly("Email", "Phone Number", "Conversion Name", "Conversion Time", "Conversion Value",
                "Conversion Currency");
        assertThat(e.rows()).hasSize(4);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("+79160000001".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.rows().get(2)).containsExactly("", expected, "Phone call", google(f.callEndedAt.get("A")), "1500", "RUB");
        assertThat(e.rows().get(3).get(1)).matches("[0-9a-f]{64}");
    }

    @Test
    void yandexCallsUsesUnixSecondsAndTheMetricaClientIdAndLeavesOutCallsWithoutOne() {
        Export e = export("yandex-calls", "");
        assertThat(e.rows().get(0)).containsExactly("ClientId", "DateTime", "StaticCall", "Price", "Currency", "PhoneNumber", "TalkDuration",
                "HoldDuration", "CallMissed", "Tag", "FirstTimeCaller", "URL", "CallTrackerURL");
        assertThat(e.rows()).hasSize(5);
        assertThat(e.rows().get(1)).containsExactly("YM-A", unix(f.callAt.get("A")), "0", "1500", "RUB", "+79160000001", "60", "10", "0",
                "lead", "1", "https://example.com/", "");
        assertThat(e.rows().get(2)).containsExactly("YM-B", unix(f.callAt.get("B1")), "0", "", "", "+79160000002", "45", "10", "0", "",
                "1", "https://example.com/boots?utm_source=yandex&utm_medium=cpc&yclid=YCLID-B", "");
        assertThat(e.rows().get(3).subList(0, 3)).containsExactly("YM-B", unix(f.callAt.get("B2")), "0");
        assertThat(e.rows().get(3).get(8)).isEqualTo("1");
        assertThat(e.rows().get(3).get(10)).isEqualTo("0");
        // D's ClientId and tags are injection payloads: neutralised.
        assertThat(e.rows().get(4).get(0)).isEqualTo("'@SUM(1)");
        // The first tag holds quotes, so it is quoted inside the cell (TagList): the cell then starts with a quote, no formula.
        assertThat(e.rows().get(4).get(9)).isEqualTo("\"=HYPERLINK(\"\"x\"\")\",+1,-1,@SUM(1)");
        assertThat(e.exported()).isEqualTo(4);
        assertThat(e.skipped()).isEqualTo(1);
    }

    @Test
    void yandexCallsByYclidHasAYclidColumn() {
        Export e = export("yandex-calls", "idType=yclid");
        assertThat(e.rows().get(0).get(0)).isEqualTo("Yclid");
        assertThat(e.rows()).hasSize(3);
        assertThat(e.rows().get(1).get(0)).isEqualTo("YCLID-B");
        assertThat(e.rows().get(2).get(0)).isEqualTo("YCLID-B");
        assertThat(e.skipped()).isEqualTo(3);
    }

    @Test
    void yandexOfflineHasIdTargetUnixTimePriceAndCurrency() {
        Export e = export("yandex-offline", "unique=true");
        assertThat(e.rows().get(0)).containsExactly("ClientId", "Target", "DateTime", "Price", "Currency");
        assertThat(e.rows()).hasSize(4);
        assertThat(e.rows().get(1)).containsExactly("YM-A", "call", unix(f.callEndedAt.get("A")), "1500", "RUB");
        assertThat(e.rows().get(2)).containsExactly("YM-B", "call", unix(f.callEndedAt.get("B1")), "", "");
        assertThat(e.rows().get(3).get(0)).isEqualTo("'@SUM(1)");
        assertThat(e.skipped()).isEqualTo(1);
    }

    @Test
    void tagAndTargetFiltersNarrowTheRows() {
        assertThat(export("yandex-offline", "tag=lead").rows()).hasSize(2);
        assertThat(export("yandex-offline", "tag=" + enc("-1")).rows().get(1).get(0)).isEqualTo("'@SUM(1)");
        Export targets = export("google-ads-calls", "target=true");
        assertThat(targets.rows()).hasSize(4);
        assertThat(targets.rows().get(2).get(0)).isEqualTo("+79160000001");
        assertThat(targets.rows().get(3).get(0)).isEqualTo("+79160000002");
        assertThat(export("google-ads-calls", "uniqueTarget=true").rows()).hasSize(4);
        assertThat(export("google-ads-calls", "target=false").rows()).hasSize(5);
    }

    @Test
    void formulaPayloadsInTheConversionNameAreNeutralisedInEveryFormat() {
        for (String payload : PAYLOADS) {
            for (String format : List.of("google-ads-clicks", "google-ads-calls", "google-enhanced")) {
                Export e = export(format, "conversionName=" + enc(payload));
                int column = format.equals("google-ads-clicks") ? 1 : 2;
                assertThat(e.rows().get(2).get(column)).as(format).isEqualTo("'" + payload);
            }
            Export y = export("yandex-offline", "conversionName=" + enc(payload));
            assertThat(y.rows().get(1).get(1)).isEqualTo("'" + payload);
        }
    }

    @Test
    void unknownFormatsAndBadParametersAreErrors() {
        assertThat(f.get("/exports/facebook.csv").status()).isEqualTo(404);
        assertThat(f.get("/exports/yandex-calls.json").status()).isEqualTo(404);
        Reply bad = f.get("/exports/yandex-calls.csv?from=yesterday");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("error").get("field").asText()).isEqualTo("from");
        assertThat(f.get("/exports/yandex-calls.csv?idType=email").status()).isEqualTo(422);
        assertThat(f.get("/exports/google-ads-clicks.csv?target=maybe").json().get("error").get("field").asText()).isEqualTo("target");
        // Audit AG3 #5: an empty value was read as absent ("Phone call", click ids, every call) and answered 200.
        for (String empty : List.of("google-ads-clicks.csv?conversionName=", "yandex-offline.csv?idType=", "google-ads-calls.csv?target=",
                "yandex-calls.csv?from=&to=", "yandex-calls.csv?tag=%20")) {
            Reply refused = f.get("/exports/" + empty);
            assertThat(refused.status()).as(empty + " " + refused.body()).isEqualTo(422);
            assertThat(refused.json().at("/error/field").asText()).as(empty)
                    .isEqualTo(empty.substring(empty.indexOf('?') + 1, empty.indexOf('=')));
        }
        // A 'from' past today without 'to' names 'from', which the client sent, not the defaulted 'to'.
        Reply future = f.get("/exports/yandex-calls.csv?from=2099-01-01");
        assertThat(future.status()).isEqualTo(422);
        assertThat(future.json().at("/error/field").asText()).isEqualTo("from");
        assertThat(server.get("/v1/sites/" + f.siteId + "/exports/yandex-calls.csv", null).status()).isEqualTo(401);
    }
}
