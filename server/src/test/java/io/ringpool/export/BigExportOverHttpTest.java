package io.ringpool.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.http.RawResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export far bigger than what is sent whole (tens of thousands of calls, several megabytes)
 * arrives over a real socket complete, byte for byte as the format says, chunked, with its counts
 * as trailers. The calls are written straight into the store (through the server's own data
 * source) so the test is about the export, not about ingesting 30,000 calls; the expected file is
 * computed here from the rows inserted.
 */
class BigExportOverHttpTest {
    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");
    static final DateTimeFormatter GOOGLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    static final int CALLS = 30_000;

    @TempDir
    static Path dir;

    static TestServer server;
    static Map<String, String> site;
    static String expected;
    static long first;

    @BeforeAll
    static void start() throws SQLException {
        AtomicReference<DataSource> store = new AtomicReference<>();
        server = new TestServer(dir, Map.of(), ds -> {
            store.set(ds);
            return ds;
        });
        site = server.siteWithPool(List.of());
        first = server.clock.millis() - 3_600_000L;
        StringBuilder csv = new StringBuilder("Parameters:TimeZone=Europe/Moscow\r\n"
                + "Caller's Phone Number,Call Start Time,Conversion Name,Conversion Time,Conversion Value,Conversion Currency\r\n");
        try (Connection c = store.get().getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO calls (call_id, site_id, "
                + "provider, provider_call_id, caller, caller_valid, number, answered, status, started_at, ended_at, first_time, is_unique, "
                + "target, unique_target, method, attributed_at, call_value, created_at, updated_at) "
                + "VALUES (?, ?, 'generic', ?, ?, TRUE, '+74950000001', TRUE, 'completed', ?, ?, TRUE, TRUE, TRUE, TRUE, 'none', ?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < CALLS; i++) {
                long at = first + i * 100L;
                long end = at + 61_000L;
                String caller = "+7916" + String.format("%07d", i);
                BigDecimal value = i % 3 == 0 ? new BigDecimal("1500.00") : i % 3 == 1 ? new BigDecimal("12.5") : null;
                ps.setString(1, String.format("cl_big%08d", i));
                ps.setString(2, site.get("siteId"));
                ps.setString(3, "big-" + i);
                ps.setString(4, caller);
                ps.setLong(5, at);
                ps.setLong(6, end);
                ps.setLong(7, at);
                if (value == null) {
                    ps.setNull(8, Types.DOUBLE);
                } else {
                    ps.setBigDecimal(8, value);
                }
                ps.setLong(9, at);
                ps.setLong(10, at);
                ps.addBatch();
                csv.append(caller).append(',').append(google(at)).append(",Phone call,").append(google(end)).append(',')
                        .append(value == null ? "" : value.stripTrailingZeros().toPlainString()).append(",RUB\r\n");
                if (i % 1_000 == 999) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
            c.commit();
        }
        expected = csv.toString();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String google(long millis) {
        return GOOGLE.format(Instant.ofEpochMilli(millis).atZone(MOSCOW));
    }

    @Test
    void aBigExportArrivesWholeChunkedWithItsCountsAsTrailers() throws IOException {
        LocalDate today = LocalDate.ofInstant(server.clock.instant(), MOSCOW);
        String range = "from=" + today.minusDays(1) + "&to=" + today.plusDays(1);
        try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/sites/" + site.get("siteId") + "/exports/google-ads-calls.csv?" + range + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + site.get("apiKey") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            RawResponse r = RawResponse.read(in);
            assertThat(r.status).isEqualTo(200);
            assertThat(r.headers).containsEntry("transfer-encoding", "chunked").containsEntry("content-type", "text/csv; charset=utf-8")
                    .containsEntry("cache-control", "no-store").doesNotContainKey("content-length");
            assertThat(r.headers.get("content-disposition")).startsWith("attachment; filename=\"google-ads-calls_");
            assertThat(r.complete).isTrue();
            assertThat(r.bodyLength).isGreaterThan(2L * 1024 * 1024);
            assertThat(new String(r.body, StandardCharsets.UTF_8)).isEqualTo(expected);
            assertThat(r.trailers).containsEntry("x-ringpool-exported-rows", Integer.toString(CALLS))
                    .containsEntry("x-ringpool-skipped-rows", "0").containsEntry("x-ringpool-exported-leads", "0")
                    .containsEntry("x-ringpool-skipped-leads", "0");
        }
    }

    @Test
    void theSameExportThroughAnOrdinaryClientIsTheSameFile() {
        LocalDate today = LocalDate.ofInstant(server.clock.instant(), MOSCOW);
        TestServer.Reply r = server.get("/v1/sites/" + site.get("siteId") + "/exports/google-ads-calls.csv?from=" + today.minusDays(1)
                + "&to=" + today.plusDays(1), site.get("apiKey"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(expected);
    }
}
