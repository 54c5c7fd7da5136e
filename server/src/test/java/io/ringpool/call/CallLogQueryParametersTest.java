package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.failure.DomainFailure;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /calls}'s query string as the typed {@link CallQuery} the service takes. */
class CallLogQueryParametersTest {

    static Request request(Map<String, String> params) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        params.forEach((k, v) -> query.put(k, List.of(v)));
        return new Request("GET", "/v1/sites/s/calls", "/v1/sites/{siteId}/calls", Map.of(), query, Map.of(), new byte[0], "127.0.0.1");
    }

    static CallQuery query(Map<String, String> params) {
        return CallApi.query(request(params), TestSites.moscow("s"), false);
    }

    @Test
    void everyFilterBecomesATypedFieldAndDatesAreDaysInTheSitesZone() {
        CallQuery q = query(Map.of("from", "2026-11-26", "to", "2026-11-26", "source", "google", "method", "Cooling",
                "status", "missed", "unique", "yes", "target", "0", "tag", "lead", "limit", "7"));
        assertThat(q).isEqualTo(new CallQuery("s", Instant.parse("2026-11-25T21:00:00Z"), Instant.parse("2026-11-26T21:00:00Z"),
                "google", null, null, null, "lead", AttributionMethod.COOLING, CallState.Status.MISSED, true, false, 7, null));
    }

    @Test
    void theCursorIsTheLastCallOfThePageItCameWith() {
        String cursor = QueryParameters.cursor("1795835700123", "call_abc");
        assertThat(query(Map.of("cursor", cursor)).after())
                .isEqualTo(new CallQuery.Position(Instant.ofEpochMilli(1795835700123L), "call_abc"));
    }

    @Test
    void anUnknownParameterIs400UnknownParameterLikeOnEveryOtherRoute() {
        assertThatThrownBy(() -> query(Map.of("colour", "red"))).isInstanceOfSatisfying(DomainFailure.class, e -> {
            assertThat(e.kind()).isEqualTo(DomainFailure.Kind.MALFORMED);
            assertThat(e.code()).isEqualTo("unknown_parameter");
            assertThat(e.field()).isEqualTo("colour");
        });
    }

    @Test
    void badValuesAreInvalidNamingTheParameter() {
        for (Map<String, String> bad : List.of(Map.of("limit", "0"), Map.of("limit", "501"), Map.of("method", "guess"),
                Map.of("status", "lost"), Map.of("unique", "maybe"), Map.of("cursor", "nonsense"),
                // Audit AG3 #5: an empty value (a script's unset variable) was read as no filter.
                Map.of("from", ""), Map.of("to", ""), Map.of("tag", ""), Map.of("source", " "), Map.of("limit", ""),
                Map.of("cursor", ""), Map.of("unique", ""), Map.of("caller", ""))) {
            String name = bad.keySet().iterator().next();
            assertThatThrownBy(() -> query(bad)).as(bad.toString()).isInstanceOfSatisfying(DomainFailure.class, e -> {
                assertThat(e.kind()).isEqualTo(DomainFailure.Kind.INVALID);
                assertThat(e.field()).isEqualTo(name);
            });
        }
        assertThatThrownBy(() -> query(Map.of("from", "2026-11-27", "to", "2026-11-26")))
                .isInstanceOfSatisfying(DomainFailure.class, e -> assertThat(e.field()).isEqualTo("to"));
    }
}
