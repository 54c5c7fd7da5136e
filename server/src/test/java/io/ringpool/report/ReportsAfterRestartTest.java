package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a restart the first reports answer at once with the numbers of before the restart: the
 * facts come from the snapshot written at the stop, and only what changed since is read from the
 * store. A snapshot that no longer matches the store is refused and the facts load from the store,
 * with the same numbers.
 */
class ReportsAfterRestartTest {
    @TempDir
    Path dir;

    static final List<String> REPORTS = List.of("/reports/sources?", "/reports/sources?groupBy=source,medium,campaign&model=first_click&",
            "/reports/devices?", "/reports/time?", "/reports/daily?", "/reports/paths?");

    /** Every report of the list over the fixture's range, as answered now. */
    static Map<String, JsonNode> answers(TestServer server, ReportFixture f, String range) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String report : REPORTS) {
            Reply r = server.get("/v1/sites/" + f.siteId + report + range, f.apiKey);
            assertThat(r.status()).as(report + " " + r.body()).isEqualTo(200);
            // heldFrom is at least the retention cut-off, now − retentionDays rounded up to the
            // hour: it moves with the clock, not with the data, and the clocks here follow real time
            ((com.fasterxml.jackson.databind.node.ObjectNode) r.json()).remove("heldFrom");
            out.put(report, r.json());
        }
        return out;
    }

    /** What the first server answered before it stopped, and when it stopped. */
    private record FirstRun(ReportFixture f, String range, Map<String, JsonNode> before, Instant stoppedAt) {}

    /** A server with a report fixture (its numbers from {@code numberBase}): its answers, then a clean stop. */
    private FirstRun firstRun(int numberBase) {
        try (TestServer first = new TestServer(dir)) {
            ReportFixture f = new ReportFixture(first, numberBase).build();
            String range = f.range();
            return new FirstRun(f, range, answers(first, f, range), first.clock.instant());
        }
    }

    /** A server on the same data directory whose clock goes on from where the first one's stopped. */
    private TestServer restartAt(Instant at) {
        return new TestServer(dir, Map.of(), Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), at)));
    }

    @Test
    void theFirstReportsAfterARestartComeFromTheSnapshotWithTheNumbersOfBefore() {
        FirstRun run = firstRun(401);
        ReportFixture f = run.f();
        String range = run.range();
        Map<String, JsonNode> before = run.before();
        Instant stoppedAt = run.stoppedAt();
        assertThat(dir.resolve("report-facts").resolve(f.siteId + ".facts")).isRegularFile();

        try (TestServer second = restartAt(stoppedAt)) {
            Map<String, JsonNode> after = answers(second, f, range);
            assertThat(second.app.reports().snapshotsLoaded()).as("facts taken from the snapshot").isEqualTo(1);
            assertThat(after).isEqualTo(before);
            // What arrives after the restart is read on top of the snapshot.
            Reply visit = second.startSession(f.publicKey, "visitor-Z-0001", "https://example.com/?utm_source=google&utm_medium=cpc");
            assertThat(visit.status()).isEqualTo(201);
            JsonNode totals = second.get("/v1/sites/" + f.siteId + "/reports/sources?" + range, f.apiKey).json().get("totals");
            assertThat(totals.get("visits").asLong()).isEqualTo(before.get(REPORTS.get(0)).get("totals").get("visits").asLong() + 1);
        }
    }

    @Test
    void aSnapshotThatNoLongerMatchesTheStoreIsRefusedAndTheNumbersStillAgree() throws IOException {
        FirstRun run = firstRun(402);
        ReportFixture f = run.f();
        String range = run.range();
        Map<String, JsonNode> before = run.before();
        Instant stoppedAt = run.stoppedAt();
        // The store goes back to a copy taken now (as if restored from a backup), while the snapshot
        // written after one more visit is kept: it holds a visit the store no longer has.
        Path store = dir.resolve("ringpool.mv.db");
        Path older = dir.resolve("older.mv.db");
        Files.copy(store, older);
        try (TestServer second = restartAt(stoppedAt)) {
            assertThat(second.startSession(f.publicKey, "visitor-Y-0001", "https://example.com/").status()).isEqualTo(201);
            second.clock.advance(Duration.ofMinutes(1));
            assertThat(answers(second, f, range).get(REPORTS.get(0)).get("totals").get("visits").asLong())
                    .isEqualTo(before.get(REPORTS.get(0)).get("totals").get("visits").asLong() + 1);
            stoppedAt = second.clock.instant();
        }
        Files.copy(older, store, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (TestServer third = restartAt(stoppedAt)) {
            Map<String, JsonNode> after = answers(third, f, range);
            assertThat(third.app.reports().snapshotsLoaded()).as("the snapshot ahead of the store is refused").isZero();
            assertThat(after).isEqualTo(before);
        }
    }

    @Test
    void anUnreadableSnapshotIsIgnored() throws IOException {
        FirstRun run = firstRun(403);
        ReportFixture f = run.f();
        String range = run.range();
        Map<String, JsonNode> before = run.before();
        Instant stoppedAt = run.stoppedAt();
        Path snapshot = dir.resolve("report-facts").resolve(f.siteId + ".facts");
        byte[] bytes = Files.readAllBytes(snapshot);
        Files.write(snapshot, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        try (TestServer second = restartAt(stoppedAt)) {
            assertThat(answers(second, f, range)).isEqualTo(before);
            assertThat(second.app.reports().snapshotsLoaded()).isZero();
        }
    }
}
