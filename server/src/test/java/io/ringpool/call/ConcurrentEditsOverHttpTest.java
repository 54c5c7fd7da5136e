package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AI4 F10 over real HTTP: two people with the same call (or lead) open, the later PATCH made
 * from a stale page silently replaced the earlier one's acknowledged edit. A call and a lead now
 * carry an {@code etag}; a PATCH that sends it back in {@code If-Match} is refused (412, naming the
 * part that moved) when a part it writes changed since; {@code addTags}/{@code removeTags} change the
 * stored list without a read at all. Requests without either work as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one server for the class, made by store(), which a subclass overrides
class ConcurrentEditsOverHttpTest {
    TestServer server;

    static final AtomicInteger SEQ = new AtomicInteger();

    /** Store settings: none for H2; a PostgreSQL database of its own in {@code ConcurrentEditsOnPostgresTest}. */
    protected Map<String, Object> store() {
        return Map.of();
    }

    @BeforeAll
    void start(@TempDir Path dir) {
        server = new TestServer(dir, store());
    }

    @AfterAll
    void stop() {
        if (server != null) { // null when the PostgreSQL subclass skipped before starting one
            server.close();
        }
    }

    record Site(String id, String apiKey, String secret, String number) {}

    Site site() {
        String number = String.format("+7495%03d0001", SEQ.incrementAndGet());
        Map<String, String> s = server.siteWithPool(List.of(number));
        return new Site(s.get("siteId"), s.get("apiKey"), s.get("webhookSecret"), number);
    }

