package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider whose signature checks out is believed about its call, whatever the width of its
 * ids and links: a call id longer than the store's column, or a recording link longer than any
 * URL column, must still give one stored call (the provider would otherwise be answered with an
 * error and retry into the same error until it gives up, and the call would be lost).
 */
class OversizeProviderValuesTest {
    static final String NUMBER = "+74955550001";

    @TempDir
    Path dir;

    @Test
    void aCallIdLongerThanTheColumnIsKeptUnderAStableShortFormThatJoinsItsEvents() {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_longid", List.of(NUMBER))) {
            String longId = "v3:" + "kFkL3PxZ-7".repeat(30); // 303 characters
            Instant at = f.clock.instant().minusSeconds(60);
            CallService.Ingested ringing = f.calls.ingest(f.site,
                    CallStoreFixture.event(longId, CallEvent.Kind.RINGING, "+79161234567", NUMBER, at, null), true);
            CallService.Ingested completed = f.calls.ingest(f.site,
                    CallStoreFixture.event(longId, CallEvent.Kind.COMPLETED, "+79161234567", NUMBER, at.plusSeconds(40), 30), true);

            assertThat(completed.call().callId()).isEqualTo(ringing.call().callId());
            assertThat(completed.call().providerCallId()).hasSizeLessThanOrEqualTo(CallEvent.MAX_STORED_CALL_ID)
                    .startsWith(longId.substring(0, 40));
            assertThat(completed.call().talkSeconds()).isEqualTo(30);
            // a different long id with the same beginning is another call
            String sibling = longId.substring(0, 300) + "XYZ";
            StoredCall other = f.calls.ingest(f.site,
                    CallStoreFixture.event(sibling, CallEvent.Kind.MISSED, "+79161234568", NUMBER, at, null), true).call();
            assertThat(other.callId()).isNotEqualTo(completed.call().callId());
            // a transcript sent under the provider's own (long) id finds the call
            assertThat(f.calls.transcript(f.site, CallStoreFixture.PROVIDER, longId, "hello", List.of())).isPresent();
            // a repeat is a duplicate, not a new call
            assertThat(f.calls.ingest(f.site,
                    CallStoreFixture.event(longId, CallEvent.Kind.COMPLETED, "+79161234567", NUMBER, at.plusSeconds(40), 30), true)
                    .duplicate()).isTrue();
        }
    }

    @Test
    void aRecordingLinkLongerThanAnyUrlColumnLeavesTheCallStoredWithoutIt() {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_longurl", List.of(NUMBER))) {
            Instant at = f.clock.instant().minusSeconds(60);
            String link = "https://recordings.example.com/r.mp3?X-Amz-Signature=" + "a".repeat(5_000);
            StoredCall call = f.calls.ingest(f.site, new CallEvent(CallStoreFixture.PROVIDER, "c-longurl", CallEvent.Kind.COMPLETED,
                    at, "+79161234567", NUMBER, 40, 30, link), true).call();

            assertThat(call.talkSeconds()).isEqualTo(30);
            assertThat(call.recordingUrl()).isNull();
            assertThat(f.calls.call(f.site.siteId(), call.callId())).isPresent();
        }
    }

    /**
     * Found by ProviderWebhookSweepTest: Telnyx's occurred_at, Vonage's timestamp, UIS's and the generic
     * event's at in year 999999999 failed the write (epoch milliseconds overflow) or attribution, with a
     * 500 the provider retried into. Such a time is not the call's: it is kept with its time of receipt.
     */
    @Test
    void anEventTimeNoColumnCanHoldIsReplacedByTheTimeOfReceiptAndTheCallIsStored() {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_fartime", List.of(NUMBER))) {
            Instant received = f.clock.instant();
            for (Instant far : List.of(Instant.parse("+999999999-12-31T23:59:59Z"), Instant.parse("-999999999-01-01T00:00:00Z"),
                    Instant.EPOCH, Instant.parse("+10000-01-01T00:00:00Z"))) {
                StoredCall call = f.calls.ingest(f.site, CallStoreFixture.event("c-far-" + far.getEpochSecond(), CallEvent.Kind.RINGING,
                        "+79161234567", NUMBER, far, null), true).call();
                assertThat(call.startedAt()).as("%s", far).isEqualTo(received);
            }
            // Since session 11 a time more than 5 minutes after receipt is not kept either (CallEventTimesOverHttpTest).
            Instant lastKept = received.plus(CallEventTimes.FUTURE_TOLERANCE);
            assertThat(f.calls.ingest(f.site, CallStoreFixture.event("c-far-9999", CallEvent.Kind.RINGING, "+79161234567", NUMBER,
                    lastKept, null), true).call().startedAt()).isEqualTo(lastKept);
        }
    }

    @Test
    void aRecordingLinkThatIsNoLinkIsLeftOutAndHttpLinksAndProviderReferencesAreKept() {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_links", List.of(NUMBER))) {
            Instant at = f.clock.instant().minusSeconds(60);
            String[][] cases = {{"javascript:alert(document.cookie)", null}, {"/recordings/1.mp3", null}, {"data:audio/mp3;base64,AAAA", null},
                    {"https://api.example.com/r/1.mp3", "https://api.example.com/r/1.mp3"}, {"HTTP://EXAMPLE.COM/R.MP3", "HTTP://EXAMPLE.COM/R.MP3"},
                    {"mango-recording:abc123", "mango-recording:abc123"}, {"zadarma-recording:9.1", "zadarma-recording:9.1"}};
            int n = 0;
            for (String[] c : cases) {
                StoredCall call = f.calls.ingest(f.site, new CallEvent(CallStoreFixture.PROVIDER, "c-link-" + n++, CallEvent.Kind.COMPLETED,
                        at, "+79161234567", NUMBER, 40, 30, c[0]), true).call();
                assertThat(call.recordingUrl()).as(c[0]).isEqualTo(c[1]);
                assertThat(call.talkSeconds()).isEqualTo(30);
            }
        }
    }
}
