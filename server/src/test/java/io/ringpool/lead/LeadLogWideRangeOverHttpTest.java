package io.ringpool.lead;

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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walking the lead log by cursor over wide ranges, with and without each filter, gives exactly the site's
 * leads that match, newest first, ties at one instant by lead id descending, none skipped, none twice, every
 * page but the last one full and a next cursor exactly when more follow (the log's pages are read by walking
 * leads_site_at backwards and stopping, no longer by sorting the whole range, as the call log's since
 * session 41; the answers must be the ones sorting gave). The leads (a year of them, every fifth at the same
 * millisecond as the one before, ids not in time order) are written straight into the store through the
 * server's own data source; the expected pages are computed here from the rows written.
 * {@code LeadLogWideRangeOnPostgresTest} runs it on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeadLogWideRangeOverHttpTest {
    static final int LEADS = 1_500;
    static final String[] KINDS = {"form", "callback", "form", "chat", "email", "form", "other"};
    static final String[] STATUSES = {"new", "qualified", "new", "won", "spam", "new", "lost", "new", "qualified"};
    static final String[] METHODS = {"session", "none", "visitor", "session", "click_id"};
    static final String[] SOURCES = {"google", "Google", "yandex", null, "GOOGLE", "yandex"};
    static final String[] MEDIUMS = {"cpc", "organic", "CPC", null};
    static final String[] CAMPAIGNS = {"Sofas", "sofas", "chairs", null, "tables", "SOFAS", "chairs", "beds"};
    static final String[] CHANNELS = {"paid", "organic", "direct", "Paid", "referral", "social", "email"};

    /** A lead as written: what the log filters on and orders by. */
    record Seeded(String leadId, Instant at, String kind, String status, String method, String source, String medium, String campaign,
            String channel, Set<String> tags) {}

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
        long step = Duration.ofDays(365).toMillis() / LEADS;
        first = server.clock.instant().minus(Duration.ofDays(366));
        for (int i = 0; i < LEADS; i++) {
            long at = first.toEpochMilli() + (i - (i % 5 == 4 ? 1 : 0)) * step;
            Set<String> tags = new TreeSet<>();
            if (i % 9 == 0) {
                tags.add("lead");
            }
            if (i % 50 == 0) {
                tags.add("vip");
            }
            seeded.add(new Seeded(String.format("ld_w%05d", i * 7919 % 100_000), Instant.ofEpochMilli(at), KINDS[i % KINDS.length],
                    STATUSES[i % STATUSES.length], METHODS[i % METHODS.length], SOURCES[i % SOURCES.length], MEDIUMS[i % MEDIUMS.length],
                    CAMPAIGNS[i % CAMPAIGNS.length], CHANNELS[i % CHANNELS.length], tags));
        }
        last = seeded.get(LEADS - 1).at();
        try (Connection c = store.get().getConnection()) {
            c.setAutoCommit(false);
            write(c, site.get("siteId"));
            c.commit();
        }
    }

    private void write(Connection c, String siteId) throws SQLException {
        try (PreparedStatement lead = c.prepareStatement("INSERT INTO leads (lead_id, site_id, kind, origin, at, last_at, submissions, "
                + "email, email_valid, phone_valid, status, is_unique, method, source, medium, campaign, channel, tags_json, created_at, "
                + "updated_at) VALUES (?, ?, ?, 'api', ?, ?, 1, ?, TRUE, FALSE, ?, TRUE, ?, ?, ?, ?, ?, ?, ?, ?)");
                PreparedStatement tag = c.prepareStatement("INSERT INTO lead_tags (site_id, lead_id, tag) VALUES (?, ?, ?)")) {
            for (Seeded s : seeded) {
                long at = s.at().toEpochMilli();
                lead.setString(1, s.leadId());
                lead.setString(2, siteId);
                lead.setString(3, s.kind());
                lead.setLong(4, at);
                lead.setLong(5, at);
                lead.setString(6, s.leadId() + "@example.com");
                lead.setString(7, s.status());
                lead.setString(8, s.method());
                lead.setString(9, s.source());
                lead.setString(10, s.medium());
                lead.setString(11, s.campaign());
                lead.setString(12, s.channel());
                lead.setString(13, s.tags().stream().map(t -> "\"" + t + "\"").toList().toString().replace(" ", ""));
                lead.setLong(14, at);
                lead.setLong(15, at);
                lead.addBatch();
                for (String t : s.tags()) {
                    tag.setString(1, siteId);
                    tag.setString(2, s.leadId());
                    tag.setString(3, t);
                    tag.addBatch();
                }
            }
            lead.executeBatch();
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
    void theWholeLogByCursorIsEveryLeadNewestFirst() {
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
    void aYearFilteredByEachValueGivesExactlyTheMatchingLeads() {
        String year = range(first, last.plusMillis(1));
        assertWalk(year + "&source=google", 50, s -> "google".equalsIgnoreCase(s.source()));
        assertWalk(year + "&medium=CPC", 40, s -> "cpc".equalsIgnoreCase(s.medium()));
        assertWalk(year + "&campaign=sofas", 30, s -> "sofas".equalsIgnoreCase(s.campaign()));
        assertWalk(year + "&channel=paid", 20, s -> "paid".equalsIgnoreCase(s.channel()));
        assertWalk(year + "&kind=callback", 25, s -> s.kind().equals("callback"));
        assertWalk(year + "&status=qualified", 37, s -> s.status().equals("qualified"));
        assertWalk(year + "&method=session", 60, s -> s.method().equals("session"));
        assertWalk(year + "&tag=Lead", 20, s -> s.tags().contains("lead"));
        assertWalk(year + "&tag=vip", 3, s -> s.tags().contains("vip"));
        assertWalk(year + "&source=GOOGLE&status=new&tag=lead", 2,
                s -> "google".equalsIgnoreCase(s.source()) && s.status().equals("new") && s.tags().contains("lead"));
    }

    @Test
    void narrowAndHalfOpenRangesKeepTheirBoundsAcrossPages() {
        Instant middle = first.plus(Duration.ofDays(180));
        assertWalk(range(middle, middle.plus(Duration.ofDays(19))), 1, s -> true);
        assertWalk(range(middle, middle.plus(Duration.ofDays(19))), 7, s -> true);
        // A bound that falls on a shared instant: "from" takes both leads of it, "to" neither.
        Instant tie = seeded.get(504).at();
        assertThat(seeded.get(503).at()).isEqualTo(tie);
        assertWalk(range(tie, tie.plus(Duration.ofDays(40))), 5, s -> true);
        assertWalk(range(tie.minus(Duration.ofDays(40)), tie), 5, s -> true);
        assertWalk("&to=" + enc(middle.toString()), 50, s -> true);
        assertWalk("&from=" + enc(middle.toString()), 50, s -> true);
    }

    /**
     * Walks the log from the first page by nextCursor and checks the leads met are exactly {@code matching}'s, in log
     * order, each page full until the last, which is not empty: a cursor is given exactly when more leads follow.
     */
    private void assertWalk(String query, int limit, Predicate<Seeded> matching) {
        Instant from = param(query, "from");
        Instant to = param(query, "to");
        List<String> expected = seeded.stream()
                .filter(s -> (from == null || !s.at().isBefore(from)) && (to == null || s.at().isBefore(to)))
                .filter(matching)
                .sorted(Comparator.comparing(Seeded::at).thenComparing(Seeded::leadId).reversed())
                .map(Seeded::leadId).toList();
        assertThat(expected).as("the case has leads to page through").isNotEmpty();
        List<String> walked = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply r = server.get("/v1/sites/" + site.get("siteId") + "/leads?limit=" + limit + query
                    + (cursor == null ? "" : "&cursor=" + cursor), site.get("apiKey"));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode page = r.json();
            page.get("leads").forEach(lead -> walked.add(lead.get("leadId").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            int size = page.get("leads").size();
            if (cursor != null) {
                assertThat(size).as("page %d of %s, followed by a cursor", pages, query).isEqualTo(limit);
            } else {
                assertThat(size).as("the last page of %s", query).isBetween(1, limit);
            }
            pages++;
            assertThat(pages).as("pages of %s", query).isLessThanOrEqualTo(expected.size() / limit + 1);
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
