package io.ringpool.lead;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leads end to end over real HTTP: the script's beacon and the server-to-server route, each
 * attribution method, the duplicate window, external ids, the lead log, changes, people and
 * erasure, and bad input. One server for the class; every test makes its own site.
 */
class LeadsOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;

    static final AtomicInteger SEQ = new AtomicInteger();

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Site(String id, String apiKey, String publicKey, String secret, List<String> numbers) {}

    static Site site() {
        return site(3);
    }

    static Site site(int poolSize) {
        List<String> numbers = new ArrayList<>();
        for (int i = 1; i <= poolSize; i++) {
            numbers.add(String.format("+7499%03d%04d", SEQ.incrementAndGet() % 1000, i));
        }
        Map<String, String> s = server.siteWithPool(numbers);
        return new Site(s.get("siteId"), s.get("apiKey"), s.get("publicKey"), s.get("webhookSecret"), numbers);
    }

    record Visit(String sessionId, String visitorId, String number) {}

    static Visit visit(Site site, String visitorId, String url) {
        return visit(site, visitorId, url, Map.of());
    }

    static Visit visit(Site site, String visitorId, String url, Map<String, String> clientIds) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("siteKey", site.publicKey());
        body.put("visitorId", visitorId);
        body.put("url", url);
        body.put("clientIds", clientIds);
        Reply r = server.send("POST", "/v1/sessions", null, json(body), "application/json", Map.of("User-Agent", TestServer.CHROME));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return new Visit(r.text("sessionId"), r.text("visitorId"), r.text("number"));
    }

    static String json(Object o) {
        return new String(Json.write(o), StandardCharsets.UTF_8);
    }

    /** What the script sends: text/plain JSON, as sendBeacon does. */
    static Reply beaconRaw(String sessionId, String body, Map<String, String> headers) {
        return server.send("POST", "/v1/sessions/" + sessionId + "/leads", null, body, "text/plain;charset=UTF-8", headers);
    }

    static Reply beacon(String sessionId, String formId, Map<String, String> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "form");
        body.put("formId", formId);
        body.put("url", "https://example.com/contacts");
        body.put("fields", fields);
        return beaconRaw(sessionId, json(body), Map.of());
    }

    static Reply lead(Site site, Map<String, Object> body) {
        return server.post("/v1/sites/" + site.id() + "/leads", site.apiKey(), body);
    }

    static JsonNode getLead(Site site, String leadId) {
        Reply r = server.get("/v1/sites/" + site.id() + "/leads/" + leadId, site.apiKey());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static JsonNode log(Site site, String query) {
        Reply r = server.get("/v1/sites/" + site.id() + "/leads" + (query.isEmpty() ? "" : "?" + query), site.apiKey());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /**
     * Audit J #1: a checkout form's card field is often type="tel", and its number came in as the
     * lead's phone, to be stored, listed and sent in webhooks. An empty input mask likewise.
     */
    @Test
    void aCardNumberOrAnEmptyMaskSentAsAFormsPhoneIsNotKept() {
        Site site = site();
        Visit v = visit(site, "card-visitor-0001", "https://example.com/checkout");
        Reply card = beacon(v.sessionId(), "pay", Map.of("phone", "4242 4242 4242 4242", "email", "anna@example.com", "name", "Анна"));
        assertThat(card.status()).as(card.body()).isEqualTo(201);
        JsonNode stored = getLead(site, card.text("leadId"));
        assertThat(stored.get("phone").isNull()).as(stored.toString()).isTrue();
        assertThat(stored.toString()).doesNotContain("4242");
        assertThat(stored.get("email").asText()).isEqualTo("anna@example.com");

        Reply maskOnly = beacon(v.sessionId(), "callback", Map.of("phone", "+7 (___) ___-__-__"));
        assertThat(maskOnly.status()).isEqualTo(422);
        Reply amexOnly = beacon(v.sessionId(), "pay2", Map.of("phone", "3782 822463 10005"));
        assertThat(amexOnly.status()).as("an American Express number alone is no lead").isEqualTo(422);

        // A real phone, even a long international one, is kept.
        Reply phone = beacon(v.sessionId(), "contact", Map.of("phone", "+49 1512 3456789"));
        assertThat(phone.status()).as(phone.body()).isEqualTo(201);
        assertThat(getLead(site, phone.text("leadId")).get("phone").asText()).isEqualTo("+4915123456789");

        // A site's server that sends a card number as the phone has mapped the wrong field: told, nothing stored
        // (it was stored as an invalid phone's text; audit AG1's follow-up).
        int before = log(site, "").get("leads").size();
        Reply fromServer = lead(site, Map.of("phone", "4242-4242-4242-4242", "name", "Анна"));
        assertThat(fromServer.status()).as(fromServer.body()).isEqualTo(422);
        assertThat(fromServer.json().get("error").get("field").asText()).isEqualTo("phone");
        assertThat(log(site, "").get("leads")).hasSize(before);
        assertThat(lead(site, Map.of("phone", "+49 1512 3456789", "name", "Анна")).status()).isEqualTo(201);

        // Diners Club's 14 digits and Visa's old 13, test cards both (audit AH1 #1: stored as the phone); a
        // phone of 13 digits starting with 4 written with its '+' (Luhn-valid too) is a phone.
        for (String shortCard : new String[] {"3056 9309 0259 04", "4222 2222 2222 2"}) {
            Reply sent = beacon(v.sessionId(), "pay-" + shortCard.length(), Map.of("phone", shortCard, "name", "Диана"));
            assertThat(sent.status()).as(sent.body()).isEqualTo(201);
            assertThat(getLead(site, sent.text("leadId")).get("phone").isNull()).as(shortCard).isTrue();
            assertThat(lead(site, Map.of("phone", shortCard, "name", "Диана")).status()).as(shortCard).isEqualTo(422);
        }
        Reply german = beacon(v.sessionId(), "contact-de", Map.of("phone", "+4 222 2222 2222 2"));
        assertThat(german.status()).as(german.body()).isEqualTo(201);
        assertThat(getLead(site, german.text("leadId")).get("phone").isNull()).isFalse();
    }

    static Reply call(Site site, String callId, String from, String to) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", "ringing");
        e.put("from", from);
        e.put("to", to);
        String body = json(e);
        return server.send("POST", "/v1/telephony/" + site.id() + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.secret(), server.clock.instant().getEpochSecond(), body)));
    }

    // ---- attribution, one test per method ---------------------------------------------------------

    /** Audit AK1 F4: a server's lead kept location.href whole, the e-mail and phone of its query shown even to a viewer. */
    @Test
    void aServerLeadsPageUrlKeepsOnlyTheParametersStoredUrlsKeep() {
        Site site = site();
        Reply r = lead(site, Map.of("kind", "callback", "phone", "+79161112234", "url",
                "https://shop.example/plain.html?utm_source=newsletter&email=anna.secret%40example.com&phone=%2B79161112233"
                        + "&name=Anna+Ivanova&gclid=EAI-url-1&token=SESSIONTOKEN123#contact"));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode lead = getLead(site, r.text("leadId"));
        assertThat(lead.get("url").asText()).isEqualTo("https://shop.example/plain.html?utm_source=newsletter&gclid=EAI-url-1");
        assertThat(log(site, "").toString()).doesNotContain("anna.secret").doesNotContain("SESSIONTOKEN");
    }

    /** Audit AK1 F6: a form-encoded body was a 400 "'kind' is not a JSON value"; leads.md promises 415 for another media type. */
    @Test
    void aFormEncodedBodyIsA415AndCurlsJsonUnderThatTypeStillWorks() {
        Site site = site();
        Visit v = visit(site, "form-encoded-visitor-1", "https://example.com/");
        String path = "/v1/sessions/" + v.sessionId() + "/leads";
        Reply form = server.send("POST", path, null, "kind=form&name=x", "application/x-www-form-urlencoded", Map.of());
        assertThat(form.status()).as(form.body()).isEqualTo(415);
        assertThat(form.json().path("error").path("code").asText()).isEqualTo("unsupported_media_type");
        Reply curl = server.send("POST", path, null, json(Map.of("kind", "form", "fields", Map.of("phone", "+79161230077"))),
                "application/x-www-form-urlencoded", Map.of());
        assertThat(curl.status()).as(curl.body()).isEqualTo(201);
    }

    /** Audit AK1 F2: a phone with words after it was kept as invalid text, so the person was never recognised. */
    @Test
    void aPhoneWithWordsAroundItIsReadAndTheWordsKeptInTheMessage() {
        Site site = site();
        Visit v = visit(site, "words-visitor-0001", "https://example.com/");
        Map<String, String> typed = new java.util.LinkedHashMap<>();
        typed.put("+7 916 555 22 17 (WhatsApp)", "+79165552217");
        typed.put("+7 (495) 123-45-67 (office)", "+74951234567");
        typed.put("+7 916 555-22-14, Анна", "+79165552214");
        typed.put("8 916 555 22 15 или 8 916 555 22 16", "+79165552215");
        for (Map.Entry<String, String> t : typed.entrySet()) {
            Reply r = beacon(v.sessionId(), "words-" + t.getValue(), Map.of("phone", t.getKey(), "message", "Перезвоните"));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            JsonNode lead = getLead(site, r.text("leadId"));
            assertThat(lead.get("phone").asText()).as(t.getKey()).isEqualTo(t.getValue());
            assertThat(lead.get("phoneValid").asBoolean()).isTrue();
            assertThat(lead.get("message").asText()).isEqualTo("Перезвоните\n\nPhone as typed: " + t.getKey());
        }
        Reply api = lead(site, Map.of("kind", "callback", "phone", "+7 916 555 22 17 (WhatsApp)"));
        assertThat(api.status()).as(api.body()).isEqualTo(201);
        JsonNode lead = getLead(site, api.text("leadId"));
        assertThat(lead.get("phone").asText()).isEqualTo("+79165552217");
        assertThat(lead.get("message").asText()).isEqualTo("Phone as typed: +7 916 555 22 17 (WhatsApp)");

        Reply plain = beacon(v.sessionId(), "plain", Map.of("phone", "8 (916) 555-01-09", "message", "Hi"));
        assertThat(getLead(site, plain.text("leadId")).get("message").asText()).as("a plain number adds nothing").isEqualTo("Hi");
        Reply words = beacon(v.sessionId(), "nonumber", Map.of("phone", "call me tomorrow", "email", "a@example.com"));
        JsonNode kept = getLead(site, words.text("leadId"));
        assertThat(kept.get("phone").isNull()).as("no digits: not a phone, as before").isTrue();
        assertThat(kept.get("message").isNull()).isTrue();
    }

    @Test
    void aFormSentByTheScriptIsAttributedToItsSessionWithTheVisitsSourceAndClickIds() {
        Site site = site();
        Visit v = visit(site, "visitor-session-1", "https://example.com/?utm_source=google&utm_medium=cpc&utm_campaign=spring"
                + "&gclid=EAIaIQ-session-1&yclid=777001");

        Reply r = beacon(v.sessionId(), "contact-form", Map.of("phone", "8 (916) 555-01-01", "email", "  Ivan.Petrov@Example.COM ",
                "name", "Ivan", "message", "Call me back"));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode lead = getLead(site, r.text("leadId"));
        assertThat(lead.get("kind").asText()).isEqualTo("form");
        assertThat(lead.get("origin").asText()).isEqualTo("script");
        assertThat(lead.get("formId").asText()).isEqualTo("contact-form");
        assertThat(lead.get("phone").asText()).as("read with the site's country, RU").isEqualTo("+79165550101");
        assertThat(lead.get("phoneValid").asBoolean()).isTrue();
        assertThat(lead.get("email").asText()).isEqualTo("ivan.petrov@example.com");
        assertThat(lead.get("status").asText()).isEqualTo("new");
        JsonNode a = lead.get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("session");
        assertThat(a.get("sessionId").asText()).isEqualTo(v.sessionId());
        assertThat(a.get("visitorId").asText()).isEqualTo("visitor-session-1");
        assertThat(a.get("source").asText()).isEqualTo("google");
        assertThat(a.get("medium").asText()).isEqualTo("cpc");
        assertThat(a.get("campaign").asText()).isEqualTo("spring");
        assertThat(a.get("channel").asText()).isEqualTo("paid");
        assertThat(a.get("gclid").asText()).isEqualTo("EAIaIQ-session-1");
        assertThat(a.get("yclid").asText()).isEqualTo("777001");
        assertThat(a.get("device").asText()).isEqualTo("desktop");
    }

    @Test
    void aServerLeadNamingAVisitorTakesTheVisitorsLatestVisit() {
        Site site = site();
        visit(site, "visitor-latest-1", "https://example.com/?utm_source=newsletter&utm_medium=email");
        server.clock.advance(Duration.ofMinutes(5));
        Visit later = visit(site, "visitor-latest-1", "https://example.com/?utm_source=yandex&utm_medium=cpc");
        // The visitor has one live session, so the second start resumes it; end it and start anew a day later.
        server.send("POST", "/v1/sessions/" + later.sessionId() + "/end", null, "", "text/plain", Map.of());
        server.clock.advance(Duration.ofDays(1));
        server.app.sessions().sweep();
        Visit newest = visit(site, "visitor-latest-1", "https://example.com/?utm_source=vk&utm_medium=social");
        assertThat(newest.sessionId()).isNotEqualTo(later.sessionId());

        Reply r = lead(site, Map.of("kind", "callback", "phone", "+79165550202", "visitorId", "visitor-latest-1"));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode a = r.json().get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("visitor");
        assertThat(a.get("sessionId").asText()).isEqualTo(newest.sessionId());
        assertThat(a.get("source").asText()).isEqualTo("vk");
    }

    @Test
    void aServerLeadNamingAMetricaClientIdIsAttributedToTheVisitThatCarriedIt() {
        Site site = site();
        Visit v = visit(site, "visitor-ym-1", "https://example.com/?utm_source=yandex&utm_medium=cpc&utm_campaign=brand",
                Map.of("ym", "1700000000123456789"));
        visit(site, "visitor-ym-2", "https://example.com/", Map.of("ym", "1700000000999999999"));

        Reply r = lead(site, Map.of("kind", "chat", "message", "Do you deliver?", "clientIds", Map.of("ym", "1700000000123456789")));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode a = r.json().get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("visitor");
        assertThat(a.get("sessionId").asText()).isEqualTo(v.sessionId());
        assertThat(a.get("campaign").asText()).isEqualTo("brand");
        assertThat(a.get("clientIds").get("ym").asText()).isEqualTo("1700000000123456789");
    }

    /** Audit T #3: an id with a line break was kept and exported; no analytics id has one. */
    @Test
    void clientIdsWithControlCharactersAreDroppedAsNoId() {
        Site site = site();
        Map<String, String> ids = new java.util.LinkedHashMap<>();
        ids.put("ym", "1\r\nX-Evil: 1");
        ids.put("ga", "GA1.2.111.222");
        Reply r = lead(site, Map.of("kind", "chat", "message", "Hello", "clientIds", ids));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode kept = r.json().get("attribution").get("clientIds");
        assertThat(kept.has("ym")).as(kept.toString()).isFalse();
        assertThat(kept.get("ga").asText()).isEqualTo("GA1.2.111.222");
    }

    /**
     * Audit N #2: a CRM that stored the visitor's _ym_uid is Metrica's usual offline setup. The
     * ClientID was dropped when Ringpool had seen no visit with it, so the lead never reached
     * Metrica or GA4, while a gclid sent the same way was kept.
     */
    @Test
    void clientIdsTheSenderGaveAreKeptWhenNoVisitCarriedThemAndReachTheMetricaExport() {
        Site site = site();
        Visit v = visit(site, "visitor-ym-3", "https://example.com/?utm_source=yandex&utm_medium=cpc", Map.of("ym", "1700000000555000555"));

        Reply unseen = lead(site, Map.of("kind", "callback", "phone", "+79165550606",
                "clientIds", Map.of("ym", "1700000000333000333", "ga", "GA1.1.999.888")));
        Reply seen = lead(site, Map.of("kind", "callback", "name", "Olga", "sessionId", v.sessionId(), "clientIds", Map.of("ga", "GA1.1.777.666")));

        assertThat(unseen.status()).as(unseen.body()).isEqualTo(201);
        assertThat(seen.status()).as(seen.body()).isEqualTo(201);
        JsonNode a = getLead(site, unseen.text("leadId")).get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("none");
        assertThat(a.get("clientIds").get("ym").asText()).isEqualTo("1700000000333000333");
        assertThat(a.get("clientIds").get("ga").asText()).isEqualTo("GA1.1.999.888");
        JsonNode b = getLead(site, seen.text("leadId")).get("attribution");
        assertThat(b.get("clientIds").get("ym").asText()).as("the visit's").isEqualTo("1700000000555000555");
        assertThat(b.get("clientIds").get("ga").asText()).as("the sender's, which the visit lacked").isEqualTo("GA1.1.777.666");

        java.util.Map<String, Object> blank = new java.util.HashMap<>();
        blank.put("ym", "");
        blank.put("ga", null);
        Reply none = lead(site, Map.of("kind", "callback", "phone", "+79165550607", "clientIds", blank));
        assertThat(none.status()).as("an empty id is none, as an empty gclid is: " + none.body()).isEqualTo(201);
        assertThat(getLead(site, none.text("leadId")).get("attribution").get("clientIds").size()).isZero();

        Reply export = server.get("/v1/sites/" + site.id() + "/exports/yandex-offline.csv", site.apiKey());
        assertThat(export.status()).as(export.body()).isEqualTo(200);
        assertThat(export.body()).contains("1700000000333000333,lead,").contains("1700000000555000555,lead,");
    }

    /**
     * Audit AC2 #2: the script stores GA's id as the _ga cookie holds it (GA1.1.<id>), a CRM
     * usually holds the bare client id (<id>, what gtag gives and GA4 takes), or the cookie of
     * another domain depth (GA1.2.<id>): each must find the visit.
     */
    @Test
    void aGoogleAnalyticsClientIdFindsItsVisitInEitherSpelling() {
        Site site = site();
        // one visit per spelling: two leads naming one visit would merge into one lead
        List<String> spellings = List.of("GA1.1.98765432%d.1700000001", "98765432%d.1700000001", "GA1.2.98765432%d.1700000001");
        for (int i = 0; i < spellings.size(); i++) {
            visit(site, "visitor-ga-" + i, "https://example.com/?utm_source=fb&utm_medium=social",
                    Map.of("ga", String.format("GA1.1.98765432%d.1700000001", i)));
            String sent = String.format(spellings.get(i), i);
            Reply r = lead(site, Map.of("kind", "callback", "name", "Ga " + i, "clientIds", Map.of("ga", sent)));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            JsonNode a = getLead(site, r.text("leadId")).get("attribution");
            assertThat(a.get("method").asText()).as(sent).isEqualTo("visitor");
            assertThat(a.get("visitorId").asText()).as(sent).isEqualTo("visitor-ga-" + i);
        }
        Reply other = lead(site, Map.of("kind", "callback", "name", "Someone else", "clientIds", Map.of("ga", "87654321.1700000001")));
        assertThat(getLead(site, other.text("leadId")).get("attribution").get("method").asText())
                .as("an id that only ends the same is another browser").isEqualTo("none");
    }

    @Test
    void aVisitOlderThanNinetyDaysIsNotTheVisitorsAnyMore() {
        Site site = site();
        Visit old = visit(site, "visitor-old-1", "https://example.com/?utm_source=google&utm_medium=cpc");
        server.send("POST", "/v1/sessions/" + old.sessionId() + "/end", null, "", "text/plain", Map.of());
        server.clock.advance(Duration.ofDays(91));
        server.app.sessions().sweep();

        Reply r = lead(site, Map.of("phone", "+79165550303", "visitorId", "visitor-old-1"));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("attribution").get("method").asText()).isEqualTo("none");
    }

    @Test
    void aServerLeadWithOnlyAGclidOrYclidIsAttributedToTheVisitThatLandedWithIt() {
        Site site = site();
        Visit google = visit(site, "visitor-click-1", "https://example.com/?gclid=Cj0KCQ_click_1");
        Visit yandex = visit(site, "visitor-click-2", "https://example.com/?yclid=424242424242");

        Reply byGclid = lead(site, Map.of("email", "buyer1@example.org", "gclid", "Cj0KCQ_click_1"));
        Reply byYclid = lead(site, Map.of("email", "buyer2@example.org", "yclid", "424242424242"));
        Reply unmatched = lead(site, Map.of("email", "buyer3@example.org", "gclid", "Cj0KCQ_never_landed"));

        assertThat(byGclid.json().get("attribution").get("method").asText()).isEqualTo("click_id");
        assertThat(byGclid.json().get("attribution").get("sessionId").asText()).isEqualTo(google.sessionId());
        assertThat(byYclid.json().get("attribution").get("method").asText()).isEqualTo("click_id");
        assertThat(byYclid.json().get("attribution").get("sessionId").asText()).isEqualTo(yandex.sessionId());
        assertThat(unmatched.json().get("attribution").get("method").asText()).as("no visit: named from the gclid (audit AN1 F8)")
                .isEqualTo("landing");
        assertThat(unmatched.json().get("attribution").get("sessionId").isNull()).isTrue();
        assertThat(unmatched.json().get("attribution").get("gclid").asText())
                .as("kept, so the lead still reaches Google Ads by its click").isEqualTo("Cj0KCQ_never_landed");
    }

    @Test
    void aLeadFromAPhoneThatCalledBeforeInheritsThatCallsSource() {
        Site site = site();
        Visit v = visit(site, "visitor-contact-1", "https://example.com/?utm_source=yandex&utm_medium=cpc&utm_campaign=sofas");
        Reply called = call(site, "pbx-contact-1", "+79165550404", v.number());
        assertThat(called.status()).as(called.body()).isEqualTo(200);
        server.clock.advance(Duration.ofHours(2));

        Reply r = lead(site, Map.of("kind", "email", "phone", "8 916 555 04 04", "message", "about my call"));

        JsonNode a = r.json().get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("contact");
        assertThat(a.get("contactOf").asText()).isEqualTo(called.text("callId"));
        assertThat(a.get("sessionId").asText()).isEqualTo(v.sessionId());
        assertThat(a.get("campaign").asText()).isEqualTo("sofas");
    }

    @Test
    void aLeadWithAnEmailSeenOnAnEarlierLeadInheritsThatLeadsSource() {
        Site site = site();
        Visit v = visit(site, "visitor-contact-2", "https://example.com/?utm_source=facebook&utm_medium=social");
        Reply first = beacon(v.sessionId(), "newsletter", Map.of("email", "anna@example.net"));
        server.clock.advance(Duration.ofDays(3));

        Reply r = lead(site, Map.of("kind", "email", "email", "Anna@Example.net", "message", "price list please"));

        JsonNode a = r.json().get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("contact");
        assertThat(a.get("contactOf").asText()).isEqualTo(first.text("leadId"));
        assertThat(a.get("source").asText()).isEqualTo("facebook");
    }

    @Test
    void aLeadWithNothingToGoByIsAttributedToNothing() {
        Site site = site();
        Reply r = lead(site, Map.of("kind", "callback", "phone", "+79165550505"));
        assertThat(r.status()).isEqualTo(201);
        JsonNode a = r.json().get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("none");
        assertThat(a.get("source").isNull()).isTrue();
    }

    // ---- duplicates and idempotency ---------------------------------------------------------------

    @Test
    void theSameFormFromTheSamePersonWithinTenMinutesIsOneLeadAndAfterThatANewOne() {
        Site site = site();
        Visit v = visit(site, "visitor-dup-1", "https://example.com/");
        Reply first = beacon(v.sessionId(), "order", Map.of("phone", "+79165550606"));
        server.clock.advance(Duration.ofMinutes(9));
        Reply again = beacon(v.sessionId(), "order", Map.of("phone", "+7 916 555-06-06", "name", "Oleg"));
        Reply otherForm = beacon(v.sessionId(), "callback", Map.of("phone", "+79165550606"));
        server.clock.advance(Duration.ofMinutes(2));
        Reply later = beacon(v.sessionId(), "order", Map.of("phone", "+79165550606"));

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.text("outcome")).isEqualTo("merged");
        assertThat(again.text("leadId")).isEqualTo(first.text("leadId"));
        assertThat(otherForm.status()).as("another form is another request").isEqualTo(201);
        assertThat(later.status()).as("11 minutes after the first: a new lead").isEqualTo(201);
        JsonNode merged = getLead(site, first.text("leadId"));
        assertThat(merged.get("submissions").asInt()).isEqualTo(2);
        assertThat(merged.get("name").asText()).as("what the first lacked is taken from the second").isEqualTo("Oleg");
        assertThat(log(site, "").get("leads")).hasSize(3);
        assertThat(getLead(site, later.text("leadId")).get("unique").asBoolean())
                .as("the same person again: not unique (uniqueness period unlimited)").isFalse();
    }

    /**
     * Audit AN1 F1: the site's backend posted the form with just the phone (method none) a moment
     * before the script's beacon for the same submission; the merge kept "none", so the campaign's
     * report and the Google Ads export missed the lead, by the luck of which arrived first.
     */
    @Test
    void aDuplicateFromTheVisitGivesAnUnattributedLeadItsVisitAndFillsItsBlanks() {
        Site site = site();
        Visit v = visit(site, "visitor-merge-1", "https://example.com/?utm_source=google&utm_campaign=merge&gclid=GMERGE0001");
        Reply backend = lead(site, Map.of("externalId", "crm-merge-1", "kind", "form", "formId", "order", "phone", "+79165554321",
                "name", "Ivan"));
        assertThat(backend.status()).as(backend.body()).isEqualTo(201);
        assertThat(backend.json().get("attribution").get("method").asText()).isEqualTo("none");
        Reply script = beacon(v.sessionId(), "order", Map.of("phone", "+7 916 555-43-21"));
        Reply crm = lead(site, Map.of("kind", "form", "formId", "order", "phone", "+79165554321", "value", 2500, "tags", List.of("order")));

        assertThat(script.text("outcome")).isEqualTo("merged");
        assertThat(crm.text("outcome")).isEqualTo("merged");
        JsonNode merged = getLead(site, backend.text("leadId"));
        JsonNode a = merged.get("attribution");
        assertThat(a.get("method").asText()).as(merged.toString()).isEqualTo("session");
        assertThat(a.get("sessionId").asText()).isEqualTo(v.sessionId());
        assertThat(a.get("campaign").asText()).isEqualTo("merge");
        assertThat(a.get("gclid").asText()).isEqualTo("GMERGE0001");
        assertThat(merged.get("url").asText()).isEqualTo("https://example.com/contacts");
        assertThat(merged.get("name").asText()).as("the first submission's words are kept").isEqualTo("Ivan");
        assertThat(merged.get("submissions").asInt()).isEqualTo(3);
        assertThat(merged.get("value").asDouble()).as("the CRM's later value fills the blank").isEqualTo(2500.0);
        assertThat(merged.get("tags")).extracting(JsonNode::asText).containsExactly("order");
        JsonNode byCampaign = server.get("/v1/sites/" + site.id() + "/reports/sources?groupBy=campaign", site.apiKey()).json();
        assertThat(byCampaign.toString()).as(byCampaign.toString()).contains("\"campaign\":\"merge\"");

        Reply weaker = lead(site, Map.of("kind", "form", "formId", "order", "phone", "+79165554321"));
        assertThat(weaker.text("outcome")).isEqualTo("merged");
        assertThat(getLead(site, backend.text("leadId")).get("attribution").get("method").asText())
                .as("a later, less trusted duplicate does not take the visit away").isEqualTo("session");
    }

    /**
     * Audit AN1 F2: a callback with a mistyped phone, or a chat with only a name and a message, could
     * not be erased: contacts/{text} answered 422 and there was no way to erase one lead.
     */
    @Test
    void aLeadWithAMistypedPhoneOrNoContactAtAllCanBeErased() {
        Site site = site();
        Reply mistyped = lead(site, Map.of("kind", "callback", "phone", "8 916 12", "name", "Ivan Mistyped", "message", "Tverskaya 7-12"));
        Reply other = lead(site, Map.of("kind", "callback", "phone", "8 916 13", "name", "Someone Else"));
        Reply chat = lead(site, Map.of("kind", "chat", "name", "Olga NoContact", "message", "passport 4510 123456"));
        assertThat(mistyped.status()).as(mistyped.body()).isEqualTo(201);
        assertThat(chat.status()).as(chat.body()).isEqualTo(201);

        Reply byText = server.send("DELETE", "/v1/sites/" + site.id() + "/contacts/8%20916%2012", site.apiKey(), "", "text/plain", Map.of());
        Reply byId = server.send("DELETE", "/v1/sites/" + site.id() + "/leads/" + chat.text("leadId"), site.apiKey(), "", "text/plain",
                Map.of());
        Reply unknownText = server.send("DELETE", "/v1/sites/" + site.id() + "/contacts/8%20916%2099", site.apiKey(), "", "text/plain",
                Map.of());
        Reply unknownLead = server.send("DELETE", "/v1/sites/" + site.id() + "/leads/lead_nosuch", site.apiKey(), "", "text/plain", Map.of());

        assertThat(byText.status()).as(byText.body()).isEqualTo(200);
        assertThat(byText.json().get("leads").asInt()).isEqualTo(1);
        assertThat(byId.status()).as(byId.body()).isEqualTo(200);
        assertThat(byId.json().get("leads").asInt()).isEqualTo(1);
        assertThat(unknownText.status()).as("a text no lead has is still no contact").isEqualTo(422);
        assertThat(unknownText.json().get("error").get("field").asText()).isEqualTo("contact");
        assertThat(unknownLead.status()).isEqualTo(404);
        for (String id : List.of(mistyped.text("leadId"), chat.text("leadId"))) {
            JsonNode erased = getLead(site, id);
            assertThat(erased.toString()).doesNotContain("Mistyped", "Tverskaya", "8 916 12", "Olga", "passport");
            assertThat(erased.get("kind").asText()).as("the lead stays, counted").isNotEmpty();
        }
        assertThat(getLead(site, other.text("leadId")).get("name").asText()).as("another person's lead is untouched").isEqualTo("Someone Else");
    }

    @Test
    void theDuplicateWindowIsASiteSettingAndZeroNeverMerges() {
        Site site = site();
        Reply wider = server.send("PATCH", "/v1/sites/" + site.id(), site.apiKey(), "{\"leadDuplicateMinutes\":30}", "application/json",
                Map.of());
        assertThat(wider.status()).as(wider.body()).isEqualTo(200);
        assertThat(wider.json().get("leadDuplicateMinutes").asInt()).isEqualTo(30);
        Reply first = lead(site, Map.of("phone", "+79165554100", "formId", "quote"));
        server.clock.advance(Duration.ofMinutes(25));
        Reply within = lead(site, Map.of("phone", "+79165554100", "formId", "quote"));
        Reply off = server.send("PATCH", "/v1/sites/" + site.id(), site.apiKey(), "{\"leadDuplicateMinutes\":0}", "application/json",
                Map.of());
        Reply never = lead(site, Map.of("phone", "+79165554100", "formId", "quote"));
        Reply tooLong = server.send("PATCH", "/v1/sites/" + site.id(), site.apiKey(), "{\"leadDuplicateMinutes\":1441}",
                "application/json", Map.of());

        assertThat(within.text("outcome")).isEqualTo("merged");
        assertThat(within.text("leadId")).isEqualTo(first.text("leadId"));
        assertThat(off.status()).isEqualTo(200);
        assertThat(never.status()).isEqualTo(201);
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.json().get("error").get("field").asText()).isEqualTo("leadDuplicateMinutes");
    }

    @Test
    void aRepeatedExternalIdAnswersTheSameLeadWith200AndStoresNothingNew() {
        Site site = site();
        Map<String, Object> body = Map.of("externalId", "crm-1001", "kind", "callback", "phone", "+79165550707", "value", 1500);
        Reply first = lead(site, body);
        Reply repeat = lead(site, body);

        assertThat(first.status()).isEqualTo(201);
        assertThat(repeat.status()).isEqualTo(200);
        assertThat(repeat.text("outcome")).isEqualTo("repeated");
        assertThat(repeat.text("leadId")).isEqualTo(first.text("leadId"));
        assertThat(first.text("currency")).as("a value without a currency is in the site's").isEqualTo("RUB");
        assertThat(log(site, "").get("leads")).hasSize(1);
        assertThat(getLead(site, first.text("leadId")).get("submissions").asInt()).isEqualTo(1);
    }

    @Test
    void tenCopiesOfOneBeaconAndTenOfOneExternalIdSentAtOnceMakeOneLeadEach() throws Exception {
        Site site = site();
        Visit v = visit(site, "visitor-race-1", "https://example.com/");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(10);
        try {
            List<java.util.concurrent.Future<Reply>> beacons = new ArrayList<>();
            List<java.util.concurrent.Future<Reply>> repeats = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                beacons.add(pool.submit(() -> beacon(v.sessionId(), "order", Map.of("phone", "+79165554000"))));
            }
            for (int i = 0; i < 10; i++) {
                repeats.add(pool.submit(() -> lead(site, Map.of("externalId", "crm-race", "phone", "+79165554001"))));
            }
            Set<String> beaconIds = new HashSet<>();
            Set<String> repeatIds = new HashSet<>();
            int created = 0;
            for (var f : beacons) {
                Reply r = f.get();
                beaconIds.add(r.text("leadId"));
                created += r.status() == 201 ? 1 : 0;
            }
            for (var f : repeats) {
                Reply r = f.get();
                repeatIds.add(r.text("leadId"));
                created += r.status() == 201 ? 1 : 0;
            }
            assertThat(beaconIds).hasSize(1);
            assertThat(repeatIds).hasSize(1);
            assertThat(created).as("one 201 for each, the others 200").isEqualTo(2);
            assertThat(getLead(site, beaconIds.iterator().next()).get("submissions").asInt()).isEqualTo(10);
            assertThat(log(site, "").get("leads")).hasSize(2);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- contacts: calls and leads of one person --------------------------------------------------

    @Test
    void aCallFromTheNumberThatSentAFormEarlierIsLinkedToThatLead() {
        Site site = site();
        Visit v = visit(site, "visitor-link-1", "https://example.com/?utm_source=google&utm_medium=cpc");
        Reply form = beacon(v.sessionId(), "order", Map.of("phone", "+79165550808", "email", "link@example.com"));
        server.clock.advance(Duration.ofMinutes(30));
        Reply called = call(site, "pbx-link-1", "+79165550808", v.number());
        assertThat(called.status()).as(called.body()).isEqualTo(200);

        JsonNode lead = getLead(site, form.text("leadId"));
        assertThat(lead.get("calls")).hasSize(1);
        assertThat(lead.get("calls").get(0).get("callId").asText()).isEqualTo(called.text("callId"));

        Reply person = server.get("/v1/sites/" + site.id() + "/contacts/link@example.com", site.apiKey());
        assertThat(person.status()).as(person.body()).isEqualTo(200);
        assertThat(person.json().get("leads")).hasSize(1);
        assertThat(person.json().get("calls").get(0).get("callId").asText()).isEqualTo(called.text("callId"));
    }

    @Test
    void erasingAPersonByEmailRemovesTheirLeadsContactsAndTheirCallsNumber() {
        Site site = site();
        Visit v = visit(site, "visitor-erase-1", "https://example.com/");
        Reply form = beacon(v.sessionId(), "order", Map.of("phone", "+79165550909", "email", "forget@example.com", "name", "Maria",
                "message", "my address is ..."));
        Reply called = call(site, "pbx-erase-1", "+79165550909", v.number());
        Reply other = lead(site, Map.of("phone", "+79165551010", "name", "Someone else"));

        Reply erased = server.send("DELETE", "/v1/sites/" + site.id() + "/contacts/Forget@Example.com", site.apiKey(), null, null,
                Map.of());

        assertThat(erased.status()).as(erased.body()).isEqualTo(200);
        assertThat(erased.json().get("leads").asInt()).isEqualTo(1);
        assertThat(erased.json().get("calls").asInt()).isEqualTo(1);
        JsonNode lead = getLead(site, form.text("leadId"));
        assertThat(lead.get("phone").asText()).isEqualTo("erased");
        assertThat(lead.get("email").isNull()).isTrue();
        assertThat(lead.get("name").isNull()).isTrue();
        assertThat(lead.get("message").isNull()).isTrue();
        assertThat(lead.get("erased").asBoolean()).isTrue();
        assertThat(lead.get("attribution").get("sessionId").asText()).as("attribution stays").isEqualTo(v.sessionId());
        Reply callAfter = server.get("/v1/sites/" + site.id() + "/calls/" + called.text("callId"), site.apiKey());
        assertThat(callAfter.text("caller")).isEqualTo("erased");
        assertThat(getLead(site, other.text("leadId")).get("name").asText()).isEqualTo("Someone else");
    }

    // ---- the lead log and changes -----------------------------------------------------------------

    @Test
    void aTagNamedTwiceOnANewLeadIsOneTag() {
        // Session 35's browser audit: the second "vip" broke the lead_tags key and the lead was a 503.
        Site site = site();
        Reply created = lead(site, Map.of("kind", "callback", "phone", "+79165554000", "tags", List.of("vip", "hot", "vip")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("tags")).extracting(JsonNode::asText).containsExactly("vip", "hot");
        assertThat(getLead(site, created.text("leadId")).get("tags")).extracting(JsonNode::asText).containsExactly("vip", "hot");
        assertThat(log(site, "tag=vip").get("leads")).hasSize(1);
    }

    @Test
    void aLeadPatchedWithAWholeTagListAndTagChangesIsRefusedNamingTheChange() {
        Site site = site();
        Reply created = lead(site, Map.of("kind", "callback", "phone", "+79165553101"));
        Reply patched = server.send("PATCH", "/v1/sites/" + site.id() + "/leads/" + created.text("leadId"), site.apiKey(),
                json(Map.of("tags", List.of("a"), "removeTags", List.of("b"))), "application/json", Map.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(422);
        assertThat(patched.json().at("/error/field").asText()).isEqualTo("removeTags");
    }

    @Test
    void theLeadLogFiltersByKindStatusSourceAndTagAndPagesWithACursor() {
        Site site = site();
        Visit google = visit(site, "visitor-log-1", "https://example.com/?utm_source=google&utm_medium=cpc");
        for (int i = 0; i < 5; i++) {
            beacon(google.sessionId(), "form-" + i, Map.of("phone", "+7916555" + String.format("%04d", 2000 + i)));
            server.clock.advance(Duration.ofSeconds(1));
        }
        Reply callback = lead(site, Map.of("kind", "callback", "phone", "+79165553000"));
        Reply patched = server.send("PATCH", "/v1/sites/" + site.id() + "/leads/" + callback.text("leadId"), site.apiKey(),
                json(Map.of("status", "won", "tags", List.of("vip"), "value", 2500)), "application/json", Map.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.text("status")).isEqualTo("won");
        assertThat(patched.text("currency")).isEqualTo("RUB");

        assertThat(log(site, "").get("leads")).hasSize(6);
        assertThat(log(site, "kind=callback").get("leads")).hasSize(1);
        assertThat(log(site, "status=won").get("leads").get(0).get("leadId").asText()).isEqualTo(callback.text("leadId"));
        assertThat(log(site, "status=new").get("leads")).hasSize(5);
        assertThat(log(site, "source=google").get("leads")).hasSize(5);
        assertThat(log(site, "tag=vip").get("leads")).hasSize(1);
        // Audit C, finding 3: the text filters match without regard to case, as the enum ones always did.
        for (String query : List.of("source=GOOGLE", "medium=CPC", "channel=PAID", "source=Google&medium=Cpc&kind=FORM")) {
            assertThat(log(site, query).get("leads")).as(query).hasSize(5);
        }
        assertThat(log(site, "tag=VIP").get("leads")).hasSize(1);
        assertThat(log(site, "tag=Vip&status=WON").get("leads")).hasSize(1);

        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = log(site, "limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            page.get("leads").forEach(l -> assertThat(seen.add(l.get("leadId").asText())).isTrue());
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(seen).hasSize(6);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void changesAreValidatedByTheOneRule() {
        Site site = site();
        Reply l = lead(site, Map.of("phone", "+79165553100"));
        String path = "/v1/sites/" + site.id() + "/leads/" + l.text("leadId");
        Reply badStatus = server.send("PATCH", path, site.apiKey(), "{\"status\":\"maybe\"}", "application/json", Map.of());
        Reply unknown = server.send("PATCH", path, site.apiKey(), "{\"stauts\":\"won\"}", "application/json", Map.of());
        Reply otherSite = server.send("PATCH", path, site().apiKey(), "{\"status\":\"won\"}", "application/json", Map.of());
        Reply badQuery = server.get("/v1/sites/" + site.id() + "/leads?knd=form", site.apiKey());
        Reply badKind = server.get("/v1/sites/" + site.id() + "/leads?kind=fax", site.apiKey());

        assertThat(badStatus.status()).isEqualTo(422);
        assertThat(badStatus.json().get("error").get("field").asText()).isEqualTo("status");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorCode()).isEqualTo("unknown_field");
        assertThat(otherSite.status()).isEqualTo(404);
        assertThat(badQuery.status()).isEqualTo(400);
        assertThat(badKind.status()).isEqualTo(422);
        assertThat(getLead(site, l.text("leadId")).get("status").asText()).isEqualTo("new");
    }

    // ---- bad input ------------------------------------------------------------------------------

    @Test
    void tooLongFieldsAreRefusedWith422AndNothingIsStored() {
        Site site = site();
        Visit v = visit(site, "visitor-long-1", "https://example.com/");
        Reply longMessage = beacon(v.sessionId(), "f", Map.of("phone", "+79165553200", "message", "x".repeat(4001)));
        Reply longName = lead(site, Map.of("phone", "+79165553200", "name", "n".repeat(201)));

        assertThat(longMessage.status()).isEqualTo(422);
        assertThat(longMessage.json().get("error").get("field").asText()).isEqualTo("fields.message");
        assertThat(longName.status()).isEqualTo(422);
        assertThat(longName.json().get("error").get("field").asText()).isEqualTo("name");
        assertThat(log(site, "").get("leads")).isEmpty();
    }

    @Test
    void markupInFieldsIsStoredAsTheTextItIs() {
        Site site = site();
        Visit v = visit(site, "visitor-html-1", "https://example.com/");
        String name = "<script>alert('x')</script><img src=x onerror=alert(1)>";
        Reply r = beacon(v.sessionId(), "f", Map.of("name", name, "message", "a\u0000b & <b>bold</b>", "phone", "+79165553300"));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode lead = getLead(site, r.text("leadId"));
        assertThat(lead.get("name").asText()).isEqualTo(name);
        assertThat(lead.get("message").asText()).as("NUL dropped, markup kept").isEqualTo("ab & <b>bold</b>");
    }

    @Test
    void aFormOfTwoHundredFieldsIsReadForItsFourAndNothingElse() {
        Site site = site();
        Visit v = visit(site, "visitor-wide-1", "https://example.com/");
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < 196; i++) {
            fields.put("field" + i, "value" + i);
        }
        fields.put("phone", "+79165553400");
        fields.put("email", "wide@example.com");
        fields.put("name", "Wide");
        fields.put("message", "hello");

        Reply r = beacon(v.sessionId(), "wide", fields);

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode lead = getLead(site, r.text("leadId"));
        assertThat(lead.get("phone").asText()).isEqualTo("+79165553400");
        assertThat(lead.get("message").asText()).isEqualTo("hello");
        assertThat(lead.toString()).doesNotContain("value17");
    }

    @Test
    void aFloodFromOneAddressIsCappedWhileAnotherAddressStillGetsThrough() {
        Site site = site(4);
        // Three visits sending ten each: every one within its own visit's budget (10 a minute), so the
        // address's budget (20 a minute) is what stops the flood.
        List<Visit> visits = List.of(visit(site, "visitor-flood-1", "https://example.com/"),
                visit(site, "visitor-flood-2", "https://example.com/"), visit(site, "visitor-flood-4", "https://example.com/"));
        int accepted = 0;
        Reply last = null;
        long began = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            // Distinct forms, so none is a duplicate of another.
            last = beaconRaw(visits.get(i % 3).sessionId(), json(Map.of("kind", "form", "formId", "f" + i, "fields",
                    Map.of("phone", "+79165553500"))), Map.of("X-Forwarded-For", "203.0.113.77"));
            if (last.status() == 201) {
                accepted++;
            }
        }
        Visit fresh = visit(site, "visitor-flood-3", "https://example.com/");
        Reply other = beaconRaw(fresh.sessionId(), json(Map.of("kind", "form", "formId", "other", "fields", Map.of("phone", "+79165553501"))),
                Map.of("X-Forwarded-For", "198.51.100.4"));

        // The test clock runs with real time: a loaded machine that takes over 3 s for the 30 posts
        // has refilled a token (20 a minute) meanwhile (seen as 21 at a load of 30 on two cores).
        long refilled = (System.nanoTime() - began) / 3_000_000_000L;
        assertThat(accepted).as("20 a minute").isBetween(20, 20 + (int) refilled);
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.errorCode()).isEqualTo("rate_limited");
        assertThat(last.json().get("error").get("message").asText())
                .isEqualTo("too many leads from this address (at most 20 a minute); try again shortly");
        assertThat(last.headers().get("retry-after")).isNotEmpty();
        assertThat(other.status()).isEqualTo(201);
        assertThat(log(site, "").get("leads")).hasSize(accepted + 1);
    }

    /** Audit C, finding 7: the visit's limit answered with the address's message ("at most 20 a minute"). */
    @Test
    void oneSessionSendsAtMostTenLeadsAMinuteWhateverItsAddressesAndIsToldItIsTheVisitsLimit() {
        Site site = site();
        Visit v = visit(site, "visitor-flood-session", "https://example.com/");
        int accepted = 0;
        Reply refused = null;
        for (int i = 0; i < 15; i++) {
            Reply r = beaconRaw(v.sessionId(), json(Map.of("kind", "form", "formId", "s" + i, "fields", Map.of("phone", "+79165553502"))),
                    Map.of("X-Forwarded-For", "203.0.113." + (100 + i)));
            accepted += r.status() == 201 ? 1 : 0;
            refused = r.status() == 429 ? r : refused;
        }
        assertThat(accepted).isEqualTo(10);
        assertThat(refused.errorCode()).isEqualTo("rate_limited");
        assertThat(refused.json().get("error").get("message").asText())
                .isEqualTo("too many leads from this visit (at most 10 a minute); try again shortly");
        assertThat(Integer.parseInt(refused.headers().get("retry-after").get(0))).isBetween(1, 60);
    }

    @Test
    void unknownAndLongEndedSessionsAre404And410() {
        Site site = site();
        Visit v = visit(site, "visitor-ended-1", "https://example.com/");
        server.send("POST", "/v1/sessions/" + v.sessionId() + "/end", null, "", "text/plain", Map.of());
        server.clock.advance(Duration.ofHours(1));
        server.app.sessions().sweep();
        Reply lateButFine = beacon(v.sessionId(), "f", Map.of("phone", "+79165553600"));
        server.clock.advance(Duration.ofHours(24));
        Reply tooLate = beacon(v.sessionId(), "g", Map.of("phone", "+79165553601"));
        Reply unknown = beacon("s_doesNotExist0000000000", "f", Map.of("phone", "+79165553602"));

        assertThat(lateButFine.status()).as("a form typed while the lease lapsed still counts").isEqualTo(201);
        assertThat(tooLate.status()).isEqualTo(410);
        assertThat(tooLate.errorCode()).isEqualTo("session_ended");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("session_not_found");
        assertThat(log(site, "").get("leads")).hasSize(1);
    }

    @Test
    void malformedBodiesGetAClear4xx() {
        Site site = site();
        Visit v = visit(site, "visitor-bad-1", "https://example.com/");
        String path = "/v1/sessions/" + v.sessionId() + "/leads";
        Reply broken = server.send("POST", path, null, "{\"fields\":", "text/plain", Map.of());
        Reply unknownField = server.send("POST", path, null, "{\"fields\":{\"phone\":\"+79165553700\"},\"password\":\"x\"}",
                "text/plain", Map.of());
        Reply empty = server.send("POST", path, null, "{\"fields\":{\"phone\":\"  \",\"website\":\"x\"}}", "text/plain", Map.of());
        Reply xml = server.send("POST", path, null, "<lead/>", "application/xml", Map.of());
        Reply huge = server.send("POST", path, null, "{\"fields\":{\"message\":\"" + "x".repeat(20_000) + "\"}}", "text/plain", Map.of());
        Reply foreignOrigin = server.send("POST", path, null, "{\"fields\":{\"phone\":\"+79165553700\"}}", "text/plain",
                Map.of("Origin", "https://evil.example.org"));
        Reply noKey = server.post("/v1/sites/" + site.id() + "/leads", null, Map.of("phone", "+79165553700"));
        Reply future = lead(site, Map.of("phone", "+79165553700", "at", server.clock.instant().plus(Duration.ofHours(1)).toString()));

        assertThat(broken.status()).isEqualTo(400);
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.json().get("error").get("field").asText()).isEqualTo("password");
        assertThat(empty.status()).isEqualTo(422);
        assertThat(empty.errorCode()).isEqualTo("empty_lead");
        assertThat(xml.status()).isEqualTo(415);
        assertThat(huge.status()).isEqualTo(413);
        assertThat(foreignOrigin.status()).isEqualTo(403);
        assertThat(noKey.status()).isEqualTo(401);
        assertThat(future.status()).isEqualTo(422);
        assertThat(log(site, "").get("leads")).isEmpty();
    }

    @Test
    void aLeadOlderThanTheSitesRetentionIsRefusedNamingAtButARepeatIsStillAnswered() {
        // Until session 36 such a lead was stored (201) and its personal data erased at the next hourly purge.
        Site site = site();
        Reply days = server.send("PATCH", "/v1/sites/" + site.id(), site.apiKey(), "{\"retentionDays\":30}", "application/json", Map.of());
        assertThat(days.status()).as(days.body()).isEqualTo(200);
        Instant now = server.clock.instant();
        Reply old = lead(site, Map.of("phone", "+79165553950", "at", now.minus(Duration.ofDays(31)).toString()));
        Reply recent = lead(site, Map.of("phone", "+79165553951", "externalId", "crm-950", "at", now.minus(Duration.ofDays(29)).toString()));

        assertThat(old.status()).as(old.body()).isEqualTo(422);
        assertThat(old.errorCode()).isEqualTo("invalid_value");
        assertThat(old.json().get("error").get("field").asText()).isEqualTo("at");
        assertThat(old.json().get("error").get("message").asText()).contains("retention", "30");
        assertThat(recent.status()).as(recent.body()).isEqualTo(201);
        assertThat(log(site, "").get("leads")).hasSize(1);

        // the sender's retry after the lead has aged past retention answers the lead it made
        server.clock.advance(Duration.ofDays(2));
        Reply repeat = lead(site, Map.of("phone", "+79165553951", "externalId", "crm-950", "at", now.minus(Duration.ofDays(29)).toString()));
        assertThat(repeat.status()).as(repeat.body()).isEqualTo(200);
        assertThat(repeat.json().get("leadId").asText()).isEqualTo(recent.json().get("leadId").asText());
    }

    @Test
    void uniquenessFollowsTheSitesUniquenessPeriod() {
        Site site = site();
        Reply days = server.send("PATCH", "/v1/sites/" + site.id(), site.apiKey(), "{\"uniquenessDays\":1}", "application/json", Map.of());
        assertThat(days.status()).as(days.body()).isEqualTo(200);
        Reply first = lead(site, Map.of("phone", "+79165553800", "formId", "a"));
        server.clock.advance(Duration.ofHours(23));
        Reply sameDay = lead(site, Map.of("email", "u@example.com", "phone", "+79165553800", "formId", "b"));
        server.clock.advance(Duration.ofHours(25));
        Reply twoDaysLater = lead(site, Map.of("email", "u@example.com", "formId", "c"));

        assertThat(first.json().get("unique").asBoolean()).isTrue();
        assertThat(sameDay.json().get("unique").asBoolean()).isFalse();
        assertThat(twoDaysLater.json().get("unique").asBoolean()).isTrue();
    }

    static Reply patchLead(Site site, String leadId, String body) {
        return server.send("PATCH", "/v1/sites/" + site.id() + "/leads/" + leadId, site.apiKey(), body, "application/json", Map.of());
    }

    /**
     * Audit AN1 F13: a lead marked spam (a bot typed someone's number) still took "unique" from the
     * person's real lead after it, so unique-lead counts and {@code unique=true} exports skipped them.
     */
    @Test
    void aLeadMarkedSpamIsNoEarlierLeadOfThePersonAndTakingTheMarkBackRestoresIt() {
        Site site = site();
        Reply spam = lead(site, Map.of("kind", "callback", "phone", "+79165553900", "message", "BUY CHEAP"));
        assertThat(patchLead(site, spam.text("leadId"), "{\"status\":\"spam\"}").status()).isEqualTo(200);
        server.clock.advance(Duration.ofMinutes(20));
        Reply real = lead(site, Map.of("kind", "callback", "phone", "+79165553900", "gclid", "GSPAM0001"));

        assertThat(real.json().get("unique").asBoolean()).as("the person's first real lead").isTrue();
        assertThat(getLead(site, spam.text("leadId")).get("unique").asBoolean()).as("spam is nobody's first").isFalse();
        java.time.LocalDate today = java.time.LocalDate.ofInstant(server.clock.instant(), java.time.ZoneOffset.UTC);
        Reply report = server.get("/v1/sites/" + site.id() + "/reports/sources?from=" + today.minusDays(2) + "&to=" + today.plusDays(1),
                site.apiKey());
        assertThat(report.status()).as(report.body()).isEqualTo(200);
        assertThat(report.json().get("totals").get("uniqueLeads").asLong()).as(report.body()).isEqualTo(1);

        Reply days = server.send("PATCH", "/v1/sites/" + site.id(), site.apiKey(), "{\"uniquenessDays\":30}", "application/json", Map.of());
        assertThat(days.status()).as(days.body()).isEqualTo(200);
        assertThat(getLead(site, real.text("leadId")).get("unique").asBoolean()).as("a site-wide re-decision skips spam too").isTrue();

        assertThat(patchLead(site, spam.text("leadId"), "{\"status\":\"new\"}").status()).isEqualTo(200);
        assertThat(getLead(site, spam.text("leadId")).get("unique").asBoolean()).as("not spam after all: the first again").isTrue();
        assertThat(getLead(site, real.text("leadId")).get("unique").asBoolean()).isFalse();
        assertThat(patchLead(site, spam.text("leadId"), "{\"status\":\"spam\"}").status()).isEqualTo(200);
        assertThat(getLead(site, real.text("leadId")).get("unique").asBoolean()).as("marked spam later: re-decided at once").isTrue();
    }

    static Reply beaconFrom(String sessionId, String url, String formId, Map<String, String> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "form");
        body.put("formId", formId);
        body.put("url", url);
        body.put("fields", fields);
        return beaconRaw(sessionId, json(body), Map.of());
    }

    /**
     * Audit AN1 F7: a second question of the same person on the same form a minute later was merged
     * and its message thrown away, and one-form pages (all "0" to the script) merged an order on one
     * page with a question on another.
     */
    @Test
    void aDifferentMessageOrAnIndexNamedFormOnAnotherPageIsANewLeadNotADuplicate() {
        Site site = site();
        Visit v = visit(site, "visitor-msg-1", "https://example.com/");
        Reply first = beacon(v.sessionId(), "ask", Map.of("phone", "+79165553700", "message", "Do you deliver a sofa to Tula?"));
        Reply again = beacon(v.sessionId(), "ask", Map.of("phone", "+79165553700", "message", "Do you deliver a sofa to Tula?",
                "name", "Quinn"));
        Reply blank = beacon(v.sessionId(), "ask", Map.of("phone", "+79165553700"));
        Reply second = beacon(v.sessionId(), "ask", Map.of("phone", "+79165553700", "message", "Also: a price for the oak table"));
        Reply secondAgain = beacon(v.sessionId(), "ask", Map.of("phone", "+79165553700", "message", "Also: a price for the oak table"));

        assertThat(again.text("outcome")).as("the same words again: a double click").isEqualTo("merged");
        assertThat(blank.text("outcome")).isEqualTo("merged");
        assertThat(second.status()).as("another question is another request").isEqualTo(201);
        assertThat(getLead(site, second.text("leadId")).get("message").asText()).isEqualTo("Also: a price for the oak table");
        assertThat(secondAgain.text("leadId")).as("its own repeat merges into it").isEqualTo(second.text("leadId"));
        assertThat(getLead(site, first.text("leadId")).get("message").asText()).isEqualTo("Do you deliver a sofa to Tula?");

        Reply sofa = beaconFrom(v.sessionId(), "https://example.com/sofa?utm_source=x", "0", Map.of("phone", "+79165553701"));
        Reply sofaAgain = beaconFrom(v.sessionId(), "https://example.com/sofa", "0", Map.of("phone", "+79165553701"));
        Reply delivery = beaconFrom(v.sessionId(), "https://example.com/delivery", "0", Map.of("phone", "+79165553701"));
        Reply named = beaconFrom(v.sessionId(), "https://example.com/sofa", "order", Map.of("phone", "+79165553701"));
        Reply namedElsewhere = beaconFrom(v.sessionId(), "https://example.com/delivery", "order", Map.of("phone", "+79165553701"));
        assertThat(sofaAgain.text("outcome")).isEqualTo("merged");
        assertThat(delivery.status()).as("form \"0\" on another page is another form").isEqualTo(201);
        assertThat(named.status()).isEqualTo(201);
        assertThat(namedElsewhere.text("outcome")).as("a named form is the same form on any page").isEqualTo("merged");
        assertThat(log(site, "").get("leads")).hasSize(5);
    }

    /**
     * Audit AN1 F8: a backend's lead for a visitor whose script was blocked was filed under source
     * null though it carried a gclid (a Google Ads click by the visits' own rule), and the landing
     * URL's UTM tags and the referrer the backend captured could not be passed at all.
     */
    @Test
    void aVisitlessLeadIsNamedFromItsClickIdsAndTheLandingUrlAndReferrerTheSenderGives() {
        Site site = site();
        Reply gclidOnly = lead(site, Map.of("kind", "form", "phone", "+79165553600", "gclid", "GBLOCKED1"));
        Reply tagged = lead(site, Map.of("kind", "form", "phone", "+79165553601",
                "landingUrl", "https://example.com/sofas?utm_source=yandex&utm_medium=cpc&utm_campaign=sofas&yclid=4545&email=x@y.z",
                "referrer", "https://yandex.ru/search/?text=sofa"));
        Reply referred = lead(site, Map.of("kind", "form", "phone", "+79165553602", "referrer", "https://partner.example.org/list"));
        Reply nothing = lead(site, Map.of("kind", "form", "phone", "+79165553603"));

        assertThat(gclidOnly.status()).as(gclidOnly.body()).isEqualTo(201);
        JsonNode g = gclidOnly.json().get("attribution");
        assertThat(g.get("method").asText()).isEqualTo("landing");
        assertThat(g.get("source").asText()).isEqualTo("google");
        assertThat(g.get("medium").asText()).isEqualTo("cpc");
        assertThat(g.get("channel").asText()).isEqualTo("paid");
        assertThat(g.get("gclid").asText()).isEqualTo("GBLOCKED1");

        assertThat(tagged.status()).as(tagged.body()).isEqualTo(201);
        JsonNode t = getLead(site, tagged.text("leadId")).get("attribution");
        assertThat(t.get("method").asText()).isEqualTo("landing");
        assertThat(t.get("source").asText()).isEqualTo("yandex");
        assertThat(t.get("campaign").asText()).isEqualTo("sofas");
        assertThat(t.get("channel").asText()).isEqualTo("paid");
        assertThat(t.get("yclid").asText()).isEqualTo("4545");
        assertThat(t.get("landingPage").asText()).as("kept as visits keep theirs").contains("utm_campaign=sofas").doesNotContain("x@y.z");
        assertThat(t.get("referrer").asText()).isEqualTo("https://yandex.ru/search/");

        JsonNode r = referred.json().get("attribution");
        assertThat(r.get("source").asText()).isEqualTo("partner.example.org");
        assertThat(r.get("channel").asText()).isEqualTo("referral");
        assertThat(nothing.json().get("attribution").get("method").asText()).as("nothing given: still none").isEqualTo("none");

        java.time.LocalDate today = java.time.LocalDate.ofInstant(server.clock.instant(), java.time.ZoneOffset.UTC);
        Reply report = server.get("/v1/sites/" + site.id() + "/reports/sources?groupBy=source,campaign&from=" + today.minusDays(2) + "&to="
                + today.plusDays(1), site.apiKey());
        assertThat(report.status()).as(report.body()).isEqualTo(200);
        assertThat(report.body()).contains("\"source\":\"google\"").contains("\"campaign\":\"sofas\"");
        assertThat(log(site, "method=landing").get("leads")).hasSize(3);
        Reply unknown = lead(site, Map.of("kind", "form", "phone", "+79165553604", "landingPage", "https://example.com/"));
        assertThat(unknown.status()).as("the field is landingUrl").isEqualTo(400);
    }

    /** Audit AN1 F4: asked by phone, the person's e-mail was null though their lead carried one. */
    @Test
    void aPersonAskedForByPhoneShowsTheEmailTheirLatestLeadCarriesAndTheOtherWayRound() {
        Site site = site();
        lead(site, Map.of("kind", "form", "formId", "a", "phone", "+79061234500", "email", "old.me@example.com"));
        server.clock.advance(Duration.ofMinutes(30));
        lead(site, Map.of("kind", "form", "formId", "b", "phone", "+79061234500", "email", "Erase.Me2@example.com"));
        lead(site, Map.of("kind", "form", "formId", "c", "phone", "+79061234500"));

        JsonNode byPhone = server.get("/v1/sites/" + site.id() + "/contacts/%2B79061234500", site.apiKey()).json();
        assertThat(byPhone.get("phone").asText()).isEqualTo("+79061234500");
        assertThat(byPhone.get("email").asText()).as(byPhone.toString()).isEqualTo("erase.me2@example.com");
        JsonNode byEmail = server.get("/v1/sites/" + site.id() + "/contacts/old.me@example.com", site.apiKey()).json();
        assertThat(byEmail.get("email").asText()).isEqualTo("old.me@example.com");
        assertThat(byEmail.get("phone").asText()).isEqualTo("+79061234500");
        JsonNode nobodyElse = server.get("/v1/sites/" + site.id() + "/contacts/%2B79061234599", site.apiKey()).json();
        assertThat(nobodyElse.get("email").isNull()).isTrue();
    }
}

