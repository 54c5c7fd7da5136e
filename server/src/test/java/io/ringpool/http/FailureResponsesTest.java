package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.failure.DomainFailure;
import io.ringpool.failure.DomainFailure.Kind;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one mapping from failures to HTTP answers. */
class FailureResponsesTest {

    private static JsonNode error(Response r) throws Exception {
        return Json.MAPPER.readTree(r.body()).get("error");
    }

    @Test
    void everyKindHasTheStatusTheHelpersRulesGiveIt() {
        Map<Kind, Integer> expected = new EnumMap<>(Kind.class);
        expected.putAll(Map.ofEntries(Map.entry(Kind.MALFORMED, 400), Map.entry(Kind.INVALID, 422),
                Map.entry(Kind.UNAUTHENTICATED, 401), Map.entry(Kind.FORBIDDEN, 403), Map.entry(Kind.NOT_FOUND, 404),
                Map.entry(Kind.CONFLICT, 409), Map.entry(Kind.PRECONDITION_FAILED, 412), Map.entry(Kind.GONE, 410), Map.entry(Kind.TOO_LARGE, 413),
                Map.entry(Kind.UNSUPPORTED_MEDIA_TYPE, 415), Map.entry(Kind.RATE_LIMITED, 429), Map.entry(Kind.UNAVAILABLE, 503),
                Map.entry(Kind.INSUFFICIENT_STORAGE, 507)));
        assertThat(expected.keySet()).containsExactlyInAnyOrder(Kind.values());
        expected.forEach((kind, status) -> assertThat(FailureResponses.status(kind)).as(kind.name()).isEqualTo(status));
    }

    @Test
    void aFailureBecomesTheErrorShapeWithItsFieldOrANullField() throws Exception {
        Response invalid = FailureResponses.of(DomainFailure.invalid("numbers[1]", "'numbers[1]' repeats +74950000101"));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.contentType()).startsWith("application/json");
        assertThat(error(invalid).get("code").asText()).isEqualTo("invalid_value");
        assertThat(error(invalid).get("field").asText()).isEqualTo("numbers[1]");
        Response unknown = FailureResponses.of(DomainFailure.unknownField("nmae"));
        assertThat(unknown.status()).isEqualTo(400);
        JsonNode notFound = error(FailureResponses.of(DomainFailure.notFound("pool")));
        assertThat(notFound.has("field")).isTrue();
        assertThat(notFound.get("field").isNull()).isTrue();
        assertThat(notFound.get("message").asText()).isEqualTo("pool not found");
    }

    @Test
    void retryAfterSecondsBecomesTheRetryAfterHeader() {
        Response busy = FailureResponses.of(new DomainFailure(Kind.RATE_LIMITED, "rate_limited", "slow down", null, 7));
        assertThat(busy.status()).isEqualTo(429);
        assertThat(busy.headers()).containsEntry("Retry-After", "7");
        assertThat(FailureResponses.of(DomainFailure.notFound("x")).headers()).doesNotContainKey("Retry-After");
    }

    @Test
    void aFaultTheMapperRecognisesIsAnsweredAsItsFailureAndAnyOtherIsA500WithoutInternals() throws Exception {
        FailureMapper mapper = t -> t instanceof IllegalStateException
                ? new DomainFailure(Kind.UNAVAILABLE, "store_unavailable", "the store is unavailable", null, 1) : null;
        Response mapped = FailureResponses.of(new IllegalStateException("connection refused"), mapper);
        assertThat(mapped.status()).isEqualTo(503);
        assertThat(mapped.headers()).containsEntry("Retry-After", "1");
        Response bug = FailureResponses.of(new NullPointerException("secret internals at Foo.java:42"), mapper);
        assertThat(bug.status()).isEqualTo(500);
        assertThat(new String(bug.body())).doesNotContain("secret").doesNotContain("Foo.java");
        assertThat(error(bug).get("code").asText()).isEqualTo("internal_error");
    }
}
