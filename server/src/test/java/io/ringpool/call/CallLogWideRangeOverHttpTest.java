package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walking the call log by cursor over wide ranges, with and without the filters, gives exactly the
 * site's calls that match, newest first, ties at one instant by call id descending, none skipped,
 * none twice (audit AD3: the log's pages are now read by walking the (site, time) index backwards
 * and stopping, no longer by sorting the whole range; the answers must be the ones sorting gave).
 * The calls (a year of them, every fifth at the same millisecond as the one before, ids not in time
 * order) are written straight into the store through the server's own data source; the expected
 * pages are computed here from the rows written. {@code CallLogWideRangeOnPostgresTest} runs it on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallLogWideRangeOverHttpTest {
    static final int CALLS = 1_500;
    static final String[] STATUSES = {"completed", "missed", "completed", "busy", "missed", "completed", "failed"};
    static final String[] SOURCES = {"google", "Google", "yandex", null, "GOOGLE"};

    /** A call as written: what the log filters on and orders by. */
    record Seeded(String callId, Instant startedAt, String status, String source, Set<String> tags) {}

    @TempDir
    static Path dir;

    TestServer server;
    Map<String, String> site;
    final List<Seeded> seeded = new ArrayList<>();
    Instant first;
    Instant last;

    /** Store settings: none for H2 in the server's data directory; a PostgreSQL database of its own in the subclass. */
    protected Map<String, Object> store() {
        return Map.of();
    }

    @BeforeAll
    void start() throws SQLException {
        AtomicReference<DataSource> store = new AtomicReference<>();
        server = new TestServer(dir, store(), ds -> {
            store.set(ds);
            return ds;
        });
        site = server.siteWithPool(List.of());
        long step = Duration.ofDays(365).toMillis() / CALLS;
        first = server.clock.instant().minus(Duration.ofDays(366));
        for (int i = 0; i < CALLS; i++) {
            long at = first.toEpochMilli() + (i - (i % 5 == 4 ? 1 : 0)) * step;
            Set<String> tags = new HashSet<>();
            if (i % 9 == 0) {
                tags.add("lead");
            }
            if (i % 50 == 0) {
                tags.add("vip");
            }
            seeded.add(new Seeded(String.format("cl_w%05d", i * 7919 % 100_000), Instant.ofEpochMilli(at), STATUSES[i % STATUSES.length],
                    SOURCES[i % SOURCES.length], tags));
        }
        last = seeded.get(CALLS - 1).startedAt();
        try (Connection c = store.get().getConnection()) {
            c.setAutoCommit(false);
            write(c, site.get("siteId"));
            c.commit();
        }
    }

    private void write(Connection c, String siteId) throws SQLException {
        try (PreparedStatement call = c.prepareStatement("INSERT INTO calls (call_id, site_id, provider, provider_call_id, caller, caller_valid, "
                + "number, answered, status, started_at, first_time, is_unique, target, unique_target, method, attributed_at, source, "
                + "tags_json, created_at, updated_at) VALUES (?, ?, 'generic', ?, ?, TRUE, '+74950000001', TRUE, ?, ?, TRUE, TRUE, TRUE, TRUE, "
                + "'active', ?, ?, ?, ?, ?)");
                PreparedStatement tag = c.prepareStatement("INSERT INTO call_tags (site_id, call_id, tag) VALUES (?, ?, ?)")) {
            for (Seeded s : seeded) {
                long at = s.startedAt().toEpochMilli();
                call.setString(1, s.callId());
                call.setString(2, siteId);
                call.setString(3, "w-" + s.callId());
                call.setString(4, "+7916" + s.callId().substring(4) + "00");
                call.setString(5, s.status());
                call.setLong(6, at);
                call.setLong(7, at);
                call.setString(8, s.source());
                call.setString(9, s.tags().stream().sorted().map(t -> "\"" + t + "\"").toList().toString().replace(" ", ""));
                call.setLong(10, at);
                call.setLong(11, at);
                call.addBatch();
                for (String t : s.tags()) {
                    tag.setString(1, siteId);
                    tag.setString(2, s.callId());
                    tag.setString(3, t);
                    tag.addBatch();
                }
            }
            call.executeBatch();
            tag.executeBatch();
        }
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theWholeLogByCursorIsEveryCallNewestFirst() {
        assertWalk("", 500, s -> true);
        assertWalk("", 50, s -> true);
    }

    @Test
    void aYearByCursorGivesTheSameRowsAtEveryPageSize() {
        String year = range(first, last.plusMillis(1));
        for (int limit : new int[] {7, 50, 500}) {
            assertWalk(year, limit, s -> true);
        }
    }

    @Test
    void aYearFilteredBySourceStatusOrTagGivesExactlyTheMatchingCalls() {
        String year = range(first, last.plusMillis(1));
        assertWalk(year + "&source=google", 50, s -> "google".equalsIgnoreCase(s.source()));
        assertWalk(year + "&status=missed", 37, s -> s.status().equals("missed"));
        assertWalk(year + "&tag=Lead", 20, s -> s.tags().contains("lead"));
        assertWalk(year + "&tag=vip", 3, s -> s.tags().contains("vip"));
        assertWalk(year + "&source=GOOGLE&status=missed&tag=lead", 2,
                s -> "google".equalsIgnoreCase(s.source()) && s.status().equals("missed") && s.tags().contains("lead"));
    }

    @Test
    void narrowAndHalfOpenRangesKeepTheirBoundsAcrossPages() {
        Instant middle = first.plus(Duration.ofDays(180));
        assertWalk(range(middle, middle.plus(Duration.ofDays(19))), 1, s -> true);
        assertWalk(range(middle, middle.plus(Duration.ofDays(19))), 7, s -> true);
        // A bound that falls on a shared instant: "from" takes both calls of it, "to" neither.
        Instant tie = seeded.get(504).startedAt();
        assertThat(seeded.get(503).startedAt()).isEqualTo(tie);
        assertWalk(range(tie, tie.plus(Duration.ofDays(40))), 5, s -> true);
        assertWalk(range(tie.minus(Duration.ofDays(40)), tie), 5, s -> true);
        assertWalk("&to=" + enc(middle.toString()), 50, s -> true);
        assertWalk("&from=" + enc(middle.toString()), 50, s -> true);
    }

    /** Walks the log from the first page by nextCursor and checks the calls met are exactly {@code matching}'s, in log order. */
    private void assertWalk(String query, int limit, Predicate<Seeded> matching) {
        Instant from = param(query, "from");
        Instant to = param(query, "to");
        List<String> expected = seeded.stream()
                .filter(s -> (from == null || !s.startedAt().isBefore(from)) && (to == null || s.startedAt().isBefore(to)))
                .filter(matching)
                .sorted(Comparator.comparing(Seeded::startedAt).thenComparing(Seeded::callId).reversed())
                .map(Seeded::callId).toList();
        assertThat(expected).as("the case has calls to page through").isNotEmpty();
        List<String> walked = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply r = server.get("/v1/sites/" + site.get("siteId") + "/calls?limit=" + limit + query
                    + (cursor == null ? "" : "&cursor=" + cursor), site.get("apiKey"));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode page = r.json();
            assertThat(page.get("calls").size()).as("page %d of %s", pages, query).isLessThanOrEqualTo(limit);
            page.get("calls").forEach(call -> walked.add(call.get("callId").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            pages++;
            assertThat(pages).as("pages of %s", query).isLessThanOrEqualTo(expected.size() / limit + 2);
        } while (cursor != null);
        assertThat(walked).as("limit %d, %s", limit, query).containsExactlyElementsOf(expected);
    }

    private static String range(Instant from, Instant to) {
        return "&from=" + enc(from.toString()) + "&to=" + enc(to.toString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Instant param(String query, String name) {
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return Instant.parse(URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8));
            }
        }
        return null;
    }
}
