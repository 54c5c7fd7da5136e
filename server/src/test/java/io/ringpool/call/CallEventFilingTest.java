package io.ringpool.call;

import static io.ringpool.call.CallStoreFixture.PROVIDER;
import static io.ringpool.call.CallStoreFixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call's events are filed under the call ({@code call_events}, keyed by the call); events that
 * come before any event names the dialled number wait in {@code call_events_waiting} until the
 * call exists. A waiting event that another node stored just after the call was created is found
 * and filed by the call's next event.
 */
class CallEventFilingTest {
    static final String NUMBER = "+74952000001";
    static final String CALLER = "+79161234567";

    @TempDir
    Path dir;
    CallStoreFixture f;
    final CallRecords records = new CallRecords();

    @BeforeEach
    void open() {
        f = new CallStoreFixture(dir, "st_filing", List.of(NUMBER));
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void eventsThatCameBeforeTheNumberWaitThenAreFiledUnderTheCallWithWhenTheyWereReceived() {
        Instant at = f.clock.instant();
        long firstReceived = at.toEpochMilli();
        assertThat(f.calls.ingest(f.site, event("w-1", CallEvent.Kind.COMPLETED, CALLER, null, at.plusSeconds(40), 30), false).call())
                .isNull();
        assertThat(waiting()).containsExactly("w-1/completed");
        assertThat(filed()).isEmpty();

        f.clock.advance(Duration.ofSeconds(5));
        StoredCall call = f.calls.ingest(f.site, event("w-1", CallEvent.Kind.RINGING, CALLER, NUMBER, at, null), false).call();

        assertThat(call.status()).isEqualTo(CallState.Status.COMPLETED);
        assertThat(call.talkSeconds()).isEqualTo(30);
        assertThat(waiting()).isEmpty();
        assertThat(filed()).containsExactly(call.callId() + "/completed@" + firstReceived,
                call.callId() + "/ringing@" + (firstReceived + 5_000));
    }

    @Test
    void aRepeatOfAWaitingEventThatTellsMoreIsJoinedWhereItWaits() {
        Instant at = f.clock.instant();
        f.calls.ingest(f.site, new CallEvent(PROVIDER, "w-2", CallEvent.Kind.COMPLETED, at.plusSeconds(40), CALLER, null, null, null,
                null), false);
        f.calls.ingest(f.site, event("w-2", CallEvent.Kind.COMPLETED, CALLER, null, at.plusSeconds(40), 25), false);
        assertThat(waiting()).containsExactly("w-2/completed");

        StoredCall call = f.calls.ingest(f.site, event("w-2", CallEvent.Kind.RINGING, CALLER, NUMBER, at, null), false).call();
        assertThat(call.talkSeconds()).isEqualTo(25);
        assertThat(waiting()).isEmpty();
    }

    @Test
    void aWaitingEventStoredJustAfterAnotherNodeCreatedTheCallIsFoldedAndFiledByTheCallsNextEvent() {
        Instant at = f.clock.instant();
        StoredCall created = f.calls.ingest(f.site, event("w-3", CallEvent.Kind.RINGING, CALLER, NUMBER, at, null), false).call();
        // What a node that had not yet seen the call stores (its plan read no call).
        storeWaiting("w-3", CallEvent.Kind.ANSWERED, at.plusSeconds(3), null, null);

        StoredCall call = f.calls.ingest(f.site, new CallEvent(PROVIDER, "w-3", CallEvent.Kind.COMPLETED, at.plusSeconds(60), CALLER,
                NUMBER, 60, null, null), false).call();

        assertThat(call.callId()).isEqualTo(created.callId());
        assertThat(call.answered()).isTrue();
        assertThat(call.answeredAt()).isEqualTo(at.plusSeconds(3));
        assertThat(waiting()).isEmpty();
        assertThat(filed()).hasSize(3).allMatch(row -> row.startsWith(created.callId() + "/"));
    }

    @Test
    void aKindBothFiledAndWaitingIsJoinedIntoTheFiledRow() {
        Instant at = f.clock.instant();
        f.calls.ingest(f.site, new CallEvent(PROVIDER, "w-4", CallEvent.Kind.COMPLETED, at.plusSeconds(50), CALLER, NUMBER, null, null,
                null), false);
        storeWaiting("w-4", CallEvent.Kind.COMPLETED, at.plusSeconds(50), 50, 42);

        StoredCall call = f.calls.ingest(f.site, event("w-4", CallEvent.Kind.RINGING, CALLER, NUMBER, at, null), false).call();

        assertThat(call.talkSeconds()).isEqualTo(42);
        assertThat(call.durationSeconds()).isEqualTo(50);
        assertThat(waiting()).isEmpty();
        assertThat(filed()).hasSize(2);
    }

    @Test
    void anEventCannotWaitForACallThatExistsNorBeUnwaitedOnceChanged() {
        Instant at = f.clock.instant();
        f.calls.ingest(f.site, event("w-5", CallEvent.Kind.RINGING, CALLER, NUMBER, at, null), false);
        CallEvent late = event("w-5", CallEvent.Kind.COMPLETED, CALLER, null, at.plusSeconds(30), 20);
        assertThat((boolean) f.db.inTransaction(c -> records.waitIfAbsent(c, f.site.siteId(), late, 0L))).as("the call exists").isFalse();
        assertThat(waiting()).isEmpty();

        CallEvent other = event("w-6", CallEvent.Kind.COMPLETED, CALLER, null, at.plusSeconds(30), 20);
        assertThat((boolean) f.db.inTransaction(c -> records.waitIfAbsent(c, f.site.siteId(), other, 0L))).isTrue();
        assertThat((boolean) f.db.inTransaction(c -> records.waitIfAbsent(c, f.site.siteId(), other, 0L))).as("already waiting").isFalse();
        CallEvent asReadBefore = event("w-6", CallEvent.Kind.COMPLETED, CALLER, null, at.plusSeconds(30), 10);
        assertThatThrownBy(() -> f.db.inTransaction(c -> {
            records.unwait(c, f.site.siteId(), List.of(new CallRecords.WaitingEvent(asReadBefore, 0L)));
            return null;
        })).isInstanceOf(StaleEvents.class);
        assertThat(waiting()).containsExactly("w-6/completed");
    }

    @Test
    void erasingACallerErasesItFromFiledAndWaitingEvents() {
        Instant at = f.clock.instant();
        f.calls.ingest(f.site, event("w-7", CallEvent.Kind.RINGING, CALLER, NUMBER, at, null), false);
        f.calls.ingest(f.site, event("w-8", CallEvent.Kind.COMPLETED, CALLER, null, at.plusSeconds(30), 20), false);

        f.calls.eraseCaller(f.site, CALLER);

        assertThat(count("SELECT COUNT(*) FROM call_events WHERE from_raw = '" + CALLER + "'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM call_events_waiting WHERE from_raw = '" + CALLER + "'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM call_events_waiting WHERE from_raw = '" + CallerNumber.ERASED + "'")).isEqualTo(1);
    }

    @Test
    void purgingOldCallersReachesWaitingEventsByTheirTime() {
        Instant at = f.clock.instant();
        f.calls.ingest(f.site, event("w-9", CallEvent.Kind.COMPLETED, CALLER, null, at, 20), false);
        f.calls.ingest(f.site, event("w-10", CallEvent.Kind.RINGING, CALLER, NUMBER, at, null), false);
        f.clock.advance(Duration.ofDays(400));

        f.calls.purgeExpiredCallers(f.site, PersonPseudonym.fresh());

        assertThat(count("SELECT COUNT(*) FROM call_events_waiting WHERE from_raw = '" + CallerNumber.ERASED + "'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM call_events WHERE from_raw = '" + CallerNumber.ERASED + "'")).isEqualTo(1);
    }

    /**
     * Audit AI1 #4: events whose call never comes (a recording notice of an employee's outgoing call)
     * were kept for ever. Retention deletes those that waited a week (or the site's retention, when
     * shorter); younger ones may still meet their call.
     */
    @Test
    void eventsThatWaitedAWeekForTheirCallAreDeletedByRetention() {
        Instant at = f.clock.instant();
        f.calls.ingest(f.site, event("w-11", CallEvent.Kind.COMPLETED, CALLER, null, at, 20), false);
        f.clock.advance(Duration.ofDays(6));
        f.calls.ingest(f.site, event("w-12", CallEvent.Kind.COMPLETED, CALLER, null, f.clock.instant(), 20), false);
        assertThat(f.calls.expireWaitingEvents(f.site)).isZero();
        assertThat(waiting()).containsExactly("w-11/completed", "w-12/completed");

        f.clock.advance(Duration.ofDays(1).plusSeconds(1));
        assertThat(f.calls.expireWaitingEvents(f.site)).isEqualTo(1);
        assertThat(waiting()).containsExactly("w-12/completed");

        // The younger one still meets its call.
        StoredCall call = f.calls.ingest(f.site, event("w-12", CallEvent.Kind.RINGING, CALLER, NUMBER, f.clock.instant().minusSeconds(60),
                null), false).call();
        assertThat(call.status()).isEqualTo(CallState.Status.COMPLETED);
        assertThat(waiting()).isEmpty();
    }

    private void storeWaiting(String providerCallId, CallEvent.Kind kind, Instant at, Integer duration, Integer talk) {
        f.db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO call_events_waiting(site_id, provider, provider_call_id, kind, "
                    + "at, from_raw, to_raw, duration_seconds, talk_seconds, recording_url, received_at) VALUES (?,?,?,?,?,?,?,?,?,NULL,?)")) {
                ps.setString(1, f.site.siteId());
                ps.setString(2, PROVIDER);
                ps.setString(3, providerCallId);
                ps.setString(4, kind.wireName());
                ps.setLong(5, at.toEpochMilli());
                ps.setString(6, CALLER);
                ps.setString(7, null);
                ps.setObject(8, duration);
                ps.setObject(9, talk);
                ps.setLong(10, at.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    private List<String> waiting() {
        return rows("SELECT provider_call_id || '/' || kind FROM call_events_waiting ORDER BY provider_call_id, kind");
    }

    private List<String> filed() {
        return rows("SELECT call_id || '/' || kind || '@' || received_at FROM call_events ORDER BY call_id, kind");
    }

    private List<String> rows(String sql) {
        return f.db.read(c -> {
            List<String> out = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    private long count(String sql) {
        return f.db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
