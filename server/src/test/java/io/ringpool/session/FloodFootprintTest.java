package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ringpool.app.TestServer;
import io.ringpool.config.ConfigLoader;
import io.ringpool.pool.ExhaustionTally;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 17: a flood into a full pool, or of bots, grows the store and the log by a bounded amount
 * per pool (site) and minute, not by a row and a line per request.
 */
class FloodFootprintTest {
    static final Clock FROZEN = Clock.fixed(Instant.parse("2026-11-30T09:00:10Z"), ZoneOffset.UTC);
    static final int FLOOD = 300;

    @TempDir
    Path dir;

    TestServer server;
    ListAppender<ILoggingEvent> exhaustionLog;
    ListAppender<ILoggingEvent> refusalLog;

    /** Every request comes from loopback: the per-address limit is off so the flood reaches the pool. */
    static final Map<String, Object> UNLIMITED = Map.of("leasing.sessionsPerIpPerMinute", 0);

    @BeforeEach
    void start() {
        server = new TestServer(dir, UNLIMITED, FROZEN);
        exhaustionLog = capture(ExhaustionTally.class);
        refusalLog = capture(RefusalTally.class);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(ExhaustionTally.class)).detachAppender(exhaustionLog);
        ((Logger) LoggerFactory.getLogger(RefusalTally.class)).detachAppender(refusalLog);
        server.close();
    }

    @Test
    void aFloodIntoAFullPoolWritesOneCountRowAndOneLogLinePerMinuteAndTheCountSurvivesARestart() throws SQLException {
        var site = server.siteWithPool(SessionsOverHttpTest.numbers(1));
        assertThat(server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"exhaustionPolicy\":\"fallback\"}",
                "application/json", Map.of()).status()).isEqualTo(200);
        assertThat(server.startSession(site.get("publicKey"), "visitor-holder-1", "https://example.com/").json().get("tracked")
                .asBoolean()).isTrue();

        for (int i = 0; i < FLOOD; i++) {
            assertThat(server.startSession(site.get("publicKey"), "visitor-flood-" + i, "https://example.com/").text("reason"))
                    .isEqualTo("pool_exhausted");
        }
        server.clock.advance(Duration.ofSeconds(60));
        server.app.leasing().flushExhaustions(server.clock.millis(), false).join();

        assertThat(countRows()).as("rows for %d exhaustions", FLOOD).isEqualTo(1);
        assertThat(exhaustionLog.list).hasSize(1);
        assertThat(exhaustionLog.list.get(0).getFormattedMessage())
                .contains("pool_exhausted site=" + site.get("siteId"), "pool=" + site.get("poolId"), "count=" + FLOOD);
        String pool = "/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId");
        assertThat(server.get(pool, site.get("apiKey")).json().get("exhaustions").asLong()).isEqualTo(FLOOD);

        server.close();
        server = new TestServer(dir, UNLIMITED, FROZEN);
        assertThat(server.get(pool, site.get("apiKey")).json().get("exhaustions").asLong()).as("after a restart").isEqualTo(FLOOD);
    }

    @Test
    void countsNotYetWrittenAreWrittenOnACleanStop() throws SQLException {
        var site = server.siteWithPool(SessionsOverHttpTest.numbers(1));
        server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"exhaustionPolicy\":\"fallback\"}",
                "application/json", Map.of());
        server.startSession(site.get("publicKey"), "visitor-holder-1", "https://example.com/");
        for (int i = 0; i < 5; i++) {
            server.startSession(site.get("publicKey"), "visitor-late-" + i, "https://example.com/");
        }

        server.close();
        server = new TestServer(dir, UNLIMITED, FROZEN);

        String pool = "/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId");
        assertThat(server.get(pool, site.get("apiKey")).json().get("exhaustions").asLong()).isEqualTo(5);
    }

    @Test
    void aFloodOfBotsIsLoggedOnceWithItsCountAndStoresNothing() throws SQLException {
        var site = server.siteWithPool(SessionsOverHttpTest.numbers(1));
        for (int i = 0; i < FLOOD; i++) {
            TestServer.Reply r = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\"}",
                    "application/json", Map.of("User-Agent", "Googlebot/2.1 (+http://www.google.com/bot.html)"));
            assertThat(r.text("reason")).isEqualTo("bot");
        }
        server.app.sessions().logRefusals();

        assertThat(refusalLog.list).hasSize(1);
        assertThat(refusalLog.list.get(0).getFormattedMessage())
                .isEqualTo("sessions_refused site=" + site.get("siteId") + " reason=bot count=" + FLOOD);
        assertThat(count("SELECT COUNT(*) FROM sessions")).isZero();
        assertThat(countRows()).isZero();
    }

    @Test
    void pastItsLiveSessionCapANodeAnswersUntrackedWithReasonCapacityAndKeepsNoSession() {
        server.close();
        server = new TestServer(dir, Map.of("leasing.maxLiveSessions", 2), FROZEN);
        var site = server.siteWithPool(SessionsOverHttpTest.numbers(5));
        TestServer.Reply first = server.startSession(site.get("publicKey"), "visitor-cap-1", "https://example.com/");
        assertThat(first.status()).isEqualTo(201);
        assertThat(server.startSession(site.get("publicKey"), "visitor-cap-2", "https://example.com/").status()).isEqualTo(201);

        TestServer.Reply third = server.startSession(site.get("publicKey"), "visitor-cap-3", "https://example.com/");

        assertThat(third.status()).isEqualTo(200);
        assertThat(third.text("reason")).isEqualTo("capacity");
        assertThat(third.text("number")).isEqualTo("+74951234567");
        assertThat(third.text("sessionId")).isNull();
        assertThat(server.app.sessions().liveSessions()).isEqualTo(2);
        assertThat(server.startSession(site.get("publicKey"), "visitor-cap-1", "https://example.com/b").text("sessionId"))
                .as("a visitor with a live session still gets it").isEqualTo(first.text("sessionId"));
    }

    /**
     * Audit AM2 F7: untracked visits cost no number, so a stranger repeating one site's public key
     * filled the node's live sessions with them and every other site's visitors went untracked
     * ("capacity"). They may take half; the rest stays for visits that hold a number.
     */
    @Test
    void untrackedVisitsTakeAtMostHalfTheLiveSessionsSoAnotherSitesVisitorIsStillTracked() {
        server.close();
        server = new TestServer(dir, Map.of("leasing.maxLiveSessions", 10, "leasing.sessionsPerIpPerMinute", 0), FROZEN);
        var flooded = server.siteWithPool(List.of("+74953130001"));
        var victim = server.siteWithPool(List.of("+74953140001", "+74953140002"));
        for (int i = 0; i < 12; i++) {
            TestServer.Reply r = server.startSession(flooded.get("publicKey"), "flood-" + i, "https://example.com/");
            assertThat(r.status()).as(r.body()).isIn(200, 201);
        }
        assertThat(server.app.sessions().liveSessions()).as("one tracked, five untracked kept").isEqualTo(6);

        TestServer.Reply real = server.startSession(victim.get("publicKey"), "real-visitor", "https://example.com/?utm_source=google");

        assertThat(real.json().path("tracked").asBoolean()).as(real.body()).isTrue();
    }

    private long countRows() throws SQLException {
        return count("SELECT COUNT(*) FROM pool_exhaustion_counts");
    }

    private long count(String sql) throws SQLException {
        String url = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString())).store().url();
        try (Connection c = DriverManager.getConnection(url); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static ListAppender<ILoggingEvent> capture(Class<?> type) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(type)).addAppender(appender);
        return appender;
    }
}