    Reply event(Site site, String providerCallId, String kind) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", providerCallId);
        e.put("event", kind);
        e.put("from", "+79161234567");
        e.put("to", site.number());
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        return server.send("POST", "/v1/telephony/" + site.id() + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.secret(), server.clock.instant().getEpochSecond(), body)));
    }

    String call(Site site) {
        Reply r = event(site, "edit-" + SEQ.incrementAndGet(), "completed");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.text("callId");
    }

    Reply patch(Site site, String path, String body, String ifMatch) {
        return server.send("PATCH", "/v1/sites/" + site.id() + path, site.apiKey(), body, "application/json",
                ifMatch == null ? Map.of() : Map.of("If-Match", ifMatch));
    }

    JsonNode read(Site site, String path) {
        Reply r = server.get("/v1/sites/" + site.id() + path, site.apiKey());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static List<String> tags(JsonNode item) {
        List<String> out = new ArrayList<>();
        item.get("tags").forEach(t -> out.add(t.asText()));
        return out;
    }

    @Test
    void theLaterTagEditFromAStalePageIsRefusedAndTheEarlierTagStays() {
        Site site = site();
        String path = "/calls/" + call(site);
        String seenByBoth = read(site, path).get("etag").asText();

        Reply analyst = patch(site, path, "{\"tags\":[\"lead\"]}", seenByBoth);
        assertThat(analyst.status()).as(analyst.body()).isEqualTo(200);
        Reply owner = patch(site, path, "{\"tags\":[\"vip\"]}", seenByBoth);

        assertThat(owner.status()).as(owner.body()).isEqualTo(412);
        assertThat(owner.errorCode()).isEqualTo("changed_since");
        assertThat(owner.json().at("/error/field").asText()).isEqualTo("tags");
        assertThat(owner.json().at("/error/message").asText()).contains("tags changed since you read it").contains("nothing was saved");
        assertThat(tags(read(site, path))).containsExactly("lead");
    }

    @Test
    void tagsAddedAndRemovedFromTwoStalePagesAreAllKept() {
        Site site = site();
        String path = "/calls/" + call(site);
        assertThat(patch(site, path, "{\"addTags\":[\"Lead\"]}", null).status()).isEqualTo(200);
        assertThat(patch(site, path, "{\"addTags\":[\"vip\", \"lead\"]}", null).status()).isEqualTo(200);
        assertThat(tags(read(site, path))).as("'lead' is the 'Lead' already there").containsExactly("Lead", "vip");

        Reply removed = patch(site, path, "{\"removeTags\":[\"LEAD\", \"never-there\"], \"addTags\":[\"sale\"]}", null);
        assertThat(removed.status()).as(removed.body()).isEqualTo(200);
        assertThat(tags(removed.json())).containsExactly("vip", "sale");

        String stale = read(site, path).get("etag").asText();
        assertThat(patch(site, path, "{\"addTags\":[\"won\"]}", null).status()).isEqualTo(200);
        Reply added = patch(site, path, "{\"addTags\":[\"repeat\"]}", stale);
        assertThat(added.status()).as("a tag added replaces nobody's: no version to check " + added.body()).isEqualTo(200);
        assertThat(tags(added.json())).containsExactly("vip", "sale", "won", "repeat");

        Reply both = patch(site, path, "{\"tags\":[\"x\"], \"addTags\":[\"y\"]}", null);
        assertThat(both.status()).isEqualTo(422);
        assertThat(both.json().at("/error/field").asText()).isEqualTo("addTags");
    }

    @Test
    void tenTagClicksAtOnceKeepEveryTag() {
        Site site = site();
        String path = "/calls/" + call(site);
        List<Supplier<Reply>> clicks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String body = "{\"addTags\":[\"t" + i + "\"]}";
            clicks.add(() -> patch(site, path, body, null));
        }
        TestServer.atOnce(clicks).forEach(r -> assertThat(r.status()).as(r.body()).isEqualTo(200));
        assertThat(tags(read(site, path))).containsExactlyInAnyOrder("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9");
    }

    @Test
    void onlyThePartsARequestWritesAreChecked() {
        Site site = site();
        String path = "/calls/" + call(site);
        String stale = read(site, path).get("etag").asText();
        assertThat(patch(site, path, "{\"note\":\"called back\"}", stale).status()).isEqualTo(200);

        Reply review = patch(site, path, "{\"reviewed\":true, \"addTags\":[\"sale\"]}", stale);
        assertThat(review.status()).as("someone else's note is no reason to refuse a review: " + review.body()).isEqualTo(200);
        Reply note = patch(site, path, "{\"note\":\"wrong number\"}", stale);
        assertThat(note.status()).isEqualTo(412);
        assertThat(note.json().at("/error/field").asText()).isEqualTo("note");
        Reply value = patch(site, path, "{\"value\":45000}", "\"" + stale + "\"");
        assertThat(value.status()).as("the quoted form of the header is the same tag: " + value.body()).isEqualTo(200);
        assertThat(read(site, path).get("note").asText()).isEqualTo("called back");
    }

    @Test
    void aCallEventBetweenTheReadAndTheEditFailsNeitherOfThem() {
        Site site = site();
        Reply ringing = event(site, "live-1", "ringing");
        assertThat(ringing.status()).as(ringing.body()).isEqualTo(200);
        String path = "/calls/" + ringing.text("callId");
        JsonNode before = read(site, path);

        Reply completed = event(site, "live-1", "completed");
        assertThat(completed.status()).as(completed.body()).isEqualTo(200);
        Reply tagged = patch(site, path, "{\"tags\":[\"lead\"]}", before.get("etag").asText());

        assertThat(tagged.status()).as("the provider's event changes nothing a person edits: " + tagged.body()).isEqualTo(200);
        assertThat(tagged.json().get("status").asText()).as("the event is kept too").isNotEqualTo("ringing");
        assertThat(tags(tagged.json())).containsExactly("lead");
    }

    @Test
    void theETagHeaderIsTheJsonsEtagAndStarOrNoIfMatchAlwaysWrites() {
        Site site = site();
        String path = "/calls/" + call(site);
        Reply got = server.get("/v1/sites/" + site.id() + path, site.apiKey());
        assertThat(got.headers().get("etag")).containsExactly("\"" + got.json().get("etag").asText() + "\"");

        Reply star = patch(site, path, "{\"tags\":[\"a\"]}", "*");
        assertThat(star.status()).isEqualTo(200);
        assertThat(star.headers().get("etag")).containsExactly("\"" + star.json().get("etag").asText() + "\"");
        assertThat(star.json().get("etag").asText()).isNotEqualTo(got.json().get("etag").asText());
        assertThat(patch(site, path, "{\"tags\":[\"b\"]}", null).status()).as("as before If-Match existed").isEqualTo(200);

        Reply garbage = patch(site, path, "{\"tags\":[\"c\"]}", "\"not-ours\"");
        assertThat(garbage.status()).isEqualTo(412);
        assertThat(garbage.json().at("/error/field").asText()).isEqualTo("If-Match");
        assertThat(tags(read(site, path))).containsExactly("b");
    }

    @Test
    void aLeadsStatusFromAStalePageIsRefusedAndItsTagsAddUp() {
        Site site = site();
        Reply created = server.post("/v1/sites/" + site.id() + "/leads", site.apiKey(), Map.of("kind", "form", "phone", "+79161112233"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String path = "/leads/" + created.text("leadId");
        JsonNode lead = read(site, path);
        String stale = lead.get("etag").asText();

        assertThat(patch(site, path, "{\"status\":\"won\"}", stale).status()).isEqualTo(200);
        Reply spam = patch(site, path, "{\"status\":\"spam\"}", stale);
        assertThat(spam.status()).as(spam.body()).isEqualTo(412);
        assertThat(spam.json().at("/error/field").asText()).isEqualTo("status");
        assertThat(spam.json().at("/error/message").asText()).contains("this lead's status changed");

        assertThat(patch(site, path, "{\"addTags\":[\"vip\"]}", stale).status()).isEqualTo(200);
        Reply more = patch(site, path, "{\"addTags\":[\"repeat\"], \"value\": 100}", null);
        assertThat(more.status()).as(more.body()).isEqualTo(200);
        assertThat(tags(more.json())).containsExactly("vip", "repeat");
        assertThat(more.json().get("status").asText()).isEqualTo("won");
        Reply got = server.get("/v1/sites/" + site.id() + path, site.apiKey());
        assertThat(got.headers().get("etag")).containsExactly("\"" + got.json().get("etag").asText() + "\"");
    }
}
