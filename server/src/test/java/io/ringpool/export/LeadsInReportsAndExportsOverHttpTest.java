package io.ringpool.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import io.ringpool.report.ReportFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leads counted beside calls, over real HTTP, on {@link ReportFixture}'s calls plus these leads:
 *
 * <pre>
 * L1  visitor B comes back directly, form with B's phone (B called before)     → lead, unique lead, no new contact
 * L2  server lead, no visit, gclid payload, gmail address with dots and +tag   → lead (no source), unique, contact
 * L3  visitor F google/cpc gclid=GCLID-F ym=YM-F, form phone + e-mail           → lead, unique, contact
 * L3' the same form again 2 min later                                          → merged into L3, counted once
 * L5  visitor F's callback request, e-mail only                                → lead, not unique, no new contact
 * L6  visitor G yandex/cpc, then marked spam                                   → nowhere in reports or exports
 * L7  visitor C (organic), name only                                           → lead, never unique, no contact
 * call F from F's phone to F's number                                          → unique call, no new contact, links L3
 * 2 days later, uniquenessDays=1: L8 by visitorId F from F's phone              → unique lead again, a contact again
 * </pre>
 * Expected figures are computed here from what the lead and call logs say about each item (its
 * source, medium, device, phone, e-mail, time) with a naive rule written apart from the server's;
 * the exports are parsed back as RFC 4180 and checked column by column.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeadsInReportsAndExportsOverHttpTest {
    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");
    static final DateTimeFormatter GOOGLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    static final String GCLID_PAYLOAD = "=HYPERLINK(\"gclid\")";

    @TempDir
    static Path dir;

    static TestServer server;
    static ReportFixture f;
    static final Map<String, String> leadIds = new LinkedHashMap<>();
    static String callF;

    @BeforeAll
    static void start() {
        build(new TestServer(dir));
    }

    /** The whole story of the class comment, on {@code started}. */
    static void build(TestServer started) {
        server = started;
        leadIds.clear();
        f = new ReportFixture(server, 311).build();
        f.advance(Duration.ofMinutes(5));
        String b = f.visit("visitor-B-0001", "https://example.com/", null, Map.of("ym", "YM-B"), TestServer.CHROME, "B3").get("sessionId");
        leadIds.put("L1", beacon(b, "order", Map.of("phone", "8 916 000-00-02", "name", "Boris")));
        f.advance(Duration.ofMinutes(1));
        leadIds.put("L2", api(Map.of("externalId", "crm-2", "kind", "email", "email", " Anna.K+ads@GMail.com ", "gclid", GCLID_PAYLOAD,
                "value", 700)));
        f.advance(Duration.ofMinutes(1));
        Map<String, String> fVisit = f.visit("visitor-F-0001", "https://example.com/sofa?utm_source=google&utm_medium=cpc&gclid=GCLID-F",
                null, Map.of("ym", "YM-F"), ReportFixture.IPHONE, "F1");
        leadIds.put("L3", beacon(fVisit.get("sessionId"), "order", Map.of("phone", "+7 916 000-00-06", "email", "F@Example.com")));
        f.advance(Duration.ofMinutes(2));
        assertThat(beacon(fVisit.get("sessionId"), "order", Map.of("phone", "+7 916 000-00-06"))).as("merged").isEqualTo(leadIds.get("L3"));
        f.advance(Duration.ofMinutes(20));
        leadIds.put("L5", api(Map.of("kind", "callback", "email", "f@example.com", "sessionId", fVisit.get("sessionId"))));
        f.advance(Duration.ofMinutes(1));
        String g = f.visit("visitor-G-0001", "https://example.com/?utm_source=yandex&utm_medium=cpc&yclid=YCLID-G", null,
                Map.of("ym", "YM-G"), TestServer.CHROME, "G1").get("sessionId");
        leadIds.put("L6", beacon(g, "order", Map.of("phone", "+7 916 000-00-07", "message", "buy cheap pills")));
        Reply spam = server.send("PATCH", "/v1/sites/" + f.siteId + "/leads/" + leadIds.get("L6"), f.apiKey, "{\"status\":\"spam\"}",
                "application/json", Map.of());
        assertThat(spam.status()).as(spam.body()).isEqualTo(200);
        f.advance(Duration.ofMinutes(1));
        String c = f.visit("visitor-C-0001", "https://example.com/", "https://www.google.com/", Map.of(), TestServer.CHROME, "C2")
                .get("sessionId");
        leadIds.put("L7", beacon(c, "question", Map.of("name", "<b>Cat</b>")));
        f.advance(Duration.ofMinutes(1));
        callF = f.call("F", "+79160000006", fVisit.get("number"), 40);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    static String beacon(String sessionId, String formId, Map<String, String> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "form");
        body.put("formId", formId);
        body.put("url", "https://example.com/contacts");
        body.put("fields", fields);
        Reply r = server.send("POST", "/v1/sessions/" + sessionId + "/leads", null, new String(Json.write(body), StandardCharsets.UTF_8),
                "text/plain;charset=UTF-8", Map.of());
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        return r.text("leadId");
    }

    static String api(Map<String, Object> body) {
        Reply r = server.post("/v1/sites/" + f.siteId + "/leads", f.apiKey, body);
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        return r.text("leadId");
    }

    // ---- a naive reference, written apart from the server's code ---------------------------------

    /** One call or lead as its log shows it. */
    record Item(boolean lead, boolean spam, Instant at, String source, String medium, String device, String phone, String email,
            String sessionId, JsonNode json) {}

    static List<Item> items() {
        List<Item> out = new ArrayList<>();
        for (JsonNode c : f.get("/calls?" + f.range() + "&limit=500").json().get("calls")) {
            JsonNode a = c.get("attribution");
            out.add(new Item(false, false, Instant.parse(c.get("startedAt").asText()), text(a, "source"), text(a, "medium"),
                    text(a, "device"), c.get("caller").asText(), null, text(a, "sessionId"), c));
        }
        for (JsonNode l : f.get("/leads?" + f.range() + "&limit=500").json().get("leads")) {
            JsonNode a = l.get("attribution");
            out.add(new Item(true, l.get("status").asText().equals("spam"), Instant.parse(l.get("at").asText()), text(a, "source"),
                    text(a, "medium"), text(a, "device"), l.get("phoneValid").asBoolean() ? l.get("phone").asText() : null,
                    l.get("emailValid").asBoolean() ? l.get("email").asText() : null, text(a, "sessionId"), l));
        }
        out.sort(Comparator.comparing(Item::at));
        return out;
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** First of its person within {@code days} (0 = ever) among {@code among}: no strictly earlier one shares a phone or e-mail. */
    static boolean first(Item it, List<Item> among, int days) {
        if (it.phone() == null && it.email() == null) {
            return false;
        }
        for (Item other : among) {
            boolean samePerson = (it.phone() != null && it.phone().equals(other.phone()))
                    || (it.email() != null && it.email().equals(other.email()));
            boolean earlier = other.at().isBefore(it.at());
            boolean within = days == 0 || Duration.between(other.at(), it.at()).compareTo(Duration.ofDays(days)) < 0;
            if (samePerson && earlier && within) {
                return false;
            }
        }
        return true;
    }

    record Expected(long leads, long uniqueLeads, long contacts) {}

    /** Groups with visits or calls but no lead and no contact: left out on both sides. */
    static final Expected NOTHING = new Expected(0, 0, 0);

    static Map<List<String>, Expected> expectedBySourceMedium(List<Item> all, int days) {
        List<Item> counted = all.stream().filter(i -> !i.spam()).toList();
        List<Item> leadsOnly = counted.stream().filter(Item::lead).toList();
        Map<List<String>, long[]> sums = new HashMap<>();
        for (Item it : counted) {
            long[] s = sums.computeIfAbsent(java.util.Arrays.asList(it.source(), it.medium()), k -> new long[3]);
            if (it.lead()) {
                s[0]++;
                s[1] += first(it, leadsOnly, days) ? 1 : 0;
            }
            s[2] += first(it, counted, days) ? 1 : 0;
        }
        Map<List<String>, Expected> out = new HashMap<>();
        sums.forEach((k, s) -> out.put(k, new Expected(s[0], s[1], s[2])));
        out.values().removeIf(NOTHING::equals);
        return out;
    }

    static Map<List<String>, Expected> reportedBySourceMedium(String query) {
        Reply r = f.get("/reports/sources?" + f.range() + "&model=last_click" + query);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<List<String>, Expected> out = new HashMap<>();
        for (JsonNode row : r.json().get("rows")) {
            out.put(java.util.Arrays.asList(text(row.get("key"), "source"), text(row.get("key"), "medium")),
                    new Expected(row.get("leads").asLong(), row.get("uniqueLeads").asLong(), row.get("contacts").asLong()));
        }
        out.values().removeIf(NOTHING::equals);
        return out;
    }

    // ---- reports -----------------------------------------------------------------------------------

    @Test
    void theSourcesReportCountsLeadsUniqueLeadsAndContactsAsTheLogsSayPerSource() {
        List<Item> all = items();
        assertThat(all.stream().filter(Item::lead).count()).as("L3' merged into L3").isEqualTo(6);
        Map<List<String>, Expected> expected = expectedBySourceMedium(all, 0);
        Map<List<String>, Expected> reported = reportedBySourceMedium("");
        assertThat(reported).isEqualTo(expected);
        // A hand check of the reference itself: google/cpc has L3 and L5 (one person) and call F from L3's phone, and L2,
        // Anna's visit-less lead whose gclid names it google/cpc (method landing since audit AN1 F8).
        assertThat(expected.get(List.of("google", "cpc"))).isEqualTo(new Expected(3, 2, 2));
        JsonNode totals = f.get("/reports/sources?" + f.range()).json().get("totals");
        assertThat(totals.get("leads").asLong()).isEqualTo(5);
        assertThat(totals.get("calls").asLong()).isEqualTo(6);
    }

    @Test
    void aLeadMarkedSpamAfterTheReportWasComputedDropsOutOfTheNextOne() {
        String l7 = leadIds.get("L7");
        long before = f.get("/reports/sources?" + f.range()).json().get("totals").get("leads").asLong();
        try {
            assertThat(patchStatus(l7, "spam")).isEqualTo(200);
            assertThat(f.get("/reports/sources?" + f.range()).json().get("totals").get("leads").asLong()).isEqualTo(before - 1);
            assertThat(f.get("/reports/time?" + f.range()).json().get("totalLeads").asLong()).isEqualTo(before - 1);
        } finally {
            assertThat(patchStatus(l7, "new")).isEqualTo(200);
        }
        assertThat(f.get("/reports/sources?" + f.range()).json().get("totals").get("leads").asLong()).isEqualTo(before);
    }

    static int patchStatus(String leadId, String status) {
        return server.send("PATCH", "/v1/sites/" + f.siteId + "/leads/" + leadId, f.apiKey, "{\"status\":\"" + status + "\"}",
                "application/json", Map.of()).status();
    }

    @Test
    void aLeadFromADirectVisitIsCreditedToTheVisitorsEarlierAdUnderLastNonDirect() {
        JsonNode rows = f.get("/reports/sources?" + f.range() + "&sort=leads").json().get("rows");
        Map<String, Long> leadsBySource = new HashMap<>();
        for (JsonNode row : rows) {
            leadsBySource.put(row.get("key").get("source").asText() + "/" + row.get("key").get("medium").asText(), row.get("leads").asLong());
        }
        // L1 came back directly; visitor B's latest non-direct visit was yandex/cpc.
        assertThat(leadsBySource.get("yandex/cpc")).isEqualTo(1);
    }

    /** Last: it moves the clock two days and adds L8, which the hand checks of the other tests do not expect. */
    @Test
    @Order(Integer.MAX_VALUE)
    void contactsFollowTheSitesUniquenessPeriod() {
        f.advance(Duration.ofDays(2));
        Reply patched = server.send("PATCH", "/v1/sites/" + f.siteId, f.apiKey, "{\"uniquenessDays\":1}", "application/json", Map.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        leadIds.put("L8", api(Map.of("kind", "callback", "phone", "+79160000006", "visitorId", "visitor-F-0001")));
        List<Item> all = items();
        assertThat(reportedBySourceMedium("")).isEqualTo(expectedBySourceMedium(all, 1));
        Expected google = reportedBySourceMedium("").get(List.of("google", "cpc"));
        assertThat(google).as("L8 two days after F's last contact opens a new window").isEqualTo(new Expected(4, 3, 3));
        // Back to "ever": the same data, L8 is no new contact (the stored uniqueLeads flag was decided on arrival): F and Anna.
        server.send("PATCH", "/v1/sites/" + f.siteId, f.apiKey, "{\"uniquenessDays\":0}", "application/json", Map.of());
        assertThat(reportedBySourceMedium("").get(List.of("google", "cpc")).contacts()).isEqualTo(2);
    }

    @Test
    void timeDailyDevicesAndPathsCountTheSameLeads() {
        List<Item> leads = items().stream().filter(i -> i.lead() && !i.spam()).toList();
        JsonNode time = f.get("/reports/time?" + f.range()).json();
        assertThat(time.get("totalLeads").asLong()).isEqualTo(leads.size());
        long[][] grid = new long[7][24];
        for (Item l : leads) {
            var local = l.at().atZone(MOSCOW);
            grid[local.getDayOfWeek().getValue() - 1][local.getHour()]++;
        }
        for (int w = 0; w < 7; w++) {
            for (int h = 0; h < 24; h++) {
                assertThat(time.get("leads").get(w).get(h).asLong()).as("weekday %d hour %d", w, h).isEqualTo(grid[w][h]);
            }
        }

        JsonNode daily = f.get("/reports/daily?" + f.range()).json();
        Map<String, Long> perDay = new HashMap<>();
        leads.forEach(l -> perDay.merge(l.at().atZone(MOSCOW).toLocalDate().toString(), 1L, Long::sum));
        for (int d = 0; d < daily.get("days").size(); d++) {
            String day = daily.get("days").get(d).asText();
            assertThat(daily.get("leads").get(d).asLong()).as(day).isEqualTo(perDay.getOrDefault(day, 0L));
        }
        long byChannel = 0;
        for (JsonNode series : daily.get("leadsByChannel")) {
            for (JsonNode n : series) {
                byChannel += n.asLong();
            }
        }
        assertThat(byChannel).isEqualTo(leads.size());

        Map<String, Long> perDevice = new HashMap<>();
        leads.forEach(l -> perDevice.merge(Objects.toString(l.device()), 1L, Long::sum));
        Map<String, Long> reportedDevices = new HashMap<>();
        for (JsonNode row : f.get("/reports/devices?" + f.range()).json().get("rows")) {
            if (row.get("leads").asLong() > 0) {
                reportedDevices.put(Objects.toString(text(row.get("key"), "device")), row.get("leads").asLong());
            }
        }
        assertThat(reportedDevices).isEqualTo(perDevice);

        JsonNode paths = f.get("/reports/paths?" + f.range()).json();
        assertThat(paths.get("leads").asLong()).isEqualTo(leads.size());
        assertThat(paths.get("leadsWithoutVisit").asLong()).isEqualTo(leads.stream().filter(l -> l.sessionId() == null).count());
        long inRows = 0;
        for (JsonNode row : paths.get("rows")) {
            inRows += row.get("leads").asLong();
        }
        assertThat(inRows).isEqualTo(leads.stream().filter(l -> l.sessionId() != null).count());
    }

    // ---- the call links to the form its caller sent ---------------------------------------------------

    @Test
    void aCallFromANumberThatSentAFormEarlierShowsThatLead() {
        JsonNode call = f.get("/calls/" + callF).json();
        assertThat(call.get("leads")).hasSize(1);
        assertThat(call.get("leads").get(0).get("leadId").asText()).isEqualTo(leadIds.get("L3"));
        assertThat(call.get("leads").get(0).get("kind").asText()).isEqualTo("form");
        JsonNode b1 = f.get("/calls/" + f.callId.get("B1")).json();
        assertThat(b1.get("leads")).as("B's form came after B's calls").isEmpty();
        for (JsonNode c : f.get("/calls?" + f.range()).json().get("calls")) {
            List<String> expected = c.get("callId").asText().equals(callF) ? List.of(leadIds.get("L3")) : List.of();
            List<String> shown = new ArrayList<>();
            c.get("leads").forEach(l -> shown.add(l.get("leadId").asText()));
            assertThat(shown).as(c.get("callId").asText()).isEqualTo(expected);
        }
    }

    // ---- exports -------------------------------------------------------------------------------------

    record Export(List<List<String>> rows, Map<String, Long> counts) {}

    static Export export(String format, String query) {
        Reply r = f.get("/exports/" + format + ".csv?" + f.range() + (query.isEmpty() ? "" : "&" + query));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, Long> counts = new HashMap<>();
        for (String h : List.of("x-ringpool-exported-rows", "x-ringpool-skipped-rows", "x-ringpool-exported-leads", "x-ringpool-skipped-leads")) {
            counts.put(h.substring("x-ringpool-".length()), Long.parseLong(r.headers().get(h).get(0)));
        }
        return new Export(Csv.parse(r.body()), counts);
    }

    /**
     * The fixture's visits' ids by visitor (there is at most one of each per visitor): an export
     * takes a lead's id from its visitor's earlier visit when its own visit lacks it (docs/reports.md).
     */
    static final Map<String, Map<String, String>> EARLIER_IDS = Map.of(
            "visitor-A-0001", Map.of("gclid", "GCLID-A", "ym", "YM-A"),
            "visitor-B-0001", Map.of("yclid", "YCLID-B", "ym", "YM-B"),
            "visitor-F-0001", Map.of("gclid", "GCLID-F", "ym", "YM-F"),
            "visitor-G-0001", Map.of("yclid", "YCLID-G", "ym", "YM-G"));

    /**
     * The lead's own id (gclid, yclid or the Metrica ClientId "ym"), else its visitor's earlier one
     * (a click id only after a direct return: each visitor here has one non-direct visit at most,
     * which the default model credits), else null.
     */
    static String id(JsonNode lead, String which) {
        JsonNode a = lead.get("attribution");
        String own = which.equals("ym") ? text(a.get("clientIds"), "ym") : text(a, which);
        if (own != null) {
            return own;
        }
        boolean direct = text(a, "channel") == null || text(a, "channel").equals("direct");
        if (!which.equals("ym") && (!direct || text(a, "gclid") != null || text(a, "yclid") != null)) {
            return null;
        }
        String visitor = text(a, "visitorId");
        return visitor == null ? null : EARLIER_IDS.getOrDefault(visitor, Map.of()).get(which);
    }

    static List<JsonNode> exportableLeads() {
        List<JsonNode> out = new ArrayList<>();
        for (Item i : items()) {
            if (i.lead() && !i.spam()) {
                out.add(i.json());
            }
        }
        return out;
    }

    static String google(Instant t) {
        return GOOGLE.format(t.atZone(MOSCOW));
    }

    static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** Google's rules, written out here: trim, lower-case, and no dots in a gmail.com / googlemail.com local part. */
    static String googleEmail(String email) {
        String e = email.trim().toLowerCase(Locale.ROOT);
        String[] parts = e.split("@");
        return parts[1].equals("gmail.com") || parts[1].equals("googlemail.com") ? parts[0].replace(".", "") + "@" + parts[1] : e;
    }

    static String money(JsonNode lead) {
        return lead.get("value").isNull() ? "" : new java.math.BigDecimal(lead.get("value").asText()).stripTrailingZeros().toPlainString();
    }

    @Test
    void googleAdsClicksCarriesEveryLeadWithAGclidAfterTheCallsWithItsOwnConversionName() {
        Export e = export("google-ads-clicks", "leadConversionName=Form");
        List<List<String>> leadRows = e.rows().stream().filter(r -> r.size() == 5 && r.get(1).equals("Form")).toList();
        List<List<String>> expected = new ArrayList<>();
        long without = 0;
        for (JsonNode l : exportableLeads()) {
            String gclid = id(l, "gclid");
            if (gclid == null) {
                without++;
                continue;
            }
            String cell = gclid.startsWith("=") ? "'" + gclid : gclid;
            expected.add(List.of(cell, "Form", google(Instant.parse(l.get("at").asText())), money(l), "RUB"));
        }
        assertThat(leadRows).isEqualTo(expected);
        assertThat(leadRows).as("L2's payload is neutralised; L3 and L5 carry F's click").extracting(r -> r.get(0))
                .containsExactly("'" + GCLID_PAYLOAD, "GCLID-F", "GCLID-F");
        assertThat(e.rows().get(e.rows().size() - expected.size() - 1).get(1)).as("calls first").isEqualTo("Phone call");
        assertThat(e.counts().get("exported-leads")).isEqualTo(expected.size());
        assertThat(e.counts().get("skipped-leads")).isEqualTo(without);
        assertThat(export("google-ads-clicks", "leads=false").counts().get("exported-leads")).isZero();
    }

    @Test
    void googleEnhancedHashesTheGoogleNormalisedEmailAndTheE164Phone() throws Exception {
        Export e = export("google-enhanced", "");
        assertThat(e.rows().get(0)).containsExactly("Parameters:TimeZone=Europe/Moscow");
        assertThat(e.rows().get(1)).containsExactly("Email", "Phone Number", "Conversion Name", "Conversion Time", "Conversion Value",
                "Conversion Currency");
        List<List<String>> leadRows = e.rows().stream().filter(r -> r.size() == 6 && r.get(2).equals("Lead")).toList();
        List<List<String>> expected = new ArrayList<>();
        for (JsonNode l : exportableLeads()) {
            String email = l.get("emailValid").asBoolean() ? sha256(googleEmail(l.get("email").asText())) : "";
            String phone = l.get("phoneValid").asBoolean() ? sha256(l.get("phone").asText()) : "";
            if (!email.isEmpty() || !phone.isEmpty()) {
                expected.add(List.of(email, phone, "Lead", google(Instant.parse(l.get("at").asText())), money(l), "RUB"));
            }
        }
        assertThat(leadRows).isEqualTo(expected);
        assertThat(leadRows).extracting(r -> r.get(0)).as("L2: dots of a gmail local part go, its +tag stays")
                .contains(sha256("annak+ads@gmail.com"));
        assertThat(e.counts().get("skipped-leads")).as("L7 has a name only").isEqualTo(1);
        List<List<String>> callRows = e.rows().stream().filter(r -> r.size() == 6 && r.get(2).equals("Phone call")).toList();
        assertThat(callRows).isNotEmpty().allSatisfy(r -> {
            assertThat(r.get(0)).isEmpty();
            assertThat(r.get(1)).matches("[0-9a-f]{64}");
        });
    }

    @Test
    void yandexOfflineCarriesLeadsWithAClientIdOrYclidAndCountsTheOthers() {
        for (String idType : List.of("clientId", "yclid")) {
            Export e = export("yandex-offline", "idType=" + idType);
            assertThat(e.rows().get(0)).containsExactly(idType.equals("yclid") ? "Yclid" : "ClientId", "Target", "DateTime", "Price",
                    "Currency");
            List<List<String>> leadRows = e.rows().stream().filter(r -> r.get(1).equals("lead")).toList();
            List<List<String>> expected = new ArrayList<>();
            long without = 0;
            for (JsonNode l : exportableLeads()) {
                String id = id(l, idType.equals("yclid") ? "yclid" : "ym");
                if (id == null) {
                    without++;
                    continue;
                }
                String money = money(l);
                expected.add(List.of(id, "lead", Long.toString(Instant.parse(l.get("at").asText()).getEpochSecond()), money,
                        money.isEmpty() ? "" : "RUB"));
            }
            assertThat(leadRows).as(idType).isEqualTo(expected);
            assertThat(e.counts().get("skipped-leads")).as(idType).isEqualTo(without);
            assertThat(leadRows).as("the spam lead carried YM-G and YCLID-G").extracting(r -> r.get(0)).doesNotContain("YM-G", "YCLID-G");
        }
        Export byClientId = export("yandex-offline", "");
        assertThat(byClientId.rows().stream().filter(r -> r.get(1).equals("lead")).map(r -> r.get(0)).toList())
                .containsExactly("YM-B", "YM-F", "YM-F");
    }

    @Test
    void aTargetFilterLeavesLeadsOutAndCallOnlyFormatsNeverHaveThem() {
        assertThat(export("google-ads-clicks", "target=true").counts().get("exported-leads")).isZero();
        assertThat(export("google-ads-calls", "").counts().get("exported-leads")).isZero();
        assertThat(export("yandex-calls", "").counts().get("exported-leads")).isZero();
        Reply bad = f.get("/exports/yandex-offline.csv?leads=perhaps");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("error").get("field").asText()).isEqualTo("leads");
    }

    /**
     * Session 32, conversions out #4: the call log's {@code status}, {@code method} (attributed or
     * not) and {@code caller} had no export parameter. An export now takes them under the same
     * names, keeps the same calls as the log, and refuses the same values with the same 422.
     */
    @Test
    void exportsTakeTheCallLogsStatusMethodAndCallerFiltersWithItsMeaningsAndErrors() {
        int all = f.get("/calls?" + f.range() + "&limit=500").json().get("calls").size();
        Map<String, Integer> logged = new LinkedHashMap<>();
        for (String filter : List.of("status=completed", "status=missed", "method=none", "method=active", "method=repeat",
                "caller=%2B79160000006", "caller=8%20(916)%20000-00-06", "caller=79160000006")) {
            logged.put(filter, f.get("/calls?" + f.range() + "&limit=500&" + filter).json().get("calls").size());
            Export e = export("yandex-calls", filter);
            assertThat(e.counts().get("exported-rows") + e.counts().get("skipped-rows")).as(filter).isEqualTo((long) logged.get(filter));
        }
        assertThat(logged.get("status=completed")).as("the fixture has calls of other statuses").isBetween(1, all - 1);
        assertThat(logged.get("method=none")).as("and unattributed calls beside attributed ones").isBetween(1, all - 1);
        assertThat(logged.get("caller=%2B79160000006")).as("F's call, however the number is written").isEqualTo(1)
                .isEqualTo(logged.get("caller=8%20(916)%20000-00-06")).isEqualTo(logged.get("caller=79160000006"));
        for (List<String> bad : List.of(List.of("status", "maybe"), List.of("method", "guess"), List.of("caller", "abc"),
                List.of("caller", "12345"))) {
            Reply log = f.get("/calls?" + bad.get(0) + "=" + bad.get(1));
            Reply export = f.get("/exports/google-ads-clicks.csv?" + bad.get(0) + "=" + bad.get(1));
            assertThat(log.status()).as(bad.toString()).isEqualTo(422);
            assertThat(export.status()).as(bad.toString()).isEqualTo(422);
            assertThat(export.json().get("error")).as(bad.toString()).isEqualTo(log.json().get("error"));
        }
    }

    /**
     * Session 32, conversions out #4: {@code target=true} left leads out of an export while a
     * destination's {@code target} lets them pass. {@code leads=true} now keeps them beside any
     * call-only filter (target, uniqueTarget, status, method), as a destination's filter does;
     * without it such a filter still leaves them out, and {@code caller} applies to a lead's phone.
     */
    @Test
    void leadsTrueKeepsLeadsBesideCallOnlyFiltersAsADestinationsFilterDoes() {
        Export everything = export("google-ads-clicks", "");
        long leads = everything.counts().get("exported-leads");
        assertThat(leads).isPositive();
        for (String callOnly : List.of("target=true", "uniqueTarget=true", "status=completed", "method=active")) {
            Export byDefault = export("google-ads-clicks", callOnly);
            assertThat(byDefault.counts().get("exported-leads") + byDefault.counts().get("skipped-leads")).as(callOnly).isZero();
            Export withLeads = export("google-ads-clicks", callOnly + "&leads=true");
            assertThat(withLeads.counts().get("exported-leads")).as(callOnly + "&leads=true").isEqualTo(leads);
            assertThat(withLeads.counts().get("skipped-leads")).isEqualTo(everything.counts().get("skipped-leads"));
            assertThat(withLeads.counts().get("exported-rows") - leads).as("the same calls as without leads=true")
                    .isEqualTo(byDefault.counts().get("exported-rows"));
            Export noLeads = export("google-ads-clicks", callOnly + "&leads=false");
            assertThat(noLeads.counts().get("exported-leads") + noLeads.counts().get("skipped-leads")).isZero();
        }
        long fLeads = exportableLeads().stream().filter(l -> "+79160000006".equals(text(l, "phone"))).count();
        Export byCaller = export("google-enhanced", "caller=%2B79160000006");
        assertThat(byCaller.counts().get("exported-leads") + byCaller.counts().get("skipped-leads")).as("F's leads that gave the phone")
                .isEqualTo(fLeads).isPositive();
        assertThat(byCaller.counts().get("exported-rows") - byCaller.counts().get("exported-leads")).as("and F's call").isEqualTo(1);
    }

    @Test
    void theLeadLogReadsItsQueryAsTheCallLogDoes() {
        Reply unknown = f.get("/leads?frm=2026-01-01");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorCode()).isEqualTo("unknown_parameter");
        Reply badStatus = f.get("/leads?status=maybe");
        assertThat(badStatus.status()).isEqualTo(422);
        assertThat(badStatus.errorCode()).isEqualTo("invalid_value");
        assertThat(badStatus.json().get("error").get("field").asText()).isEqualTo("status");
        JsonNode page = f.get("/leads?" + f.range() + "&limit=2").json();
        assertThat(page.get("leads")).hasSize(2);
        assertThat(page.get("nextCursor").isNull()).isFalse();
        JsonNode next = f.get("/leads?" + f.range() + "&limit=2&cursor=" + page.get("nextCursor").asText()).json();
        assertThat(next.get("leads").get(0).get("leadId").asText()).isNotEqualTo(page.get("leads").get(1).get("leadId").asText());
        JsonNode one = f.get("/leads/" + leadIds.get("L7")).json();
        assertThat(one.has("value")).as("nulls written, not left out").isTrue();
        assertThat(one.get("value").isNull()).isTrue();
    }
}
