package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.app.TestDomain;
import io.ringpool.failure.DomainFailure;
import io.ringpool.pool.NewPool;
import io.ringpool.site.SiteService;
import io.ringpool.site.SiteSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions through their service and commands, without HTTP, on a real store and a clock the test moves. */
class SessionServiceTest {
    static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/130.0.0.0 Safari/537.36";

    @TempDir
    Path dir;
    TestDomain domain;
    SiteService.CreatedSite site;

    @BeforeEach
    void open() {
        domain = new TestDomain(dir);
        site = domain.createShop();
        domain.pools.create(site.site().siteId(), new NewPool("main", null, null, List.of("+74950000101")));
    }

    @AfterEach
    void close() {
        domain.close();
    }

    private SessionService.StartRequest visit(String siteKey, String visitorId, String origin) {
        return new SessionService.StartRequest(siteKey, visitorId, "https://example.com/?utm_source=google", null, "Home",
                Map.of(), false, CHROME, "127.0.0.1", origin);
    }

    private SessionService.Started start(String visitorId) {
        return domain.sessions.start(visit(site.site().publicKey(), visitorId, "https://example.com"));
    }

    @Test
    void aStartLeasesTheFreeNumberAndAHeartbeatKeepsIt() {
        SessionService.Started started = start("v_one");
        assertThat(started.tracked()).isTrue();
        assertThat(started.number()).isEqualTo("+74950000101");
        domain.clock.advance(Duration.ofSeconds(SiteSettings.DEFAULT_HEARTBEAT));
        SessionService.Renewed renewed = domain.sessions.heartbeat(started.sessionId());
        assertThat(renewed.number()).isEqualTo("+74950000101");
        assertThat(renewed.expiresAt()).isAfter(started.expiresAt());
    }

    @Test
    void theSameVisitorGetsTheSameSessionBackAndASecondVisitorFindsThePoolExhausted() {
        SessionService.Started first = start("v_one");
        SessionService.Started again = start("v_one");
        assertThat(again.created()).isFalse();
        assertThat(again.sessionId()).isEqualTo(first.sessionId());
        SessionService.Started other = start("v_two");
        assertThat(other.tracked()).isFalse();
        assertThat(other.number()).isEqualTo("+74951234567");
        assertThat(other.reason()).isEqualTo("pool_exhausted");
    }

    @Test
    void aHeartbeatAfterTheLeaseLapsedAndWasSweptIsSessionEnded() {
        SessionService.Started started = start("v_one");
        domain.clock.advance(Duration.ofSeconds(SiteSettings.DEFAULT_LEASE_TTL + 1));
        domain.sessions.sweep();
        assertThatThrownBy(() -> domain.sessions.heartbeat(started.sessionId()))
                .isInstanceOfSatisfying(SessionEnded.class, f -> assertThat(f.kind()).isEqualTo(DomainFailure.Kind.GONE));
    }

    @Test
    void aSessionTheStoreNeverSawIsUnknownSessionButEndingAnEndedOneIsHarmless() {
        assertThatThrownBy(() -> domain.sessions.heartbeat("s_neverExisted0000000000")).isInstanceOf(UnknownSession.class);
        assertThatThrownBy(() -> domain.sessions.end("s_neverExisted0000000000")).isInstanceOf(UnknownSession.class);
        SessionService.Started started = start("v_one");
        domain.sessions.end(started.sessionId());
        domain.clock.advance(Duration.ofSeconds(SiteSettings.DEFAULT_END_GRACE + 1));
        domain.sessions.sweep();
        domain.sessions.end(started.sessionId());
        assertThatThrownBy(() -> domain.sessions.pageview(new SessionService.PageView(started.sessionId(), "https://example.com/b", null)))
                .isInstanceOf(SessionEnded.class);
    }

    @Test
    void anUnknownSiteKeyIsNamedAndAnOriginOutsideTheSitesDomainsIsRefused() {
        assertThatThrownBy(() -> domain.sessions.start(visit("pk_nope", null, null)))
                .isInstanceOfSatisfying(UnknownSiteKey.class, f -> assertThat(f.field()).isEqualTo("siteKey"));
        assertThatThrownBy(() -> domain.sessions.start(visit(site.site().publicKey(), null, "https://evil.test")))
                .isInstanceOf(OriginNotAllowed.class);
        assertThat(domain.sessions.liveSessions()).isZero();
    }

    @Test
    void theIdsTheServerGivesNewVisitorsSortByTimeAndComeBackAsValidIds() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(start(null).visitorId());
            domain.clock.advance(Duration.ofMillis(1));
        }
        // sorted by time, the (site, visitor, start) index takes new visitors at its end, not on random pages
        assertThat(ids).doesNotHaveDuplicates().isSorted().allSatisfy(id -> assertThat(id).matches("v_[-0-9A-Za-z_]{22}"));
        SessionService.Started returning = start(ids.get(0));
        assertThat(returning.visitorId()).isEqualTo(ids.get(0));
        assertThat(returning.created()).isFalse();
    }

    @Test
    void aVisitorIdOutsideTheScriptsAlphabetIsInvalid() {
        assertThatThrownBy(() -> start("v one/../"))
                .isInstanceOfSatisfying(DomainFailure.class, f -> {
                    assertThat(f.kind()).isEqualTo(DomainFailure.Kind.INVALID);
                    assertThat(f.field()).isEqualTo("visitorId");
                });
    }

    @Test
    void aPageViewNeedsAUrlAndAnIntentKindMustBeOneTheScriptSends() {
        SessionService.Started started = start("v_one");
        assertThatThrownBy(() -> domain.sessions.pageview(new SessionService.PageView(started.sessionId(), " ", null)))
                .isInstanceOfSatisfying(DomainFailure.class, f -> assertThat(f.field()).isEqualTo("url"));
        assertThatThrownBy(() -> IntentKind.fromWire("hover"))
                .isInstanceOfSatisfying(DomainFailure.class, f -> assertThat(f.field()).isEqualTo("kind"));
        domain.sessions.pageview(new SessionService.PageView(started.sessionId(), "https://example.com/b", "B"));
        domain.sessions.intent(new SessionService.Intent(started.sessionId(), IntentKind.TEL_CLICK));
    }

    @Test
    void anIntentKeepsTheNumberWithTheSessionPastItsSoftEnd() {
        SessionService.Started started = start("v_one");
        domain.sessions.intent(new SessionService.Intent(started.sessionId(), IntentKind.COPY));
        domain.sessions.end(started.sessionId());
        domain.clock.advance(Duration.ofSeconds(SiteSettings.DEFAULT_END_GRACE + 1));
        domain.sessions.sweep();
        assertThat(domain.sessions.heartbeat(started.sessionId()).number()).isEqualTo("+74950000101");
    }
}
