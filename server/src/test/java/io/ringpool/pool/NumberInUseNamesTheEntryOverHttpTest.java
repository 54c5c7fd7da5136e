package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 409 {@code number_in_use} for a number in a list names its entry, {@code numbers[i]}, as a
 * malformed or repeated entry is named: it named the whole list (audit AK2 F5).
 */
class NumberInUseNamesTheEntryOverHttpTest {
    @TempDir
    Path dir;

    TestServer server;
    Map<String, String> site;
    String key;

    @BeforeEach
    void start() {
        server = new TestServer(dir);
        site = server.siteWithPool(List.of("+74951110001"));
        key = site.get("apiKey");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String sitePath() {
        return "/v1/sites/" + site.get("siteId");
    }

    static String field(Reply r) {
        return r.json().path("error").path("field").asText();
    }

    @Test
    void addingNumbersNamesTheEntryInUse() {
        Reply r = server.post(sitePath() + "/pools/" + site.get("poolId") + "/numbers", key,
                Map.of("numbers", List.of("+74951231231", "+74951110001")));
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("number_in_use");
        assertThat(field(r)).isEqualTo("numbers[1]");
    }

    @Test
    void aNewPoolNamesTheEntryInUseWhateverMadeItSo() {
        assertThat(server.post(sitePath() + "/static-numbers", key, Map.of("number", "+74951110002", "source", "billboard"))
                .status()).isEqualTo(201);
        Map<String, Integer> taken = Map.of("+74951110001", 2, "+74951110002", 1, "+74951234567", 0);
        taken.forEach((number, at) -> {
            List<String> numbers = new java.util.ArrayList<>(List.of("+74951231231", "+74951231232"));
            numbers.add(at, number);
            Reply r = server.post(sitePath() + "/pools", key, Map.of("name", "second", "numbers", numbers));
            assertThat(r.status()).as(number + " " + r.body()).isEqualTo(409);
            assertThat(field(r)).as(number).isEqualTo("numbers[" + at + "]");
        });
    }

    @Test
    void aNumberAnotherSiteTracksIsNamedByItsEntry() {
        Map<String, String> other = server.siteWithPool(List.of("+74951110009"));
        Reply r = server.post(sitePath() + "/pools/" + site.get("poolId") + "/numbers", key,
                Map.of("numbers", List.of("+74951231231", "+74951231232", "+74951110009")));
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(field(r)).isEqualTo("numbers[2]");
        assertThat(other).isNotEmpty();
    }
}
