package io.ringpool.call;

import static io.ringpool.call.CallStoreFixture.PROVIDER;
import static io.ringpool.call.CallStoreFixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.failure.DomainFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CallService} over a real H2 store, without HTTP: typed commands in, records or domain failures out. */
class CallServiceTest {
    static final String NUMBER = "+74952000001";
    static final String CALLER = "+79161234567";

    @TempDir
    Path dir;
    CallStoreFixture f;

    @BeforeEach
    void open() {
        f = new CallStoreFixture(dir, "st_calls", List.of(NUMBER, "+74952000002"));
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aCallToALeasedNumberIsAttributedActiveWithTheVisitsSource() {
        Instant visitStart = f.clock.instant();
        f.visit("s_1", "v_1", NUMBER, visitStart, null, "google", "cpc", "paid", "GCLID-1");
        StoredCall call = f.call("c-1", CALLER, NUMBER, visitStart.plusSeconds(60), 45);

        assertThat(call.attribution().method()).isEqualTo(AttributionMethod.ACTIVE);
        assertThat(call.attribution().sessionId()).isEqualTo("s_1");
        assertThat(call.attribution().visit().source()).isEqualTo("google");
        assertThat(call.attribution().visit().clickIds()).containsEntry("gclid", "GCLID-1");
        assertThat(call.classes().target()).isTrue();
        assertThat(f.calls.call(f.site.siteId(), call.callId())).contains(call);
    }

    @Test
    void eachStatusAndEachAttributionIsCountedOnceAndARepeatNotAtAll() {
        Instant at = f.clock.instant();
        f.calls.ingest(f.site, event("c-1", CallEvent.Kind.RINGING, CALLER, NUMBER, at, null), true);
        CallService.Ingested repeat = f.calls.ingest(f.site, event("c-1", CallEvent.Kind.RINGING, CALLER, NUMBER, at, null), true);
        f.calls.ingest(f.site, event("c-1", CallEvent.Kind.COMPLETED, CALLER, NUMBER, at.plusSeconds(50), 40), true);

        assertThat(repeat.duplicate()).isTrue();
        assertThat(f.count("ringpool.calls.received", "provider", PROVIDER, "status", "ringing")).isEqualTo(1);
        assertThat(f.count("ringpool.calls.received", "provider", PROVIDER, "status", "completed")).isEqualTo(1);
        assertThat(f.count("ringpool.calls.attributed", "method", "none")).isEqualTo(1);
    }

    @Test
    void aNumberTheSiteDoesNotOwnIsRefusedAndNothingIsStored() {
        assertThatThrownBy(() -> f.call("c-1", CALLER, "+74959999999", f.clock.instant(), 30)).isInstanceOf(NotATrackingNumber.class);
        assertThat(f.calls.log(CallQuery.all(f.site.siteId(), 10)).calls()).isEmpty();
        assertThat(f.count("ringpool.calls.received", "provider", PROVIDER, "status", "completed")).isZero();
    }

    @Test
    void aFirstEventWithoutANumberIsRefusedWhenRequiredAndOtherwiseWaitsForTheEventThatNamesIt() {
        Instant at = f.clock.instant();
        CallEvent status = event("c-1", CallEvent.Kind.COMPLETED, CALLER, null, at.plusSeconds(30), 20);
        assertThatThrownBy(() -> f.calls.ingest(f.site, status, true)).isInstanceOf(NumberMissing.class);

        assertThat(f.calls.ingest(f.site, status, false).call()).isNull();
        StoredCall call = f.calls.ingest(f.site, event("c-1", CallEvent.Kind.RINGING, CALLER, NUMBER, at, null), false).call();
        assertThat(call.status()).isEqualTo(CallState.Status.COMPLETED);
        assertThat(call.startedAt()).isEqualTo(at);
    }

    @Test
    void patchReplacesTagsWithoutRepeatsAndAValueWithoutACurrencyIsInTheSitesCurrency() {
        StoredCall call = f.call("c-1", CALLER, NUMBER, f.clock.instant(), 40);
        StoredCall patched = f.calls.patch(f.site, call.callId(), new CallChanges(List.of("lead", " vip ", "lead"), 1500.0, null));
        assertThat(patched.tags()).containsExactly("lead", "vip");
        assertThat(patched.value()).isEqualTo(1500.0);
        assertThat(patched.currency()).isEqualTo("RUB");

        StoredCall retagged = f.calls.patch(f.site, call.callId(), new CallChanges(List.of(), null, "usd"));
        assertThat(retagged.tags()).isEmpty();
        assertThat(retagged.value()).isEqualTo(1500.0);
        assertThat(retagged.currency()).isEqualTo("USD");
    }

    @Test
    void patchRefusesAnotherSitesCallAndValuesItCannotKeep() {
        assertThatThrownBy(() -> f.calls.patch(f.site, "call_elsewhere", new CallChanges(null, 1.0, null))).isInstanceOf(UnknownCall.class);
        for (Runnable bad : List.<Runnable>of(() -> new CallChanges(null, null, "XYZ"), () -> new CallChanges(null, -1.0, null),
                () -> new CallChanges(List.of(" "), null, null), () -> new CallChanges(java.util.Collections.nCopies(21, "t"), null, null))) {
            assertThatThrownBy(bad::run).isInstanceOfSatisfying(DomainFailure.class,
                    e -> assertThat(e.kind()).isEqualTo(DomainFailure.Kind.INVALID));
        }
    }

    @Test
    void theLogFiltersByTagAndStatusAndPagesNewestFirstWithoutRepeats() {
        Instant start = f.clock.instant();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(f.call("c-" + i, "+7916123450" + i, NUMBER, start.plusSeconds(i * 60L), i % 2 == 0 ? 40 : 0).callId());
        }
        f.calls.patch(f.site, ids.get(3), new CallChanges(List.of("lead"), null, null));

        List<String> walked = new ArrayList<>();
        CallQuery query = CallQuery.all(f.site.siteId(), 2);
        for (CallService.Page page = f.calls.log(query); ; page = f.calls.log(query)) {
            page.calls().forEach(c -> walked.add(c.callId()));
            if (page.next() == null) {
                break;
            }
            query = query.after(page.next());
        }
        assertThat(walked).containsExactly(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0));

