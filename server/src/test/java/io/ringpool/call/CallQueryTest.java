package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.http.ApiException;
import io.ringpool.http.Request;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallQueryTest {
    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");

    static Request request(Map<String, String> params) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        params.forEach((k, v) -> query.put(k, List.of(v)));
        return new Request("GET", "/v1/sites/s/calls", "/v1/sites/{siteId}/calls", Map.of(), query, Map.of(), new byte[0], "127.0.0.1");
    }

    @Test
    void aDateIsADayInTheSitesZoneAndAToDateIncludesThatWholeDay() {
        CallQuery q = CallQuery.of(request(Map.of("from", "2026-11-26", "to", "2026-11-26")), "s", MOSCOW);
        assertThat(q.from()).isEqualTo(Instant.parse("2026-11-25T21:00:00Z"));
        assertThat(q.to()).isEqualTo(Instant.parse("2026-11-26T21:00:00Z"));
    }

    @Test
    void aTimeWithAnOffsetIsAnInstantAndOneWithoutIsLocalToTheSite() {
        assertThat(CallQuery.time("2026-11-26T03:15:00Z", "from", MOSCOW, false)).isEqualTo(Instant.parse("2026-11-26T03:15:00Z"));
        assertThat(CallQuery.time("2026-11-26T03:15:00+03:00", "from", MOSCOW, false)).isEqualTo(Instant.parse("2026-11-26T00:15:00Z"));
        assertThat(CallQuery.time("2026-11-26T03:15:00", "from", MOSCOW, false)).isEqualTo(Instant.parse("2026-11-26T00:15:00Z"));
    }

    @Test
    void badValuesAre422sNamingTheParameter() {
        assertThatThrownBy(() -> CallQuery.of(request(Map.of("limit", "0")), "s", MOSCOW))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("limit"));
        assertThatThrownBy(() -> CallQuery.of(request(Map.of("method", "guess")), "s", MOSCOW))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("method"));
        assertThatThrownBy(() -> CallQuery.of(request(Map.of("unique", "maybe")), "s", MOSCOW))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("unique"));
        assertThatThrownBy(() -> CallQuery.of(request(Map.of("from", "2026-11-27", "to", "2026-11-26")), "s", MOSCOW))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("to"));
        assertThatThrownBy(() -> CallQuery.of(request(Map.of("colour", "red")), "s", MOSCOW))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(422));
    }

    @Test
    void aCursorRoundTripsAndAForgedOneIsRejected() {
        CallQuery.Cursor c = new CallQuery.Cursor(Instant.parse("2026-11-26T03:15:00.123Z"), "call_abc");
        assertThat(CallQuery.Cursor.decode(c.encode())).isEqualTo(c);
        assertThatThrownBy(() -> CallQuery.Cursor.decode("!!!")).isInstanceOf(ApiException.class);
    }

    @Test
    void aDialledNumberIsReadAsConfiguredOrInTheSitesLocalFormat() {
        assertThat(CallService.normaliseDialled("+7 (495) 000-00-01", "RU")).isEqualTo("+74950000001");
        assertThat(CallService.normaliseDialled("8 (916) 123-45-67", "RU")).isEqualTo("+79161234567");
        assertThat(CallService.normaliseDialled("anonymous", "RU")).isNull();
        assertThat(CallService.normaliseDialled(" ", "RU")).isNull();
    }
}
