package io.ringpool.lead;

import io.ringpool.call.PersonPseudonym;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.app.AdjustableClock;
import io.ringpool.config.ConfigLoader;
import io.ringpool.failure.DomainFailure;
import io.ringpool.site.ExhaustionPolicy;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.SiteSecrets;
import io.ringpool.site.SiteSettings;
import io.ringpool.store.Database;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.Migrator;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lead service without HTTP: commands in, records out, failures as domain kinds. A real H2
 * file store (the SQL is the point), a clock the test moves, visits written as rows.
 */
class LeadServiceTest {

    @TempDir
    Path dir;

    private Database db;
    private GroupCommitWriter writer;
    private AdjustableClock clock;
    private LeadService leads;
    private Site site;
    private final List<String> erasedCallers = new ArrayList<>();

    @BeforeEach
    void setUp() {
        var registry = new SimpleMeterRegistry();
        Map<String, Object> store = new java.util.HashMap<>(Map.of("store.dataDir", dir.toString()));
        store.putAll(storeOverrides());
        db = new Database(ConfigLoader.defaultsWith(store).store(), registry);
        new Migrator(db).migrate();
        writer = new GroupCommitWriter(db, 100, 10, registry);
        clock = new AdjustableClock(Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC));
        SiteSettings settings = new SiteSettings(180, 30, 45, 900, 1800, ExhaustionPolicy.REUSE_COOLING, 0, 30, 365, "RU", List.of(),
                "+74951234567", "+74951234567", ZoneId.of("Europe/Moscow"), "RUB");
        site = new Site("site_unit", "Shop", "pk_unit", settings, false, clock.instant());
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sites(site_id, name, public_key, api_key_hash, webhook_secret_enc, "
                    + "settings_json, created_at) VALUES ('site_unit', 'Shop', 'pk_unit', 'hash', 'enc', '{}', 0)")) {
                ps.executeUpdate();
            }
            return null;
        });
        SiteRegistry sites = new SiteRegistry();
        sites.put(new SiteRegistry.Entry(site, new SiteSecrets(new byte[32], "secret", null)));
        leads = new LeadService(sites, db, writer, clock, 20, (s, phone, pseudonym) -> {
            erasedCallers.add(phone);
            return 0;
        }, registry);
    }

    @AfterEach
    void tearDown() {
        if (writer != null) {
            writer.close();
        }
        if (db != null) {
            db.close();
        }
        afterStoreClosed();
    }

    /** The store to run on: the embedded H2 file store here; {@link LeadServiceOnPostgresTest} overrides. */
    protected Map<String, Object> storeOverrides() {
        return Map.of();
    }

    protected void afterStoreClosed() {}

    private void visitRow(String sessionId, String visitorId, Instant startedAt, String source, String clickIdsJson, Long endedAt) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions(session_id, site_id, visitor_id, tracked, reused_cooling, "
                    + "started_at, ended_at, source, medium, channel, click_ids_json, pageviews) VALUES (?,?,?,FALSE,FALSE,?,?,?,'cpc','paid',?,1)")) {
                ps.setString(1, sessionId);
                ps.setString(2, "site_unit");
                ps.setString(3, visitorId);
                ps.setLong(4, startedAt.toEpochMilli());
                if (endedAt == null) {
                    ps.setNull(5, java.sql.Types.BIGINT);
                } else {
                    ps.setLong(5, endedAt);
                }
                ps.setString(6, source);
                ps.setString(7, clickIdsJson);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static NewLead apiLead(String externalId, String formId, String phone, String email, NewLead.Identifiers ids) {
        return new NewLead(LeadKind.FORM, NewLead.Origin.API, externalId, formId, null, null, phone, email, null, "hello", ids, null, null,
                List.of());
    }

    @Test
    void aDuplicateWithinTheWindowIsMergedAndItsExternalIdThenAnswersTheMergedLead() {
        LeadService.Submitted first = leads.submit(site, apiLead("crm-1", "order", "+79160000001", null, null));
        clock.advance(Duration.ofMinutes(10));
        LeadService.Submitted second = leads.submit(site, apiLead("crm-2", "order", "8 916 000-00-01", null, null));
        LeadService.Submitted repeatOfSecond = leads.submit(site, apiLead("crm-2", "order", "+79160000001", null, null));
        clock.advance(Duration.ofMillis(1));
        LeadService.Submitted outsideWindow = leads.submit(site, apiLead("crm-3", "order", "+79160000001", null, null));

        assertThat(first.outcome()).isEqualTo(LeadService.Outcome.CREATED);
        assertThat(second.outcome()).as("exactly ten minutes after the first is still within").isEqualTo(LeadService.Outcome.MERGED);
        assertThat(second.lead().leadId()).isEqualTo(first.lead().leadId());
        assertThat(second.lead().submissions()).isEqualTo(2);
        assertThat(repeatOfSecond.outcome()).isEqualTo(LeadService.Outcome.REPEATED);
        assertThat(repeatOfSecond.lead().leadId()).isEqualTo(first.lead().leadId());
        assertThat(repeatOfSecond.lead().submissions()).as("a repeat adds nothing").isEqualTo(2);
        assertThat(outsideWindow.outcome()).isEqualTo(LeadService.Outcome.CREATED);
        assertThat(outsideWindow.lead().unique()).isFalse();
    }

    @Test
    void theSessionWinsOverTheVisitorAndAnUnknownSessionFallsThroughToTheVisitor() {
        Instant now = clock.instant();
        visitRow("s_unit_session_a", "visitor-a", now.minus(Duration.ofHours(1)), "google", null, null);
        visitRow("s_unit_session_b", "visitor-b", now.minus(Duration.ofMinutes(5)), "yandex", null, null);

        StoredLead bySession = leads.submit(site, apiLead(null, "a", "+79160000002", null,
                new NewLead.Identifiers("s_unit_session_a", "visitor-b", Map.of(), null, null))).lead();
        StoredLead byVisitor = leads.submit(site, apiLead(null, "b", "+79160000003", null,
                new NewLead.Identifiers("s_unit_session_of_another_site", "visitor-b", Map.of(), null, null))).lead();

        assertThat(bySession.attribution().method()).isEqualTo(LeadMethod.SESSION);
        assertThat(bySession.attribution().visit().source()).isEqualTo("google");
        assertThat(byVisitor.attribution().method()).isEqualTo(LeadMethod.VISITOR);
        assertThat(byVisitor.attribution().sessionId()).isEqualTo("s_unit_session_b");
    }

    /**
     * Audit C, finding 3: the log's source, medium, campaign, channel and tag filters compared
     * exactly, though docs/leads.md says values match without regard to case. Cyrillic too: on
     * PostgreSQL that rests on the database's LC_CTYPE (C.UTF-8 or a language's; plain C folds ASCII only).
     */
    @Test
    void theLogsTextFiltersMatchWithoutRegardToCaseInLatinAndCyrillic() {
        Instant now = clock.instant();
        visitRow("s_unit_case_1", "visitor-case", now.minus(Duration.ofMinutes(5)), "Яндекс", null, null);
        StoredLead lead = leads.submit(site, apiLead(null, "case", "+79160000077", null,
                new NewLead.Identifiers("s_unit_case_1", null, Map.of(), null, null))).lead();
        leads.patch(site, lead.leadId(), new LeadPatch(List.of("VipКлиент"), null, null, null));

        for (Map.Entry<LeadQuery.Filter, String> filter : List.of(Map.entry(LeadQuery.Filter.SOURCE, "яндекс"),
                Map.entry(LeadQuery.Filter.SOURCE, "ЯНДЕКС"), Map.entry(LeadQuery.Filter.SOURCE, "Яндекс"),
                Map.entry(LeadQuery.Filter.MEDIUM, "CPC"), Map.entry(LeadQuery.Filter.CHANNEL, "Paid"))) {
            assertThat(leads.log(new LeadQuery("site_unit", null, null, Map.of(filter.getKey(), filter.getValue()), null, 50, null)).leads())
                    .as("%s=%s", filter.getKey(), filter.getValue()).extracting(StoredLead::leadId).containsExactly(lead.leadId());
        }
        for (String tag : List.of("vipклиент", "VIPКЛИЕНТ", "VipКлиент")) {
            assertThat(leads.log(new LeadQuery("site_unit", null, null, Map.of(), tag, 50, null)).leads()).as("tag=%s", tag)
                    .extracting(StoredLead::leadId).containsExactly(lead.leadId());
        }
        assertThat(leads.log(new LeadQuery("site_unit", null, null, Map.of(LeadQuery.Filter.SOURCE, "яндекс.ru"), null, 50, null))
                .leads()).as("still equality, not a prefix").isEmpty();
    }

    @Test
    void aClickIdWithLikeWildcardsMatchesOnlyItself() {
        Instant now = clock.instant();
        visitRow("s_unit_click_1", "visitor-c", now.minus(Duration.ofHours(2)), "google", "{\"gclid\":\"abcXdef\"}", null);

        StoredLead lead = leads.submit(site, apiLead(null, "c", null, "c@example.com",
                new NewLead.Identifiers(null, null, Map.of(), "abc_def", null))).lead();

        // No visit matched: named from the click id given alone (leads.md "Attribution", method landing).
        assertThat(lead.attribution().method()).as("'_' must not match 'X'").isEqualTo(LeadMethod.LANDING);
        assertThat(lead.attribution().sessionId()).isNull();
        assertThat(lead.attribution().gclid()).isEqualTo("abc_def");
    }

    @Test
    void anEarlierAttributedLeadOfTheSameEmailGivesItsSourceToALaterOne() {
        visitRow("s_unit_email_1", "visitor-d", clock.instant().minus(Duration.ofMinutes(1)), "facebook", null, null);
        StoredLead first = leads.submit(site, apiLead(null, "news", null, "d@example.com",
                new NewLead.Identifiers("s_unit_email_1", null, Map.of(), null, null))).lead();
        clock.advance(Duration.ofDays(89));

        StoredLead later = leads.submit(site, apiLead(null, "order", null, " D@Example.COM", null)).lead();
        clock.advance(Duration.ofDays(2));
        StoredLead tooLate = leads.submit(site, apiLead(null, "order2", null, "d@example.com", null)).lead();

        assertThat(later.attribution().method()).isEqualTo(LeadMethod.CONTACT);
        assertThat(later.attribution().contactOf()).isEqualTo(first.leadId());
        assertThat(later.attribution().visit().source()).isEqualTo("facebook");
        assertThat(tooLate.attribution().method()).as("the contact it would inherit from is itself attributed: 2 days ago")
                .isEqualTo(LeadMethod.CONTACT);
        assertThat(tooLate.attribution().contactOf()).isEqualTo(later.leadId());
    }

    @Test
    void aScriptLeadNeedsAKnownSessionThatEndedLessThanADayAgo() {
        long now = clock.millis();
        visitRow("s_unit_ended_recently", "visitor-e", clock.instant().minus(Duration.ofHours(3)), "google", null,
                now - Duration.ofHours(23).toMillis());
        visitRow("s_unit_ended_long_ago", "visitor-f", clock.instant().minus(Duration.ofDays(3)), "google", null,
                now - Duration.ofHours(25).toMillis());

        LeadService.Submitted ok = leads.submitFromScript(new ScriptLead("s_unit_ended_recently", LeadKind.FORM, "f", null,
                "+79160000005", null, null, null, "203.0.113.1", null));

        assertThat(ok.lead().attribution().method()).isEqualTo(LeadMethod.SESSION);
        assertThatThrownBy(() -> leads.submitFromScript(new ScriptLead("s_unit_ended_long_ago", LeadKind.FORM, "f", null,
                "+79160000006", null, null, null, "203.0.113.1", null)))
                .isInstanceOfSatisfying(DomainFailure.class, f -> assertThat(f.kind()).isEqualTo(DomainFailure.Kind.GONE));
        assertThatThrownBy(() -> leads.submitFromScript(new ScriptLead("s_unit_never_seen", LeadKind.FORM, "f", null,
                "+79160000007", null, null, null, "203.0.113.1", null)))
                .isInstanceOfSatisfying(DomainFailure.class, f -> assertThat(f.kind()).isEqualTo(DomainFailure.Kind.NOT_FOUND));
    }

    @Test
    void erasingByEmailAlsoErasesThePhoneTheirLeadsCarriedFromCalls() {
        StoredLead lead = leads.submit(site, apiLead(null, "x", "+79160000008", "g@example.com", null)).lead();

        LeadService.Erased erased = leads.erase(site, leads.person(site, "G@example.com"));

        assertThat(erased.leads()).isEqualTo(1);
        assertThat(erasedCallers).containsExactly("+79160000008");
        StoredLead after = leads.lead(site.siteId(), lead.leadId()).orElseThrow();
        assertThat(after.erased()).isTrue();
        assertThat(after.contact().email()).isNull();
        assertThat(after.message()).isNull();
    }

    @Test
    void leadsOlderThanTheRetentionPeriodLoseTheirPersonalDataAndNewerOnesKeepIt() {
        StoredLead old = leads.submit(site, apiLead(null, "old", "+79160000009", "old@example.com", null)).lead();
        clock.advance(Duration.ofDays(365));
        StoredLead recent = leads.submit(site, apiLead(null, "new", "+79160000010", null, null)).lead();
        clock.advance(Duration.ofMillis(1));

        assertThat(leads.purgeExpired(site, PersonPseudonym.fresh())).isEqualTo(1);

        StoredLead oldAfter = leads.lead(site.siteId(), old.leadId()).orElseThrow();
        assertThat(oldAfter.erased()).isTrue();
        assertThat(oldAfter.contact().email()).isNull();
        assertThat(oldAfter.attribution().method()).isEqualTo(old.attribution().method());
        assertThat(leads.lead(site.siteId(), recent.leadId()).orElseThrow().contact().phone()).isEqualTo("+79160000010");
        assertThat(leads.purgeExpired(site, PersonPseudonym.fresh())).as("nothing left to purge").isZero();
    }
}