        CallQuery tagged = new CallQuery(f.site.siteId(), null, null, null, null, null, null, "lead", null, null, null, null, 10, null);
        assertThat(f.calls.log(tagged).calls()).extracting(StoredCall::callId).containsExactly(ids.get(3));
        CallQuery missed = new CallQuery(f.site.siteId(), start.plusSeconds(61), null, null, null, null, null, null, null,
                CallState.Status.MISSED, null, null, 10, null);
        assertThat(f.calls.log(missed).calls()).extracting(StoredCall::callId).containsExactly(ids.get(3));
    }

    @Test
    void erasingACallerAndPurgingOldCallersKeepTheCallsAndTheirCounts() {
        StoredCall old = f.call("c-old", "+79160000001", NUMBER, f.clock.instant(), 40);
        f.clock.advance(Duration.ofDays(366));
        StoredCall recent = f.call("c-new", CALLER, NUMBER, f.clock.instant(), 40);

        assertThat(f.calls.purgeExpiredCallers(f.site, PersonPseudonym.fresh())).isEqualTo(1);
        assertThat(f.calls.eraseCaller(f.site, "8 (916) 123-45-67")).isEqualTo(1);

        assertThat(f.calls.call(f.site.siteId(), old.callId()).orElseThrow().caller()).isEqualTo(CallerNumber.ERASED);
        StoredCall erased = f.calls.call(f.site.siteId(), recent.callId()).orElseThrow();
        assertThat(erased.caller()).isEqualTo(CallerNumber.ERASED);
        assertThat(erased.classes()).isEqualTo(recent.classes());
        assertThatThrownBy(() -> f.calls.eraseCaller(f.site, " ")).isInstanceOfSatisfying(DomainFailure.class,
                e -> assertThat(e.field()).isEqualTo("e164"));
    }

    @Test
    void aDialledNumberIsReadAsConfiguredOrInTheSitesLocalFormat() {
        assertThat(DialledNumbers.normaliseDialled("+7 (495) 000-00-01", "RU")).isEqualTo("+74950000001");
        assertThat(DialledNumbers.normaliseDialled("8 (916) 123-45-67", "RU")).isEqualTo("+79161234567");
        assertThat(DialledNumbers.normaliseDialled("anonymous", "RU")).isNull();
        assertThat(DialledNumbers.normaliseDialled(" ", "RU")).isNull();
    }
}
